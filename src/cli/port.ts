/** `nsnap port N [SNAPSHOT|live]`: who holds port N — every socket on it, with its processes. */
import { type Command, Option } from "@commander-js/extra-typings";
import { parsePort, portPaths, socketsOnPort } from "../view/port.ts";
import { renderPortPaths, renderPortReport } from "../render/show_port.ts";
import { renderJson } from "../render/show_json.ts";
import { type CliContext, out } from "./context.ts";
import { loadOperand, MAX_SIZE_HELP, parseMaxSize } from "./operand.ts";
import { parseUdpServices, textLayout, warnSections } from "./show.ts";
import { isFolder, portFolder } from "./fleet.ts";

/** Registers `nsnap port` on the program. */
export function registerPort(program: Command, ctx: CliContext) {
  return program
    .command("port")
    .description(
      "who holds a port: every socket with it as local or remote port, with its processes",
    )
    .argument("<port>", "port number, 1-65535")
    .argument(
      "[snapshot]",
      "snapshot file, - for stdin, live (default), or a folder: every host's sockets",
    )
    .option("-t, --tcp", "TCP sockets only")
    .option("-u, --udp", "UDP sockets only")
    .option("-4, --ipv4", "IPv4 sockets only")
    .option("-6, --ipv6", "IPv6 sockets only (IPv4-mapped and [::] sockets are IPv6)")
    .option("-W, --wide", "never shorten addresses or names to fit the terminal")
    .option(
      "--udp-service <ports>",
      "UDP ports that are services even in the ephemeral range (51820,60000-60100)",
      parseUdpServices,
    )
    .option("--max-size <size>", MAX_SIZE_HELP, parseMaxSize)
    .addOption(
      new Option("--format <format>", "output format").choices(["text", "json"] as const).default(
        "text" as const,
      ),
    )
    .addHelpText(
      "after",
      `
Exits 1, printing "nothing is using port N", when no socket has that port.
Start times, executables and command lines appear when the snapshot recorded
them (command lines only with 'nsnap capture --cmdline').

Examples:
  nsnap port 443                         who holds port 443 now
  nsnap port 5432 incident.json.gz       who held port 5432 in a saved snapshot
  nsnap port 53 -u                       UDP sockets on port 53
  nsnap port 8080 --format json | jq '.[].pid'
  nsnap port 9100 snapshots/after/       who listens on 9100 across the fleet

In a capture across namespaces, the sockets of every namespace are listed, and a
host port that leads into a container says how ("port 8080: docker-proxy on the
host → container web 172.17.0.2:80, httpd (pid 901)").`,
    )
    .action(async (portText, operand, opts) => {
      const port = parsePort(portText);
      if (operand !== undefined && isFolder(operand)) {
        return await portFolder(
          operand,
          port,
          { tcp: opts.tcp, udp: opts.udp, maxBytes: opts.maxSize },
          opts.format,
          textLayout(opts.wide ?? false),
          ctx,
        );
      }
      const snapshot = await loadOperand(operand ?? "live", {
        capture: { cmdline: true },
        ...(opts.maxSize === undefined ? {} : { maxBytes: opts.maxSize }),
      });
      warnSections(snapshot, ["connections"]);
      const sockets = socketsOnPort(snapshot, port, {
        tcp: opts.tcp,
        udp: opts.udp,
        inet4: opts.ipv4,
        inet6: opts.ipv6,
        udpServices: opts.udpService,
      });
      const paths = portPaths(snapshot, port, { tcp: opts.tcp, udp: opts.udp });
      if (sockets.length === 0 && paths.length === 0) ctx.exitCode = 1;
      if (opts.format === "json") {
        await out(renderJson(sockets));
      } else if (sockets.length === 0 && paths.length === 0) {
        await out(`nothing is using port ${port}`);
      } else {
        const { paint, width } = textLayout(opts.wide ?? false);
        const report = sockets.length
          ? renderPortReport(snapshot, sockets, { paint, width, udpServices: opts.udpService })
          : "";
        const ways = renderPortPaths(snapshot, paths, width);
        await out(ways && report ? `${ways}\n${report}` : ways + report);
      }
    });
}

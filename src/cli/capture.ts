/** `nsnap capture`: take a snapshot of this host and write it (prints the path written). */
import { type Command, Option } from "@commander-js/extra-typings";
import { captureSnapshot } from "../collect/mod.ts";
import type { CliContext } from "./context.ts";
import { checkOutputOptions, emitSnapshot, outputOptions } from "./output.ts";

/** Reads `--netns` values: one of all/current alone, or names, pids, files and globs. */
function netnsChoice(values: string[]): "all" | "current" | string[] {
  if (values.length === 1 && (values[0] === "all" || values[0] === "current")) {
    return values[0];
  }
  return values;
}

/** Registers `nsnap capture` on the program. */
export function registerCapture(program: Command, _ctx: CliContext) {
  return program
    .command("capture")
    .description("capture connections, processes, routes, interfaces and counters into a snapshot")
    .addOption(outputOptions.output())
    .addOption(outputOptions.format())
    .addOption(outputOptions.force())
    .addOption(outputOptions.label())
    .option("--cmdline", "record process command lines (secrets masked)")
    .option("--tcp-info", "keep every tcp_info field of each TCP session (default: a summary)")
    .option("--no-tcp-info", "keep no tcp_info at all")
    .option("--all-unix", "list every UNIX socket, connected ones too (default: listeners)")
    .option("--no-netlink", "read /proc, /sys and ip -j instead of netlink (or NSNAP_NETLINK=0)")
    .option(
      "--netns <which>",
      "network namespaces: all, current, or ip netns names, pids, namespace files, id globs " +
        "(repeatable; default: all from the host's namespace, else the current one)",
      (v: string, prev: string[] = []) => [
        ...prev,
        ...v.split(",").map((x) => x.trim()).filter((x) => x !== ""),
      ],
    )
    .addOption(outputOptions.redact())
    .addOption(outputOptions.redactKey())
    .addOption(
      new Option("--root <dir>", "read /proc and /sys below this folder (tests)").hideHelp(),
    )
    .addHelpText(
      "after",
      `
Examples:
  nsnap capture                  writes ./snapshots/<host>-<UTC time>.json
  nsnap capture -o before.json --label deploy=1234
  nsnap capture -o incident.yaml.gz --cmdline
  nsnap capture --tcp-info -o db.json  every tcp_info field (ss -ti) per session
  nsnap capture -o - | jq '.connections | length'
  nsnap capture --netns current      only the namespace nsnap runs in
  nsnap capture --netns web,blue     own namespace, container web, netns blue
  NSNAP_REDACT_KEY=… nsnap capture --redact -o public.json`,
    )
    .action(async (opts) => {
      checkOutputOptions(opts);
      const snapshot = await captureSnapshot({
        cmdline: opts.cmdline ?? false,
        labels: opts.label ?? {},
        ...(opts.root ? { root: opts.root } : {}),
        ...(opts.netlink === false ? { netlink: false } : {}),
        ...(opts.tcpInfo === undefined ? {} : { tcpInfo: opts.tcpInfo ? "full" : "off" }),
        ...(opts.allUnix ? { allUnix: true } : {}),
        ...(opts.netns ? { netns: netnsChoice(opts.netns) } : {}),
      });
      await emitSnapshot(snapshot, opts);
    });
}

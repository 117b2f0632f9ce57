/**
 * The answer of `nsnap port N`: the sockets on the port (with User), then each process holding
 * one: name, user, start time, executable and command line when the snapshot recorded them.
 */
import type { ProcessInfo, Snapshot } from "../model.ts";
import { programName } from "../net/programs.ts";
import { endpoint, listenerKey, type PortRange } from "../net/sockets.ts";
import { type PortPath, type PortSocket, processesOf } from "../view/port.ts";
import { groupByNamespace, recordNamespaceTitle } from "../view/namespaces.ts";
import { endpointText, protoLabel, renderConnections } from "./show_connections.ts";
import { exposureLines, renderGroups } from "./show_namespaces.ts";
import { displayText, foldLine, type Paint, PLAIN, wrapText } from "./table.ts";

/** How to lay out the port report. */
export interface PortReportOptions {
  paint?: Paint;
  width?: number | undefined;
  udpServices?: readonly PortRange[] | undefined;
}

/** Quotes a command-line argument only when it needs it, so the line can be pasted into a shell. */
export function shellQuote(arg: string): string {
  if (arg !== "" && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

function processBlock(p: ProcessInfo, paint: Paint, width: number | undefined): string {
  const program = programName(p);
  // The process name too when the program rule chose another name (busybox httpd: "httpd").
  const head = [`pid ${p.pid}: ${program}${program === p.name ? "" : ` (process ${p.name})`}`];
  if (p.user !== undefined) head.push(`user ${p.user}`);
  else if (p.uid !== undefined) head.push(`uid ${p.uid}`);
  if (p.startTime !== undefined) head.push(`started ${p.startTime}`);
  if (p.ppid !== undefined) head.push(`parent ${p.ppid}`);
  const fold = (l: string) => (width === undefined ? [l] : foldLine(l, width));
  const lines = fold(displayText(head.join(", "))).map(paint.bold);
  // Snapshots of an older nsnap carry a rewritten title's padding as trailing empty arguments.
  const argv = p.cmdline ?? [];
  let end = argv.length;
  while (end > 0 && argv[end - 1] === "") end--;
  // One argument is a title the process set for ps (nginx: worker process): shown as ps does;
  // several are quoted where needed, so that the line can be pasted into a shell.
  const command = end === 1 ? argv[0]! : argv.slice(0, end).map(shellQuote).join(" ");
  if (end > 0) lines.push(...fold(`    command: ${displayText(command)}`));
  if (p.exe !== undefined) lines.push(...fold(`    exe: ${displayText(p.exe)}`));
  return lines.join("\n");
}

/** Renders the sockets on a port and the processes that hold them. */
export function renderPortReport(
  snapshot: Snapshot,
  sockets: readonly PortSocket[],
  opts: PortReportOptions = {},
): string {
  const paint = opts.paint ?? PLAIN;
  const filtered = new Set(
    sockets.filter((s) => s.firewall === "filtered").map((s) => listenerKey(s)),
  );
  let text = renderGroups(
    snapshot,
    groupByNamespace(snapshot, sockets),
    (list) =>
      renderConnections(snapshot, list, {
        paint,
        width: opts.width,
        user: true,
        userFirst: true,
        filtered,
        udpServices: opts.udpServices,
      }) + exposureLines(list, opts.width),
    paint,
    opts.width,
  );
  const said = new Set<string>();
  const firewall: string[] = [];
  for (const s of sockets) {
    if (s.firewall === undefined) continue;
    const where = `${protoLabel(s)} ${endpointText(s.localAddress, s.localPort)}`;
    if (said.has(where)) continue;
    said.add(where);
    const what = s.firewall === "filtered"
      ? "filtered"
      : s.firewall === "open"
      ? "open to other hosts"
      : "not evaluated";
    const [first, ...rest] = wrapText(
      displayText(`firewall: ${where} ${what}: ${s.firewallReason}`),
      (opts.width ?? 80) - 2,
    );
    firewall.push(first!, ...rest.map((l) => `  ${l}`));
  }
  if (firewall.length) text += "\n" + firewall.join("\n") + "\n";
  const procs = processesOf(sockets);
  if (procs.length > 0) {
    text += "\n" + procs.map((p) => processBlock(p, paint, opts.width)).join("\n") + "\n";
  }
  return text;
}

/** The words for what carries a way into a namespace. */
function carrierWords(p: PortPath): string {
  return p.via === "docker-proxy"
    ? `docker-proxy${p.pid === undefined ? "" : ` (pid ${p.pid})`} on the host`
    : p.via === "dnat"
    ? "a DNAT rule on the host"
    : "published by Docker";
}

/**
 * One line per way from the host port into a namespace: `port 8080: docker-proxy (pid 812) and
 * a DNAT rule on the host → container web 172.17.0.2:80, httpd (pid 901)`; ways to the same
 * place are one line.
 */
export function renderPortPaths(
  snapshot: Snapshot,
  paths: readonly PortPath[],
  width?: number,
): string {
  const groups = new Map<string, PortPath[]>();
  for (const p of paths) {
    const k = [p.protocol, p.hostAddress, p.hostPort, p.namespace, p.toAddress, p.toPort].join(" ");
    groups.set(k, [...(groups.get(k) ?? []), p]);
  }
  const lines = [...groups.values()].flatMap((ways) => {
    const p = ways[0]!;
    const carrier = ways.map(carrierWords).join(" and ").replace(/ on the host and /g, " and ");
    const where = p.namespace === undefined
      ? "an address no captured namespace has"
      : recordNamespaceTitle(snapshot, { namespace: p.namespace });
    const to = p.toAddress === undefined ? `:${p.toPort}` : endpoint(p.toAddress, p.toPort);
    const held = p.listeners.map((c) => {
      const name = c.pid === undefined ? undefined : snapshot.processes[String(c.pid)]?.name;
      return c.pid === undefined ? "owner unknown" : `${name ?? "?"} (pid ${c.pid})`;
    });
    const end = p.namespace === undefined
      ? ""
      : held.length
      ? `, ${[...new Set(held)].join(", ")}`
      : ", nothing listens there";
    const line = displayText(
      `${p.protocol} port ${
        endpoint(p.hostAddress, p.hostPort)
      }: ${carrier} → ${where} ${to}${end}`,
    );
    return width === undefined ? [line] : foldLine(line, width);
  });
  return lines.join("\n") + (lines.length ? "\n" : "");
}

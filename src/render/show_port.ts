/**
 * The answer of `nsnap port N`: the sockets on the port (with User), then each process holding
 * one: name, user, start time, executable and command line when the snapshot recorded them.
 */
import type { ProcessInfo, Snapshot } from "../model.ts";
import { programName } from "../net/programs.ts";
import type { PortRange } from "../net/sockets.ts";
import { type PortSocket, processesOf } from "../view/port.ts";
import { listenerKey } from "../net/sockets.ts";
import { endpointText, protoLabel, renderConnections } from "./show_connections.ts";
import { displayText, type Paint, PLAIN, wrapText } from "./table.ts";

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

function processBlock(p: ProcessInfo, paint: Paint): string {
  const program = programName(p);
  // The process name too when the program rule chose another name (busybox httpd: "httpd").
  const head = [`pid ${p.pid}: ${program}${program === p.name ? "" : ` (process ${p.name})`}`];
  if (p.user !== undefined) head.push(`user ${p.user}`);
  else if (p.uid !== undefined) head.push(`uid ${p.uid}`);
  if (p.startTime !== undefined) head.push(`started ${p.startTime}`);
  if (p.ppid !== undefined) head.push(`parent ${p.ppid}`);
  const lines = [paint.bold(displayText(head.join(", ")))];
  if (p.cmdline !== undefined && p.cmdline.length > 0) {
    lines.push(`    command: ${displayText(p.cmdline.map(shellQuote).join(" "))}`);
  }
  if (p.exe !== undefined) lines.push(`    exe: ${displayText(p.exe)}`);
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
  let text = renderConnections(snapshot, sockets, {
    paint,
    width: opts.width,
    user: true,
    filtered,
    udpServices: opts.udpServices,
  });
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
      78,
    );
    firewall.push(first!, ...rest.map((l) => `  ${l}`));
  }
  if (firewall.length) text += "\n" + firewall.join("\n") + "\n";
  const procs = processesOf(sockets);
  if (procs.length > 0) {
    text += "\n" + procs.map((p) => processBlock(p, paint)).join("\n") + "\n";
  }
  return text;
}

/**
 * `nsnap port N DIR`: who holds port N across a fleet — one table of every host's sockets on the
 * port, a Host column first, hosts in report order, and the hosts with nothing on the port named
 * after it.
 */
import type { Snapshot } from "../model.ts";
import type { PortSocket } from "../view/port.ts";
import {
  endpointText,
  pidProgram,
  protoLabel,
  truncateEndpoint,
  truncatePidProgram,
  userCell,
} from "./show_connections.ts";
import { escapeText } from "./fleet_escape.ts";
import { type Column, type Paint, PLAIN, renderTable } from "./table.ts";
import { wrap } from "./fleet_text.ts";

/** The table cells of one host's sockets on the port (computed while its snapshot is loaded). */
export function fleetPortRows(
  host: string,
  snapshot: Snapshot,
  sockets: readonly PortSocket[],
): string[][] {
  return sockets.map((c) => [
    escapeText(host),
    protoLabel(c),
    escapeText(endpointText(c.localAddress, c.localPort)),
    escapeText(endpointText(c.remoteAddress, c.remotePort)),
    c.state,
    escapeText(userCell(snapshot, c)),
    escapeText(pidProgram(snapshot, c)),
  ]);
}

/** Renders the fleet's sockets on a port, then the hosts where nothing uses it. */
export function renderFleetPort(
  port: number,
  rows: readonly string[][],
  idle: readonly string[],
  opts: { paint?: Paint; width?: number | undefined } = {},
): string {
  const out: string[] = [];
  if (rows.length > 0) {
    const endpoint = (header: string): Column => ({
      header,
      shrink: true,
      minWidth: 15,
      rank: 1,
      truncate: truncateEndpoint,
    });
    const columns: Column[] = [
      { header: "Host", shrink: true, minWidth: 8, rank: 2 },
      { header: "Proto" },
      endpoint("Local Address"),
      endpoint("Foreign Address"),
      { header: "State" },
      { header: "User", shrink: true, minWidth: 8, lastResortWidth: 4 },
      { header: "PID/Program", shrink: true, minWidth: 13, truncate: truncatePidProgram },
    ];
    out.push(
      renderTable(columns, rows, { paint: opts.paint ?? PLAIN, width: opts.width, gap: 1 })
        .trimEnd(),
    );
  }
  if (idle.length > 0) {
    const text = `nothing is using port ${port} on ${idle.length} host${
      idle.length === 1 ? "" : "s"
    }: ${idle.map(escapeText).join(", ")}`;
    if (out.length) out.push("");
    out.push(...wrap(text, opts.width ?? 80, "", "  "));
  }
  return out.join("\n") + "\n";
}

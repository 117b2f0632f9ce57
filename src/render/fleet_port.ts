/**
 * `nsnap port N DIR`: who holds port N across a fleet — one table of every host's sockets on the
 * port, a Host column first, hosts in report order, and the hosts with nothing on the port named
 * after it. For captures across namespaces a Namespace column names each socket's namespace and
 * each container listener's exposure follows the table, as the single-file `port` prints them.
 */
import type { Snapshot } from "../model.ts";
import type { PortSocket } from "../view/port.ts";
import { endpoint } from "../net/sockets.ts";
import { recordNamespaceTitle } from "../view/namespaces.ts";
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

/**
 * The table cells of one host's sockets on the port (computed while its snapshot is loaded); the
 * second cell is the socket's namespace, empty when the snapshot has only its own.
 */
export function fleetPortRows(
  host: string,
  snapshot: Snapshot,
  sockets: readonly PortSocket[],
): string[][] {
  const namespaced = snapshot.namespaces !== undefined ||
    sockets.some((c) => c.namespace !== undefined);
  return sockets.map((c) => [
    escapeText(host),
    namespaced ? escapeText(recordNamespaceTitle(snapshot, c)) : "",
    protoLabel(c),
    escapeText(endpointText(c.localAddress, c.localPort)),
    escapeText(endpointText(c.remoteAddress, c.remotePort)),
    c.state,
    escapeText(userCell(snapshot, c)),
    escapeText(pidProgram(snapshot, c)),
  ]);
}

/**
 * The exposure of one host's container listeners on the port, one line each:
 * `web-1: container web tcp 0.0.0.0:80: published on host 127.0.0.1:8080`.
 */
export function fleetPortExposure(
  host: string,
  snapshot: Snapshot,
  sockets: readonly PortSocket[],
): string[] {
  return sockets.flatMap((c) =>
    c.exposure === undefined ? [] : [
      escapeText(
        `${host}: ${recordNamespaceTitle(snapshot, c)} ${c.protocol} ${
          endpoint(c.localAddress, c.localPort)
        }: ${c.exposure.summary}`,
      ),
    ]
  );
}

/**
 * Renders the fleet's sockets on a port (a Namespace column when any has one), the exposure
 * lines, then the hosts where nothing uses it.
 */
export function renderFleetPort(
  port: number,
  rows: readonly string[][],
  idle: readonly string[],
  opts: { paint?: Paint; width?: number | undefined; exposure?: readonly string[] } = {},
): string {
  const out: string[] = [];
  const width = opts.width ?? 80;
  if (rows.length > 0) {
    const namespaced = rows.some((r) => r[1] !== "");
    const endpoint = (header: string): Column => ({
      header,
      shrink: true,
      minWidth: 15,
      rank: 1,
      truncate: truncateEndpoint,
    });
    const columns: Column[] = [
      { header: "Host", shrink: true, minWidth: 8, rank: 2 },
      ...(namespaced
        ? [{ header: "Namespace", shrink: true, minWidth: 9, rank: 2 } satisfies Column]
        : []),
      { header: "Proto" },
      endpoint("Local Address"),
      endpoint("Foreign Address"),
      { header: "State" },
      { header: "User", shrink: true, minWidth: 8, lastResortWidth: 4 },
      { header: "PID/Program", shrink: true, minWidth: 13, truncate: truncatePidProgram },
    ];
    const cells = namespaced ? rows : rows.map((r) => [r[0]!, ...r.slice(2)]);
    out.push(
      renderTable(columns, cells, { paint: opts.paint ?? PLAIN, width: opts.width, gap: 1 })
        .trimEnd(),
    );
    for (const line of opts.exposure ?? []) out.push(...wrap(line, width, "  ", "    "));
  }
  if (idle.length > 0) {
    const text = `nothing is using port ${port} on ${idle.length} host${
      idle.length === 1 ? "" : "s"
    }: ${idle.map(escapeText).join(", ")}`;
    if (out.length) out.push("");
    out.push(...wrap(text, width, "", "  "));
  }
  return out.join("\n") + "\n";
}

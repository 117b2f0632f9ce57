/**
 * What a socket is to nsnap: a listener or a session, the keys that identify one across snapshots
 * and across sources, and which of its holders owns it. Defined once here and used by capture,
 * import, diff, show and port alike.
 */
import type { Connection } from "../model.ts";

/** True for a socket that accepts: TCP `LISTEN`, or an unconnected UDP socket bound to a port. */
export function isListener(c: Connection): boolean {
  return c.protocol === "tcp" ? c.state === "LISTEN" : c.state === "UNCONN" && c.localPort !== 0;
}

/** True for a connected socket (a session): anything with a remote end that is not a listener. */
export function isSession(c: Connection): boolean {
  return !isListener(c) && c.remotePort !== 0;
}

/** Identity of a listener: protocol, address and port (`tcp 0.0.0.0:22`). */
export function listenerKey(c: Connection): string {
  return `${c.protocol} ${c.family} ${c.localAddress} ${c.localPort}`;
}

/** Identity of a session: the full 5-tuple. */
export function sessionKey(c: Connection): string {
  return `${c.protocol} ${c.localAddress} ${c.localPort} ${c.remoteAddress} ${c.remotePort}`;
}

/** The endpoints of a socket as any source states them (a connection, an lsof line …). */
export interface SocketEnds {
  protocol: string;
  family: string;
  localAddress: string;
  localPort: number;
  remoteAddress?: string | undefined;
  remotePort?: number | undefined;
}

/**
 * Identity of a socket across sources that print it differently (netstat, lsof, ss): protocol,
 * family and both endpoints, an absent remote end being the any-address and port 0.
 */
export function socketTupleKey(s: SocketEnds): string {
  const any = s.family === "inet6" ? "::" : "0.0.0.0";
  return `${s.protocol} ${s.family} ${s.localAddress} ${s.localPort} ${s.remoteAddress ?? any} ${
    s.remotePort ?? 0
  }`;
}

/**
 * The owner among the processes holding one socket: the holder whose parent does not also hold
 * it (a pre-fork server's master, so a reload that replaces workers is no change of owner);
 * where parents are unknown, the lowest pid. `pids` must be sorted and not empty.
 *
 * @example
 * ```ts
 * import { masterPid } from "./sockets.ts";
 * const parents = new Map([[501, 500], [500, 1]]);
 * masterPid([500, 501], (pid) => parents.get(pid)); // 500
 * ```
 */
export function masterPid(
  pids: readonly number[],
  ppidOf: (pid: number) => number | undefined,
): number {
  if (pids.length === 1) return pids[0]!;
  const held = new Set(pids);
  for (const p of pids) {
    const parent = ppidOf(p);
    if (parent === undefined || !held.has(parent)) return p;
  }
  return pids[0]!;
}

/** Formats an endpoint as `addr:port`, with IPv6 in brackets. */
export function endpoint(address: string, port: number): string {
  return address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
}

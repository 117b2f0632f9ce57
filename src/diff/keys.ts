/**
 * What a listener, a session and a route are, and the keys that identify them across snapshots.
 * Defined once here and used by diff, show and port alike.
 */
import type { Connection, Route } from "../model.ts";

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

/** Identity of a route: family, table, type, destination and metric. */
export function routeKey(r: Route): string {
  return `${r.family} ${r.table} ${r.type} ${r.destination} ${r.metric}`;
}

/** Formats an endpoint as `addr:port`, with IPv6 in brackets. */
export function endpoint(address: string, port: number): string {
  return address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
}

/** True for routes that exist once per interface: IPv6 link-local (fe80::/…) and multicast (ff00::/8). */
export function isPerInterfaceRoute(r: Route): boolean {
  return r.family === "inet6" && /^(fe80:|ff[0-9a-f]{2}:)/i.test(r.destination);
}

/** Identity of a route where several share its routeKey (multipath, per-interface): plus the interface. */
export function routeKeyWithInterface(r: Route, base: string = routeKey(r)): string {
  return `${base} dev ${r.interface ?? "-"}`;
}

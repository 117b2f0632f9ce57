/**
 * What a neighbour entry (ARP, NDP) is to nsnap: its identity across snapshots and sources, its
 * text as `ip neigh` prints it, and which states matter.
 *
 * Decisions:
 * - Identity is family, interface and address, and whether it is a proxy entry (proxy entries
 *   live in a table of their own: an address may have both).
 * - Static entries (PERMANENT, NOARP) and proxy entries are configuration; every other state is
 *   the kernel's cache, which fills and empties by itself.
 */
import type { Neighbour, Route } from "../model.ts";

/** Identity of a neighbour entry: `inet eth0 10.0.0.1` (`… proxy` for a proxy entry). */
export function neighbourKey(n: Neighbour): string {
  return `${n.family} ${n.interface} ${n.address}${n.proxy ? " proxy" : ""}`;
}

/** The entry's states as separate words (`"REACHABLE"` → `["REACHABLE"]`). */
export function neighbourStates(n: Neighbour): string[] {
  return (n.state ?? "").split(/\s+/).filter((s) => s !== "");
}

/** True for an entry the kernel could not resolve: FAILED or INCOMPLETE. */
export function isUnresolved(n: Neighbour): boolean {
  return neighbourStates(n).some((s) => s === "FAILED" || s === "INCOMPLETE");
}

/** True for configuration rather than cache: static (PERMANENT, NOARP) and proxy entries. */
export function isStaticNeighbour(n: Neighbour): boolean {
  return n.proxy === true ||
    neighbourStates(n).some((s) => s === "PERMANENT" || s === "NOARP");
}

/** An entry as one line of `ip neigh`: `10.0.0.1 dev eth0 lladdr 52:54:00:12:34:56 REACHABLE`. */
export function describeNeighbour(n: Neighbour): string {
  const w = [n.address, "dev", n.interface];
  if (n.mac !== undefined) w.push("lladdr", n.mac);
  if (n.router) w.push("router");
  if (n.proxy) w.push("proxy");
  if (n.state !== undefined) w.push(n.state);
  return w.join(" ");
}

/**
 * The gateways the routes go through, as `interface address` keys and bare addresses (a route
 * that names no interface), so a neighbour can be told to be one.
 */
export function gatewaysOf(routes: readonly Route[]): Set<string> {
  const out = new Set<string>();
  const add = (gw: string | undefined, dev: string | undefined) => {
    if (gw === undefined) return;
    out.add(dev === undefined ? gw : `${dev} ${gw}`);
  };
  for (const r of routes) {
    add(r.gateway, r.interface);
    for (const nh of r.nexthops ?? []) add(nh.gateway, nh.interface ?? r.interface);
  }
  return out;
}

/** True when the neighbour is the gateway of a route (the set from `gatewaysOf`). */
export function isGateway(n: Neighbour, gateways: ReadonlySet<string>): boolean {
  return gateways.has(`${n.interface} ${n.address}`) || gateways.has(n.address);
}

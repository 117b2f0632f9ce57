/**
 * Neighbours (ARP, NDP), keyed by family, interface and address (net/neighbours.ts).
 *
 * Decisions — the neighbour cache fills and empties by itself, and REACHABLE → STALE → DELAY →
 * PROBE is its normal breathing, so none of that is a change:
 * - `neighbour-changed`: the link-layer address of an IP changed (notable when the IP is a
 *   route's gateway: a failover, or someone answering for it), the router flag changed, the
 *   entry became static or dynamic, or it resolved again after failing.
 * - `neighbour-failed`: an entry (old or new) went FAILED or INCOMPLETE: nothing answers for
 *   that address on the link; notable for a gateway. One that stays failed is not repeated.
 * - `neighbour-added` / `neighbour-removed`: only static (PERMANENT, NOARP) and proxy entries,
 *   which someone configured; dynamic entries coming and going are not reported.
 */
import type { Neighbour, Snapshot } from "../model.ts";
import {
  describeNeighbour,
  gatewaysOf,
  isGateway,
  isStaticNeighbour,
  isUnresolved,
  neighbourKey,
} from "../net/neighbours.ts";
import type { Change, ChangeOf, NeighbourField } from "./types.ts";
import { keyed, sortByKey } from "./util.ts";
import { addressSortKey } from "../snapshot/normalize.ts";

function keyOf(n: Neighbour): ChangeOf<"neighbour-added">["key"] {
  const k: ChangeOf<"neighbour-added">["key"] = {
    family: n.family,
    interface: n.interface,
    address: n.address,
  };
  if (n.proxy) k.proxy = true;
  return k;
}

function sortKey(n: Neighbour, rank: number): string {
  return `${n.family} ${n.interface} ${addressSortKey(n.address)} ${n.proxy ? 1 : 0} ${rank}`;
}

function where(n: Neighbour, gateway: boolean): string {
  return `neighbour ${n.address} dev ${n.interface}${gateway ? " (a gateway)" : ""}`;
}

/** Compares the neighbour entries of two snapshots (both must have them). */
export function diffNeighbours(before: Snapshot, after: Snapshot): Change[] {
  const gateways = gatewaysOf([...before.routes, ...after.routes]);
  const a = keyed(before.neighbours ?? [], neighbourKey);
  const b = keyed(after.neighbours ?? [], neighbourKey);
  const items: Array<[string, Change]> = [];
  for (const [id, na] of a) {
    if (b.has(id) || !isStaticNeighbour(na)) continue;
    items.push([sortKey(na, 1), {
      kind: "neighbour-removed",
      section: "neighbours",
      key: keyOf(na),
      before: na,
      summary: `static neighbour removed: ${describeNeighbour(na)}`,
    }]);
  }
  for (const [id, nb] of b) {
    const na = a.get(id);
    const gw = isGateway(nb, gateways);
    if (isUnresolved(nb) && (na === undefined || !isUnresolved(na))) {
      const c: ChangeOf<"neighbour-failed"> = {
        kind: "neighbour-failed",
        section: "neighbours",
        key: keyOf(nb),
        after: nb,
        summary: `${where(nb, gw)} is ${nb.state}${
          na?.state ? ` (was ${na.state})` : ""
        }: nothing answers for it on the link`,
      };
      if (na) c.before = na;
      if (gw) {
        c.gateway = true;
        c.notable = true;
      }
      items.push([sortKey(nb, 3), c]);
      continue;
    }
    if (na === undefined) {
      if (!isStaticNeighbour(nb)) continue;
      items.push([sortKey(nb, 0), {
        kind: "neighbour-added",
        section: "neighbours",
        key: keyOf(nb),
        after: nb,
        summary: `static neighbour added: ${describeNeighbour(nb)}`,
      }]);
      continue;
    }
    const changed: NeighbourField[] = [];
    const words: string[] = [];
    if (na.mac !== undefined && nb.mac !== undefined && na.mac !== nb.mac) {
      changed.push("mac");
      words.push(`MAC ${na.mac} → ${nb.mac}`);
    }
    const recovered = isUnresolved(na) && !isUnresolved(nb) && nb.state !== undefined;
    if (isStaticNeighbour(na) !== isStaticNeighbour(nb) || recovered) {
      changed.push("state");
      words.push(`${na.state ?? "?"} → ${nb.state ?? "?"}`);
    }
    if (Boolean(na.router) !== Boolean(nb.router)) {
      changed.push("router");
      words.push(nb.router ? "now a router" : "no longer a router");
    }
    if (changed.length === 0) continue;
    const c: ChangeOf<"neighbour-changed"> = {
      kind: "neighbour-changed",
      section: "neighbours",
      key: keyOf(nb),
      before: na,
      after: nb,
      changed,
      summary: `${where(nb, gw)}: ${words.join(", ")}${
        gw && changed.includes("mac") ? " (failover, or someone else answering for it)" : ""
      }`,
    };
    if (gw) c.gateway = true;
    if (gw && changed.includes("mac")) c.notable = true;
    items.push([sortKey(nb, 2), c]);
  }
  return sortByKey(items);
}

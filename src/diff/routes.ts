/**
 * Routes, keyed by family, table, type, destination and metric — plus the interface where
 * several routes share that key (multipath, IPv6 link-local and multicast per interface). A
 * change of what a route does or of its attributes (mtu, advmss, hoplimit, initcwnd, pref …,
 * `onlink` from its flags) is a `route-changed` naming the fields; `expires` counts down by
 * itself and is never compared.
 */
import type { Nexthop, Route, Snapshot } from "../model.ts";
import { isPerInterfaceRoute, routeKey, routeKeyWithInterface } from "../net/routes.ts";
import { RouteField } from "./schema.ts";
import type { Change, ChangeOf } from "./types.ts";
import { pad, sortByKey } from "./util.ts";

/** The fields whose change makes a `route-changed`. */
const COMPARED = RouteField.options;

const TABLES: Record<number, string> = { 253: "default", 254: "main", 255: "local" };

/** A route with its identity in one snapshot; `withDev` when the interface is part of it. */
interface Identified {
  route: Route;
  withDev: boolean;
}

/** Each route's base key, computed once (key strings dominate the cost on 100k routes). */
function baseKeys(routes: readonly Route[], counts: Map<string, number>): string[] {
  return routes.map((r) => {
    const k = routeKey(r);
    counts.set(k, (counts.get(k) ?? 0) + 1);
    return k;
  });
}

/** A copy with every object's keys sorted, nested ones too (next hops), for a canonical text. */
function sortedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedKeys);
  if (v === null || typeof v !== "object") return v;
  const o = v as Record<string, unknown>;
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, sortedKeys(o[k])]));
}

function identities(
  routes: readonly Route[],
  keys: readonly string[],
  shared: (k: string) => boolean,
): Map<string, Identified> {
  const out = new Map<string, Identified>();
  let dups: Map<string, Route[]> | undefined;
  routes.forEach((r, i) => {
    const base = keys[i]!;
    const withDev = shared(base) || isPerInterfaceRoute(r);
    const id = withDev ? routeKeyWithInterface(r, base) : base;
    const seen = out.get(id);
    if (seen === undefined && !dups?.has(id)) {
      out.set(id, { route: r, withDev });
      return;
    }
    dups ??= new Map();
    const l = dups.get(id) ?? [];
    if (seen) {
      out.delete(id);
      l.push(seen.route);
    }
    l.push(r);
    dups.set(id, l);
  });
  for (const [id, rs] of dups ?? []) {
    // True duplicates of a key are rare; order them canonically so shuffling changes nothing.
    const tagged = rs.map((r) => [JSON.stringify(sortedKeys(r)), r] as const)
      .sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    const withDev = id !== routeKey(rs[0]!);
    tagged.forEach(([, r], i) =>
      out.set(`${id} via ${r.gateway ?? "-"} #${i}`, { route: r, withDev })
    );
  }
  return out;
}

function table(t: number): string {
  return TABLES[t] ?? String(t);
}

/** Next hops in words, as `ip route` prints them: "via 10.0.0.1 dev eth0 weight 1, …". */
export function describeNexthops(hops: readonly Nexthop[] | undefined): string {
  if (hops === undefined || hops.length === 0) return "none";
  return hops.map((h) => {
    const parts: string[] = [];
    if (h.gateway !== undefined) parts.push(`via ${h.gateway}`);
    if (h.interface !== undefined) parts.push(`dev ${h.interface}`);
    if (h.weight !== undefined) parts.push(`weight ${h.weight}`);
    return parts.length === 0 ? "(empty)" : parts.join(" ");
  }).join(", ");
}

/** Describes a route the way `ip route` would, briefly, with its next hops. */
export function describeRoute(r: Route, withNexthops = true): string {
  const parts = [r.family === "inet6" ? "IPv6" : "IPv4"];
  if (r.type !== "unicast") parts.push(r.type);
  parts.push(r.destination);
  if (r.gateway !== undefined) parts.push(`via ${r.gateway}`);
  if (r.interface !== undefined) parts.push(`dev ${r.interface}`);
  if (r.metric !== 0) parts.push(`metric ${r.metric}`);
  if (r.table !== 254) parts.push(`table ${table(r.table)}`);
  if (withNexthops && r.nexthops !== undefined && r.nexthops.length > 0) {
    parts.push(`nexthops ${describeNexthops(r.nexthops)}`);
  }
  return parts.join(" ");
}

function keyOf(r: Route, withDev: boolean): ChangeOf<"route-added">["key"] {
  const k: ChangeOf<"route-added">["key"] = {
    family: r.family,
    table: r.table,
    type: r.type,
    destination: r.destination,
    metric: r.metric,
  };
  if (withDev) k.interface = r.interface ?? "";
  return k;
}

/** A compared field as a string that is equal exactly when the values are (JSON for next hops). */
function field(r: Route, f: typeof COMPARED[number]): string {
  if (f === "onlink") return r.flags?.includes("onlink") ? "yes" : "";
  const v = r[f];
  if (v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number") return String(v);
  if (f === "features") return (v as string[]).join(",");
  return JSON.stringify(v);
}

/** A compared field in words. */
function show(r: Route, f: typeof COMPARED[number]): string {
  if (f === "nexthops") return describeNexthops(r.nexthops);
  const v = field(r, f);
  return v === "" ? "none" : v;
}

function sortKey(r: Route, rank: number, id: string): string {
  return `${r.family} ${pad(r.table)} ${r.destination} ${pad(r.metric)} ${rank} ${id}`;
}

/** Compares the routes of two snapshots. */
export function diffRoutes(before: Snapshot, after: Snapshot): Change[] {
  const countA = new Map<string, number>(), countB = new Map<string, number>();
  const keysA = baseKeys(before.routes, countA), keysB = baseKeys(after.routes, countB);
  // A key shared by several routes on either side keeps the interface on both sides.
  const shared = (k: string) => (countA.get(k) ?? 0) > 1 || (countB.get(k) ?? 0) > 1;
  const a = identities(before.routes, keysA, shared);
  const b = identities(after.routes, keysB, shared);
  const items: Array<[string, Change]> = [];
  for (const [id, { route: ra, withDev }] of a) {
    const hit = b.get(id);
    if (!hit) {
      items.push([sortKey(ra, 1, id), {
        kind: "route-removed",
        section: "routes",
        key: keyOf(ra, withDev),
        before: ra,
        summary: `route removed: ${describeRoute(ra)}`,
      }]);
      continue;
    }
    const rb = hit.route;
    // Most fields are equal scalars or both absent: a cheap test first, text only for the rest.
    const changed = COMPARED.filter((f) =>
      (f === "onlink" ? ra.flags !== rb.flags : ra[f] !== rb[f]) && field(ra, f) !== field(rb, f)
    );
    if (changed.length === 0) continue;
    items.push([sortKey(ra, 2, id), {
      kind: "route-changed",
      section: "routes",
      key: keyOf(ra, withDev),
      before: ra,
      after: rb,
      changed,
      summary: `route ${describeRoute(ra, false)}: ${
        changed.map((f) => `${f} ${show(ra, f)} → ${show(rb, f)}`).join("; ")
      }`,
    }]);
  }
  for (const [id, { route: rb, withDev }] of b) {
    if (a.has(id)) continue;
    items.push([sortKey(rb, 0, id), {
      kind: "route-added",
      section: "routes",
      key: keyOf(rb, withDev),
      after: rb,
      summary: `route added: ${describeRoute(rb)}`,
    }]);
  }
  return sortByKey(items);
}

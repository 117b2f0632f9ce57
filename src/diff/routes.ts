/**
 * Routes, keyed by family, table, type, destination and metric — plus the interface where
 * several routes share that key (multipath, IPv6 link-local and multicast per interface).
 */
import type { Route, Snapshot } from "../model.ts";
import { isPerInterfaceRoute, routeKey, routeKeyWithInterface } from "./keys.ts";
import type { Change } from "./types.ts";
import { pad, sortByKey } from "./util.ts";

/** The fields whose change makes a `route-changed`. */
const COMPARED = ["gateway", "interface", "source", "protocol", "scope", "nexthops"] as const;

const TABLES: Record<number, string> = { 253: "default", 254: "main", 255: "local" };

function baseCounts(routes: readonly Route[], into: Map<string, number>): void {
  for (const r of routes) {
    const k = routeKey(r);
    into.set(k, (into.get(k) ?? 0) + 1);
  }
}

function identities(routes: readonly Route[], shared: Map<string, number>): Map<string, Route> {
  const byId = new Map<string, Route[]>();
  for (const r of routes) {
    const base = routeKey(r);
    const id = (shared.get(base) ?? 0) > 1 || isPerInterfaceRoute(r)
      ? routeKeyWithInterface(r)
      : base;
    const l = byId.get(id);
    if (l) l.push(r);
    else byId.set(id, [r]);
  }
  const out = new Map<string, Route>();
  for (const [id, rs] of byId) {
    if (rs.length === 1) {
      out.set(id, rs[0]!);
      continue;
    }
    // True duplicates of a key are rare; order them canonically so shuffling changes nothing.
    const tagged = rs.map((r) => [JSON.stringify(r, Object.keys(r).sort()), r] as const)
      .sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    tagged.forEach(([, r], i) => out.set(`${id} via ${r.gateway ?? "-"} #${i}`, r));
  }
  return out;
}

function table(t: number): string {
  return TABLES[t] ?? String(t);
}

/** Describes a route the way `ip route` would, briefly. */
export function describeRoute(r: Route): string {
  const parts = [r.family === "inet6" ? "IPv6" : "IPv4"];
  if (r.type !== "unicast") parts.push(r.type);
  parts.push(r.destination);
  if (r.gateway !== undefined) parts.push(`via ${r.gateway}`);
  if (r.interface !== undefined) parts.push(`dev ${r.interface}`);
  if (r.metric !== 0) parts.push(`metric ${r.metric}`);
  if (r.table !== 254) parts.push(`table ${table(r.table)}`);
  return parts.join(" ");
}

function keyOf(r: Route, withDev: boolean): Record<string, string | number> {
  const k: Record<string, string | number> = {
    family: r.family,
    table: r.table,
    type: r.type,
    destination: r.destination,
    metric: r.metric,
  };
  if (withDev) k.interface = r.interface ?? "";
  return k;
}

function field(r: Route, f: typeof COMPARED[number]): string {
  const v = r[f];
  return v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v);
}

function show(v: string): string {
  return v === "" ? "none" : v;
}

function sortKey(r: Route, rank: number, id: string): string {
  return `${r.family} ${pad(r.table)} ${r.destination} ${pad(r.metric)} ${rank} ${id}`;
}

/** Compares the routes of two snapshots. */
export function diffRoutes(before: Snapshot, after: Snapshot): Change[] {
  const shared = new Map<string, number>();
  const countA = new Map<string, number>(), countB = new Map<string, number>();
  baseCounts(before.routes, countA);
  baseCounts(after.routes, countB);
  for (const m of [countA, countB]) {
    for (const [k, n] of m) shared.set(k, Math.max(shared.get(k) ?? 0, n));
  }
  const a = identities(before.routes, shared), b = identities(after.routes, shared);
  const items: Array<[string, Change]> = [];
  for (const [id, ra] of a) {
    const withDev = id !== routeKey(ra);
    const rb = b.get(id);
    if (!rb) {
      items.push([sortKey(ra, 1, id), {
        kind: "route-removed",
        section: "routes",
        key: keyOf(ra, withDev),
        before: ra,
        summary: `route removed: ${describeRoute(ra)}`,
      }]);
      continue;
    }
    const changed = COMPARED.filter((f) => field(ra, f) !== field(rb, f));
    if (changed.length === 0) continue;
    items.push([sortKey(ra, 2, id), {
      kind: "route-changed",
      section: "routes",
      key: keyOf(ra, withDev),
      before: ra,
      after: rb,
      changed,
      summary: `route ${describeRoute(ra)}: ${
        changed.map((f) => `${f} ${show(field(ra, f))} → ${show(field(rb, f))}`).join(", ")
      }`,
    }]);
  }
  for (const [id, rb] of b) {
    if (a.has(id)) continue;
    items.push([sortKey(rb, 0, id), {
      kind: "route-added",
      section: "routes",
      key: keyOf(rb, id !== routeKey(rb)),
      after: rb,
      summary: `route added: ${describeRoute(rb)}`,
    }]);
  }
  return sortByKey(items);
}

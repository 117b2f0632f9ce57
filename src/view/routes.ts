/**
 * Which routes `nsnap show -r` prints: every table, or the one `--table` names, grouped by table
 * (main first, then the others by number).
 */
import type { Route, Snapshot } from "../model.ts";
import { UsageError } from "../errors.ts";
import { tableId } from "../net/routes.ts";

/**
 * Reads a `--table` value: a number, `main`, `local` or `default`.
 * @throws UsageError for anything else.
 */
export function parseTable(text: string): number {
  const id = tableId(text.trim());
  if (id !== undefined) return id;
  throw new UsageError(
    `Cannot select routing table ${
      JSON.stringify(text)
    }: expected a number (0-4294967295), main, local or default`,
  );
}

/** One routing table's routes, in snapshot order. */
export interface RouteTable {
  table: number;
  routes: Route[];
}

/**
 * Groups routes by table (main first, then ascending), keeping only `table` when given and only
 * one address family when `family` is given (`-4`, `-6`).
 */
export function selectRoutes(
  snapshot: Snapshot,
  table?: number,
  family?: "inet" | "inet6",
): RouteTable[] {
  const byTable = new Map<number, Route[]>();
  for (const r of snapshot.routes) {
    if (table !== undefined && r.table !== table) continue;
    if (family !== undefined && r.family !== family) continue;
    const list = byTable.get(r.table) ?? [];
    list.push(r);
    byTable.set(r.table, list);
  }
  const order = (t: number) => (t === 254 ? -1 : t);
  return [...byTable.entries()]
    .sort(([a], [b]) => order(a) - order(b))
    .map(([t, routes]) => ({ table: t, routes }));
}

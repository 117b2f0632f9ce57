/**
 * Which routes `nsnap show -r` prints: every table, or the one `--table` names, grouped by table
 * (main first, then the others by number).
 */
import type { Route, Snapshot } from "../model.ts";
import { UsageError } from "../errors.ts";

/** The kernel's reserved table names (iproute2's rt_tables). */
const TABLE_NAMES: Record<string, number> = { unspec: 0, default: 253, main: 254, local: 255 };

/** Names a table id: `main`, `local`, `default`, or its number. */
export function tableName(id: number): string {
  for (const [name, n] of Object.entries(TABLE_NAMES)) if (n === id && n !== 0) return name;
  return String(id);
}

/**
 * Reads a `--table` value: a number, `main`, `local` or `default`.
 * @throws UsageError for anything else.
 */
export function parseTable(text: string): number {
  const t = text.trim().toLowerCase();
  const named = TABLE_NAMES[t];
  if (named !== undefined) return named;
  if (/^[0-9]{1,10}$/.test(t) && Number(t) <= 0xffffffff) return Number(t);
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

/** Groups routes by table (main first, then ascending), keeping only `table` when given. */
export function selectRoutes(snapshot: Snapshot, table?: number): RouteTable[] {
  const byTable = new Map<number, Route[]>();
  for (const r of snapshot.routes) {
    if (table !== undefined && r.table !== table) continue;
    const list = byTable.get(r.table) ?? [];
    list.push(r);
    byTable.set(r.table, list);
  }
  const order = (t: number) => (t === 254 ? -1 : t);
  return [...byTable.entries()]
    .sort(([a], [b]) => order(a) - order(b))
    .map(([t, routes]) => ({ table: t, routes }));
}

/**
 * The routing tables of `nsnap show -r`: one aligned table per kernel table, always numeric.
 * Multipath routes list each next hop on its own line below the route. In a width, addresses and
 * interface names are shortened in their middle (never so far that two become alike), then
 * Source, Scope, Proto, Metric and Gateway move under the route, in that order.
 */
import type { Route } from "../model.ts";
import type { RouteTable } from "../view/routes.ts";
import { tableName } from "../net/routes.ts";
import { type Column, type Paint, PLAIN, renderTable, type Row, truncateMiddle } from "./table.ts";

/** How to lay out the routing tables. */
export interface RouteTableOptions {
  paint?: Paint;
  width?: number | undefined;
}

function routeRows(r: Route, withType: boolean): Row[] {
  const multipath = r.nexthops !== undefined && r.nexthops.length > 0 && r.gateway === undefined &&
    r.interface === undefined;
  const row = [
    r.destination,
    r.gateway ?? (multipath ? "multipath" : "-"),
    r.interface ?? "-",
    String(r.metric),
    r.protocol ?? "-",
    r.scope ?? "-",
    r.source ?? "-",
  ];
  if (withType) row.unshift(r.type);
  const rows: Row[] = [row];
  if (r.nexthops && r.nexthops.length > 0) {
    for (const nh of r.nexthops) {
      const parts = ["  nexthop"];
      if (nh.gateway !== undefined) parts.push(`via ${nh.gateway}`);
      if (nh.interface !== undefined) parts.push(`dev ${nh.interface}`);
      if (nh.weight !== undefined) parts.push(`weight ${nh.weight}`);
      rows.push({ line: parts.join(" ") });
    }
  }
  return rows;
}

/** Renders routes grouped by table, with a title line per table ("Table main (254)"). */
export function renderRoutes(tables: readonly RouteTable[], opts: RouteTableOptions = {}): string {
  const paint = opts.paint ?? PLAIN;
  const blocks = tables.map(({ table, routes }) => {
    const withType = routes.some((r) => r.type !== "unicast");
    const columns: Column[] = [
      { header: "Destination", shrink: true, minWidth: 18, truncate: truncateMiddle },
      { header: "Gateway", shrink: true, minWidth: 15, truncate: truncateMiddle, wrap: 5 },
      { header: "Iface", shrink: true, minWidth: 6, truncate: truncateMiddle },
      { header: "Metric", align: "right", wrap: 4 },
      { header: "Proto", wrap: 3 },
      { header: "Scope", wrap: 2 },
      { header: "Source", shrink: true, minWidth: 15, truncate: truncateMiddle, wrap: 1 },
    ];
    if (withType) columns.unshift({ header: "Type" });
    const name = tableName(table);
    const title = name === String(table) ? `Table ${table}` : `Table ${name} (${table})`;
    const rows = routes.flatMap((r) => routeRows(r, withType));
    return paint.bold(title) + "\n" + renderTable(columns, rows, { paint, width: opts.width });
  });
  return blocks.join("\n");
}

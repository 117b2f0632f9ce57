/**
 * What the report's page script receives: the tables and time series embedded as JSON in the
 * page (`<script type="application/json" id="nsnap-data">`). The script (client.js) renders
 * rows a page at a time, sorts and filters them, and draws the time series with uPlot; the rest
 * of the page is HTML made by the renderer. Cells are plain values, never markup.
 */

/**
 * How a column's cells show and sort: `text` plain, `mono` (names, paths), `addr` (addresses,
 * sorted in address order), `num` (right-aligned, thousands separators), `int` (right-aligned,
 * as is: ports, pids), `bytes` (decimal units), `rate` (two decimals, per second), `badge` (a
 * coloured word), `time` (ISO 8601 UTC).
 */
export type ColumnType =
  | "text"
  | "mono"
  | "addr"
  | "num"
  | "int"
  | "bytes"
  | "rate"
  | "badge"
  | "time";

/** One column of a page table. */
export interface ColumnSpec {
  label: string;
  type: ColumnType;
  /** Offer the column's values as filter buttons above the table. */
  facet?: boolean;
  /** Tooltip of the header. */
  title?: string;
}

/** A cell: text, a number (a decimal string for integers beyond 2^53), or empty. */
export type Cell = string | number | null;

/** A table the page script renders, with sorting, a filter box and paging. */
export interface TableSpec {
  /** Element id of the mount point (`<div data-table="ID">`). */
  id: string;
  /** The plural noun for the count line ("listeners"). */
  noun: string;
  columns: ColumnSpec[];
  rows: Cell[][];
  /** Initial sort: column index and direction (1 ascending, -1 descending). */
  sort?: [number, 1 | -1];
  /** Text shown when there are no rows. */
  empty: string;
  /** Per-row tooltips (same length as rows), e.g. the full command line. */
  titles?: Array<string | null>;
}

/** One line of a time-series chart. */
export interface LineSpec {
  label: string;
  /** One value per time point; null is a gap (counter reset, value unknown). */
  values: Array<number | null>;
}

/** A time-series chart drawn by uPlot. */
export interface ChartSpec {
  id: string;
  title: string;
  /** Unit of the y axis: "/s" (rate), "B/s" (bytes per second), "" (a count). */
  unit: string;
  /** Draw rates as steps over each interval rather than lines between points. */
  stepped: boolean;
  lines: LineSpec[];
}

/** Time series: the shared x axis (epoch seconds, UTC) and the charts. */
export interface SeriesSpec {
  t: number[];
  charts: ChartSpec[];
}

/** Everything the page script needs. */
export interface PageData {
  v: 1;
  tables: TableSpec[];
  series?: SeriesSpec;
}

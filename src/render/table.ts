/**
 * A small aligned-table helper for the text views: columns sized to their content, shrunk to fit a
 * width when one is given, and painted (colour) only after padding so alignment never depends on
 * escape codes.
 *
 * Every cell and free line is data: it is escaped first (control characters become visible
 * `\x1b`, see util/escape.ts), then measured in terminal cells (`string-width`: wide CJK
 * characters and emoji take two), then cut to fit. No cell is wider than `MAX_CELL_WIDTH` and no
 * free line longer than `MAX_TEXT_WIDTH`, whatever `-W` says: one 100 MB address would otherwise
 * pad every row to its width. The full value is in `--format json`.
 */
import stringWidth from "string-width";
import { clipText, escapeText } from "../util/escape.ts";

/** The widest a table cell ever gets, in terminal columns (an IPv6 endpoint with scope fits). */
export const MAX_CELL_WIDTH = 120;
/** The longest free text line (a diff summary, a command line), in terminal columns. */
export const MAX_TEXT_WIDTH = 4096;

/** Colours for terminal output; every function is the identity when colour is off. */
export interface Paint {
  bold(s: string): string;
  dim(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  red(s: string): string;
}

const sgr = (open: number, close: number) => (s: string) =>
  s === "" ? s : `\x1b[${open}m${s}\x1b[${close}m`;
const identity = (s: string) => s;

/** Returns the colours to use: real ones when `enabled`, identities otherwise. */
export function makePaint(enabled: boolean): Paint {
  if (!enabled) {
    return { bold: identity, dim: identity, green: identity, yellow: identity, red: identity };
  }
  return {
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
    red: sgr(31, 39),
  };
}

/** No colour at all: for tests, files and pipes. */
export const PLAIN: Paint = makePaint(false);

/** One column of a table. */
export interface Column {
  header: string;
  /** Numbers align right; everything else left. */
  align?: "left" | "right";
  /** Allowed to become narrower than its content when the table must fit a width. */
  shrink?: boolean;
  /** Shrinkable columns with a lower rank give up their width first (default 0). */
  rank?: number;
  /** Narrowest a shrinkable column may become (default: its header's width). */
  minWidth?: number;
  /** When every column is at `minWidth` and the table is still too wide, it may go down to this. */
  lastResortWidth?: number;
  /** Shortens a value to `width` columns (default: cut the end and mark it with "…"). */
  truncate?: (value: string, width: number) => string;
  /** Colour for a cell, given its plain value. */
  color?: (value: string, paint: Paint) => ((s: string) => string) | undefined;
}

/** A row: one cell per column, or a free line printed as it is (continuation lines). */
export type Row = readonly string[] | { line: string };

/** How to lay a table out. */
export interface TableOptions {
  /** Fit the table into this many columns by shrinking the shrinkable columns; none = no limit. */
  width?: number | undefined;
  paint?: Paint;
  /** Spaces between columns (default 2). */
  gap?: number;
}

/** Display width of text in terminal columns: wide characters and emoji count two. */
export function textWidth(s: string): number {
  return PRINTABLE_ASCII.test(s) ? s.length : stringWidth(s);
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const segmenter = new Intl.Segmenter();

/** The grapheme clusters of `s` (what a terminal draws as one character). */
function graphemes(s: string): string[] {
  if (PRINTABLE_ASCII.test(s)) return s.split("");
  return Array.from(segmenter.segment(s), (x) => x.segment);
}

/** The longest run of `chars`, taken from the start, that fits in `width` columns. */
function fitting(chars: readonly string[], width: number): string {
  let out = "", used = 0;
  for (const c of chars) {
    const w = textWidth(c);
    if (used + w > width) break;
    out += c;
    used += w;
  }
  return out;
}

/** Cuts text to `width` columns, marking the cut with "…". */
export function truncateEnd(s: string, width: number): string {
  if (textWidth(s) <= width) return s;
  const chars = graphemes(s);
  if (width <= 1) return fitting(chars, width);
  return fitting(chars, width - 1) + "…";
}

/** Cuts the middle out of text so both ends stay readable ("2001:db8:…:7348"). */
export function truncateMiddle(s: string, width: number): string {
  if (textWidth(s) <= width) return s;
  const chars = graphemes(s);
  if (width <= 1) return fitting(chars, width);
  const keep = width - 1;
  const head = fitting(chars, Math.ceil(keep / 2));
  let tail = "", used = textWidth(head);
  for (let i = chars.length - 1; i >= 0; i--) {
    const w = textWidth(chars[i]!);
    if (used + w > keep) break;
    tail = chars[i]! + tail;
    used += w;
  }
  return head + "…" + tail;
}

/**
 * Data as a free line of text output: escaped (util/escape.ts) and cut to `max` columns with
 * "…"; very long text is clipped before it is escaped, so the cost stays small.
 */
export function displayText(s: string, max: number = MAX_TEXT_WIDTH): string {
  return truncateEnd(escapeText(clipText(s, max + 1)), max);
}

/** A table cell: escaped, and clipped (both ends kept) to a few times the widest cell. */
function displayCell(s: string): string {
  return escapeText(clipText(s, 2 * MAX_CELL_WIDTH));
}

function pad(s: string, width: number, align: "left" | "right"): string {
  const fill = " ".repeat(Math.max(0, width - textWidth(s)));
  return align === "right" ? fill + s : s + fill;
}

/** Works out column widths: natural widths, then shrink the widest shrinkable ones to fit. */
export function columnWidths(
  columns: readonly Column[],
  rows: readonly Row[],
  width?: number,
  gap = 2,
): number[] {
  const widths = columns.map((c) => textWidth(c.header));
  for (const row of rows) {
    if (!Array.isArray(row)) continue;
    (row as readonly string[]).forEach((cell, i) => {
      if (i < widths.length) {
        widths[i] = Math.max(widths[i]!, Math.min(textWidth(cell), MAX_CELL_WIDTH));
      }
    });
  }
  if (width === undefined) return widths;
  const total = () => widths.reduce((a, b) => a + b, 0) + gap * (columns.length - 1);
  // Columns of the lowest rank give up width first, down to their last-resort width, before the
  // next rank is touched; within a rank the widest column goes first.
  const soft = columns.map((c) => Math.max(c.minWidth ?? textWidth(c.header), 1));
  const hard = columns.map((c, i) =>
    Math.max(Math.min(c.lastResortWidth ?? soft[i]!, soft[i]!), 1)
  );
  const ranks = [...new Set(columns.filter((c) => c.shrink).map((c) => c.rank ?? 0))].sort((a, b) =>
    a - b
  );
  for (const rank of ranks) {
    for (const floor of [soft, hard]) {
      while (total() > width) {
        let pick = -1;
        for (let i = 0; i < columns.length; i++) {
          const c = columns[i]!;
          if (!c.shrink || (c.rank ?? 0) !== rank || widths[i]! <= floor[i]!) continue;
          if (pick < 0 || widths[i]! > widths[pick]!) pick = i;
        }
        if (pick < 0) break;
        widths[pick]!--;
      }
    }
  }
  return widths;
}

/** Renders rows under a header line as an aligned table; returns lines without trailing spaces. */
export function renderTable(
  columns: readonly Column[],
  rows: readonly Row[],
  opts: TableOptions = {},
): string {
  const paint = opts.paint ?? PLAIN;
  const gap = opts.gap ?? 2;
  const shown: Row[] = rows.map((row) =>
    Array.isArray(row)
      ? (row as readonly string[]).map(displayCell)
      : { line: displayText((row as { line: string }).line) }
  );
  const widths = columnWidths(columns, shown, opts.width, gap);
  const sep = " ".repeat(gap);
  const line = (cells: readonly string[], header: boolean) =>
    columns.map((col, i) => {
      const w = widths[i]!;
      let v = cells[i] ?? "";
      if (textWidth(v) > w) v = (col.truncate ?? truncateEnd)(v, w);
      const last = i === columns.length - 1;
      const align = col.align ?? "left";
      const padded = last && align === "left" ? v : pad(v, w, align);
      if (header) return padded;
      const color = col.color?.(cells[i] ?? "", paint);
      return color ? color(padded) : padded;
    }).join(sep).trimEnd();
  const out = [paint.bold(line(columns.map((c) => c.header), true))];
  for (const row of shown) {
    out.push(
      Array.isArray(row) ? line(row as readonly string[], false) : (row as { line: string }).line,
    );
  }
  return out.join("\n") + "\n";
}

/** Splits text into lines of at most `width` columns at spaces; a longer word gets a line. */
export function wrapText(text: string, width: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line === "") line = word;
    else if (textWidth(line) + 1 + textWidth(word) <= width) line += " " + word;
    else {
      out.push(line);
      line = word;
    }
  }
  out.push(line);
  return out;
}

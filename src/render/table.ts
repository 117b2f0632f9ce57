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
  truncate?: Truncate;
  /** Values this column never cuts (an IPv4 endpoint): the column is at least as wide. */
  keepWhole?: (value: string) => boolean;
  /**
   * When the row cannot fit even with every column shrunk, this column may leave it and be
   * printed under the row as `Header value` (left out where the cell is empty or `-`, nothing);
   * the lowest number leaves first, columns with the same number together. Columns without it
   * stay in the row.
   */
  wrap?: number;
  /** The name before its value on the continuation line (default: the header). */
  label?: string;
  /** Colour for a cell, given its plain value. */
  color?: (value: string, paint: Paint) => ((s: string) => string) | undefined;
}

/** Shortens a value to at most `width` terminal columns. */
export type Truncate = (value: string, width: number) => string;

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

/**
 * Cuts a word into pieces of at most `width` columns, between grapheme clusters (an emoji or a
 * wide character is never split; one wider than `width` is a piece of its own).
 */
export function cutToWidth(word: string, width: number): string[] {
  if (textWidth(word) <= width) return [word];
  const pieces: string[] = [];
  let piece = "", used = 0;
  for (const c of graphemes(word)) {
    const w = textWidth(c);
    if (piece !== "" && used + w > width) {
      pieces.push(piece);
      piece = "";
      used = 0;
    }
    piece += c;
    used += w;
  }
  if (piece !== "") pieces.push(piece);
  return pieces;
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

/** Where each column goes: its width, and whether it left the row for the continuation line. */
export interface TableLayout {
  widths: number[];
  /** Columns printed under their row as `Header value` rather than in it, in column order. */
  moved: number[];
}

/** Works out column widths: natural widths, then shrink the widest shrinkable ones to fit. */
export function columnWidths(
  columns: readonly Column[],
  rows: readonly Row[],
  width?: number,
  gap = 2,
): number[] {
  return layoutColumns(columns, rows, width, gap).widths;
}

/** The cells of column `i`, each distinct value once. */
function distinctCells(rows: readonly Row[], i: number): string[] {
  const seen = new Set<string>();
  for (const row of rows) {
    if (Array.isArray(row)) {
      const v = (row as readonly string[])[i];
      if (v !== undefined) seen.add(v);
    }
  }
  return [...seen];
}

/** True when cutting every value to `width` keeps different values different. */
function staysDistinct(values: readonly string[], width: number, cut: Truncate): boolean {
  const shown = new Set<string>();
  for (const v of values) {
    const t = textWidth(v) <= width ? v : cut(v, width);
    if (shown.has(t)) return false;
    shown.add(t);
  }
  return true;
}

/**
 * The narrowest width, from `floor` up to `natural`, at which the column's values stay different
 * from each other once cut (`veth-a0` and `veth-b0` never both become `veth-…`), and values the
 * column keeps whole (`keepWhole`) are not cut at all.
 */
function distinctFloor(col: Column, values: readonly string[], floor: number, natural: number) {
  let lo = floor;
  for (const v of values) {
    if (col.keepWhole?.(v)) lo = Math.max(lo, Math.min(textWidth(v), natural));
  }
  const cut = col.truncate ?? truncateEnd;
  if (lo >= natural || staysDistinct(values, lo, cut)) return Math.min(lo, natural);
  // Cutting less rarely merges values that cutting more kept apart: search, then make sure.
  let bad = lo, good = natural;
  while (good - bad > 1) {
    const mid = (bad + good) >> 1;
    if (staysDistinct(values, mid, cut)) good = mid;
    else bad = mid;
  }
  while (good < natural && !staysDistinct(values, good, cut)) good++;
  return good;
}

/**
 * Lays a table out in `width` columns: shrinkable columns give up width first (lowest rank
 * first, down to their minimum and then their last resort, never below the width that keeps
 * their values distinct); when that is not enough, the columns that may wrap leave the row, the
 * lowest `wrap` first, to be printed under it.
 */
export function layoutColumns(
  columns: readonly Column[],
  rows: readonly Row[],
  width?: number,
  gap = 2,
): TableLayout {
  const natural = columns.map((c) => textWidth(c.header));
  for (const row of rows) {
    if (!Array.isArray(row)) continue;
    (row as readonly string[]).forEach((cell, i) => {
      if (i < natural.length) {
        natural[i] = Math.max(natural[i]!, Math.min(textWidth(cell), MAX_CELL_WIDTH));
      }
    });
  }
  if (width === undefined) return { widths: natural, moved: [] };
  const floors = new Map<number, [number, number]>();
  const floorsOf = (i: number): [number, number] => {
    let f = floors.get(i);
    if (f === undefined) {
      const c = columns[i]!;
      const soft = Math.max(c.minWidth ?? textWidth(c.header), 1);
      const hard = Math.max(Math.min(c.lastResortWidth ?? soft, soft), 1);
      const values = distinctCells(rows, i);
      const least = distinctFloor(c, values, hard, natural[i]!);
      f = [Math.max(soft, least), Math.max(hard, least)];
      floors.set(i, f);
    }
    return f;
  };
  // Columns with the same `wrap` leave together (Recv-Q and Send-Q).
  const steps = [...new Set(columns.map((c) => c.wrap).filter((w) => w !== undefined))]
    .sort((a, b) => a - b);
  let best: TableLayout = { widths: natural, moved: [] };
  for (let k = 0; k <= steps.length; k++) {
    const moved = new Set(
      columns.map((
        c,
        i,
      ) => (c.wrap !== undefined && c.wrap <= (steps[k - 1] ?? -Infinity) ? i : -1))
        .filter((i) => i >= 0),
    );
    const widths = [...natural];
    const inRow = columns.map((_, i) => !moved.has(i));
    const total = () =>
      widths.reduce((a, w, i) => a + (inRow[i] ? w : 0), 0) +
      gap * (inRow.filter(Boolean).length - 1);
    const ranks = [...new Set(columns.filter((c) => c.shrink).map((c) => c.rank ?? 0))]
      .sort((a, b) => a - b);
    for (const rank of ranks) {
      for (const floor of [0, 1]) {
        while (total() > width) {
          let pick = -1;
          for (let i = 0; i < columns.length; i++) {
            const c = columns[i]!;
            if (!inRow[i] || !c.shrink || (c.rank ?? 0) !== rank) continue;
            if (widths[i]! <= floorsOf(i)[floor]!) continue;
            if (pick < 0 || widths[i]! > widths[pick]!) pick = i;
          }
          if (pick < 0) break;
          widths[pick]!--;
        }
      }
    }
    best = { widths, moved: [...moved].sort((a, b) => a - b) };
    if (total() <= width) break;
  }
  return best;
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
  const { widths, moved } = layoutColumns(columns, shown, opts.width, gap);
  const away = new Set(moved);
  const kept = columns.map((_, i) => i).filter((i) => !away.has(i));
  const sep = " ".repeat(gap);
  const line = (cells: readonly string[], header: boolean) =>
    kept.map((i, n) => {
      const col = columns[i]!;
      const w = widths[i]!;
      let v = cells[i] ?? "";
      if (textWidth(v) > w) v = (col.truncate ?? truncateEnd)(v, w);
      const last = n === kept.length - 1;
      const align = col.align ?? "left";
      const padded = last && align === "left" ? v : pad(v, w, align);
      if (header) return padded;
      const color = col.color?.(cells[i] ?? "", paint);
      return color ? color(padded) : padded;
    }).join(sep).trimEnd();
  const fold = (text: string) => opts.width === undefined ? [text] : foldLine(text, opts.width);
  const out = [paint.bold(line(columns.map((c) => c.header), true))];
  for (const row of shown) {
    if (!Array.isArray(row)) {
      out.push(...fold((row as { line: string }).line));
      continue;
    }
    const cells = row as readonly string[];
    out.push(line(cells, false));
    const under = moved.map((i) => [columns[i]!, cells[i] ?? ""] as const)
      .filter(([, v]) => v !== "" && v !== "-").map(([c, v]) => `${c.label ?? c.header} ${v}`);
    if (under.length) out.push(...continuation(under, opts.width));
  }
  return out.join("\n") + "\n";
}

/** How far a row's continuation line (the columns that did not fit) is indented. */
export const CONTINUATION_INDENT = 4;

/**
 * The continuation lines of a row: its `Header value` pairs, two spaces apart, as many to a line
 * as fit; a pair is never split from its label unless it is longer than a line by itself.
 */
function continuation(pairs: readonly string[], width: number | undefined): string[] {
  const indent = " ".repeat(CONTINUATION_INDENT);
  if (width === undefined) return [indent + pairs.join("  ")];
  const lines: string[] = [];
  let line = "";
  for (const pair of pairs) {
    if (line !== "" && textWidth(indent + line + "  " + pair) <= width) {
      line += "  " + pair;
      continue;
    }
    if (line !== "") lines.push(indent + line);
    line = pair;
    if (textWidth(indent + pair) > width) {
      lines.push(...foldLine(indent + pair, width));
      line = "";
    }
  }
  if (line !== "") lines.push(indent + line);
  return lines;
}

/** Terminal columns of a line's leading blanks: a tab runs to the next multiple of 8. */
function indentWidth(blanks: string): number {
  let w = 0;
  for (const c of blanks) w = c === "\t" ? w + 8 - (w % 8) : w + 1;
  return w;
}

/**
 * Folds a line longer than `width` at spaces; the lines after the first are indented two more
 * than it, and a word longer than a line is cut into pieces (all of it shown). Leading tabs
 * count as a terminal draws them.
 * @example
 * ```ts
 * import { foldLine } from "./table.ts";
 * foldLine("  tcp 0.0.0.0:80: published on host 127.0.0.1:8080", 30);
 * // ["  tcp 0.0.0.0:80: published on", "    host 127.0.0.1:8080"]
 * ```
 */
export function foldLine(text: string, width: number): string[] {
  const blanks = /^[ \t]*/.exec(text)![0];
  const indent = indentWidth(blanks);
  const body = text.slice(blanks.length);
  if (indent + textWidth(body) <= width) return [text];
  const lines: string[] = [];
  let prefix = blanks, used = indent, line = "";
  const room = () => Math.max(width - used, 8);
  const flush = (l: string) => {
    lines.push(prefix + l);
    prefix = blanks + "  ";
    used = indent + 2;
    line = "";
  };
  for (const word of body.split(" ")) {
    let w = word;
    if (line !== "" && textWidth(line) + 1 + textWidth(w) > room()) flush(line);
    while (line === "" && textWidth(w) > room()) {
      const piece = fitting(graphemes(w), room());
      flush(piece);
      w = w.slice(piece.length);
    }
    line = line === "" ? w : `${line} ${w}`;
  }
  if (line !== "") lines.push(prefix + line);
  return lines;
}

/** Folds every line of `text` (foldLine) to `width`; no width: the text as it is. */
export function fitText(text: string, width: number | undefined): string {
  if (width === undefined) return text;
  return text.split("\n").flatMap((l) => foldLine(l, width)).join("\n");
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

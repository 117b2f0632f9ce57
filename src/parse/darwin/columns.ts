/**
 * Header-located columns for the BSD tools' tables: a column is found by its label in the header
 * line, so releases that add or widen columns do not shift the others.
 */

/** One column of a table header: its label and where the label sits on the line. */
export interface Column {
  name: string;
  start: number;
  end: number;
}

/** A whitespace-separated word of a line with its position. */
export interface Token {
  text: string;
  start: number;
  end: number;
}

/** Splits a line into words, keeping where each one starts and ends. */
export function tokenize(line: string): Token[] {
  const out: Token[] = [];
  for (const m of line.matchAll(/\S+/g)) {
    out.push({ text: m[0], start: m.index, end: m.index + m[0].length });
  }
  return out;
}

/** Reads a header line into columns, joining the multi-word labels given (e.g. "Local Address"). */
export function headerColumns(line: string, joined: readonly string[] = []): Column[] {
  const words = tokenize(line);
  const cols: Column[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const next = words[i + 1];
    if (next && joined.includes(`${w.text} ${next.text}`)) {
      cols.push({ name: `${w.text} ${next.text}`, start: w.start, end: next.end });
      i++;
      continue;
    }
    cols.push({ name: w.text, start: w.start, end: w.end });
  }
  return cols;
}

/**
 * Assigns a row's words to header columns: in order when the counts agree, else to the column
 * whose label span the word overlaps most (or lies nearest). Words landing in one column are
 * joined with a space (process names with spaces).
 */
export function assignColumns(
  row: string,
  cols: readonly Column[],
  skip: readonly string[] = [],
): Map<string, string> {
  const tokens = tokenize(row);
  const out = new Map<string, string>();
  const kept = cols.filter((c) => !skip.includes(c.name));
  if (tokens.length === cols.length || tokens.length === kept.length) {
    const order = tokens.length === cols.length ? cols : kept;
    tokens.forEach((t, i) => out.set(order[i]!.name, t.text));
    return out;
  }
  for (const t of tokens) {
    let best: Column | undefined;
    let bestScore = -Infinity;
    for (const c of cols) {
      const overlap = Math.min(t.end, c.end) - Math.max(t.start, c.start);
      const score = overlap > 0 ? overlap : overlap - 0.5;
      if (score > bestScore) {
        bestScore = score;
        best = c;
      }
    }
    if (!best) continue;
    const prev = out.get(best.name);
    out.set(best.name, prev === undefined ? t.text : `${prev} ${t.text}`);
  }
  return out;
}

/** Parses a non-negative decimal integer column; undefined for "-", blanks or anything else. */
export function parseCount(text: string | undefined): bigint | undefined {
  if (text === undefined || !/^[0-9]{1,40}$/.test(text)) return undefined;
  return BigInt(text);
}

/** Parses a small non-negative integer (ports, queues, MTU), or undefined. */
export function parseSmallInt(text: string | undefined): number | undefined {
  if (text === undefined || !/^[0-9]{1,10}$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Splits text into lines without the line terminators. */
export function lines(text: string): string[] {
  return text.split(/\r?\n/);
}

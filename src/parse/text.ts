/**
 * What every parser shares: the one result shape (`Parsed<T>`), the one warning wording
 * (`cannotRead`), and the pieces of reading tools' text output — lines, words, header-located
 * columns, numbers, and socket endpoints as ss, netstat and lsof print them.
 *
 * Decisions:
 * - A parser that reads records returns `{ value, warnings }`: a line it cannot read is a warning
 *   naming the source, the line number and the raw line, and the rest is still read. Text that is
 *   not the format at all is a `ParseError`. A parser of one value (a /proc/[pid]/stat line, a
 *   /sys attribute) returns the value or undefined.
 * - Columns are found by their label in the header line, so a release that adds, widens or
 *   appends columns does not shift the ones nsnap reads; values under labels nsnap does not know
 *   are passed over without a warning (nothing nsnap keeps is lost), and a warning is written only
 *   when a row, or a value nsnap keeps, cannot be read.
 */
import type { Connection, Counters, Family, ProcessInfo } from "../model.ts";
import { COUNTER_MAX, COUNTER_MIN } from "../fields.ts";
import { canonicalAddress } from "../net/address.ts";
import { servicePort } from "../net/services.ts";
import { quoteText } from "../util/escape.ts";
import { dict } from "../util/record.ts";

/** What a parser of records returns: what it read, and a warning per thing it could not read. */
export interface Parsed<T> {
  value: T;
  warnings: string[];
}

/**
 * The one wording of a parser warning: `<source>:<line>: cannot read <what>: "<raw>"` (without
 * `:<line>` when the source has no lines, e.g. `ip -j route[3]`). The raw text is quoted as
 * every message quotes input (quoteText: control, bidi and invisible characters escaped).
 *
 * @example
 * ```ts
 * import { cannotRead } from "./text.ts";
 * cannotRead("/proc/net/route", 3, "route line", "eth0 XYZ");
 * // '/proc/net/route:3: cannot read route line: "eth0 XYZ"'
 * ```
 */
export function cannotRead(
  source: string,
  line: number | undefined,
  what: string,
  raw: string,
): string {
  const r = raw.trim();
  const shown = quoteText(r.length > 160 ? r.slice(0, 157) + "..." : r);
  return `${source}${line === undefined ? "" : `:${line}`}: cannot read ${what}: ${shown}`;
}

/**
 * The one warning for rows that carry more values than the header names: the rows are kept, the
 * values no column claims are left out, and this is said once per file, not once per row.
 *
 * @example
 * ```ts
 * import { extraValues } from "./text.ts";
 * extraValues("route.txt", 3, 2, "Iface");
 * // 'route.txt:3: 2 rows carry values after the last column (Iface), left out'
 * ```
 */
export function extraValues(source: string, firstLine: number, rows: number, last: string): string {
  const what = rows === 1 ? "1 row carries" : `${rows} rows carry`;
  return `${source}:${firstLine}: ${what} values after the last column (${last}), left out`;
}

/** Where each record was read in its input, as its parser noted it: ":12" (a line), "[3]" (an item). */
const ORIGINS = new WeakMap<object, string>();

/**
 * Notes that `record` was read at line `line` of its input, for a message about it later (the
 * import's schema check names the line of a value it leaves out); a record read over several
 * lines keeps the first. Returns the record.
 *
 * @example
 * ```ts
 * import { originOf, readAt } from "./text.ts";
 * const route = readAt({ destination: "10.0.0.0/8" }, 12);
 * originOf(route); // ":12"
 * ```
 */
export function readAt<T extends object>(record: T, line: number): T {
  if (!ORIGINS.has(record)) ORIGINS.set(record, `:${line}`);
  return record;
}

/** Notes that `record` is item `index` of its input (a JSON array, as `ip -j` prints). */
export function readAtItem<T extends object>(record: T, index: number): T {
  if (!ORIGINS.has(record)) ORIGINS.set(record, `[${index}]`);
  return record;
}

/** Gives `to`, a record rebuilt from `from`, the place `from` was read at. Returns `to`. */
export function sameOrigin<T extends object>(to: T, from: object): T {
  const at = ORIGINS.get(from);
  if (at !== undefined && !ORIGINS.has(to)) ORIGINS.set(to, at);
  return to;
}

/** Where `record` was read, to append to its source's name (":12", "[3]"); "" when not noted. */
export function originOf(record: object): string {
  return ORIGINS.get(record) ?? "";
}

/** Splits text into lines without their line ends (a final newline adds no empty line). */
export function splitLines(text: string): string[] {
  const lines = text.split("\n").map((l) => l.endsWith("\r") ? l.slice(0, -1) : l);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** Looks a key up in a table of the parser's own, never in Object.prototype ("constructor"…). */
export function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** True for a string of decimal digits. */
export function isDigits(text: string | undefined): text is string {
  return text !== undefined && /^[0-9]+$/.test(text);
}

/** Reads a non-negative decimal counter as bigint; undefined for "-", blanks or anything else. */
export function parseCount(text: string | undefined): bigint | undefined {
  if (text === undefined || !/^[0-9]{1,40}$/.test(text)) return undefined;
  return BigInt(text);
}

/**
 * Reads a counter as a snapshot holds it: an integer from -2^63 to 2^64-1 (the kernel's 64-bit
 * values, signed or not); undefined for anything else, digits beyond 64 bits included.
 */
export function parseCounter(text: string | undefined): bigint | undefined {
  if (text === undefined || !/^-?[0-9]{1,20}$/.test(text)) return undefined;
  const v = BigInt(text);
  return v >= COUNTER_MIN && v <= COUNTER_MAX ? v : undefined;
}

/** Why parseCounter() refused a text: "not an integer", or "beyond 64 bits". */
export function counterProblem(text: string): string {
  return /^-?[0-9]+$/.test(text) ? "beyond 64 bits" : "not an integer";
}

/** Reads a small non-negative integer (ports, queues, MTU, pids), or undefined. */
export function parseSmallInt(text: string | undefined): number | undefined {
  if (text === undefined || !/^[0-9]{1,10}$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
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

/** One column of a table header: its label and where the label sits on the line. */
export interface Column {
  name: string;
  start: number;
  end: number;
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

/** What a word pays for landing in a column it shares with the word before it. */
const JOIN_COST = 2;

/** How far a word lies from a column's label: 0 where they overlap. */
function distance(t: Token, c: Column): number {
  return Math.max(0, c.start - t.end, t.start - c.end);
}

/**
 * Assigns a row's words to header columns. Where there are as many words as columns they go in
 * order. Otherwise the words keep their order, a column may stay empty (UDP has no state; a
 * trailing column may be blank) and words sharing a column are joined with a space (process
 * names with spaces); of all such assignments the one whose words sit nearest their labels wins.
 * A column with no word is absent from the result.
 *
 * @example
 * ```ts
 * import { assignColumns, headerColumns } from "./text.ts";
 * const cols = headerColumns("Proto Recv-Q  (state)   Log ID", ["Log ID"]);
 * assignColumns("udp4       0", cols).get("(state)"); // undefined
 * ```
 */
export function assignColumns(row: string, cols: readonly Column[]): Map<string, string> {
  const tokens = tokenize(row);
  const out = new Map<string, string>();
  if (tokens.length === 0 || cols.length === 0) return out;
  if (tokens.length === cols.length) {
    tokens.forEach((t, i) => out.set(cols[i]!.name, t.text));
    return out;
  }
  // cost[i][j]: the cheapest placing of words 0..i with word i in column j; from[i][j] says
  // whether word i joined word i-1 in column j (-1) or which column word i-1 took.
  const n = tokens.length, m = cols.length;
  const cost: number[][] = [];
  const from: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row: number[] = new Array(m).fill(Infinity);
    const back: number[] = new Array(m).fill(-2);
    let bestBefore = Infinity, bestBeforeAt = -2;
    for (let j = 0; j < m; j++) {
      const here = distance(tokens[i]!, cols[j]!);
      if (i === 0) {
        row[j] = here;
        back[j] = -2;
        continue;
      }
      // Best place for word i-1 in a column left of j, kept as j grows.
      if (j > 0 && cost[i - 1]![j - 1]! < bestBefore) {
        bestBefore = cost[i - 1]![j - 1]!;
        bestBeforeAt = j - 1;
      }
      const joined = cost[i - 1]![j]! + JOIN_COST;
      if (bestBefore <= joined) {
        row[j] = here + bestBefore;
        back[j] = bestBeforeAt;
      } else {
        row[j] = here + joined;
        back[j] = -1;
      }
    }
    cost.push(row);
    from.push(back);
  }
  let j = 0;
  for (let k = 1; k < m; k++) if (cost[n - 1]![k]! < cost[n - 1]![j]!) j = k;
  const place = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    place[i] = j;
    const b = from[i]![j]!;
    if (b >= 0) j = b;
  }
  tokens.forEach((t, i) => {
    const name = cols[place[i]!]!.name;
    const prev = out.get(name);
    out.set(name, prev === undefined ? t.text : `${prev} ${t.text}`);
  });
  return out;
}

/** Reads a port as printed by the tools: a number, `*` (any: 0) or a known service name. */
export function portNumber(text: string): number | undefined {
  return text === "*" ? 0 : servicePort(text);
}

/**
 * Why a printed port could not be read: digits beyond 65535 are "port out of range", anything
 * else a name nsnap does not know ("unknown port name").
 */
export function portProblem(text: string): string {
  return /^[0-9]+$/.test(text) ? "port out of range" : "unknown port name";
}

/** A socket endpoint as printed by ss, netstat and lsof, split into host text and port text. */
export interface Endpoint {
  host: string;
  port: string;
  /** The `%iface` suffix of the host, when one was printed. */
  scope?: string;
}

/** Splits "host:port", "[v6]:port", ":::port" or "*:*" at the last colon; undefined when none. */
export function splitEndpoint(text: string): Endpoint | undefined {
  const colon = text.lastIndexOf(":");
  if (colon < 0) return undefined;
  let host = text.slice(0, colon);
  const port = text.slice(colon + 1);
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  if (host === "" || port === "") return undefined;
  const pct = host.indexOf("%");
  if (pct > 0) {
    return { host: host.slice(0, pct), port, scope: host.slice(pct + 1) };
  }
  return { host, port };
}

/** The family an address text belongs to; `*` and names count as the fallback family. */
export function addressFamily(host: string, fallback: Family): Family {
  if (host.includes(":")) return "inet6";
  if (/^[0-9]{1,3}(\.[0-9]{1,3}){3}$/.test(host)) return "inet";
  return fallback;
}

/**
 * Canonical text of a printed socket address: `*` becomes the family's any-address, numeric
 * addresses are canonicalised, names (`localhost`, truncated hosts) are kept as printed. The
 * `%iface` scope is left off, as /proc/net/* cannot show it either, so that imported sockets
 * match captured ones.
 */
export function socketAddress(host: string, family: Family): string {
  if (host === "*") return family === "inet" ? "0.0.0.0" : "::";
  return canonicalAddress(host);
}

/** The sockets of a socket listing (ss, netstat) and the processes it names (`users:`, `PID/Program`). */
export interface SocketTable {
  connections: Connection[];
  /** Processes named by the listing (pid and name only), each once. */
  processes: ProcessInfo[];
}

/**
 * The counter group of that name in `counters`, created when missing. Group names come from the
 * input, so one named like an Object.prototype member ("constructor") is a group like any other.
 */
export function counterGroup(counters: Counters, name: string): Record<string, bigint> {
  if (!Object.hasOwn(counters, name)) {
    Object.defineProperty(counters, name, {
      value: dict<bigint>(),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return counters[name]!;
}

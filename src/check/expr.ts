/**
 * The threshold language shared by a policy's `rates` (`nsnap check`) and `nsnap diff --fail-on`:
 * one parser, one printer, one table of natural denominators.
 *
 * Grammar (spaces are optional around the operator and required around `of`):
 *
 * ```text
 * threshold  = subject op quantity [ "of" denominator ]
 * subject    = [ "counter:" ] group "." name          Tcp.RetransSegs, TcpExt.ListenOverflows
 *            | "interface" ifname stat                interface eth0 rxDropped
 * group      = letter { letter | digit }              as the kernel names it (Tcp, Udp6, Sockstat)
 * name       = { letter | digit | "_" }               RetransSegs, TCP_inuse
 * ifname     = any run of characters but spaces       eth0, eth0.100, veth*  (a glob)
 * stat       = a /proc/net/dev column                 rxDropped, txErrors … (INTERFACE_STAT_NAMES)
 * denominator= [ "counter:" ] group "." name          for a counter subject
 *            | stat                                   for an interface subject (same interface)
 * op         = "<" | "<=" | "==" | "!=" | ">=" | ">"
 * quantity   = number [ "%" | "/s" ]                  0, 10, 1.5%, 0.25/s
 * number     = digit { digit } [ "." digit { digit } ]
 * comparison = op number                              ">= 4096" (a count, an MTU, a sysctl)
 * ```
 *
 * What a quantity compares (the evaluator is in `threshold.ts`):
 * - a plain number: the counter's delta between the baseline and the snapshot;
 * - `N/s`: that delta divided by the seconds between the two capture times;
 * - `N%`: that delta as a share of the delta of the denominator over the same interval — the one
 *   named after `of`, else the counter's natural denominator (`NATURAL_DENOMINATORS`: segments
 *   retransmitted of segments sent, datagrams with errors of datagrams received, dropped packets
 *   of packets received …). A counter without a natural denominator must say `of`.
 * - A gauge (`Tcp.CurrEstab`, `Sockstat.*`) or a setting (`Ip.Forwarding`) is compared by its
 *   value in the snapshot (no baseline needed); rates and shares of them are refused.
 *
 * Numbers are exact decimals (held as an integer and a power of ten), so `1%` of 10,000 is 100,
 * never 99.99999.
 */
import { INTERFACE_STAT_NAMES, type InterfaceStatName } from "../model.ts";
import { isGauge, isSetting } from "../diff/counters.ts";

/** A protocol counter, `Group.Name` as the kernel names it. */
export interface CounterSubject {
  kind: "counter";
  group: string;
  name: string;
}

/** A /proc/net/dev counter of the interfaces whose names match a glob. */
export interface InterfaceSubject {
  kind: "interface";
  /** Interface name or glob (`eth0`, `veth*`). */
  interface: string;
  stat: InterfaceStatName;
}

/** What a threshold measures. */
export type Subject = CounterSubject | InterfaceSubject;

/** A comparison operator. */
export type Operator = "<" | "<=" | "==" | "!=" | ">=" | ">";

/** The operators, longest first (so `<=` is read before `<`). */
export const OPERATORS: readonly Operator[] = ["<=", ">=", "==", "!=", "<", ">"];

/** An exact decimal: `digits / 10^scale`, normalised (no trailing zeros after the point). */
export interface Decimal {
  digits: bigint;
  scale: number;
}

/** A number with its unit: a delta, a rate per second, or a percentage. */
export interface Quantity {
  value: Decimal;
  unit: "count" | "per-second" | "percent";
}

/** A parsed threshold: `subject op quantity [of denominator]`. */
export interface Threshold {
  subject: Subject;
  op: Operator;
  quantity: Quantity;
  /** The explicit denominator of a percentage (`of Tcp.OutSegs`); absent means the natural one. */
  of?: Subject;
}

/** A parsed comparison: `op number` (a count, an MTU, a sysctl value). */
export interface Comparison {
  op: Operator;
  value: Decimal;
  negative: boolean;
}

/** A mistake in an expression, with the column (1-based) where reading stopped. */
export class ExpressionError extends Error {
  override name = "ExpressionError";
  constructor(readonly column: number, readonly reason: string) {
    super(`${reason} (column ${column})`);
  }
}

/**
 * The denominator a percentage of each counter is taken of, when `of` does not name one: the
 * count of the things the counter is a failure of.
 */
export const NATURAL_DENOMINATORS: Readonly<Record<string, string>> = {
  "Tcp.RetransSegs": "Tcp.OutSegs",
  "Tcp.OutRsts": "Tcp.OutSegs",
  "Tcp.InErrs": "Tcp.InSegs",
  "Tcp.InCsumErrors": "Tcp.InSegs",
  "Tcp.AttemptFails": "Tcp.ActiveOpens",
  "TcpExt.ListenOverflows": "Tcp.PassiveOpens",
  "TcpExt.ListenDrops": "Tcp.PassiveOpens",
  "TcpExt.TCPTimeouts": "Tcp.OutSegs",
  "TcpExt.TCPLostRetransmit": "Tcp.RetransSegs",
  "Udp.InErrors": "Udp.InDatagrams",
  "Udp.NoPorts": "Udp.InDatagrams",
  "Udp.RcvbufErrors": "Udp.InDatagrams",
  "Udp.InCsumErrors": "Udp.InDatagrams",
  "Udp.SndbufErrors": "Udp.OutDatagrams",
  "Udp6.Udp6InErrors": "Udp6.Udp6InDatagrams",
  "Udp6.Udp6NoPorts": "Udp6.Udp6InDatagrams",
  "Udp6.Udp6RcvbufErrors": "Udp6.Udp6InDatagrams",
  "Udp6.Udp6SndbufErrors": "Udp6.Udp6OutDatagrams",
  "Ip.InDiscards": "Ip.InReceives",
  "Ip.InHdrErrors": "Ip.InReceives",
  "Ip.InAddrErrors": "Ip.InReceives",
  "Ip.OutDiscards": "Ip.OutRequests",
  "Ip.OutNoRoutes": "Ip.OutRequests",
  "Ip6.Ip6InDiscards": "Ip6.Ip6InReceives",
  "Ip6.Ip6InHdrErrors": "Ip6.Ip6InReceives",
  "Ip6.Ip6OutDiscards": "Ip6.Ip6OutRequests",
  "Ip6.Ip6OutNoRoutes": "Ip6.Ip6OutRequests",
  "Icmp.InErrors": "Icmp.InMsgs",
  "Icmp.OutErrors": "Icmp.OutMsgs",
  "rxErrors": "rxPackets",
  "rxDropped": "rxPackets",
  "rxFifo": "rxPackets",
  "rxFrame": "rxPackets",
  "rxCompressed": "rxPackets",
  "rxMulticast": "rxPackets",
  "txErrors": "txPackets",
  "txDropped": "txPackets",
  "txFifo": "txPackets",
  "txCollisions": "txPackets",
  "txCarrier": "txPackets",
  "txCompressed": "txPackets",
};

/** The natural denominator of a subject, or undefined when it has none. */
export function naturalDenominator(s: Subject): Subject | undefined {
  if (s.kind === "interface") {
    const stat = NATURAL_DENOMINATORS[s.stat];
    return stat
      ? { kind: "interface", interface: s.interface, stat: stat as InterfaceStatName }
      : undefined;
  }
  // /proc/net/snmp6 names carry their group (Udp6InErrors); accept Udp6.InErrors as well.
  const of = NATURAL_DENOMINATORS[`${s.group}.${s.name}`] ??
    NATURAL_DENOMINATORS[`${s.group}.${s.group}${s.name}`];
  if (of === undefined) return undefined;
  const dot = of.indexOf(".");
  return { kind: "counter", group: of.slice(0, dot), name: of.slice(dot + 1) };
}

/** True for a subject compared by its value, not its delta: gauges and settings. */
export function isValueSubject(s: Subject): boolean {
  return s.kind === "counter" && (isGauge(s.group, s.name) || isSetting(s.group, s.name));
}

const STAT_NAMES = new Set<string>(INTERFACE_STAT_NAMES);

/** A small cursor over the text being read. */
class Reader {
  pos = 0;
  constructor(readonly text: string) {}
  get done(): boolean {
    return this.pos >= this.text.length;
  }
  spaces(): number {
    const start = this.pos;
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
    return this.pos - start;
  }
  match(re: RegExp): string | undefined {
    const m = re.exec(this.text.slice(this.pos));
    if (!m || m.index !== 0) return undefined;
    this.pos += m[0].length;
    return m[0];
  }
  fail(reason: string, at = this.pos): never {
    throw new ExpressionError(at + 1, reason);
  }
  /** What follows, for messages: the next word or character, quoted. */
  next(): string {
    if (this.done) return "the end";
    const word = /^\S{1,20}/.exec(this.text.slice(this.pos))?.[0] ?? "";
    return JSON.stringify(word);
  }
}

const GROUP = /^[A-Za-z][A-Za-z0-9]*/;
const NAME = /^[A-Za-z0-9_]+/;
const NUMBER = /^[0-9]+(?:\.[0-9]+)?/;

function readCounter(r: Reader): CounterSubject {
  r.match(/^counter:/);
  const group = r.match(GROUP);
  if (group === undefined) {
    r.fail(
      `expected a counter (Group.Name, e.g. Tcp.RetransSegs) or "interface NAME STAT", got ${r.next()}`,
    );
  }
  if (r.match(/^\./) === undefined) {
    r.fail(`expected "." and a counter name after ${JSON.stringify(group)} (e.g. Tcp.RetransSegs)`);
  }
  const name = r.match(NAME);
  if (name === undefined) r.fail(`expected a counter name after "${group}.", got ${r.next()}`);
  return { kind: "counter", group, name };
}

function readStat(r: Reader): InterfaceStatName {
  const at = r.pos;
  const stat = r.match(/^[A-Za-z]+/);
  if (stat === undefined || !STAT_NAMES.has(stat)) {
    r.fail(
      `expected an interface counter (${INTERFACE_STAT_NAMES.join(", ")}), got ${
        stat === undefined ? r.next() : JSON.stringify(stat)
      }`,
      at,
    );
  }
  return stat as InterfaceStatName;
}

function readSubject(r: Reader): Subject {
  if (r.match(/^interface(?=\s)/) !== undefined) {
    r.spaces();
    const name = r.match(/^\S+/);
    if (name === undefined) r.fail('expected an interface name after "interface"');
    if (r.spaces() === 0) {
      r.fail(`expected an interface counter after the interface name, got ${r.next()}`);
    }
    return { kind: "interface", interface: name, stat: readStat(r) };
  }
  return readCounter(r);
}

function readOperator(r: Reader, after: string): Operator {
  for (const op of OPERATORS) {
    if (r.text.startsWith(op, r.pos)) {
      r.pos += op.length;
      return op;
    }
  }
  if (r.text[r.pos] === "=") r.fail(`use "==" to compare for equality, not "="`);
  return r.fail(`expected a comparison (<, <=, ==, !=, >=, >) after ${after}, got ${r.next()}`);
}

/** Parses decimal text ("1.50") to an exact, normalised Decimal. */
export function parseDecimal(text: string): Decimal {
  const [whole, frac = ""] = text.split(".");
  const trimmed = frac.replace(/0+$/, "");
  return { digits: BigInt(`${whole}${trimmed}`), scale: trimmed.length };
}

/** Formats a Decimal as the shortest exact decimal text ("1.5", "10", "0.25"). */
export function formatDecimal(d: Decimal): string {
  if (d.scale === 0) return d.digits.toString();
  const s = d.digits.toString().padStart(d.scale + 1, "0");
  return `${s.slice(0, -d.scale)}.${s.slice(-d.scale)}`;
}

function readNumber(r: Reader, after: string): Decimal {
  const text = r.match(NUMBER);
  if (text === undefined) {
    if (r.text[r.pos] === "-") r.fail("a threshold cannot be negative");
    r.fail(`expected a number after ${after}, got ${r.next()}`);
  }
  if (text.length > 40) r.fail("number too long", r.pos - text.length);
  if (/^[0-9]/.test(r.text[r.pos] ?? "") || /^[.,eE]/.test(r.text[r.pos] ?? "")) {
    r.fail(
      `expected a plain decimal number such as 10 or 1.5, got ${
        JSON.stringify(text + r.text[r.pos])
      }`,
    );
  }
  return parseDecimal(text);
}

/** Formats a subject as the parser reads it (`Tcp.RetransSegs`, `interface eth0 rxDropped`). */
export function formatSubject(s: Subject): string {
  return s.kind === "counter" ? `${s.group}.${s.name}` : `interface ${s.interface} ${s.stat}`;
}

/** Formats a quantity as written (`1.5%`, `10/s`, `0`). */
export function formatQuantity(q: Quantity): string {
  const n = formatDecimal(q.value);
  return q.unit === "percent" ? `${n}%` : q.unit === "per-second" ? `${n}/s` : n;
}

/**
 * Formats a threshold in the canonical form the parser reads back to the same value.
 *
 * @example
 * ```ts
 * import { formatThreshold, parseThreshold } from "./expr.ts";
 * formatThreshold(parseThreshold("counter:Tcp.RetransSegs>1.50%")); // "Tcp.RetransSegs > 1.5%"
 * ```
 */
export function formatThreshold(t: Threshold): string {
  const of = t.of === undefined
    ? ""
    : ` of ${t.of.kind === "interface" ? t.of.stat : formatSubject(t.of)}`;
  return `${formatSubject(t.subject)} ${t.op} ${formatQuantity(t.quantity)}${of}`;
}

/**
 * Parses a threshold; a mistake is an ExpressionError naming the column and what was expected.
 *
 * @example
 * ```ts
 * import { parseThreshold } from "./expr.ts";
 * const t = parseThreshold("Tcp.RetransSegs <= 1% of Tcp.OutSegs");
 * t.quantity.unit; // "percent"
 * parseThreshold("interface eth0 rxDropped <= 10/s").subject.kind; // "interface"
 * ```
 */
export function parseThreshold(text: string): Threshold {
  const r = new Reader(text);
  r.spaces();
  if (r.done) r.fail("empty threshold: expected something like Tcp.RetransSegs <= 1%");
  const subject = readSubject(r);
  r.spaces();
  const op = readOperator(r, formatSubject(subject));
  r.spaces();
  const numberAt = r.pos;
  const value = readNumber(r, op);
  const unitText = r.match(/^(%|\/s)/);
  const unit: Quantity["unit"] = unitText === "%" ? "percent" : unitText ? "per-second" : "count";
  const t: Threshold = { subject, op, quantity: { value, unit } };
  const gap = r.spaces();
  if (!r.done) {
    const ofAt = r.pos;
    if (gap > 0 && r.match(/^of(?=\s)/) !== undefined) {
      if (unit !== "percent") {
        r.fail(`"of" needs a percentage before it (e.g. 1% of Tcp.OutSegs)`, ofAt);
      }
      r.spaces();
      if (subject.kind === "interface") {
        t.of = { kind: "interface", interface: subject.interface, stat: readStat(r) };
      } else t.of = readCounter(r);
      r.spaces();
    }
    if (!r.done) r.fail(`unexpected ${r.next()} after the threshold`);
  }
  checkThreshold(t, r, numberAt);
  return t;
}

/** The rules a threshold must keep beyond the grammar. */
function checkThreshold(t: Threshold, r: Reader, numberAt: number): void {
  const s = formatSubject(t.subject);
  if (isValueSubject(t.subject) && t.quantity.unit !== "count") {
    r.fail(
      `${s} is a gauge or a setting: compare its value (e.g. ${s} <= 100), not a rate or a share`,
      numberAt,
    );
  }
  if (t.of !== undefined && isValueSubject(t.of)) {
    r.fail(
      `${formatSubject(t.of)} is a gauge or a setting: a share can only be taken of a counter`,
    );
  }
  if (t.quantity.unit === "percent" && t.of === undefined && !naturalDenominator(t.subject)) {
    r.fail(
      `${s} has no natural denominator: say what the percentage is of (e.g. ${s} <= 1% of ${
        t.subject.kind === "interface" ? "rxPackets" : "Tcp.OutSegs"
      })`,
      numberAt,
    );
  }
}

/**
 * Parses a comparison such as `>= 4096` or `== 1500` (counts, MTUs, sysctl values).
 *
 * @example
 * ```ts
 * import { parseComparison } from "./expr.ts";
 * parseComparison(">= 4096").op; // ">="
 * ```
 */
export function parseComparison(text: string): Comparison {
  const r = new Reader(text);
  r.spaces();
  const op = readOperator(r, "the start");
  r.spaces();
  const negative = r.match(/^-/) !== undefined;
  const value = readNumber(r, op);
  r.spaces();
  if (!r.done) r.fail(`unexpected ${r.next()} after the comparison`);
  return { op, value, negative };
}

/** Formats a comparison as written (`>= 4096`). */
export function formatComparison(c: Comparison): string {
  return `${c.op} ${c.negative ? "-" : ""}${formatDecimal(c.value)}`;
}

/** True when text reads as a comparison (starts with an operator), not a plain value. */
export function looksLikeComparison(text: string): boolean {
  return /^\s*(<|>|==|!=)/.test(text);
}

/** True when text reads as a threshold (it holds an operator), not a change kind. */
export function looksLikeThreshold(text: string): boolean {
  return /[<>=!]/.test(text);
}

/** An exact rational number (den > 0), or +∞ for a share of nothing. */
export interface Rational {
  num: bigint;
  den: bigint;
}

/** The Decimal as a Rational. */
export function decimalRational(d: Decimal, negative = false): Rational {
  return { num: negative ? -d.digits : d.digits, den: 10n ** BigInt(d.scale) };
}

/** Compares two rationals: -1, 0 or 1. */
export function compareRational(a: Rational, b: Rational): number {
  const l = a.num * b.den, r = b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
}

/** Applies an operator to the sign of a comparison. */
export function holds(op: Operator, cmp: number): boolean {
  switch (op) {
    case "<":
      return cmp < 0;
    case "<=":
      return cmp <= 0;
    case "==":
      return cmp === 0;
    case "!=":
      return cmp !== 0;
    case ">=":
      return cmp >= 0;
    case ">":
      return cmp > 0;
  }
}

/** The operator that holds exactly when `op` does not (for "expected" wording). */
export function negate(op: Operator): Operator {
  const m: Record<Operator, Operator> = {
    "<": ">=",
    "<=": ">",
    "==": "!=",
    "!=": "==",
    ">=": "<",
    ">": "<=",
  };
  return m[op];
}

/**
 * Measuring a threshold (`expr.ts`) on a snapshot and its baseline: the exact delta of a counter,
 * its rate, or its share of a denominator's delta, compared without rounding. Used by the
 * policy's `rates` and by `nsnap diff --fail-on 'counter:…'` alike.
 *
 * Decisions (absent is not zero; unknown is never a pass or a fail):
 * - A counter missing from either snapshot, a counter that went backwards, a reboot between the
 *   two captures, or capture times that do not give a positive interval (for `/s`) make the
 *   measurement unknown, with the reason.
 * - A share of a denominator that did not move is 0% when the counter did not move either, and
 *   more than any threshold when it did (320 retransmissions of 0 segments sent is a failure).
 * - Gauges and settings are compared by their value in the snapshot; they need no baseline.
 */
import type { NetInterface, Snapshot } from "../model.ts";
import { epochMs, rebooted } from "../diff/util.ts";
import { formatCount as thousands } from "../format.ts";
import { globToRegExp } from "../diff/ignore.ts";
import {
  compareRational,
  decimalRational,
  formatSubject,
  holds,
  isValueSubject,
  naturalDenominator,
  type Rational,
  type Subject,
  type Threshold,
} from "./expr.ts";

/** One measurement of a threshold (one per matching interface for an interface glob). */
export interface Measurement {
  /** What was measured: `Tcp.RetransSegs`, `interface eth0 rxDropped`. */
  subject: string;
  /** true: the threshold holds; false: it does not; undefined: it cannot be told (`reason`). */
  holds: boolean | undefined;
  /** The measured quantity as people read it: `3.20% (+320 of +10,000 Tcp.OutSegs)`. */
  observed?: string;
  /** Why the measurement is unknown. */
  reason?: string;
  /** The counter's delta (or its value, for gauges and settings). */
  value?: bigint;
  /** The denominator's delta, for percentages. */
  of?: bigint;
  /** Seconds between the captures, for rates. */
  seconds?: number;
}

/** A counter's value, accepting /proc/net/snmp6 names with or without their group prefix. */
export function counterValue(s: Snapshot, group: string, name: string): bigint | undefined {
  const g = s.counters[group];
  if (!g || !Object.hasOwn(g, name) && !Object.hasOwn(g, `${group}${name}`)) return undefined;
  return Object.hasOwn(g, name) ? g[name] : g[`${group}${name}`];
}

function statOf(i: NetInterface | undefined, stat: string): bigint | undefined {
  const v = i?.stats?.[stat as keyof NonNullable<NetInterface["stats"]>];
  return v;
}

type Delta = { delta: bigint } | { reason: string };

function deltaOf(
  subject: Subject,
  before: Snapshot,
  after: Snapshot,
  iface?: string,
): Delta {
  let a: bigint | undefined, b: bigint | undefined;
  const label = subject.kind === "counter" ? formatSubject(subject) : `${iface} ${subject.stat}`;
  if (subject.kind === "counter") {
    a = counterValue(before, subject.group, subject.name);
    b = counterValue(after, subject.group, subject.name);
  } else {
    a = statOf(before.interfaces.find((i) => i.name === iface), subject.stat);
    b = statOf(after.interfaces.find((i) => i.name === iface), subject.stat);
  }
  if (a === undefined || b === undefined) {
    const which = a === undefined && b === undefined
      ? "either snapshot"
      : a === undefined
      ? "the baseline"
      : "the snapshot";
    return { reason: `${label} is not in ${which}` };
  }
  if (b < a) return { reason: `${label} went backwards (${a} → ${b}): reset or wrapped` };
  return { delta: b - a };
}

/** Two decimals of a percentage, exact (`3.20%`). */
function percentText(part: bigint, whole: bigint): string {
  if (whole === 0n) return part === 0n ? "0.00%" : "∞%";
  const bp = (part * 10000n) / whole;
  return `${bp / 100n}.${String(bp % 100n).padStart(2, "0")}%`;
}

function sectionProblem(
  s: Snapshot,
  section: "counters" | "interfaces",
  which: string,
): string | undefined {
  const st = s.meta.sections[section];
  return st.status === "error"
    ? `the ${which} has no ${section}${st.error ? ` (${st.error})` : ""}`
    : undefined;
}

/**
 * Measures a threshold on `after` against `before` (the baseline); gauges and settings need no
 * baseline.
 *
 * @example
 * ```ts
 * import type { Snapshot } from "../model.ts";
 * import { parseThreshold } from "./expr.ts";
 * import { measureThreshold } from "./threshold.ts";
 * declare const before: Snapshot, after: Snapshot;
 * const [m] = measureThreshold(parseThreshold("Tcp.RetransSegs <= 1%"), after, before);
 * if (m?.holds === false) console.log(`${m.subject}: ${m.observed}`);
 * ```
 */
export function measureThreshold(t: Threshold, after: Snapshot, before?: Snapshot): Measurement[] {
  const section = t.subject.kind === "counter" ? "counters" : "interfaces";
  const subject = formatSubject(t.subject);
  const unknown = (
    reason: string,
    name = subject,
  ): Measurement[] => [{ subject: name, holds: undefined, reason }];
  const problem = sectionProblem(after, section, "snapshot") ??
    (before && !isValueSubject(t.subject)
      ? sectionProblem(before, section, "baseline")
      : undefined);
  if (problem) return unknown(problem);
  if (isValueSubject(t.subject) && t.subject.kind === "counter") {
    const v = counterValue(after, t.subject.group, t.subject.name);
    if (v === undefined) return unknown(`${subject} is not in the snapshot`);
    const cmp = compareRational({ num: v, den: 1n }, decimalRational(t.quantity.value));
    return [{ subject, holds: holds(t.op, cmp), observed: thousands(v), value: v }];
  }
  if (before === undefined) return unknown("no baseline to measure against (--baseline BEFORE)");
  if (rebooted(before, after)) {
    return unknown("the host rebooted between the baseline and the snapshot");
  }
  if (t.subject.kind === "counter") return [measureOne(t, before, after, subject)];
  const re = globToRegExp(t.subject.interface);
  const names = [...new Set(after.interfaces.map((i) => i.name).filter((n) => re.test(n)))].sort();
  if (names.length === 0) return unknown(`no interface matches ${t.subject.interface}`);
  return names.map((n) =>
    measureOne(
      t,
      before,
      after,
      `interface ${n} ${t.subject.kind === "interface" ? t.subject.stat : ""}`,
      n,
    )
  );
}

function measureOne(
  t: Threshold,
  before: Snapshot,
  after: Snapshot,
  subject: string,
  iface?: string,
): Measurement {
  const d = deltaOf(t.subject, before, after, iface);
  if ("reason" in d) return { subject, holds: undefined, reason: d.reason };
  const limit = decimalRational(t.quantity.value);
  const sign = "+" + thousands(d.delta);
  switch (t.quantity.unit) {
    case "count": {
      const cmp = compareRational({ num: d.delta, den: 1n }, limit);
      return { subject, holds: holds(t.op, cmp), observed: sign, value: d.delta };
    }
    case "per-second": {
      const t0 = epochMs(before.meta.capturedAt), t1 = epochMs(after.meta.capturedAt);
      if (t0 === undefined || t1 === undefined || t1 <= t0) {
        return { subject, holds: undefined, reason: "the capture times give no positive interval" };
      }
      const ms = BigInt(Math.round(t1 - t0));
      const rate: Rational = { num: d.delta * 1000n, den: ms };
      const seconds = Number(ms) / 1000;
      const perSec = Math.round((Number(d.delta) / seconds) * 1000) / 1000;
      return {
        subject,
        holds: holds(t.op, compareRational(rate, limit)),
        observed: `${perSec}/s (${sign} in ${seconds} s)`,
        value: d.delta,
        seconds,
      };
    }
    case "percent": {
      const of = t.of ?? naturalDenominator(t.subject)!;
      const ofDelta = deltaOf(of, before, after, iface);
      const ofLabel = of.kind === "counter" ? formatSubject(of) : of.stat;
      if ("reason" in ofDelta) return { subject, holds: undefined, reason: ofDelta.reason };
      // delta / ofDelta compared with p/100; a share of nothing is 0% or more than anything.
      const limit100: Rational = { num: limit.num, den: limit.den * 100n };
      const cmp = ofDelta.delta === 0n
        ? (d.delta === 0n ? compareRational({ num: 0n, den: 1n }, limit100) : 1)
        : compareRational({ num: d.delta, den: ofDelta.delta }, limit100);
      return {
        subject,
        holds: holds(t.op, cmp),
        observed: `${percentText(d.delta, ofDelta.delta)} (${sign} of +${
          thousands(ofDelta.delta)
        } ${ofLabel})`,
        value: d.delta,
        of: ofDelta.delta,
      };
    }
  }
}

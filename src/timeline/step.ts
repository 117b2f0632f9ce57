/**
 * One step of a series of one host's snapshots: the diff from one snapshot to the next, reduced
 * to what a timeline lists and charts. `nsnap diff DIR` (the timeline document) and `nsnap
 * report DIR` (the series page) both take their steps from here, so the two read the same
 * changes and the same rates.
 *
 * Decisions:
 * - A step lists every change but the plain movement of counters, gauges and interface traffic
 *   (`counter-increased`, `gauge-changed`, `interface-traffic` that are not notable): those are
 *   rates, given per step for the notable counters (`SERIES_COUNTERS`) and every interface.
 * - A rate is a gap (null) where a counter is missing on either side, went backwards, or the host
 *   rebooted, and 0 where it is present on both sides and did not move.
 * - The counters are the snapshots' own namespace's (the host's, for a capture run there).
 *   Interfaces of every namespace have their traffic, one of another namespace keyed
 *   `NAMESPACE/NAME` (`docker:web/eth0`: interface names have no `/`), paired within its
 *   namespace as the diff pairs them.
 */
import { type DiffOptions, diffSnapshots } from "../diff/mod.ts";
import type { Change, DiffDocument } from "../diff/types.ts";
import type { Snapshot } from "../model.ts";
import { dict } from "../util/record.ts";

/** The notable counters a series follows, grouped as the report charts them (`Group.Name`). */
export const COUNTER_CHARTS = [
  {
    id: "tcp-trouble",
    title: "TCP retransmits, resets and failed attempts",
    counters: ["Tcp.RetransSegs", "Tcp.OutRsts", "Tcp.EstabResets", "Tcp.AttemptFails"],
  },
  {
    id: "listen-queue",
    title: "Listen queue overflows and drops",
    counters: ["TcpExt.ListenOverflows", "TcpExt.ListenDrops"],
  },
  {
    id: "udp-errors",
    title: "UDP errors and datagrams to closed ports",
    counters: [
      "Udp.InErrors",
      "Udp.RcvbufErrors",
      "Udp.NoPorts",
      "Udp6.InErrors",
      "Udp6.RcvbufErrors",
      "Udp6.NoPorts",
    ],
  },
  {
    id: "ip-discards",
    title: "IP discards",
    counters: ["Ip.InDiscards", "Ip.OutDiscards", "Ip6.InDiscards", "Ip6.OutDiscards"],
  },
] as const;

/** Every counter a series follows, in chart order. */
export const SERIES_COUNTERS: readonly string[] = COUNTER_CHARTS.flatMap((c) => c.counters);

/** Traffic rates of one interface over one step (bytes/s, events/s); null where unknown. */
export interface TrafficRates {
  rx: number | null;
  tx: number | null;
  errors: number | null;
  drops: number | null;
}

/** What a series keeps of one step (from one snapshot to the next). */
export interface Step {
  /** Capture time of the snapshot that ends the step. */
  at: string;
  seconds?: number;
  /** The sections the step compared. */
  sections: DiffDocument["sections"];
  /** Per-second rate of each of `SERIES_COUNTERS` (null: a gap). */
  counterRates: Record<string, number | null>;
  /** Exact increase of each of `SERIES_COUNTERS` that moved. */
  counterDeltas: Record<string, bigint>;
  /** Per interface present on both sides (`trafficKey()`). */
  traffic: Record<string, TrafficRates>;
  /** The changes a timeline lists (`listed()`). */
  changes: Change[];
  warnings: string[];
}

/** The key of an interface's traffic: its name, after its namespace's id in another namespace. */
export function trafficKey(i: { name: string; namespace?: string | undefined }): string {
  return i.namespace === undefined ? i.name : `${i.namespace}/${i.name}`;
}

/** True for the changes a step lists: all but plain counter, gauge and traffic movement. */
export function listed(c: Change): boolean {
  if (c.notable) return true;
  return c.kind !== "counter-increased" && c.kind !== "gauge-changed" &&
    c.kind !== "interface-traffic";
}

/**
 * A counter's value by `Group.Name`; /proc/net/snmp6 names may carry the group as a prefix
 * (`Udp6.Udp6InErrors`), so both spellings are looked up.
 */
export function counterValue(s: Snapshot, name: string): bigint | undefined {
  const dot = name.indexOf(".");
  const group = name.slice(0, dot), short = name.slice(dot + 1);
  const g = s.counters[group];
  return g?.[short] ?? g?.[group + short];
}

/** `Group.Name` without the group repeated as a prefix of the name. */
function shortName(group: string, name: string): string {
  return `${group}.${name.startsWith(group) && name !== group ? name.slice(group.length) : name}`;
}

/**
 * The step from `a` to `b` (a captured before b), and the diff it was made from.
 *
 * @example
 * ```ts
 * import type { Snapshot } from "../model.ts";
import { dict } from "../util/record.ts";
 * import { stepOf } from "./step.ts";
 * declare const a: Snapshot, b: Snapshot;
 * const { step } = stepOf(a, b);
 * console.log(step.counterRates["Tcp.RetransSegs"]);
 * ```
 */
export function stepOf(
  a: Snapshot,
  b: Snapshot,
  opts: DiffOptions = {},
): { step: Step; doc: DiffDocument } {
  const doc = diffSnapshots(a, b, opts);
  const byCounter = new Map<string, Change>();
  const byInterface = new Map<string, Change>();
  for (const c of doc.changes) {
    if (c.section === "counters") {
      byCounter.set(shortName(String(c.key.group), String(c.key.name)), c);
    }
    if (c.kind === "interface-traffic") {
      byInterface.set(trafficKey({ name: String(c.key.interface), namespace: c.namespace }), c);
    }
  }
  const reboot = byCounter.has("*.*");
  const seconds = doc.intervalSeconds;
  const counted = doc.sections.includes("counters");
  const counterRates: Record<string, number | null> = {};
  const counterDeltas: Record<string, bigint> = {};
  for (const name of SERIES_COUNTERS) {
    const x = counterValue(a, name), y = counterValue(b, name);
    const c = byCounter.get(name);
    if (!counted || x === undefined || y === undefined || seconds === undefined || reboot) {
      counterRates[name] = null;
    } else if (!c) {
      counterRates[name] = 0;
    } else if (c.kind === "counter-increased" && typeof c.perSecond === "number") {
      counterRates[name] = c.perSecond;
      if (typeof c.delta === "bigint") counterDeltas[name] = c.delta;
    } else {
      counterRates[name] = null;
    }
  }
  const traffic = dict<TrafficRates>();
  const before = new Set(a.interfaces.map(trafficKey));
  const compared = doc.sections.includes("interfaces");
  for (const i of b.interfaces) {
    const key = trafficKey(i);
    if (!compared || !before.has(key) || seconds === undefined) continue;
    const c = byInterface.get(key);
    if (!c) {
      traffic[key] = { rx: 0, tx: 0, errors: 0, drops: 0 };
      continue;
    }
    const t = c as { reset?: boolean; perSecond?: unknown };
    const ps = t.reset === true ? undefined : t.perSecond as Record<string, number> | undefined;
    const get = (...names: string[]) =>
      ps === undefined ? null : names.reduce((sum, n) => sum + (ps[n] ?? 0), 0);
    traffic[key] = {
      rx: get("rxBytes"),
      tx: get("txBytes"),
      errors: get("rxErrors", "txErrors"),
      drops: get("rxDropped", "txDropped"),
    };
  }
  const step: Step = {
    at: b.meta.capturedAt,
    sections: doc.sections,
    counterRates,
    counterDeltas,
    traffic,
    changes: doc.changes.filter(listed),
    warnings: doc.warnings,
  };
  if (seconds !== undefined) step.seconds = seconds;
  return { step, doc };
}

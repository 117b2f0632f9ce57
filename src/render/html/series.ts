/**
 * A series: one host's snapshots in capture order, reduced to what the report draws. Each
 * consecutive pair goes through the diff engine; the builder keeps per snapshot a few gauges
 * (sockets, listeners, TCP states), per interval the rates of the charted counters and of
 * interface traffic, and the changes worth listing, then lets the snapshot go. Only the last
 * snapshot is kept whole (for the tables), so memory stays bounded by two snapshots.
 *
 * Decisions: the change list of a series leaves out `counter-increased`, `gauge-changed` and
 * `interface-traffic` changes that are not notable (the charts show them); a rate is a gap
 * (null) where a counter is missing on either side, went backwards, or the host rebooted, and 0
 * where it is present on both sides and did not move.
 */
import { diffSnapshots } from "../../diff/mod.ts";
import { isListener, isSession, socketRules } from "../../net/sockets.ts";
import type { Change } from "../../diff/types.ts";
import type { Meta, Snapshot } from "../../model.ts";
import { epochMs } from "../../diff/util.ts";
import { listenerRows, type SeenListener } from "./tables.ts";

/** The counter charts of a series, each with the counters it draws (`Group.Name`). */
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

/** Every counter a series charts. */
export const CHARTED_COUNTERS: readonly string[] = COUNTER_CHARTS.flatMap((c) => c.counters);

/** What the series keeps of one snapshot. */
export interface SeriesPoint {
  at: string;
  /** Epoch seconds of the capture. */
  t: number;
  file?: string;
  sockets: number;
  listeners: number;
  sessions: number;
  tcpStates: Record<string, number>;
  meta: Meta;
}

/** Traffic rates of one interface over one interval (bytes/s, events/s). */
export interface TrafficRates {
  rx: number | null;
  tx: number | null;
  errors: number | null;
  drops: number | null;
}

/** What the series keeps of one interval (from one snapshot to the next). */
export interface SeriesInterval {
  /** Capture time of the snapshot that ends the interval. */
  at: string;
  seconds?: number;
  counterRates: Record<string, number | null>;
  /** Exact increase of each charted counter, when it moved. */
  counterDeltas: Record<string, bigint>;
  traffic: Record<string, TrafficRates>;
  changes: Change[];
  warnings: string[];
}

/** A reduced series, ready for the report. */
export interface Series {
  host: string;
  points: SeriesPoint[];
  intervals: SeriesInterval[];
  last: Snapshot;
  /** Every listener seen, in the order first seen. */
  listeners: SeenListener[];
}

function listed(c: Change): boolean {
  if (c.notable) return true;
  return c.kind !== "counter-increased" && c.kind !== "gauge-changed" &&
    c.kind !== "interface-traffic";
}

function point(s: Snapshot, file: string | undefined): SeriesPoint {
  let listeners = 0, sessions = 0;
  const tcpStates: Record<string, number> = {};
  const rules = socketRules(s);
  for (const c of s.connections) {
    if (isListener(c, rules)) listeners++;
    else if (isSession(c)) sessions++;
    if (c.protocol === "tcp") tcpStates[c.state] = (tcpStates[c.state] ?? 0) + 1;
  }
  const p: SeriesPoint = {
    at: s.meta.capturedAt,
    t: (epochMs(s.meta.capturedAt) ?? 0) / 1000,
    sockets: s.connections.length,
    listeners,
    sessions,
    tcpStates,
    meta: s.meta,
  };
  if (file !== undefined) p.file = file;
  return p;
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

function intervalOf(a: Snapshot, b: Snapshot): SeriesInterval {
  const doc = diffSnapshots(a, b);
  const byCounter = new Map<string, Change>();
  const byInterface = new Map<string, Change>();
  for (const c of doc.changes) {
    if (c.section === "counters") {
      byCounter.set(shortName(String(c.key.group), String(c.key.name)), c);
    }
    if (c.kind === "interface-traffic") byInterface.set(String(c.key.interface), c);
  }
  const reboot = byCounter.has("*.*");
  const seconds = doc.intervalSeconds;
  const counterRates: Record<string, number | null> = {};
  const counterDeltas: Record<string, bigint> = {};
  for (const name of CHARTED_COUNTERS) {
    const x = counterValue(a, name), y = counterValue(b, name);
    const c = byCounter.get(name);
    if (x === undefined || y === undefined || seconds === undefined || reboot) {
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
  const traffic: Record<string, TrafficRates> = {};
  const before = new Set(a.interfaces.map((i) => i.name));
  for (const i of b.interfaces) {
    if (!before.has(i.name) || seconds === undefined) continue;
    const c = byInterface.get(i.name);
    if (!c) {
      traffic[i.name] = { rx: 0, tx: 0, errors: 0, drops: 0 };
      continue;
    }
    const t = c as { reset?: boolean; perSecond?: unknown };
    const ps = t.reset === true ? undefined : t.perSecond as Record<string, number> | undefined;
    const get = (...names: string[]) =>
      ps === undefined ? null : names.reduce((sum, n) => sum + (ps[n] ?? 0), 0);
    traffic[i.name] = {
      rx: get("rxBytes"),
      tx: get("txBytes"),
      errors: get("rxErrors", "txErrors"),
      drops: get("rxDropped", "txDropped"),
    };
  }
  const out: SeriesInterval = {
    at: b.meta.capturedAt,
    counterRates,
    counterDeltas,
    traffic,
    changes: doc.changes.filter(listed),
    warnings: doc.warnings,
  };
  if (seconds !== undefined) out.seconds = seconds;
  return out;
}

/**
 * Collects a series one snapshot at a time, in capture order.
 *
 * @example
 * ```ts ignore
 * const b = new SeriesBuilder();
 * for (const [file, snap] of ordered) b.add(snap, file);
 * const series = b.finish();
 * ```
 */
export class SeriesBuilder {
  #points: SeriesPoint[] = [];
  #intervals: SeriesInterval[] = [];
  #last: Snapshot | undefined;
  #listeners = new Map<string, SeenListener>();
  #present = new Set<string>();

  /** Adds the next snapshot (captured after every one added before). */
  add(s: Snapshot, file?: string): void {
    const first = this.#last === undefined;
    if (this.#last) this.#intervals.push(intervalOf(this.#last, s));
    this.#points.push(point(s, file));
    this.#last = s;
    const at = s.meta.capturedAt;
    this.#present = new Set();
    for (const row of listenerRows(s)) {
      this.#present.add(row.key);
      const seen = this.#listeners.get(row.key);
      if (seen) {
        seen.row = row;
        seen.last = at;
      } else {
        this.#listeners.set(row.key, { row, first: at, last: at, inFirst: first, inLast: false });
      }
    }
  }

  /** The series so far; needs at least two snapshots. */
  finish(): Series {
    if (!this.#last || this.#points.length < 2) {
      throw new Error("Cannot build a series: it needs at least two snapshots");
    }
    const listeners = [...this.#listeners.values()];
    for (const l of listeners) l.inLast = this.#present.has(l.row.key);
    return {
      host: this.#last.meta.host.hostname,
      points: this.#points,
      intervals: this.#intervals,
      last: this.#last,
      listeners,
    };
  }
}

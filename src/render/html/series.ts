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
import { isListener, isSession, socketRules } from "../../net/sockets.ts";
import type { Meta, Snapshot } from "../../model.ts";
import { epochMs } from "../../diff/util.ts";
import { leftOut } from "../../snapshot/compact.ts";
import { type Step, stepOf } from "../../timeline/step.ts";
import { listenerRows, type SeenListener } from "./tables.ts";

export {
  COUNTER_CHARTS,
  counterValue,
  SERIES_COUNTERS as CHARTED_COUNTERS,
  type TrafficRates,
} from "../../timeline/step.ts";

/** What the series keeps of one snapshot. */
export interface SeriesPoint {
  at: string;
  /** Epoch seconds of the capture. */
  t: number;
  file?: string;
  sockets: number;
  listeners: number;
  /** Null where the snapshot left sessions out (a compact capture). */
  sessions: number | null;
  tcpStates: Record<string, number>;
  meta: Meta;
}

/** What the series keeps of one interval (from one snapshot to the next): a timeline step. */
export type SeriesInterval = Step;

/** A reduced series, ready for the report. */
export interface Series {
  host: string;
  points: SeriesPoint[];
  intervals: SeriesInterval[];
  last: Snapshot;
  /** Every listener seen, in the order first seen. */
  listeners: SeenListener[];
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
    sessions: leftOut(s, "sessions") ? null : sessions,
    tcpStates,
    meta: s.meta,
  };
  if (file !== undefined) p.file = file;
  return p;
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
    if (this.#last) this.#intervals.push(stepOf(this.#last, s).step);
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

/**
 * Timelines: what changed from each of one host's snapshots to the next, rolled up across the
 * series (`nsnap diff DIR`). The builder takes the snapshots one at a time in capture order and
 * keeps only the last one, so memory stays bounded by two snapshots (and the changes found).
 *
 * Decisions:
 * - Each step is `stepOf()`: the same changes and rates the series report draws.
 * - Times in stories and text are UTC clock times (`10:42:10`), with the date when the series
 *   spans more than one day, and with milliseconds when two snapshots fall in the same second
 *   (two moments must never read as one).
 * - `everyMs` is given when every snapshot is a periodic capture with the same interval.
 *
 * @example
 * ```ts
 * import type { Snapshot } from "../model.ts";
 * import { TimelineBuilder } from "./mod.ts";
 * declare const ordered: Array<[string, Snapshot]>;
 * const b = new TimelineBuilder({ folder: "incident/" });
 * for (const [file, s] of ordered) b.add(s, file);
 * for (const e of b.finish().events) console.log(e.summary);
 * ```
 */
import type { DiffOptions } from "../diff/mod.ts";
import type { DiffDocument } from "../diff/types.ts";
import { epochMs } from "../diff/util.ts";
import type { Snapshot } from "../model.ts";
import { isListener, isSession, socketRules } from "../net/sockets.ts";
import { leftOut } from "../snapshot/compact.ts";
import { EventRollup } from "./events.ts";
import {
  type CounterSpan,
  TIMELINE_SCHEMA_ID,
  type TimelineDocument,
  type TimelineSnapshot,
  type TimelineStep,
} from "./schema.ts";
import { SERIES_COUNTERS, stepOf } from "./step.ts";
import type { z } from "zod";

export * from "./schema.ts";
export { COUNTER_CHARTS, counterValue, SERIES_COUNTERS, stepOf } from "./step.ts";
export type { Step, TrafficRates } from "./step.ts";
export { EventRollup, isEventChange, type TimelineEvent } from "./events.ts";

/** How to build a timeline. */
export interface TimelineOptions {
  /** The diff options every step is compared with (--only, ignore rules, --detail). */
  diff?: DiffOptions;
  /** The folder the snapshots came from, for the document. */
  folder?: string;
  /** Called with each step's whole diff (before the timeline leaves anything out): gates. */
  onStep?: (doc: DiffDocument, before: Snapshot, after: Snapshot, index: number) => void;
}

function snapshotEntry(s: Snapshot, file: string | undefined): TimelineSnapshot {
  const rules = socketRules(s);
  let listeners = 0, sessions = 0;
  for (const c of s.connections) {
    if (isListener(c, rules)) listeners++;
    else if (isSession(c)) sessions++;
  }
  const e: TimelineSnapshot = {
    ...(file !== undefined ? { file } : {}),
    capturedAt: s.meta.capturedAt,
    sockets: s.connections.length,
    listeners,
    sessions: leftOut(s, "sessions") ? null : sessions,
  };
  const p = s.meta.periodic;
  if (p !== undefined) {
    e.slot = p.slot;
    if (p.overrunMs !== undefined) e.overrunMs = p.overrunMs;
  }
  if (s.meta.compact !== undefined) e.compact = true;
  return e;
}

/**
 * The clock time of each capture time as the timeline writes it: `HH:MM:SS` (UTC), with the date
 * when `times` span several days and milliseconds when two of them share a second.
 */
export function clockFormat(times: readonly string[]): (iso: string) => string {
  const ms = times.map((t) => epochMs(t));
  const days = new Set(times.map((t) => t.slice(0, 10)));
  const seconds = ms.map((t) => (t === undefined ? undefined : Math.floor(t / 1000)));
  const sameSecond = seconds.some((s, i) => s !== undefined && seconds.indexOf(s) !== i);
  return (iso) => {
    const t = epochMs(iso);
    if (t === undefined) return iso;
    const d = new Date(t).toISOString();
    const clock = sameSecond ? d.slice(11, 23) : d.slice(11, 19);
    return days.size > 1 ? `${d.slice(0, 10)} ${clock}` : clock;
  };
}

type Kinds = Record<string, number>;

/** Collects a timeline one snapshot at a time, in capture order. */
export class TimelineBuilder {
  readonly #opts: TimelineOptions;
  #last: Snapshot | undefined;
  #host = "";
  #machineId: string | undefined;
  #every: number | undefined | null;
  readonly #snapshots: TimelineSnapshot[] = [];
  readonly #steps: TimelineStep[] = [];
  readonly #events = new EventRollup();
  readonly #warnings = new Map<string, number>();
  readonly #counters = new Map<string, z.output<typeof CounterSpan>>();
  readonly #byKind: Kinds = {};

  /** A builder; `opts` apply to every step. */
  constructor(opts: TimelineOptions = {}) {
    this.#opts = opts;
  }

  /** Adds the next snapshot (captured after every one added before). */
  add(s: Snapshot, file?: string): void {
    const every = s.meta.periodic?.everyMs;
    if (this.#last === undefined) {
      this.#host = s.meta.host.hostname;
      this.#machineId = s.meta.host.machineId;
      this.#every = every;
    } else {
      if (this.#every !== every) this.#every = null;
      this.#step(this.#last, s);
    }
    this.#snapshots.push(snapshotEntry(s, file));
    this.#last = s;
  }

  #step(a: Snapshot, b: Snapshot): void {
    const index = this.#steps.length;
    const { step, doc } = stepOf(a, b, this.#opts.diff);
    this.#opts.onStep?.(doc, a, b, index);
    const out: TimelineStep = {
      from: index,
      to: index + 1,
      at: step.at,
      sections: step.sections,
      warnings: step.warnings,
      changes: step.changes,
      counterRates: step.counterRates,
      counterDeltas: step.counterDeltas,
      traffic: step.traffic,
    };
    if (step.seconds !== undefined) out.seconds = step.seconds;
    if (doc.sections.includes("sessions")) {
      let opened = 0, closed = 0;
      for (const c of doc.changes) {
        if (c.kind === "session-opened") opened += c.count;
        else if (c.kind === "session-closed") closed += c.count;
      }
      out.sessions = { opened, closed };
    }
    this.#steps.push(out);
    for (const c of step.changes) {
      this.#events.add(index, step.at, c);
      this.#byKind[c.kind] = (this.#byKind[c.kind] ?? 0) + 1;
    }
    for (const w of step.warnings) this.#warnings.set(w, (this.#warnings.get(w) ?? 0) + 1);
    for (const name of SERIES_COUNTERS) {
      const delta = step.counterDeltas[name], rate = step.counterRates[name];
      if (delta === undefined || rate === null || rate === undefined) continue;
      const span = this.#counters.get(name);
      if (span === undefined) {
        this.#counters.set(name, { total: delta, maxPerSecond: rate, maxAt: step.at, steps: 1 });
      } else {
        span.total += delta;
        span.steps++;
        if (rate > span.maxPerSecond) {
          span.maxPerSecond = rate;
          span.maxAt = step.at;
        }
      }
    }
  }

  /** The timeline so far; it needs at least two snapshots. */
  finish(): TimelineDocument {
    if (this.#last === undefined || this.#snapshots.length < 2) {
      throw new Error("Cannot build a timeline: it needs at least two snapshots");
    }
    const time = clockFormat(this.#snapshots.map((s) => s.capturedAt));
    const changes = this.#steps.reduce((n, s) => n + s.changes.length, 0);
    const notable = this.#steps.reduce((n, s) => n + s.changes.filter((c) => c.notable).length, 0);
    const counters: Record<string, z.output<typeof CounterSpan>> = {};
    for (const name of SERIES_COUNTERS) {
      const span = this.#counters.get(name);
      if (span !== undefined) counters[name] = span;
    }
    const events = this.#events.events(time);
    const doc: TimelineDocument = {
      schema: TIMELINE_SCHEMA_ID,
      host: this.#host,
      ...(this.#machineId !== undefined ? { machineId: this.#machineId } : {}),
      ...(this.#opts.folder !== undefined ? { folder: this.#opts.folder } : {}),
      first: this.#snapshots[0]!.capturedAt,
      last: this.#snapshots.at(-1)!.capturedAt,
      ...(typeof this.#every === "number" ? { everyMs: this.#every } : {}),
      snapshots: this.#snapshots,
      steps: this.#steps,
      events,
      counters,
      warnings: [...this.#warnings].map(([text, steps]) => ({ text, steps })),
      summary: {
        snapshots: this.#snapshots.length,
        steps: this.#steps.length,
        stepsWithChanges: this.#steps.filter((s) => s.changes.length > 0).length,
        changes,
        notable,
        events: events.length,
        byKind: this.#byKind,
      },
    };
    return doc;
  }
}

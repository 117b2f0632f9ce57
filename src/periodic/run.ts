/**
 * The periodic capture loop (`nsnap capture --every`, `nsnap watch --record`): one capture per
 * slot of a `Schedule`, each written whole before the next begins, the folder rotated after each
 * write, and a stop (a signal) honoured between captures — the capture under way is finished and
 * written, never cut short.
 *
 * Everything the loop touches comes in through `PeriodicIO` and `PeriodicClock`, so tests run
 * whole runs on a fake clock without a file or a timer; the CLI passes the real ones.
 *
 * Decisions:
 * - Each capture's meta gets `periodic: {everyMs, slot, runStartedAt, overrunMs?}`. A capture
 *   ready to be written after the next slot's start has overrun: `overrunMs` says by how much,
 *   the caller is told (`overran`), and the next capture starts at the next slot still ahead.
 * - With `compact`, the run's first capture is full and later ones are compact
 *   (`compactSnapshot`), abbreviating the newest full one (`meta.compact.base`). A new full
 *   capture is taken every `keep` captures, so that the `keep` files a rotation leaves always
 *   hold one, and whenever a rotation removed the current base (`maxTotalBytes`).
 */
import type { Snapshot } from "../model.ts";
import { compactSnapshot } from "../snapshot/compact.ts";
import { type NextSlot, Schedule, type ScheduleOptions } from "./schedule.ts";

/** The clock a run keeps time with (monotonic `now`, wall-clock `wallNow`), and its sleep. */
export interface PeriodicClock {
  /** Milliseconds on a monotonic clock (performance.now()). */
  now(): number;
  /** Milliseconds since the epoch (Date.now()), for meta. */
  wallNow(): number;
  /** Resolves after `ms`, or as soon as `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** What a run does with each capture. */
export interface PeriodicIO {
  /** Takes one capture. */
  capture(slot: number): Promise<Snapshot>;
  /**
   * Writes a capture; returns the name of the file written (its base name), "-" for stdout, or
   * undefined when it could not be written and the run goes on (the caller said why).
   */
  write(snapshot: Snapshot): Promise<string | undefined>;
  /** Applies the rotation after `name` was written; returns the names it removed. */
  rotate?(name: string, snapshot: Snapshot): Promise<readonly string[]>;
  /** A capture ready after its interval: `skipped` slots are skipped, the next starts at `next`. */
  overran?(info: OverrunInfo): void;
}

/** A capture that took longer than its interval. */
export interface OverrunInfo {
  slot: number;
  /** From the slot's start to the end of its capture and write. */
  tookMs: number;
  everyMs: number;
  skipped: number;
  /** Slot of the next capture, or undefined when the run ends there. */
  next: number | undefined;
}

/** A run's interval, limits and mode. */
export interface PeriodicOptions extends ScheduleOptions {
  /** After the first capture, write compact ones. */
  compact?: boolean;
  /** The rotation's `keep` (for when a compact run takes a new full capture). */
  keep?: number;
}

/** How a run ended. */
export interface PeriodicResult {
  /** Captures written. */
  captures: number;
  /** True when `stop` ended it before its limits did (or, without limits, at all). */
  stopped: boolean;
}

/**
 * Runs captures until the schedule's limits are reached or `stop` aborts; the capture under way
 * when `stop` aborts is written first.
 *
 * @example
 * ```ts ignore
 * const stop = new AbortController();
 * const r = await runPeriodic({ everyMs: 10_000, count: 6 }, io, systemClock, stop.signal);
 * ```
 */
export async function runPeriodic(
  opts: PeriodicOptions,
  io: PeriodicIO,
  clock: PeriodicClock,
  stop: AbortSignal,
): Promise<PeriodicResult> {
  const t0 = clock.now();
  const runStartedAt = new Date(clock.wallNow()).toISOString();
  const schedule = new Schedule(opts, t0);
  let slot = 0, captures = 0;
  let base: string | undefined;
  let sinceFull = 0;
  for (;;) {
    const at = schedule.slotStart(slot);
    for (let wait = at - clock.now(); wait > 0 && !stop.aborted; wait = at - clock.now()) {
      await clock.sleep(wait, stop);
    }
    if (stop.aborted) return { captures, stopped: true };

    let snapshot = await io.capture(slot);
    const overrunMs = Math.round(schedule.overrunMs(slot, clock.now()));
    snapshot.meta.periodic = {
      everyMs: opts.everyMs,
      slot,
      runStartedAt,
      ...(overrunMs > 0 ? { overrunMs } : {}),
    };
    const full = !opts.compact || base === undefined ||
      (opts.keep !== undefined && sinceFull >= opts.keep);
    if (!full) snapshot = compactSnapshot(snapshot, base!);
    const name = await io.write(snapshot);
    if (name !== undefined) {
      captures++;
      if (full) {
        base = name;
        sinceFull = 0;
      }
      sinceFull++;
      const removed = io.rotate ? await io.rotate(name, snapshot) : [];
      if (base !== undefined && removed.includes(base)) base = undefined;
    }

    const next: NextSlot | undefined = schedule.next(slot, clock.now(), captures);
    const tookMs = clock.now() - at;
    if (tookMs > opts.everyMs) {
      io.overran?.({
        slot,
        tookMs,
        everyMs: opts.everyMs,
        skipped: next?.skipped ?? 0,
        next: next?.slot,
      });
    }
    if (next === undefined) return { captures, stopped: false };
    if (stop.aborted) return { captures, stopped: true };
    slot = next.slot;
  }
}

/** The real clock: performance.now(), Date.now() and a timer that an abort cuts short. */
export const systemClock: PeriodicClock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener("abort", done);
    }),
};

/**
 * When each capture of a periodic run starts: a pure function of the run's start, its interval
 * and its limits, so that tests drive it with a fake clock.
 *
 * Decisions:
 * - Slot k starts at t0 + k·interval, measured on a monotonic clock from the start of the first
 *   capture: a capture's own duration never shifts the ones after it (no drift), and a change of
 *   the wall clock (NTP, a manual `date`) moves nothing.
 * - A capture that runs past the start of the next slot has overrun: the slots whose start has
 *   passed are skipped, and the next capture starts at the first slot that is still ahead (or
 *   starts right away when the capture ended exactly on a slot's start). Captures are never
 *   bunched up to make up for lost time.
 * - `count` limits the captures taken (skipped slots do not count); `forMs` limits the slots
 *   run: a slot starting at or after t0 + forMs is not run, so `--every 10s --for 1m` takes the
 *   captures of 0, 10, … 50 s. Both may be given; the first one reached ends the run.
 */

/** The interval and the limits of a periodic run. */
export interface ScheduleOptions {
  /** Milliseconds from the start of one slot to the start of the next (> 0). */
  everyMs: number;
  /** Stop after this many captures. */
  count?: number;
  /** Run no slot that starts this many milliseconds or more after the first. */
  forMs?: number;
}

/** The next capture after one that ended: its slot, when it starts, and the slots skipped. */
export interface NextSlot {
  slot: number;
  /** Start of the slot, on the clock the schedule was made with. */
  at: number;
  /** Slots whose start passed while the previous capture ran (0 when it did not overrun). */
  skipped: number;
}

/**
 * The slots of one periodic run.
 *
 * @example
 * ```ts
 * import { Schedule } from "./schedule.ts";
 * const s = new Schedule({ everyMs: 10_000, count: 3 }, 1_000);
 * s.next(0, 1_200, 1); // { slot: 1, at: 11_000, skipped: 0 }
 * s.next(1, 23_500, 2); // { slot: 3, at: 31_000, skipped: 1 }: slot 2 started at 21_000
 * s.next(3, 31_300, 3); // undefined: three captures taken
 * ```
 */
export class Schedule {
  readonly everyMs: number;
  readonly t0: number;
  readonly #count: number | undefined;
  readonly #forMs: number | undefined;

  /** A schedule whose slot 0 starts at `t0`. */
  constructor(opts: ScheduleOptions, t0: number) {
    if (!(opts.everyMs > 0) || !Number.isFinite(opts.everyMs)) {
      throw new RangeError(`Cannot schedule captures every ${opts.everyMs} ms`);
    }
    this.everyMs = opts.everyMs;
    this.t0 = t0;
    this.#count = opts.count;
    this.#forMs = opts.forMs;
  }

  /** The start of slot `k`. */
  slotStart(k: number): number {
    return this.t0 + k * this.everyMs;
  }

  /** True when slot `k` lies within `forMs` (always without it). */
  inRun(k: number): boolean {
    return this.#forMs === undefined || k * this.everyMs < this.#forMs;
  }

  /**
   * How much longer than its interval the capture of slot `k` took when it ended at `now`;
   * 0 when it ended within its slot.
   */
  overrunMs(k: number, now: number): number {
    return Math.max(0, now - this.slotStart(k + 1));
  }

  /**
   * The next capture after the capture of slot `k` ended at `now`, `taken` captures made so far;
   * undefined when the run is over (`count` reached, or the next slot lies beyond `forMs`).
   */
  next(k: number, now: number, taken: number): NextSlot | undefined {
    if (this.#count !== undefined && taken >= this.#count) return undefined;
    let slot = k + 1;
    if (now > this.slotStart(slot)) slot = Math.ceil((now - this.t0) / this.everyMs);
    // Floating point: never run a slot whose start is still behind `now`, never skip back.
    while (this.slotStart(slot) < now) slot++;
    if (slot <= k) slot = k + 1;
    if (!this.inRun(slot)) return undefined;
    return { slot, at: this.slotStart(slot), skipped: slot - k - 1 };
  }
}

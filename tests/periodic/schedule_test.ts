/**
 * The scheduler of periodic captures on a fake clock: slots never drift, an overrun skips to the
 * next slot still ahead, and --count / --for end the run where they say.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Schedule } from "../../src/periodic/schedule.ts";

test("Schedule: slot k starts at t0 + k·interval, whatever the captures took", () => {
  const s = new Schedule({ everyMs: 10_000 }, 5_000);
  // Captures of 1 ms, 9.9 s and 3 s: each next one still starts on its slot.
  assert.deepEqual(s.next(0, 5_001, 1), { slot: 1, at: 15_000, skipped: 0 });
  assert.deepEqual(s.next(1, 24_900, 2), { slot: 2, at: 25_000, skipped: 0 });
  assert.deepEqual(s.next(2, 28_000, 3), { slot: 3, at: 35_000, skipped: 0 });
  assert.equal(s.slotStart(360), 5_000 + 3_600_000);
});

test("Schedule: a capture that overruns skips the slots that passed and starts at the next one", () => {
  const s = new Schedule({ everyMs: 1_000 }, 0);
  assert.deepEqual(s.next(0, 1_000.5, 1), { slot: 2, at: 2_000, skipped: 1 });
  assert.deepEqual(s.next(4, 8_200, 2), { slot: 9, at: 9_000, skipped: 4 });
  // Ending exactly on a slot's start runs that slot right away.
  assert.deepEqual(s.next(0, 2_000, 1), { slot: 2, at: 2_000, skipped: 1 });
  assert.equal(s.overrunMs(0, 1_250), 250);
  assert.equal(s.overrunMs(0, 999), 0);
});

test("Schedule: --count ends the run after N captures, skipped slots not counted", () => {
  const s = new Schedule({ everyMs: 1_000, count: 3 }, 0);
  assert.deepEqual(s.next(0, 10, 1)?.slot, 1);
  assert.deepEqual(s.next(1, 3_500, 2)?.slot, 4); // overran: slots 2 and 3 skipped
  assert.equal(s.next(4, 4_010, 3), undefined);
});

test("Schedule: --for runs the slots that start before t0 + D", () => {
  const s = new Schedule({ everyMs: 10_000, forMs: 60_000 }, 0);
  const slots = [0];
  for (let k = 0, n; (n = s.next(k, s.slotStart(k) + 5, slots.length)); k = n.slot) {
    slots.push(n.slot);
  }
  assert.deepEqual(slots, [0, 1, 2, 3, 4, 5]);
  // An overrun past the end ends the run.
  assert.equal(s.next(4, 61_000, 5), undefined);
});

test("Schedule: --count and --for together end at whichever comes first", () => {
  const byCount = new Schedule({ everyMs: 1_000, count: 2, forMs: 60_000 }, 0);
  assert.equal(byCount.next(1, 1_100, 2), undefined);
  const byTime = new Schedule({ everyMs: 1_000, count: 100, forMs: 2_000 }, 0);
  assert.equal(byTime.next(1, 1_100, 2), undefined);
});

test("Schedule: an interval that is not positive is refused", () => {
  assert.throws(() => new Schedule({ everyMs: 0 }, 0), RangeError);
  assert.throws(() => new Schedule({ everyMs: NaN }, 0), RangeError);
});

test("Schedule: the next slot is always ahead of the end of the capture and after the last one", () => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 100_000 }),
    fc.integer({ min: -1e9, max: 1e9 }),
    fc.integer({ min: 0, max: 10_000 }),
    fc.double({ min: 0, max: 1e7, noNaN: true }),
    (every, t0, k, took) => {
      const s = new Schedule({ everyMs: every }, t0);
      const end = s.slotStart(k) + took;
      const n = s.next(k, end, 1)!;
      assert.ok(n.slot > k);
      assert.ok(n.at >= end, `slot ${n.slot} at ${n.at} before ${end}`);
      // …and no later than needed: the slot before it had started already (or is slot k).
      assert.ok(n.slot === k + 1 || s.slotStart(n.slot - 1) < end);
      assert.equal(n.skipped, n.slot - k - 1);
      assert.equal(n.at, t0 + n.slot * every);
    },
  ));
});

/**
 * The periodic loop driven on a fake clock: captures start on their slots, an overrun is noted
 * in meta and reported, compact runs write a full capture first (and again every --keep), and a
 * stop finishes the capture under way before the run ends.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Snapshot } from "../../src/model.ts";
import {
  type OverrunInfo,
  type PeriodicClock,
  type PeriodicIO,
  runPeriodic,
} from "../../src/periodic/run.ts";
import { conn, listen, route, snap } from "../diff/_build.ts";

/** A clock that only moves when the loop sleeps or a capture takes time. */
class FakeClock implements PeriodicClock {
  t = 1_000;
  sleeps: number[] = [];
  now = () => this.t;
  wallNow = () => Date.parse("2026-03-01T10:00:00.000Z") + this.t;
  sleep(ms: number, signal: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    if (!signal.aborted) this.t += ms;
    return Promise.resolve();
  }
}

interface Written {
  at: number;
  snapshot: Snapshot;
}

/** IO that records what was written; each capture takes `took(slot)` ms of fake time. */
function fakeIO(clock: FakeClock, took: (slot: number) => number, hooks: {
  onCapture?: (slot: number) => void;
  rotate?: (name: string) => string[];
} = {}) {
  const written: Written[] = [];
  const starts: number[] = [];
  const overruns: OverrunInfo[] = [];
  const io: PeriodicIO = {
    capture: (slot) => {
      starts.push(clock.t);
      hooks.onCapture?.(slot);
      clock.t += took(slot);
      return Promise.resolve(snap(new Date(clock.wallNow()).toISOString(), {
        connections: [listen("0.0.0.0", 22, 1), conn("10.0.0.1", 22, "10.0.0.9", 40000)],
        routes: [route("10.0.0.0/24")],
      }));
    },
    write: (s) => {
      written.push({ at: clock.t, snapshot: s });
      return Promise.resolve(`h-${written.length}.json`);
    },
    rotate: (name) => Promise.resolve(hooks.rotate?.(name) ?? []),
    overran: (o) => overruns.push(o),
  };
  return { io, written, starts, overruns };
}

test("runPeriodic: captures start on t0 + k·interval, never drifting with their duration", async () => {
  const clock = new FakeClock();
  const { io, written, starts } = fakeIO(clock, (k) => [30, 900, 10, 500, 999][k] ?? 1);
  const r = await runPeriodic(
    { everyMs: 1_000, count: 5 },
    io,
    clock,
    new AbortController().signal,
  );
  assert.deepEqual(r, { captures: 5, stopped: false });
  assert.deepEqual(starts, [1_000, 2_000, 3_000, 4_000, 5_000]);
  assert.deepEqual(written.map((w) => w.snapshot.meta.periodic?.slot), [0, 1, 2, 3, 4]);
  const p = written[0]!.snapshot.meta.periodic!;
  assert.equal(p.everyMs, 1_000);
  assert.equal(p.runStartedAt, "2026-03-01T10:00:01.000Z");
  assert.ok(written.every((w) => w.snapshot.meta.periodic?.overrunMs === undefined));
});

test("runPeriodic: an overrun is noted in that capture's meta and reported; the next slot follows", async () => {
  const clock = new FakeClock();
  const { io, written, starts, overruns } = fakeIO(clock, (k) => (k === 1 ? 2_300 : 10));
  await runPeriodic({ everyMs: 1_000, count: 3 }, io, clock, new AbortController().signal);
  assert.deepEqual(starts, [1_000, 2_000, 5_000]);
  assert.deepEqual(written.map((w) => w.snapshot.meta.periodic?.slot), [0, 1, 4]);
  assert.equal(written[1]!.snapshot.meta.periodic?.overrunMs, 1_300);
  assert.deepEqual(overruns, [{ slot: 1, tookMs: 2_300, everyMs: 1_000, skipped: 2, next: 4 }]);
});

test("runPeriodic: --for ends the run at the last slot inside it", async () => {
  const clock = new FakeClock();
  const { io, starts } = fakeIO(clock, () => 5);
  const r = await runPeriodic(
    { everyMs: 10_000, forMs: 30_000 },
    io,
    clock,
    new AbortController().signal,
  );
  assert.deepEqual(r, { captures: 3, stopped: false });
  assert.deepEqual(starts, [1_000, 11_000, 21_000]);
});

test("runPeriodic: a stop during a capture writes it, then ends the run", async () => {
  const clock = new FakeClock();
  const stop = new AbortController();
  const { io, written } = fakeIO(clock, () => 50, {
    onCapture: (slot) => {
      if (slot === 2) stop.abort();
    },
  });
  const r = await runPeriodic({ everyMs: 1_000 }, io, clock, stop.signal);
  assert.deepEqual(r, { captures: 3, stopped: true });
  assert.equal(written.length, 3);
});

test("runPeriodic: a stop while waiting ends the run without another capture", async () => {
  const clock = new FakeClock();
  const stop = new AbortController();
  const { io, written } = fakeIO(clock, () => 50);
  clock.sleep = (ms, signal) => {
    clock.sleeps.push(ms);
    if (clock.sleeps.length === 2) stop.abort();
    if (!signal.aborted) clock.t += ms;
    return Promise.resolve();
  };
  const r = await runPeriodic({ everyMs: 1_000 }, io, clock, stop.signal);
  assert.deepEqual(r, { captures: 2, stopped: true });
  assert.equal(written.length, 2);
});

test("runPeriodic: --compact writes a full capture first, then compact ones naming it", async () => {
  const clock = new FakeClock();
  const { io, written } = fakeIO(clock, () => 5);
  await runPeriodic(
    { everyMs: 1_000, count: 3, compact: true },
    io,
    clock,
    new AbortController().signal,
  );
  const [first, ...rest] = written.map((w) => w.snapshot);
  assert.equal(first!.meta.compact, undefined);
  assert.equal(first!.connections.length, 2);
  for (const s of rest) {
    assert.deepEqual(s.meta.compact, {
      base: "h-1.json",
      sections: ["listeners", "interfaces", "counters", "settings"],
    });
    assert.deepEqual(s.connections.map((c) => c.state), ["LISTEN"]);
    assert.deepEqual(s.routes, []);
    assert.equal(s.meta.periodic?.everyMs, 1_000);
  }
});

test("runPeriodic: --compact with --keep N takes a full capture every N, so N files hold one", async () => {
  const clock = new FakeClock();
  const { io, written } = fakeIO(clock, () => 5);
  await runPeriodic(
    { everyMs: 1_000, count: 7, compact: true, keep: 3 },
    io,
    clock,
    new AbortController().signal,
  );
  const full = written.map((w) => w.snapshot.meta.compact === undefined);
  assert.deepEqual(full, [true, false, false, true, false, false, true]);
  assert.deepEqual(
    written.map((w) => w.snapshot.meta.compact?.base ?? "-"),
    ["-", "h-1.json", "h-1.json", "-", "h-4.json", "h-4.json", "-"],
  );
});

test("runPeriodic: --compact takes a new full capture when rotation removed the base", async () => {
  const clock = new FakeClock();
  const { io, written } = fakeIO(clock, () => 5, {
    rotate: (name) => (name === "h-2.json" ? ["h-1.json"] : []),
  });
  await runPeriodic(
    { everyMs: 1_000, count: 4, compact: true },
    io,
    clock,
    new AbortController().signal,
  );
  assert.deepEqual(
    written.map((w) => w.snapshot.meta.compact?.base ?? "full"),
    ["full", "h-1.json", "full", "h-3.json"],
  );
});

test("runPeriodic: a write that failed (undefined) is not counted and the run goes on", async () => {
  const clock = new FakeClock();
  const { io, written } = fakeIO(clock, () => 5);
  let n = 0;
  const write = io.write;
  io.write = (s) => (++n === 2 ? Promise.resolve(undefined) : write(s));
  const r = await runPeriodic(
    { everyMs: 1_000, count: 3 },
    io,
    clock,
    new AbortController().signal,
  );
  assert.equal(r.captures, 3);
  assert.equal(written.length, 3);
  assert.equal(n, 4);
});

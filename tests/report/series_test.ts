import { test } from "node:test";
import assert from "node:assert/strict";
import type { Connection, Snapshot } from "../../src/model.ts";
import { SeriesBuilder } from "../../src/render/html/series.ts";
import { seriesListenerTable } from "../../src/render/html/tables.ts";
import { snapshot } from "./_make.ts";

function listener(port: number): Connection {
  return {
    protocol: "tcp",
    family: "inet",
    localAddress: "0.0.0.0",
    localPort: port,
    remoteAddress: "0.0.0.0",
    remotePort: 0,
    state: "LISTEN",
    recvQ: 0,
    sendQ: 0,
    inode: port,
  };
}

/** A snapshot `sec` seconds into the minute with the given counters and listening ports. */
function at(sec: number, counters: Snapshot["counters"], ports: number[], rx = 1000n): Snapshot {
  const s = snapshot(
    `2026-11-25T10:00:${String(sec).padStart(2, "0")}.000Z`,
    ports.map(listener),
    {},
  );
  s.counters = counters;
  s.interfaces[0]!.stats = { rxBytes: rx, txBytes: 0n };
  return s;
}

function build(...snaps: Snapshot[]) {
  const b = new SeriesBuilder();
  for (const s of snaps) b.add(s);
  return b.finish();
}

test("counter rates per interval: the diff's rate, 0 when still, a gap when reset or absent", () => {
  const series = build(
    at(0, { Tcp: { RetransSegs: 100n, OutRsts: 7n } }, []),
    at(10, { Tcp: { RetransSegs: 150n, OutRsts: 7n } }, []),
    at(20, { Tcp: { RetransSegs: 20n, OutRsts: 9n } }, []),
    at(30, { Tcp: { RetransSegs: 40n } }, []),
  );
  const rates = (name: string) => series.intervals.map((i) => i.counterRates[name]);
  assert.deepEqual(rates("Tcp.RetransSegs"), [5, null, 2]);
  assert.deepEqual(rates("Tcp.OutRsts"), [0, 0.2, null]);
  assert.deepEqual(rates("TcpExt.ListenOverflows"), [null, null, null]);
  assert.deepEqual(series.intervals.map((i) => i.counterDeltas["Tcp.RetransSegs"]), [
    50n,
    undefined,
    20n,
  ]);
});

test("a reboot between two snapshots leaves a gap in every counter rate", () => {
  const a = at(0, { Tcp: { RetransSegs: 100n } }, []);
  const b = at(10, { Tcp: { RetransSegs: 150n } }, []);
  a.meta.host.bootTime = "2026-11-01T00:00:00.000Z";
  b.meta.host.bootTime = "2026-11-25T09:59:00.000Z";
  assert.deepEqual(build(a, b).intervals[0]!.counterRates["Tcp.RetransSegs"], null);
});

test("interface traffic per interval from the diff's per-second rates", () => {
  const series = build(at(0, {}, [], 1000n), at(10, {}, [], 6000n), at(20, {}, [], 6000n));
  assert.deepEqual(series.intervals.map((i) => i.traffic.eth0?.rx), [500, 0]);
});

test("every listener seen in a series, with first and last sighting", () => {
  const series = build(
    at(0, {}, [22, 80]),
    at(10, {}, [22, 80, 9200]),
    at(20, {}, [22, 9300]),
    at(30, {}, [22, 9300]),
  );
  const t = seriesListenerTable(series.listeners);
  const byPort = new Map(t.rows.map((r) => [r[5], r.slice(0, 3)]));
  assert.deepEqual(byPort.get(22), [
    "throughout",
    "2026-11-25T10:00:00.000Z",
    "2026-11-25T10:00:30.000Z",
  ]);
  assert.deepEqual(byPort.get(80), [
    "closed",
    "2026-11-25T10:00:00.000Z",
    "2026-11-25T10:00:10.000Z",
  ]);
  assert.deepEqual(byPort.get(9200), [
    "came and went",
    "2026-11-25T10:00:10.000Z",
    "2026-11-25T10:00:10.000Z",
  ]);
  assert.deepEqual(byPort.get(9300), [
    "opened",
    "2026-11-25T10:00:20.000Z",
    "2026-11-25T10:00:30.000Z",
  ]);
});

test("the change list of a series keeps listeners and notable counters, not every counter", () => {
  const series = build(
    at(0, { Tcp: { RetransSegs: 1n, InSegs: 10n } }, [22]),
    at(10, { Tcp: { RetransSegs: 3n, InSegs: 90n } }, [22, 80]),
  );
  const kinds = series.intervals[0]!.changes.map((c) => `${c.kind} ${c.notable ? "!" : ""}`);
  // Port 80 opened on every address: notable too.
  assert.deepEqual(kinds.sort(), ["counter-increased !", "listener-opened !"]);
});

test("a series needs two snapshots", () => {
  const b = new SeriesBuilder();
  b.add(at(0, {}, []));
  assert.throws(() => b.finish(), /at least two snapshots/);
});

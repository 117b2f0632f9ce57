import { test } from "node:test";
import assert from "node:assert/strict";
import { type DiffDocument, diffSnapshots, inSection } from "../../src/diff/mod.ts";
import type { Snapshot } from "../../src/model.ts";
import { changeAt, snap } from "./_build.ts";

const T0 = "2026-01-01T00:00:00.000Z", T1 = "2026-01-01T00:01:40.000Z"; // 100 s apart
const only = { only: ["counters" as const] };
const withCounters = (at: string, counters: Snapshot["counters"]) => snap(at, { counters });
const counters = (d: DiffDocument) => d.changes.filter(inSection("counters"));

test("a counter that moved is counter-increased with an exact delta beyond 2^53", () => {
  const x = 2n ** 64n - 10n;
  const d = diffSnapshots(
    withCounters(T0, { Ip: { InReceives: x } }),
    withCounters(T1, { Ip: { InReceives: x + 7n } }),
    only,
  );
  assert.equal(d.changes.length, 1);
  const c = changeAt(d, "counter-increased");
  assert.deepEqual(c.key, { group: "Ip", name: "InReceives" });
  assert.equal(c.delta, 7n);
  assert.equal(c.perSecond, 0.07);
  assert.equal(c.notable, undefined);
});

test("retransmissions are notable with their share of segments sent", () => {
  const d = diffSnapshots(
    withCounters(T0, { Tcp: { RetransSegs: 100n, OutSegs: 10_000n } }),
    withCounters(T1, { Tcp: { RetransSegs: 130n, OutSegs: 12_000n } }),
    only,
  );
  const c = counters(d).find((x) => x.key.name === "RetransSegs")!;
  assert.equal(c.notable, true);
  assert.equal(c.summary, "30 segments retransmitted: 1.50% of the 2,000 segments sent (0.3/s)");
});

test("listen overflows, resets, failed attempts, UDP errors and IP discards are notable", () => {
  const names: Array<[string, string]> = [
    ["TcpExt", "ListenOverflows"],
    ["TcpExt", "ListenDrops"],
    ["Tcp", "EstabResets"],
    ["Tcp", "OutRsts"],
    ["Tcp", "AttemptFails"],
    ["Udp", "InErrors"],
    ["Udp", "RcvbufErrors"],
    ["Udp", "NoPorts"],
    ["Ip", "InDiscards"],
    ["Ip", "OutDiscards"],
    ["Ip6", "InDiscards"],
    ["Udp6", "NoPorts"],
  ];
  const a: Snapshot["counters"] = {}, b: Snapshot["counters"] = {};
  for (const [g, n] of names) {
    (a[g] ??= {})[n] = 1n;
    (b[g] ??= {})[n] = 5n;
  }
  const d = diffSnapshots(withCounters(T0, a), withCounters(T1, b), only);
  assert.equal(d.changes.length, names.length);
  for (const c of counters(d)) assert.equal(c.notable, true, `${c.key.group}.${c.key.name}`);
});

test("a counter that went backwards is counter-reset, never a negative delta", () => {
  const d = diffSnapshots(
    withCounters(T0, { Tcp: { InSegs: 500n } }),
    withCounters(T1, { Tcp: { InSegs: 20n } }),
    only,
  );
  const c = changeAt(d, "counter-reset");
  assert.equal("delta" in c, false);
  assert.deepEqual([c.before, c.after], [500n, 20n]);
});

test("a reboot between snapshots is one counter-reset and no deltas", () => {
  const a = withCounters(T0, { Tcp: { InSegs: 500n } });
  const b = withCounters(T1, { Tcp: { InSegs: 900n } });
  b.meta.host.bootTime = "2026-01-01T00:01:00.000Z";
  const d = diffSnapshots(a, b, only);
  assert.deepEqual(d.changes.map((c) => c.kind), ["counter-reset"]);
  assert.deepEqual(d.changes[0]!.key, { group: "*", name: "*" });
});

test("gauges are gauge-changed and settings are setting-changed, before → after", () => {
  const d = diffSnapshots(
    withCounters(T0, { Tcp: { CurrEstab: 10n, RtoMin: 200n }, Ip: { Forwarding: 2n } }),
    withCounters(T1, { Tcp: { CurrEstab: 4n, RtoMin: 200n }, Ip: { Forwarding: 1n } }),
    only,
  );
  assert.deepEqual(
    counters(d).map((c) => [c.kind, `${c.key.group}.${c.key.name}`, c.before, c.after]),
    [
      ["setting-changed", "Ip.Forwarding", 2n, 1n],
      ["gauge-changed", "Tcp.CurrEstab", 10n, 4n],
    ],
  );
});

test("a counter only one snapshot has is not compared (absent is not zero)", () => {
  const d = diffSnapshots(
    withCounters(T0, { Tcp: {} }),
    withCounters(T1, { Tcp: { InSegs: 20n } }),
    only,
  );
  assert.deepEqual(d.changes, []);
});

test("--ignore-counter globs leave matching counters out", () => {
  const d = diffSnapshots(
    withCounters(T0, { TcpExt: { TCPHPHits: 1n, ListenDrops: 0n } }),
    withCounters(T1, { TcpExt: { TCPHPHits: 9n, ListenDrops: 1n } }),
    { ...only, ignore: { counters: ["TcpExt.TCP*"] } },
  );
  assert.deepEqual(counters(d).map((c) => c.key.name), ["ListenDrops"]);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Snapshot } from "../../src/model.ts";
import { parseThreshold } from "../../src/check/expr.ts";
import { measureThreshold } from "../../src/check/threshold.ts";
import { iface, snap } from "../diff/_build.ts";

const T0 = "2026-01-01T00:00:00.000Z", T1 = "2026-01-01T00:01:00.000Z";

function pair(a: Snapshot["counters"], b: Snapshot["counters"]): [Snapshot, Snapshot] {
  return [snap(T0, { counters: a }), snap(T1, { counters: b })];
}

function measure(text: string, before: Snapshot | undefined, after: Snapshot) {
  return measureThreshold(parseThreshold(text), after, before);
}

test("a percentage is of the natural denominator's delta, exactly: 1% of 10,000 is 100", () => {
  const [a, b] = pair(
    { Tcp: { RetransSegs: 50n, OutSegs: 1000n } },
    { Tcp: { RetransSegs: 150n, OutSegs: 11000n } },
  );
  const [m] = measure("Tcp.RetransSegs <= 1%", a, b);
  assert.equal(m!.holds, true);
  assert.equal(m!.observed, "1.00% (+100 of +10,000 Tcp.OutSegs)");
  assert.equal(m!.value, 100n);
  assert.equal(m!.of, 10000n);
  assert.equal(measure("Tcp.RetransSegs < 1%", a, b)[0]!.holds, false);
  const [, c] = pair({}, { Tcp: { RetransSegs: 151n, OutSegs: 11000n } });
  assert.equal(measure("Tcp.RetransSegs <= 1%", a, c)[0]!.holds, false);
  assert.equal(measure("Tcp.RetransSegs <= 1.01%", a, c)[0]!.holds, true);
});

test("`of` names another denominator; a share of nothing is 0% or more than any threshold", () => {
  const [a, b] = pair(
    { Tcp: { EstabResets: 0n, ActiveOpens: 10n, RetransSegs: 0n, OutSegs: 5n } },
    { Tcp: { EstabResets: 2n, ActiveOpens: 110n, RetransSegs: 3n, OutSegs: 5n } },
  );
  assert.equal(measure("Tcp.EstabResets <= 2% of Tcp.ActiveOpens", a, b)[0]!.holds, true);
  assert.equal(measure("Tcp.EstabResets < 2% of Tcp.ActiveOpens", a, b)[0]!.holds, false);
  const [m] = measure("Tcp.RetransSegs <= 99%", a, b);
  assert.equal(m!.holds, false);
  assert.match(m!.observed!, /^∞% \(\+3 of \+0 Tcp\.OutSegs\)$/);
  const [, quiet] = pair({}, {
    Tcp: { EstabResets: 0n, ActiveOpens: 10n, RetransSegs: 0n, OutSegs: 5n },
  });
  assert.equal(measure("Tcp.RetransSegs <= 0%", a, quiet)[0]!.holds, true);
});

test("a rate is the delta over the seconds between the two capture times", () => {
  const [a, b] = pair({ Tcp: { OutRsts: 0n } }, { Tcp: { OutRsts: 600n } });
  const [m] = measure("Tcp.OutRsts <= 10/s", a, b);
  assert.equal(m!.holds, true);
  assert.equal(m!.observed, "10/s (+600 in 60 s)");
  assert.equal(measure("Tcp.OutRsts < 10/s", a, b)[0]!.holds, false);
  assert.equal(measure("Tcp.OutRsts > 9.99/s", a, b)[0]!.holds, true);
  const same = snap(T0, { counters: { Tcp: { OutRsts: 600n } } });
  assert.match(measure("Tcp.OutRsts <= 10/s", a, same)[0]!.reason!, /no positive interval/);
});

test("absent is not zero: a missing counter, a reset, a reboot or no baseline is unknown", () => {
  const [a, b] = pair({ Tcp: { InSegs: 100n } }, { Tcp: { InSegs: 50n, OutSegs: 1n } });
  const unknown = (text: string, before: Snapshot | undefined, after: Snapshot) => {
    const [m] = measure(text, before, after);
    assert.equal(m!.holds, undefined, text);
    return m!.reason!;
  };
  assert.match(unknown("Tcp.InSegs == 0", a, b), /went backwards \(100 → 50\)/);
  assert.match(unknown("Tcp.OutSegs == 0", a, b), /Tcp\.OutSegs is not in the baseline/);
  assert.match(unknown("TcpExt.ListenOverflows == 0", a, b), /not in either snapshot/);
  assert.match(unknown("Tcp.InSegs == 0", undefined, b), /no baseline/);
  const rebooted = snap(T1, { counters: { Tcp: { InSegs: 500n } } });
  rebooted.meta.host.bootTime = "2026-01-01T00:00:30.000Z";
  assert.match(unknown("Tcp.InSegs >= 0", a, rebooted), /rebooted/);
  const failed = snap(T1, { counters: {} });
  failed.meta.sections.counters = { status: "error", error: "permission denied" };
  assert.match(
    unknown("Tcp.InSegs >= 0", a, failed),
    /the snapshot has no counters \(permission denied\)/,
  );
});

test("gauges and settings are compared by their value, with no baseline needed", () => {
  const s = snap(T1, { counters: { Tcp: { CurrEstab: 120n }, Ip: { Forwarding: 2n } } });
  assert.equal(measure("Tcp.CurrEstab <= 100", undefined, s)[0]!.holds, false);
  assert.equal(measure("Tcp.CurrEstab <= 120", undefined, s)[0]!.holds, true);
  assert.equal(measure("Ip.Forwarding == 2", undefined, s)[0]!.holds, true);
});

test("snmp6 counters are found with or without their group prefix", () => {
  const [a, b] = pair(
    { Udp6: { Udp6InErrors: 0n, Udp6InDatagrams: 0n } },
    { Udp6: { Udp6InErrors: 1n, Udp6InDatagrams: 1000n } },
  );
  assert.equal(measure("Udp6.InErrors <= 0.1%", a, b)[0]!.holds, true);
  assert.equal(measure("Udp6.Udp6InErrors == 1", a, b)[0]!.holds, true);
});

test("an interface glob measures every interface it matches, each with its own packets", () => {
  const a = snap(T0, {
    interfaces: [
      iface("eth0", { stats: { rxDropped: 0n, rxPackets: 0n } }),
      iface("eth1", { stats: { rxDropped: 0n, rxPackets: 0n } }),
      iface("lo", { stats: { rxDropped: 0n, rxPackets: 0n } }),
    ],
  });
  const b = snap(T1, {
    interfaces: [
      iface("eth0", { stats: { rxDropped: 5n, rxPackets: 1000n } }),
      iface("eth1", { stats: { rxDropped: 50n, rxPackets: 1000n } }),
      iface("lo", { stats: { rxDropped: 999n, rxPackets: 1000n } }),
    ],
  });
  const ms = measure("interface eth* rxDropped <= 1%", a, b);
  assert.deepEqual(ms.map((m) => [m.subject, m.holds]), [
    ["interface eth0 rxDropped", true],
    ["interface eth1 rxDropped", false],
  ]);
  assert.equal(measure("interface eth1 rxDropped <= 1/s", a, b)[0]!.holds, true);
  assert.match(
    measure("interface wlan0 rxDropped <= 1", a, b)[0]!.reason!,
    /no interface matches wlan0/,
  );
});

test("property: the measured share agrees with the threshold for any deltas", () => {
  fc.assert(
    fc.property(
      fc.bigInt({ min: 0n, max: 2n ** 64n }),
      fc.bigInt({ min: 0n, max: 2n ** 64n }),
      fc.bigInt({ min: 1n, max: 2n ** 64n }),
      fc.integer({ min: 0, max: 10000 }),
      (base, part, whole, bp) => {
        const [a, b] = pair(
          { Tcp: { RetransSegs: base, OutSegs: base } },
          { Tcp: { RetransSegs: base + part, OutSegs: base + whole } },
        );
        const pct = `${Math.floor(bp / 100)}.${String(bp % 100).padStart(2, "0")}`;
        const [m] = measure(`Tcp.RetransSegs <= ${pct}%`, a, b);
        // part/whole <= bp/10000, in integers.
        assert.equal(m!.holds, part * 10000n <= BigInt(bp) * whole);
      },
    ),
    { numRuns: 500 },
  );
});

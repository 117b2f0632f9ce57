/**
 * The fleet roll-up: rolled-up counts equal the sum of the per-host diffs, on generated fleets
 * and on arbitrary snapshots; every line names each paired host once, as having the change or
 * not; identical changes on hosts with different own addresses are one line; outliers follow
 * the stated threshold; and every kind has its fleet key rule.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Snapshot } from "../../src/model.ts";
import { ALL_KINDS } from "../../src/diff/kinds.ts";
import { isOutlier, outlierMaxHosts } from "../../src/fleet/mod.ts";
import { LINE_RULES, TALLIED_KINDS } from "../../src/fleet/keys.ts";
import { fleetAddress } from "../../src/fleet/scope.ts";
import { arbSnapshot } from "../helpers/arbitrary.ts";
import {
  arbFleet,
  type GenHost,
  memberOf,
  memoryFleet,
  plainHost,
  runMemoryFleet,
} from "./_fleet.ts";

type Report = Awaited<ReturnType<typeof runMemoryFleet>>;

/** The promises every report keeps, whatever the fleet. */
function assertConsistent({ report, entries }: Report): void {
  const { head } = report;
  const names = entries.map((e) => e.name);
  assert.deepEqual(report.hosts.map((h) => h.name), names);
  // Counts: lines and tallies stand for exactly the per-host changes, kind by kind.
  const perHost = new Map<string, number>();
  let total = 0, sessions = 0;
  for (const e of entries) {
    total += e.diff.summary.total;
    for (const c of e.diff.changes) {
      perHost.set(c.kind, (perHost.get(c.kind) ?? 0) + 1);
      if (c.kind === "session-opened" || c.kind === "session-closed") sessions += c.count;
    }
  }
  const rolled = new Map<string, number>();
  for (const l of [...head.rollup, ...head.tallies]) {
    rolled.set(l.kind, (rolled.get(l.kind) ?? 0) + l.changes);
  }
  assert.deepEqual(Object.fromEntries([...rolled].sort()), Object.fromEntries([...perHost].sort()));
  assert.equal(head.summary.changes, total);
  assert.deepEqual(
    head.summary.byKind,
    Object.fromEntries(
      ALL_KINDS.filter((k) => perHost.has(k)).map((k) => [k, perHost.get(k)!]),
    ),
  );
  assert.equal(
    head.rollup.reduce((n, l) => n + (l.sockets ?? 0), 0),
    sessions,
    "session counts sum up",
  );
  // Every line: each paired host once, with or without the change; never more hosts than changes.
  for (const l of [...head.rollup, ...head.tallies]) {
    assert.deepEqual([...l.hosts, ...l.missing].sort(), [...names].sort(), l.summary);
    assert.ok(l.hosts.length >= 1 && l.hosts.length <= l.changes, l.summary);
  }
  for (const l of head.rollup) {
    assert.equal(l.outlier === true, isOutlier(l.hosts.length, names.length, head.outlierShare));
  }
  assert.equal(head.summary.changedHosts, entries.filter((e) => e.diff.summary.total > 0).length);
}

test("rolled-up counts equal the sum of the per-host diffs, on generated fleets", async () => {
  let merged = 0;
  await fc.assert(
    fc.asyncProperty(arbFleet, fc.boolean(), async (hosts, detail) => {
      const r = await runMemoryFleet(memoryFleet(hosts), { detail });
      assertConsistent(r);
      if (r.report.head.rollup.some((l) => l.hosts.length > 1)) merged++;
    }),
    { numRuns: 150 },
  );
  assert.ok(merged > 50, `identical changes on several hosts in ${merged} of 150 fleets`);
});

test("rolled-up counts equal the sum of the per-host diffs, for arbitrary snapshots", async () => {
  const host = (s: Snapshot, name: string): Snapshot => {
    const seen = new Set<string>();
    return {
      ...s,
      meta: { ...s.meta, host: { ...s.meta.host, hostname: name } },
      interfaces: s.interfaces.filter((i) => !seen.has(i.name) && seen.add(i.name)),
    };
  };
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(arbSnapshot, arbSnapshot), { minLength: 1, maxLength: 4 }),
      async (pairs) => {
        const files = new Map<string, Snapshot>();
        const before = [], after = [];
        for (const [i, [a, b]] of pairs.entries()) {
          const x = host(a, `h${i}`), y = host(b, `h${i}`);
          delete x.meta.host.machineId;
          delete y.meta.host.machineId;
          before.push(memberOf(x, `h${i}.json`, "b"));
          after.push(memberOf(y, `h${i}.json`, "a"));
          files.set(`b/h${i}.json`, x);
          files.set(`a/h${i}.json`, y);
        }
        assertConsistent(await runMemoryFleet({ before, after, files }));
      },
    ),
    { numRuns: 40 },
  );
});

test("unpaired hosts are always listed: every snapshot is a pair, vanished or appeared", async () => {
  await fc.assert(
    fc.asyncProperty(
      arbFleet,
      fc.array(fc.constantFrom("both", "before", "after"), { minLength: 12, maxLength: 12 }),
      async (hosts, where) => {
        const side = (h: GenHost) => where[h.index]!;
        const fleet = memoryFleet(hosts, undefined, (h, s) => side(h) === "both" || side(h) === s);
        const { report, entries } = await runMemoryFleet(fleet, { failOn: ["host-vanished"] });
        const { head } = report;
        const expect = (w: string) => hosts.filter((h) => side(h) === w).map((h) => h.name).sort();
        assert.deepEqual(head.vanished.map((v) => v.name).sort(), expect("before"));
        assert.deepEqual(head.appeared.map((v) => v.name).sort(), expect("after"));
        assert.deepEqual(entries.map((e) => e.name).sort(), expect("both"));
        assert.equal(
          head.summary.vanished + head.summary.appeared + head.summary.hosts,
          hosts.length,
        );
        assert.equal(head.gate?.tripped, expect("before").length > 0);
        for (const v of head.vanished) assert.ok(head.gate!.hosts.includes(v.name));
      },
    ),
    { numRuns: 100 },
  );
});

test("a listener opened on each host's own address rolls up as one line, by scope", async () => {
  const hosts: GenHost[] = [0, 1, 2].map((i) => ({
    name: `web-${i + 1}`,
    machineId: undefined,
    index: i,
    before: { listeners: [0], sessions: [], routes: [], mtu: 1500, inSegs: 1n, pidBase: 100 },
    after: { listeners: [0, 4], sessions: [], routes: [], mtu: 1500, inSegs: 1n, pidBase: 100 + i },
  }));
  const { report } = await runMemoryFleet(memoryFleet(hosts));
  const opened = report.head.rollup.filter((l) => l.kind === "listener-opened");
  assert.equal(opened.length, 1);
  assert.deepEqual(opened[0]!.key, {
    protocol: "tcp",
    family: "inet",
    address: "<own private IPv4>",
    port: 8080,
    program: "app",
  });
  assert.equal(
    opened[0]!.summary,
    "listener-opened tcp <own private IPv4>:8080 (app) on all 3 hosts",
  );
  assert.equal(opened[0]!.example.summary, "tcp 10.0.0.5:8080 opened by app (pid 104)");
});

test("the issue's line: a change on most hosts names the exceptions", async () => {
  const hosts: GenHost[] = Array.from({ length: 40 }, (_, i) => ({
    name: i < 30 ? `web-${i + 1}` : `db-${i - 29}`,
    machineId: undefined,
    index: i,
    before: { listeners: [0], sessions: [], routes: [], mtu: 1500, inSegs: 1n, pidBase: 100 },
    after: {
      listeners: [2, 6, 29].includes(i) ? [0] : [0, 2],
      sessions: [],
      routes: [],
      mtu: 1500,
      inSegs: 1n,
      pidBase: 100,
    },
  }));
  const { report } = await runMemoryFleet(memoryFleet(hosts));
  const [line] = report.head.rollup;
  assert.equal(
    line?.summary,
    "listener-opened tcp 0.0.0.0:9100 (node_exporter) on 37 of 40 hosts; not on web-3, web-7, web-30",
  );
  assert.equal(line?.outlier, undefined);
});

test("outliers: at most max(1, floor(share × hosts)) hosts, and fewer than half", () => {
  assert.equal(outlierMaxHosts(40, 0.1), 4);
  assert.equal(outlierMaxHosts(3, 0.1), 1);
  assert.equal(outlierMaxHosts(100, 0.1), 10);
  assert.equal(outlierMaxHosts(10, 0.3), 3);
  assert.ok(isOutlier(4, 40, 0.1));
  assert.ok(!isOutlier(5, 40, 0.1));
  assert.ok(isOutlier(1, 3, 0.1), "one host of three did what the others did not");
  assert.ok(!isOutlier(1, 2, 0.1), "one of two is no minority");
  assert.ok(!isOutlier(1, 1, 0.1));
  assert.ok(!isOutlier(5, 10, 0.5), "half is not fewer than half");
  assert.ok(isOutlier(4, 10, 0.5));
});

test("an outlier host is flagged, and the line says which host", async () => {
  const hosts: GenHost[] = Array.from({ length: 20 }, (_, i) => ({
    name: `web-${i + 1}`,
    machineId: undefined,
    index: i,
    before: { listeners: [], sessions: [], routes: [], mtu: 1500, inSegs: 1n, pidBase: 100 },
    after: {
      listeners: i === 13 ? [3] : [],
      sessions: [],
      routes: [],
      mtu: i < 18 ? 9000 : 1500,
      inSegs: 1n,
      pidBase: 100,
    },
  }));
  const { report } = await runMemoryFleet(memoryFleet(hosts), { outlierShare: 0.1 });
  const odd = report.head.rollup.filter((l) => l.outlier);
  assert.equal(odd.length, 1);
  assert.equal(
    odd[0]!.summary,
    "listener-opened tcp 127.0.0.1:5432 (postgres) on 1 of 20 hosts: web-14",
  );
  assert.equal(odd[0]!.notable, true);
  const mtu = report.head.rollup.find((l) => l.kind === "interface-changed")!;
  assert.equal(
    mtu.summary,
    "interface-changed interface eth0: MTU 1500 → 9000 on 18 of 20 hosts; not on web-19, web-20",
  );
  assert.equal(report.head.summary.outliers, 1);
});

test("every kind has a fleet key rule or rolls up as a tally", () => {
  const ruled = [...Object.keys(LINE_RULES), ...TALLIED_KINDS].sort();
  assert.deepEqual(ruled, [...ALL_KINDS].sort());
});

test("fleetAddress() keeps shared addresses and scopes the host's own", () => {
  const own = new Set(["192.0.2.10", "fe80::1"]);
  assert.equal(fleetAddress("0.0.0.0", "local", own), "0.0.0.0");
  assert.equal(fleetAddress("::", "local", own), "::");
  assert.equal(fleetAddress("127.0.0.53", "local", own), "127.0.0.53");
  assert.equal(fleetAddress("::1", "local", own), "::1");
  assert.equal(fleetAddress("224.0.0.251", "local", own), "224.0.0.251");
  assert.equal(fleetAddress("10.1.2.3", "local", own), "<own private IPv4>");
  assert.equal(fleetAddress("172.20.0.1", "local", own), "<own private IPv4>");
  assert.equal(fleetAddress("100.64.1.1", "local", own), "<own private IPv4>");
  assert.equal(fleetAddress("fd00::5", "local", own), "<own private IPv6>");
  assert.equal(fleetAddress("192.0.2.10", "remote", own), "<own public IPv4>");
  assert.equal(fleetAddress("fe80::1", "remote", own), "<own link-local IPv6>");
  assert.equal(fleetAddress("169.254.1.1", "local", own), "<own link-local IPv4>");
  assert.equal(fleetAddress("::ffff:10.0.0.1", "local", own), "<own private IPv4>");
  // A remote peer keeps its address; a client is generalised to its scope.
  assert.equal(fleetAddress("10.9.0.1", "remote", own), "10.9.0.1");
  assert.equal(fleetAddress("203.0.113.9", "client", own), "<public IPv4>");
  assert.equal(fleetAddress("10.9.0.1", "client", own), "<private IPv4>");
});

test("outliers gate: `outlier` and `notable` trip on the one host that added a route", async () => {
  const hosts = Array.from(
    { length: 10 },
    (_, i) => plainHost(i, `h${i + 1}`, { routes: i === 6 ? [0] : [] }),
  );
  const fleet = memoryFleet(hosts);
  const { report, entries } = await runMemoryFleet(fleet, { failOn: ["notable"] });
  // The route is not notable on its host: only the roll-up makes it stand out.
  assert.equal(entries.flatMap((e) => e.diff.changes).filter((c) => c.notable).length, 0);
  const odd = report.head.rollup.filter((l) => l.outlier);
  assert.deepEqual(odd.map((l) => [l.kind, l.hosts]), [["route-added", ["h7"]]]);
  assert.deepEqual(report.head.gate, {
    failOn: ["notable"],
    tripped: true,
    hosts: ["h7"],
    kinds: ["route-added"],
  });
  const byOutlier = await runMemoryFleet(fleet, { failOn: ["outlier"] });
  assert.deepEqual(byOutlier.report.head.gate, {
    failOn: ["outlier"],
    tripped: true,
    hosts: ["h7"],
    kinds: ["outlier"],
  });
  // A fleet without outliers does not trip either.
  const quiet = await runMemoryFleet(memoryFleet(hosts.map((h) => ({ ...h, after: h.before }))), {
    failOn: ["outlier", "notable"],
  });
  assert.equal(quiet.report.head.gate?.tripped, false);
});

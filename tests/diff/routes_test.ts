import { test } from "node:test";
import assert from "node:assert/strict";
import { type DiffDocument, diffSnapshots, inSection } from "../../src/diff/mod.ts";
import { changeAt, route, snap } from "./_build.ts";

const T0 = "2026-01-01T00:00:00.000Z", T1 = "2026-01-01T00:01:00.000Z";
const only = { only: ["routes" as const] };
const routes = (d: DiffDocument) => d.changes.filter(inSection("routes"));

test("a new route is route-added and a missing one route-removed", () => {
  const a = snap(T0, { routes: [route("10.1.0.0/16")] });
  const b = snap(T1, { routes: [route("10.2.0.0/16")] });
  const d = diffSnapshots(a, b, only);
  assert.deepEqual(routes(d).map((c) => [c.kind, c.key.destination]).sort(), [
    ["route-added", "10.2.0.0/16"],
    ["route-removed", "10.1.0.0/16"],
  ]);
});

test("a new gateway for the same destination is route-changed naming the field", () => {
  const a = snap(T0, { routes: [route("0.0.0.0/0", { gateway: "10.0.0.1", scope: "universe" })] });
  const b = snap(T1, {
    routes: [route("0.0.0.0/0", { gateway: "10.0.0.254", scope: "universe" })],
  });
  const d = diffSnapshots(a, b, only);
  assert.equal(d.changes.length, 1);
  const c = changeAt(d, "route-changed");
  assert.deepEqual(c.changed, ["gateway"]);
  assert.match(c.summary, /gateway 10\.0\.0\.1 → 10\.0\.0\.254/);
});

test("a different metric is another route: added + removed", () => {
  const a = snap(T0, { routes: [route("10.1.0.0/16", { metric: 100 })] });
  const b = snap(T1, { routes: [route("10.1.0.0/16", { metric: 200 })] });
  assert.deepEqual(diffSnapshots(a, b, only).changes.map((c) => c.kind).sort(), [
    "route-added",
    "route-removed",
  ]);
});

test("IPv6 link-local routes are keyed per interface: one more interface is one route-added", () => {
  const ll = (dev: string) => route("fe80::/64", { interface: dev, metric: 256 });
  const a = snap(T0, { routes: [ll("eth0")] });
  const b = snap(T1, { routes: [ll("eth0"), ll("eth1")] });
  const d = diffSnapshots(a, b, only);
  assert.equal(d.changes.length, 1);
  assert.equal(d.changes[0]!.kind, "route-added");
  assert.equal(d.changes[0]!.key.interface, "eth1");
});

test("routes sharing a key keep the interface in the key (no spurious route-changed)", () => {
  const r = (dev: string) => route("10.9.0.0/16", { interface: dev });
  const a = snap(T0, { routes: [r("eth0"), r("eth1")] });
  const b = snap(T1, { routes: [r("eth1"), r("eth0")] });
  assert.deepEqual(diffSnapshots(a, b, only).changes, []);
});

test("100k routes diff in well under a second per side", () => {
  const rs = Array.from(
    { length: 100_000 },
    (_, i) => route(`10.${i >> 8 & 255}.${i & 255}.0/24`, { metric: i >> 16 }),
  );
  const t0 = performance.now();
  const d = diffSnapshots(snap(T0, { routes: rs }), snap(T1, { routes: rs.slice(1) }), only);
  assert.ok(performance.now() - t0 < 3000);
  assert.equal(d.changes.length, 1);
});

test("multipath next hops read in words, in route-changed and in route-added", () => {
  const hops = (...gws: string[]) =>
    gws.map((g, i) => ({ gateway: g, interface: `eth${i}`, weight: 1 }));
  const a = snap("2026-01-01T00:00:00.000Z", {
    routes: [route("0.0.0.0/0", { nexthops: hops("10.0.0.1", "10.0.1.1") })],
  });
  const b = snap("2026-01-01T00:01:00.000Z", {
    routes: [
      route("0.0.0.0/0", { nexthops: hops("10.0.0.1", "10.0.1.2") }),
      route("10.9.0.0/16", { nexthops: hops("10.0.0.7", "10.0.1.7") }),
    ],
  });
  const d = diffSnapshots(a, b, { only: ["routes"] });
  assert.deepEqual(d.changes.map((c) => c.summary), [
    "route IPv4 0.0.0.0/0 dev eth0: nexthops via 10.0.0.1 dev eth0 weight 1, via 10.0.1.1 dev eth1 weight 1 → via 10.0.0.1 dev eth0 weight 1, via 10.0.1.2 dev eth1 weight 1",
    "route added: IPv4 10.9.0.0/16 dev eth0 nexthops via 10.0.0.7 dev eth0 weight 1, via 10.0.1.7 dev eth1 weight 1",
  ]);
  assert.ok(!d.changes.some((c) => c.summary.includes("{")));
});

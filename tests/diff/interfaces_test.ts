import { test } from "node:test";
import assert from "node:assert/strict";
import { type DiffDocument, diffSnapshots, inSection } from "../../src/diff/mod.ts";
import { changeAt, fullSnap, iface, neigh, qdisc, route, rule, snap } from "./_build.ts";

const T0 = "2026-01-01T00:00:00.000Z", T1 = "2026-01-01T00:00:10.000Z";
const only = { only: ["interfaces" as const] };
const interfaces = (d: DiffDocument) => d.changes.filter(inSection("interfaces"));

test("a new interface is interface-added and a missing one interface-removed", () => {
  const d = diffSnapshots(
    snap(T0, { interfaces: [iface("eth0")] }),
    snap(T1, { interfaces: [iface("eth1", { index: 3, mac: "52:54:00:12:34:57" })] }),
    only,
  );
  assert.deepEqual(interfaces(d).map((c) => [c.kind, c.key.interface]), [
    ["interface-removed", "eth0"],
    ["interface-added", "eth1"],
  ]);
});

test("an interface under a new name with the same index and MAC is one interface-renamed", () => {
  const stats = (rx: bigint) => ({ rxBytes: rx, txBytes: rx });
  const d = diffSnapshots(
    snap(T0, { interfaces: [iface("eth0", { stats: stats(100n) })] }),
    snap(T1, { interfaces: [iface("ens3", { mtu: 9000, stats: stats(300n) })] }),
    only,
  );
  assert.deepEqual(interfaces(d).map((c) => [c.kind, c.key.interface]), [
    ["interface-traffic", "ens3"],
    ["interface-renamed", "eth0"],
  ]);
  const c = changeAt(d, "interface-renamed", 1);
  assert.deepEqual([c.before.name, c.after.name], ["eth0", "ens3"]);
  assert.equal(
    c.summary,
    "interface eth0 renamed to ens3 (index 2, MAC 52:54:00:12:34:56); MTU 1500 → 9000",
  );
  // Two candidates for one index and MAC: no guess, removed and added.
  const two = diffSnapshots(
    snap(T0, { interfaces: [iface("eth0")] }),
    snap(T1, { interfaces: [iface("ens3"), iface("ens4")] }),
    only,
  );
  assert.deepEqual(interfaces(two).map((c) => c.kind), [
    "interface-added",
    "interface-added",
    "interface-removed",
  ]);
});

test("an interface listed twice in one snapshot keeps every address, with a warning", () => {
  const a = snap(T1, { interfaces: [iface("eth0")] });
  const b = snap(T0, {
    interfaces: [
      iface("eth0"),
      iface("eth0", { addresses: [{ family: "inet", address: "10.0.0.7", prefixLength: 24 }] }),
    ],
  });
  const d = diffSnapshots(b, a, only);
  assert.deepEqual(interfaces(d).map((c) => c.summary), [
    "interface eth0: address 10.0.0.7/24 removed",
  ]);
  assert.deepEqual(d.warnings, [
    'the before snapshot lists interface "eth0" more than once; compared as one with the addresses of all',
  ]);
  // Both listings hold 10.0.0.5: it is not reported as removed.
  assert.deepEqual(diffSnapshots(b, b, only).changes, []);
});

test("MTU, state and an added address make one interface-changed with each in its summary", () => {
  const a = snap(T0, { interfaces: [iface("eth0")] });
  const b = snap(T1, {
    interfaces: [iface("eth0", {
      mtu: 9000,
      operState: "down",
      flags: ["BROADCAST", "MULTICAST", "UP"],
      addresses: [
        { family: "inet", address: "10.0.0.5", prefixLength: 24 },
        { family: "inet6", address: "2001:db8::5", prefixLength: 64 },
      ],
    })],
  });
  const d = diffSnapshots(a, b, only);
  assert.equal(d.changes.length, 1);
  const c = d.changes[0]!;
  assert.equal(c.kind, "interface-changed");
  assert.deepEqual(c.before, {
    mtu: 1500,
    operState: "up",
    flags: ["BROADCAST", "LOWER_UP", "MULTICAST", "UP"],
  });
  assert.deepEqual(c.addressesAdded, ["2001:db8::5/64"]);
  assert.equal(
    c.summary,
    "interface eth0: MTU 1500 → 9000; state up → down; flags -LOWER_UP; address 2001:db8::5/64 added",
  );
});

test("traffic is interface-traffic with exact deltas and per-second rates", () => {
  const big = 2n ** 60n;
  const a = snap(T0, {
    interfaces: [iface("eth0", { stats: { rxBytes: big, txBytes: 0n, rxErrors: 1n } })],
  });
  const b = snap(T1, {
    interfaces: [iface("eth0", { stats: { rxBytes: big + 10_000n, txBytes: 500n, rxErrors: 3n } })],
  });
  const d = diffSnapshots(a, b, only);
  assert.equal(d.changes.length, 1);
  const c = d.changes[0]!;
  assert.equal(c.kind, "interface-traffic");
  assert.deepEqual(c.delta, { rxBytes: 10_000n, rxErrors: 2n, txBytes: 500n });
  assert.deepEqual(c.perSecond, { rxBytes: 1000, rxErrors: 0.2, txBytes: 50 });
  assert.equal(c.notable, true);
});

test("an interface counter that went backwards is a reset, never a negative delta", () => {
  const a = snap(T0, { interfaces: [iface("eth0", { stats: { rxBytes: 5000n } })] });
  const b = snap(T1, { interfaces: [iface("eth0", { stats: { rxBytes: 10n } })] });
  const c = diffSnapshots(a, b, only).changes[0]!;
  assert.equal(c.kind, "interface-traffic");
  assert.equal(c.reset, true);
  assert.equal(c.delta, undefined);
});

test("a rename is one interface-renamed: its routes, neighbours, qdiscs, rules and packet sockets follow it", () => {
  const on = (dev: string) => ({
    interfaces: [iface(dev), iface("eth1", { index: 3, mac: "52:54:00:12:34:57" })],
    routes: [
      route("10.0.0.0/24", { interface: dev }),
      route("fe80::/64", { interface: dev, metric: 256 }),
      route("fe80::/64", { interface: "eth1", metric: 256 }),
      route("10.9.0.0/16", {
        gateway: "10.0.0.1",
        nexthops: [{ gateway: "10.0.0.1", interface: dev, weight: 1 }, {
          gateway: "10.1.0.1",
          interface: "eth1",
          weight: 1,
        }],
      }),
    ],
    neighbours: [neigh("10.0.0.1", { interface: dev })],
    qdiscs: [qdisc({ interface: dev })],
    rules: [rule(100, { iif: dev, table: 100 })],
    packetSockets: [{
      type: "raw",
      protocol: 3,
      interface: dev,
      recvQ: 0,
      uid: 0,
      inode: 9100,
      pid: 7,
    }],
  });
  const d = diffSnapshots(fullSnap(T0, on("v1")), fullSnap(T1, on("v1new")));
  assert.deepEqual(d.changes.map((c) => `${c.kind} ${c.summary}`), [
    "interface-renamed interface v1 renamed to v1new (index 2, MAC 52:54:00:12:34:56)",
  ]);
  // A real change on the renamed device is still seen, under its new name.
  const after = on("v1new");
  after.routes[0] = route("10.0.0.0/24", { interface: "v1new", metric: 5 });
  const moved = diffSnapshots(fullSnap(T0, on("v1")), fullSnap(T1, after), {
    only: ["routes"],
  });
  assert.deepEqual(moved.changes.map((c) => c.kind), ["route-removed", "route-added"]);
});

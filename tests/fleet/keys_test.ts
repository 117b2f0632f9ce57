/**
 * The fleet key of each kind (docs/diff.md, "Fleets"): what two hosts share when they made the
 * same change, and what is taken out as host-specific. Each case diffs two small snapshots per
 * host and checks that the hosts' changes fall into one line, or stay apart where they differ.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ALL_KINDS } from "../../src/diff/kinds.ts";
import type { Snapshot } from "../../src/model.ts";
import { diffSnapshots } from "../../src/diff/mod.ts";
import { fleetKey } from "../../src/fleet/keys.ts";
import { ownAddresses } from "../../src/fleet/scope.ts";
import { conn, iface, listen, proc, procs, route, snap } from "../diff/_build.ts";

const T0 = "2026-01-01T00:00:00.000Z", T1 = "2026-01-01T00:01:00.000Z";

/** The fleet keys of the changes between two snapshots, with their wording. */
function keys(a: Snapshot, b: Snapshot) {
  const ctx = { before: ownAddresses(a.interfaces), after: ownAddresses(b.interfaces) };
  return diffSnapshots(a, b).changes
    .filter((c) => !["counter-increased", "gauge-changed", "interface-traffic"].includes(c.kind))
    .map((c) => ({ kind: c.kind, ...fleetKey(c, ctx) }));
}

const eth0 = (address: string, over = {}) =>
  iface("eth0", { addresses: [{ family: "inet", address, prefixLength: 24 }], ...over });

test("listeners: pids and start times are not part of the key; the host's own address is its scope", () => {
  const host = (own: string, pid: number, start: string) =>
    [
      snap(T0, {
        interfaces: [eth0(own)],
        connections: [listen("0.0.0.0", 80, pid)],
        processes: procs(proc(pid, "nginx", "2026-01-01T00:00:00.000Z")),
      }),
      snap(T1, {
        interfaces: [eth0(own)],
        connections: [listen("0.0.0.0", 80, pid + 1), listen(own, 8080, pid + 2)],
        processes: procs(proc(pid + 1, "nginx", start), proc(pid + 2, "app", start)),
      }),
    ] as const;
  const [a1, b1] = host("10.0.1.5", 100, "2026-01-01T00:00:30.000Z");
  const [a2, b2] = host("10.0.2.7", 900, "2026-01-01T00:00:40.000Z");
  const k1 = keys(a1, b1), k2 = keys(a2, b2);
  assert.deepEqual(k1.map((k) => k.key), k2.map((k) => k.key));
  assert.deepEqual(k1.map((k) => `${k.kind} ${k.what}`), [
    "listener-restarted tcp 0.0.0.0:80 (nginx)",
    "listener-opened tcp <own private IPv4>:8080 (app)",
  ]);
  assert.equal(k1[1]!.literal, "tcp 10.0.1.5:8080 (app)");
  assert.equal(k2[1]!.literal, "tcp 10.0.2.7:8080 (app)");
});

test("listener owner and exposure changes keep both programs and both reaches", () => {
  const a = snap(T0, {
    interfaces: [eth0("10.0.1.5")],
    connections: [listen("0.0.0.0", 80, 1), listen("127.0.0.1", 9100, 2)],
    processes: procs(proc(1, "nginx"), proc(2, "node_exporter")),
  });
  const b = snap(T1, {
    interfaces: [eth0("10.0.1.5")],
    connections: [listen("0.0.0.0", 80, 3), listen("10.0.1.5", 9100, 2)],
    processes: procs(proc(3, "caddy"), proc(2, "node_exporter")),
  });
  assert.deepEqual(keys(a, b).map((k) => [k.key, k.what]), [
    [
      {
        protocol: "tcp",
        family: "inet",
        address: "0.0.0.0",
        port: 80,
        program: "caddy",
        was: "nginx",
      },
      "tcp 0.0.0.0:80 now held by caddy, was nginx",
    ],
    [
      {
        protocol: "tcp",
        port: 9100,
        program: "node_exporter",
        exposure: "widened",
        from: "127.0.0.1",
        to: "<own private IPv4>",
      },
      "tcp port 9100 (node_exporter) widened from 127.0.0.1 to <own private IPv4>",
    ],
  ]);
});

test("sessions: clients generalised to their scope, servers kept, counts left out", () => {
  const a = snap(T0, {
    interfaces: [eth0("10.0.1.5")],
    connections: [listen("0.0.0.0", 443, 1)],
    processes: procs(proc(1, "nginx")),
  });
  const b = snap(T1, {
    interfaces: [eth0("10.0.1.5")],
    connections: [
      listen("0.0.0.0", 443, 1),
      conn("10.0.1.5", 443, "203.0.113.9", 50000),
      conn("10.0.1.5", 443, "203.0.113.9", 50001),
      conn("10.0.1.5", 40000, "10.9.0.1", 5432),
      conn("10.0.1.5", 40001, "10.0.1.5", 8080),
    ],
    processes: procs(proc(1, "nginx")),
  });
  assert.deepEqual(keys(a, b).map((k) => k.what), [
    "inbound tcp to port 443 from <public IPv4>",
    "outbound tcp to <own private IPv4>:8080",
    "outbound tcp to 10.9.0.1:5432",
  ]);
});

test("routes: destinations, gateways and interfaces kept; the host's own addresses scoped", () => {
  const a = snap(T0, {
    interfaces: [eth0("10.0.1.5")],
    routes: [route("0.0.0.0/0", { gateway: "10.0.1.1" })],
  });
  const b = snap(T1, {
    interfaces: [eth0("10.0.1.5")],
    routes: [
      route("0.0.0.0/0", { gateway: "10.0.1.254" }),
      route("10.0.1.5/32", { table: 255, type: "local", source: "10.0.1.5", scope: "host" }),
      route("10.40.0.0/16", { gateway: "10.0.1.1" }),
    ],
  });
  assert.deepEqual(keys(a, b).map((k) => `${k.kind} ${k.what}`), [
    "route-changed IPv4 0.0.0.0/0: gateway 10.0.1.1 → 10.0.1.254",
    "route-added IPv4 10.40.0.0/16 via 10.0.1.1 dev eth0",
    "route-added IPv4 local <own private IPv4>/32 dev eth0 table local",
  ]);
});

test("interfaces: MTU, state and flags kept, a MAC change is only 'changed', addresses scoped", () => {
  const a = snap(T0, { interfaces: [eth0("10.0.1.5", { mac: "52:54:00:00:00:01" })] });
  const b = snap(T1, {
    interfaces: [
      iface("eth0", {
        mtu: 9000,
        mac: "52:54:00:00:00:02",
        flags: ["BROADCAST", "LOWER_UP", "MULTICAST", "PROMISC", "UP"],
        addresses: [
          { family: "inet", address: "10.0.1.5", prefixLength: 24 },
          { family: "inet", address: "10.0.1.6", prefixLength: 24 },
        ],
      }),
      iface("wg0", { addresses: [] }),
    ],
  });
  assert.deepEqual(keys(a, b).map((k) => [k.key, k.what]), [
    [
      {
        interface: "eth0",
        mtu: "1500 → 9000",
        mac: "changed",
        flags: "+PROMISC",
        addressesAdded: "<own private IPv4>/24",
      },
      "interface eth0: MTU 1500 → 9000; MAC changed; flags +PROMISC; address <own private IPv4>/24 added",
    ],
    [{ interface: "wg0" }, "interface wg0"],
  ]);
});

test("counters: a setting keeps both values; a reboot is one key on every host", () => {
  const a = snap(T0, { counters: { Ip: { Forwarding: 2n } } });
  const b = snap(T1, { counters: { Ip: { Forwarding: 1n } } });
  assert.deepEqual(keys(a, b).map((k) => [k.key, k.what]), [
    [{ group: "Ip", name: "Forwarding", before: "2", after: "1" }, "Ip.Forwarding 2 → 1"],
  ]);
  const rebooted = snap(T1, { counters: { Ip: { Forwarding: 1n } } });
  rebooted.meta.host.bootTime = "2026-01-01T00:00:30.000Z";
  const reboot = keys(a, rebooted).find((k) => k.kind === "counter-reset");
  assert.deepEqual(reboot?.key, { group: "*", name: "*" });
  assert.equal(reboot?.what, "the host rebooted between the snapshots");
});

test("docs/diff.md states the fleet key of every kind", () => {
  const doc = readFileSync(new URL("../../docs/diff.md", import.meta.url), "utf8");
  const fleets = doc.slice(doc.indexOf("## Fleets"));
  const table = fleets.slice(fleets.indexOf("| Kind"), fleets.indexOf("**Outliers.**"));
  for (const k of ALL_KINDS) assert.ok(table.includes(`\`${k}\``), k);
});

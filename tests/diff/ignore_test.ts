import { test } from "node:test";
import assert from "node:assert/strict";
import { diffSnapshots, globToRegExp } from "../../src/diff/mod.ts";
import { conn, iface, listen, proc, procs, route, snap } from "./_build.ts";

const T0 = "2026-01-01T00:00:00.000Z", T1 = "2026-01-01T00:01:00.000Z";

function pair() {
  const a = snap(T0, {
    routes: [route("10.1.0.0/16", { interface: "veth12" })],
    interfaces: [iface("eth0")],
  });
  const b = snap(T1, {
    connections: [
      listen("0.0.0.0", 22, 1),
      listen("0.0.0.0", 8081, 2),
      listen("10.244.1.5", 9000, 3),
      conn("10.0.0.5", 41000, "10.0.0.9", 5432, "ESTABLISHED", 2),
    ],
    processes: procs(proc(1, "sshd"), proc(2, "node"), proc(3, "kubelet")),
    routes: [route("10.2.0.0/16", { interface: "veth13" })],
    interfaces: [iface("eth0", { mtu: 9000 }), iface("veth13")],
  });
  return [a, b] as const;
}

const keys = (d: ReturnType<typeof diffSnapshots>) =>
  d.changes.map((c) => `${c.kind} ${Object.values(c.key).join(" ")}`);

test("globToRegExp() matches *, ? and [..] like a shell, anchored", () => {
  assert.ok(globToRegExp("TcpExt.TCP*").test("TcpExt.TCPHPHits"));
  assert.ok(!globToRegExp("TcpExt.TCP*").test("xTcpExt.TCP"));
  assert.ok(globToRegExp("veth?").test("veth1"));
  assert.ok(globToRegExp("eth[01]").test("eth1") && !globToRegExp("eth[01]").test("eth2"));
  assert.ok(globToRegExp("a.b").test("a.b") && !globToRegExp("a.b").test("axb"));
});

test("ignored ports and ranges leave listeners and sessions on them out", () => {
  const [a, b] = pair();
  const d = diffSnapshots(a, b, {
    only: ["listeners", "sessions"],
    ignore: { ports: [22, "5000-8999"] },
  });
  assert.deepEqual(keys(d), ["listener-opened tcp inet 10.244.1.5 9000"]);
});

test("ignored programs leave their sockets out", () => {
  const [a, b] = pair();
  const d = diffSnapshots(a, b, { only: ["listeners", "sessions"], ignore: { programs: ["no*"] } });
  assert.deepEqual(keys(d), [
    "listener-opened tcp inet 0.0.0.0 22",
    "listener-opened tcp inet 10.244.1.5 9000",
  ]);
});

test("ignored interfaces leave the interfaces and their routes out", () => {
  const [a, b] = pair();
  const d = diffSnapshots(a, b, {
    only: ["routes", "interfaces"],
    ignore: { interfaces: ["veth*"] },
  });
  assert.deepEqual(keys(d), ["interface-changed eth0"]);
});

test("ignored CIDRs leave addresses inside them out", () => {
  const [a, b] = pair();
  const d = diffSnapshots(a, b, {
    only: ["listeners", "sessions", "routes"],
    ignore: { addresses: ["10.244.0.0/16", "10.0.0.9", "10.1.0.0/16", "10.2.0.0/16"] },
  });
  assert.deepEqual(keys(d), [
    "listener-opened tcp inet 0.0.0.0 22",
    "listener-opened tcp inet 0.0.0.0 8081",
  ]);
});

test("a bad ignore rule is a usage error", () => {
  const [a, b] = pair();
  assert.throws(() => diffSnapshots(a, b, { ignore: { ports: ["80-20"] } }), /UsageError|port/);
  assert.throws(() => diffSnapshots(a, b, { ignore: { addresses: ["10.0.0.0/40"] } }), /address/);
});

test("a section that failed to capture is not compared, and a warning says so", () => {
  const [a, b] = pair();
  b.meta.sections.routes = { status: "error", error: "permission denied" };
  const d = diffSnapshots(a, b);
  assert.ok(!d.sections.includes("routes"));
  assert.equal(d.changes.filter((c) => c.section === "routes").length, 0);
  assert.ok(
    d.warnings.some((w) => /routes not compared: the after snapshot has no routes/.test(w)),
  );
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { diffSnapshots } from "../../src/diff/mod.ts";
import { changeAt, listen, proc, procs, snap } from "./_build.ts";

const T0 = "2026-01-01T00:00:00.000Z", T1 = "2026-01-01T00:05:00.000Z";
const kinds = (d: ReturnType<typeof diffSnapshots>) => d.changes.map((c) => c.kind);

test("diffSnapshots() reports a new listener as listener-opened with its program", () => {
  const a = snap(T0);
  const b = snap(T1, {
    connections: [listen("0.0.0.0", 8080, 10)],
    processes: procs(proc(10, "app")),
  });
  const d = diffSnapshots(a, b, { only: ["listeners"] });
  assert.deepEqual(kinds(d), ["listener-opened"]);
  const c = changeAt(d, "listener-opened");
  assert.deepEqual(c.key, { protocol: "tcp", family: "inet", address: "0.0.0.0", port: 8080 });
  assert.equal(c.after.program, "app");
  assert.match(c.summary, /tcp 0\.0\.0\.0:8080 opened by app \(pid 10\)/);
});

test("diffSnapshots() reports a listener that went away as listener-closed", () => {
  const a = snap(T0, {
    connections: [listen("127.0.0.1", 5432, 7)],
    processes: procs(proc(7, "postgres")),
  });
  const d = diffSnapshots(a, snap(T1), { only: ["listeners"] });
  assert.deepEqual(kinds(d), ["listener-closed"]);
});

test("a new pid of the same program on the same address is listener-restarted", () => {
  const a = snap(T0, {
    connections: [listen("0.0.0.0", 80, 10)],
    processes: procs(proc(10, "nginx")),
  });
  const b = snap(T1, {
    connections: [listen("0.0.0.0", 80, 11)],
    processes: procs(proc(11, "nginx", "2026-01-01T00:04:00.000Z")),
  });
  const d = diffSnapshots(a, b, { only: ["listeners"] });
  assert.deepEqual(kinds(d), ["listener-restarted"]);
  assert.match(d.changes[0]!.summary, /restarted \(pid 10 → 11\)/);
});

test("the same pid with a new start time (pid reuse) is listener-restarted", () => {
  const a = snap(T0, {
    connections: [listen("0.0.0.0", 80, 10)],
    processes: procs(proc(10, "nginx")),
  });
  const b = snap(T1, {
    connections: [{ ...listen("0.0.0.0", 80, 10), inode: 77 }],
    processes: procs(proc(10, "nginx", "2026-01-01T00:03:00.000Z")),
  });
  const d = diffSnapshots(a, b, { only: ["listeners"] });
  assert.deepEqual(kinds(d), ["listener-restarted"]);
  assert.match(
    d.changes[0]!.summary,
    /pid 10, started 2026-01-01T00:00:00\.000Z → 2026-01-01T00:03:00\.000Z\)$/,
  );
});

test("another program on the same address and port is listener-owner-changed", () => {
  const a = snap(T0, {
    connections: [listen("0.0.0.0", 80, 10)],
    processes: procs(proc(10, "nginx")),
  });
  const b = snap(T1, {
    connections: [listen("0.0.0.0", 80, 20)],
    processes: procs(proc(20, "caddy")),
  });
  const d = diffSnapshots(a, b, { only: ["listeners"] });
  assert.deepEqual(kinds(d), ["listener-owner-changed"]);
  assert.match(d.changes[0]!.summary, /now held by caddy \(pid 20\), was nginx \(pid 10\)/);
});

test("an unknown owner on one side is no owner change (not root, not a new program)", () => {
  const a = snap(T0, {
    connections: [listen("0.0.0.0", 80, 10)],
    processes: procs(proc(10, "nginx")),
  });
  const b = snap(T1, { connections: [listen("0.0.0.0", 80)] });
  assert.deepEqual(kinds(diffSnapshots(a, b, { only: ["listeners"] })), []);
});

test("a graceful reload that only replaces workers is no change (pid is the master)", () => {
  const c0 = { ...listen("0.0.0.0", 80, 10), pids: [10, 11, 12] };
  const c1 = { ...listen("0.0.0.0", 80, 10), pids: [10, 13, 14] };
  const a = snap(T0, { connections: [c0], processes: procs(proc(10, "nginx")) });
  const b = snap(T1, { connections: [c1], processes: procs(proc(10, "nginx")) });
  assert.deepEqual(kinds(diffSnapshots(a, b, { only: ["listeners"] })), []);
});

test("127.0.0.1 → 0.0.0.0 of the same program and port is one listener-exposure-changed, widened", () => {
  const a = snap(T0, {
    connections: [listen("127.0.0.1", 9000, 10)],
    processes: procs(proc(10, "app")),
  });
  const b = snap(T1, {
    connections: [listen("0.0.0.0", 9000, 10)],
    processes: procs(proc(10, "app")),
  });
  const d = diffSnapshots(a, b, { only: ["listeners"] });
  assert.deepEqual(kinds(d), ["listener-exposure-changed"]);
  const c = changeAt(d, "listener-exposure-changed");
  assert.equal(c.exposure, "widened");
  assert.equal(c.before.address, "127.0.0.1");
  assert.equal(c.after.address, "0.0.0.0");
  assert.match(c.summary, /widened from 127\.0\.0\.1 to 0\.0\.0\.0/);
});

test("0.0.0.0 → ::1 across families is still paired, as narrowed", () => {
  const a = snap(T0, {
    connections: [listen("0.0.0.0", 9000, 10)],
    processes: procs(proc(10, "app")),
  });
  const b = snap(T1, { connections: [listen("::1", 9000, 11)], processes: procs(proc(11, "app")) });
  const d = diffSnapshots(a, b, { only: ["listeners"] });
  assert.deepEqual(kinds(d), ["listener-exposure-changed"]);
  assert.equal(changeAt(d, "listener-exposure-changed").exposure, "narrowed");
});

test("a move to another address by another program is closed + opened, not an exposure change", () => {
  const a = snap(T0, {
    connections: [listen("127.0.0.1", 9000, 10)],
    processes: procs(proc(10, "app")),
  });
  const b = snap(T1, {
    connections: [listen("0.0.0.0", 9000, 20)],
    processes: procs(proc(20, "other")),
  });
  assert.deepEqual(kinds(diffSnapshots(a, b, { only: ["listeners"] })).sort(), [
    "listener-closed",
    "listener-opened",
  ]);
});

test("UDP bound sockets are listeners too; a connected UDP socket is not", () => {
  const udp = { ...listen("0.0.0.0", 53, 5), protocol: "udp" as const, state: "UNCONN" };
  const b = snap(T1, { connections: [udp], processes: procs(proc(5, "dnsmasq")) });
  const d = diffSnapshots(snap(T0), b, { only: ["listeners"] });
  assert.equal(d.changes.length, 1);
  assert.equal(changeAt(d, "listener-opened").key.protocol, "udp");
});

test("pairing stays linear: 20k listeners of one program on one port moved diff quickly", () => {
  const n = 20_000;
  const before = [], after = [];
  for (let i = 0; i < n; i++) {
    before.push(listen(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 80, 1));
    after.push(listen(`10.200.${(i >> 8) & 255}.${i & 255}`, 80, 1));
  }
  const p = procs(proc(1, "app"));
  const t0 = performance.now();
  const d = diffSnapshots(
    snap(T0, { connections: before, processes: p }),
    snap(T1, { connections: after, processes: p }),
    { only: ["listeners"] },
  );
  assert.ok(performance.now() - t0 < 3000);
  assert.ok(d.changes.length > 0 && d.changes.length <= 2 * n);
});

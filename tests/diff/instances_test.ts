/**
 * Listener identity on hand-built snapshots shaped like the captures of issue 15: SO_REUSEPORT
 * instances, reloads seen from root, as another user and from `ss -tlnp` imports, and the owner
 * evidence a restart or an owner change needs.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Connection } from "../../src/model.ts";
import { diffSnapshots, gateTrips, parseGate } from "../../src/diff/mod.ts";
import { changeAt, listen, proc, procs, snap } from "./_build.ts";

const T0 = "2026-01-01T00:00:00.000Z", T1 = "2026-01-01T00:05:00.000Z";
const only = { only: ["listeners" as const] };
const kinds = (d: ReturnType<typeof diffSnapshots>) => d.changes.map((c) => c.kind);

/** A socket on 127.0.0.1:7100 with its own inode, held by `pids` (the first is the owner). */
function reuse(inode: number, ...pids: number[]): Connection {
  return { ...listen("127.0.0.1", 7100, pids[0]), inode, pids };
}

test("two SO_REUSEPORT holders, one killed: listener-instance-removed with 1 left, gated by listener-closed", () => {
  const ps = procs(proc(10, "python3"), proc(11, "python3"));
  const a = snap(T0, { connections: [reuse(1, 10), reuse(2, 11)], processes: ps });
  const b = snap(T1, { connections: [reuse(1, 10)], processes: ps });
  const d = diffSnapshots(a, b, only);
  assert.deepEqual(kinds(d), ["listener-instance-removed"]);
  const c = changeAt(d, "listener-instance-removed");
  assert.deepEqual([c.count, c.before.instances, c.after.instances], [1, 2, undefined]);
  assert.equal(c.removed[0]?.pid, 11);
  assert.equal(c.summary, "tcp 127.0.0.1:7100: 1 instance closed (python3 (pid 11)), 1 left");
  assert.equal(gateTrips(parseGate(["listener-closed"]), c), true);
  assert.equal(gateTrips(parseGate(["listener-opened"]), c), false);
});

test("a third instance joining is listener-instance-added, gated by listener-opened", () => {
  const ps = procs(proc(10, "python3"), proc(11, "python3"), proc(12, "python3"));
  const a = snap(T0, { connections: [reuse(1, 10), reuse(2, 11)], processes: ps });
  const b = snap(T1, { connections: [reuse(1, 10), reuse(2, 11), reuse(3, 12)], processes: ps });
  const d = diffSnapshots(a, b, only);
  assert.deepEqual(kinds(d), ["listener-instance-added"]);
  const c = changeAt(d, "listener-instance-added");
  assert.equal(c.summary, "tcp 127.0.0.1:7100: 1 instance added (python3 (pid 12)), 3 now");
  assert.equal(c.notable, undefined);
  assert.equal(gateTrips(parseGate(["listener-opened"]), c), true);
});

test("socat joining python3's port is an instance of another program: notable, no owner change", () => {
  const a = snap(T0, { connections: [reuse(1, 10)], processes: procs(proc(10, "python3")) });
  const b = snap(T1, {
    connections: [reuse(1, 10), reuse(4, 20)],
    processes: procs(proc(10, "python3"), proc(20, "socat")),
  });
  const d = diffSnapshots(a, b, only);
  assert.deepEqual(kinds(d), ["listener-instance-added"]);
  const c = changeAt(d, "listener-instance-added");
  assert.equal(c.notable, true);
  assert.match(c.summary, /socat \(pid 20\)\), 2 now; a program that did not listen here before$/);
  assert.doesNotMatch(c.summary, /is now held by/);
});

test("every instance replaced by the same program is one listener-restarted, with the instance counts", () => {
  const a = snap(T0, {
    connections: [reuse(1, 10), reuse(2, 11)],
    processes: procs(proc(10, "python3"), proc(11, "python3")),
  });
  const b = snap(T1, {
    connections: [reuse(5, 30), reuse(6, 31), reuse(7, 32)],
    processes: procs(proc(30, "python3"), proc(31, "python3"), proc(32, "python3")),
  });
  const d = diffSnapshots(a, b, only);
  assert.deepEqual(kinds(d), ["listener-restarted"]);
  assert.equal(
    d.changes[0]!.summary,
    "tcp 127.0.0.1:7100: python3 restarted (pids 10, 11 → 30, 31, 32; 2 instances → 3)",
  );
});

test("nginx -s reload seen as root: same socket, same master, new workers: no change", () => {
  const ps = procs(proc(100, "nginx"), proc(101, "nginx"), proc(105, "nginx"));
  const a = snap(T0, { connections: [reuse(9, 100, 101, 102)], processes: ps });
  const b = snap(T1, { connections: [reuse(9, 100, 105, 106)], processes: ps });
  assert.deepEqual(diffSnapshots(a, b, only).changes, []);
});

test("nginx -s reload seen as the workers' user (master invisible): the socket survived, no restart", () => {
  // Only the workers' descriptors were readable; the lowest visible holder is a worker.
  const a = snap(T0, {
    connections: [reuse(9, 101, 102)],
    processes: procs(proc(101, "nginx"), proc(102, "nginx")),
  });
  const b = snap(T1, {
    connections: [reuse(9, 105, 106)],
    processes: procs(proc(105, "nginx", T1), proc(106, "nginx", T1)),
  });
  const d = diffSnapshots(a, b, only);
  assert.deepEqual(d.changes, []);
  assert.equal(hasGate(d, "listener-restarted"), false);
});

function hasGate(d: ReturnType<typeof diffSnapshots>, kind: string): boolean {
  return d.changes.some((c) => gateTrips(parseGate([kind]), c));
}

/** An `ss -tlnp` import: no inode, no uid, holders with names only. */
function ssImported(pids: number[]): Connection {
  const { inode: _i, uid: _u, ...c } = listen("127.0.0.1", 7100, pids[0]);
  return { ...c, pids };
}

test("ss -tlnp imports of a reload: the holder sets overlap (the master stays), so no restart", () => {
  const names = (pids: number[]) => procs(...pids.map((p) => ({ pid: p, name: "nginx" })));
  const noBoot = (s: ReturnType<typeof snap>) => {
    delete s.meta.host.bootTime;
    return s;
  };
  const a = noBoot(
    snap(T0, { connections: [ssImported([100, 101, 102])], processes: names([100, 101, 102]) }),
  );
  const b = noBoot(
    snap(T1, { connections: [ssImported([100, 105, 106])], processes: names([100, 105, 106]) }),
  );
  assert.deepEqual(diffSnapshots(a, b, only).changes, []);
  // A real restart: nothing in common.
  const c = noBoot(
    snap(T1, { connections: [ssImported([200, 201, 202])], processes: names([200, 201, 202]) }),
  );
  assert.deepEqual(kinds(diffSnapshots(a, c, only)), ["listener-restarted"]);
});

test("ss -tlnp imports run as the workers' user: all-new workers are no restart claim (owner not evidenced)", () => {
  const names = (pids: number[]) => procs(...pids.map((p) => ({ pid: p, name: "nginx" })));
  // ss run as a user shows that user's processes only: root's sshd listens with no holder.
  const sshd = () => {
    const { inode: _i, uid: _u, pid: _p, ...c } = listen("0.0.0.0", 22);
    return c;
  };
  const imported = (at: string, pids: number[]) => {
    const s = snap(at, { connections: [ssImported(pids), sshd()], processes: names(pids) });
    delete s.meta.host.bootTime;
    s.meta.source = { kind: "import", formats: ["ss"], files: ["ss.txt"] };
    return s;
  };
  // A reload: the master (out of sight) stays, its workers are replaced.
  const reload = diffSnapshots(imported(T0, [101, 102]), imported(T1, [105, 106]), only);
  assert.deepEqual(reload.changes, []);
  assert.equal(hasGate(reload, "listener-restarted"), false);
  // Run as root (every listener has its holders), all-new holders are still a restart.
  const root = (at: string, pids: number[]) => {
    const s = imported(at, pids);
    s.connections = s.connections.filter((c) => c.localPort !== 22);
    return s;
  };
  assert.deepEqual(
    kinds(diffSnapshots(root(T0, [100, 101]), root(T1, [200, 201]), only)),
    ["listener-restarted"],
  );
});

test("one pid seen live (with a start time) and imported (without) is one process: no restart, no '→ ?'", () => {
  const live = snap(T0, {
    connections: [listen("0.0.0.0", 80, 100)],
    processes: procs(proc(100, "nginx")),
  });
  const { inode: _inode, ...noInode } = listen("0.0.0.0", 80, 100);
  const imported = snap(T1, {
    connections: [noInode],
    processes: procs({ pid: 100, name: "nginx" }),
  });
  const d = diffSnapshots(live, imported, only);
  assert.deepEqual(d.changes, []);
  assert.ok(!JSON.stringify(d).includes("?"));
});

test("a new executable of the same program is listener-restarted with exe A → B, not an owner change", () => {
  const a = snap(T0, {
    connections: [listen("0.0.0.0", 80, 100)],
    processes: procs({ ...proc(100, "nginx"), exe: "/usr/sbin/nginx (deleted)" }),
  });
  const b = snap(T1, {
    connections: [listen("0.0.0.0", 80, 200)],
    processes: procs({ ...proc(200, "nginx", T1), exe: "/opt/nginx/sbin/nginx" }),
  });
  const d = diffSnapshots(a, b, only);
  assert.deepEqual(kinds(d), ["listener-restarted"]);
  assert.match(
    d.changes[0]!.summary,
    /\(pid 100 → 200; exe \/usr\/sbin\/nginx \(deleted\) → \/opt\/nginx\/sbin\/nginx\)$/,
  );
});

test("busybox httpd replaced by busybox nc on the same port is listener-owner-changed", () => {
  const bb = (pid: number, applet: string) => ({
    ...proc(pid, "busybox"),
    exe: "/usr/bin/busybox",
    invokedAs: applet,
  });
  const a = snap(T0, {
    connections: [listen("0.0.0.0", 8080, 10)],
    processes: procs(bb(10, "httpd")),
  });
  const b = snap(T1, {
    connections: [listen("0.0.0.0", 8080, 11)],
    processes: procs(bb(11, "nc")),
  });
  const d = diffSnapshots(a, b, only);
  assert.deepEqual(kinds(d), ["listener-owner-changed"]);
  assert.equal(
    d.changes[0]!.summary,
    "tcp 0.0.0.0:8080 is now held by nc (pid 11), was httpd (pid 10)",
  );
});

test("a socket whose owner is unknown on one side (not root) is no owner claim, even when replaced", () => {
  const a = snap(T0, {
    connections: [listen("0.0.0.0", 80, 10)],
    processes: procs(proc(10, "nginx")),
  });
  const b = snap(T1, { connections: [{ ...listen("0.0.0.0", 80), inode: 4242 }] });
  assert.deepEqual(diffSnapshots(a, b, only).changes, []);
});

test("a new listener on a non-loopback address is notable, on loopback it is not; widened is notable", () => {
  const b = snap(T1, {
    connections: [listen("127.0.0.1", 8080, 1), listen("10.0.0.5", 8081, 1), listen("::", 8082, 1)],
    processes: procs(proc(1, "app")),
  });
  const d = diffSnapshots(snap(T0), b, only);
  assert.deepEqual(d.changes.map((c) => c.notable ?? false), [false, true, true]);
  const wide = diffSnapshots(
    snap(T0, { connections: [listen("127.0.0.1", 9100, 1)], processes: procs(proc(1, "app")) }),
    snap(T1, { connections: [listen("::", 9100, 1)], processes: procs(proc(1, "app")) }),
    only,
  );
  const c = changeAt(wide, "listener-exposure-changed");
  assert.equal(c.notable, true);
  assert.match(c.summary, /widened from 127\.0\.0\.1 to \[::\]: now reachable/);
  assert.equal(gateTrips(parseGate(["notable"]), c), true);
});

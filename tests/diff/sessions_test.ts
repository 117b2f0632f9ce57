import { test } from "node:test";
import assert from "node:assert/strict";
import { diffSnapshots } from "../../src/diff/mod.ts";
import { changeAt, conn, listen, proc, procs, snap } from "./_build.ts";

const T0 = "2026-01-01T00:00:00.000Z", T1 = "2026-01-01T00:01:00.000Z";

test("inbound sessions are grouped by service port and remote address, with counts", () => {
  const l = listen("0.0.0.0", 443, 1);
  const a = snap(T0, { connections: [l, conn("10.0.0.5", 443, "192.0.2.7", 50000)] });
  const b = snap(T1, {
    connections: [
      l,
      conn("10.0.0.5", 443, "192.0.2.7", 50001),
      conn("10.0.0.5", 443, "192.0.2.7", 50002),
      conn("10.0.0.5", 443, "192.0.2.7", 50003),
    ],
  });
  const d = diffSnapshots(a, b, { only: ["sessions"] });
  const opened = d.changes.find((c) => c.kind === "session-opened")!;
  const closed = d.changes.find((c) => c.kind === "session-closed")!;
  assert.deepEqual(opened.key, {
    direction: "inbound",
    protocol: "tcp",
    localPort: 443,
    remoteAddress: "192.0.2.7",
  });
  assert.equal(opened.count, 3);
  assert.deepEqual([opened.before, opened.after], [{ count: 1 }, { count: 3 }]);
  assert.equal(closed.count, 1);
  assert.match(
    opened.summary,
    /inbound tcp to port 443 from 192\.0\.2\.7: 3 sessions opened \(1 → 3\)/,
  );
});

test("outbound sessions are grouped by remote address and port", () => {
  const b = snap(T1, {
    connections: [
      conn("10.0.0.5", 40001, "10.0.0.9", 5432),
      conn("10.0.0.5", 40002, "10.0.0.9", 5432),
    ],
  });
  const d = diffSnapshots(snap(T0), b, { only: ["sessions"] });
  assert.equal(d.changes.length, 1);
  const c = changeAt(d, "session-opened");
  assert.deepEqual(c.key, {
    direction: "outbound",
    protocol: "tcp",
    remoteAddress: "10.0.0.9",
    remotePort: 5432,
  });
  assert.equal(c.count, 2);
});

test("--detail lists every 5-tuple with its state and program", () => {
  const b = snap(T1, {
    connections: [conn("10.0.0.5", 40001, "10.0.0.9", 5432, "ESTABLISHED", 3)],
    processes: procs(proc(3, "psql")),
  });
  const d = diffSnapshots(snap(T0), b, { only: ["sessions"], detail: true });
  assert.equal(d.changes.length, 1);
  const c = changeAt(d, "session-opened");
  assert.deepEqual(c.key, {
    protocol: "tcp",
    localAddress: "10.0.0.5",
    localPort: 40001,
    remoteAddress: "10.0.0.9",
    remotePort: 5432,
  });
  assert.deepEqual(c.after, { state: "ESTABLISHED", pid: 3, program: "psql" });
});

test("a session whose state changed is no session change, but shows in the TCP state table", () => {
  const a = snap(T0, { connections: [conn("10.0.0.5", 40001, "10.0.0.9", 80)] });
  const b = snap(T1, { connections: [conn("10.0.0.5", 40001, "10.0.0.9", 80, "CLOSE_WAIT")] });
  const d = diffSnapshots(a, b, { only: ["sessions"] });
  assert.deepEqual(d.changes, []);
  assert.deepEqual({ ...d.tcpStates }, {
    CLOSE_WAIT: { before: 0, after: 1 },
    ESTABLISHED: { before: 1, after: 0 },
  });
});

test("a CLOSE_WAIT build-up is called out as session-state-buildup, notable", () => {
  const many = Array.from(
    { length: 40 },
    (_, i) => conn("10.0.0.5", 41000 + i, "10.0.0.9", 80, "CLOSE_WAIT"),
  );
  const d = diffSnapshots(snap(T0), snap(T1, { connections: many }), { only: ["sessions"] });
  const b = d.changes.find((c) => c.kind === "session-state-buildup")!;
  assert.deepEqual(b.key, { state: "CLOSE_WAIT" });
  assert.equal(b.notable, true);
  assert.match(b.summary, /CLOSE_WAIT sockets rose from 0 to 40/);
});

test("a few TIME_WAIT sockets are not a build-up", () => {
  const few = Array.from(
    { length: 5 },
    (_, i) => conn("10.0.0.5", 41000 + i, "10.0.0.9", 80, "TIME_WAIT"),
  );
  const d = diffSnapshots(snap(T0), snap(T1, { connections: few }), { only: ["sessions"] });
  assert.equal(d.changes.filter((c) => c.kind === "session-state-buildup").length, 0);
});

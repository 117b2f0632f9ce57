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
    /inbound tcp to port 443 from 192\.0\.2\.7: 3 sessions opened \(1 → 3 open\)$/,
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

test("an established session left in CLOSE_WAIT is session-half-closed, and in the state table", () => {
  const a = snap(T0, { connections: [conn("10.0.0.5", 40001, "10.0.0.9", 80)] });
  const b = snap(T1, { connections: [conn("10.0.0.5", 40001, "10.0.0.9", 80, "CLOSE_WAIT")] });
  const d = diffSnapshots(a, b, { only: ["sessions"] });
  assert.deepEqual(d.changes.map((c) => c.kind), ["session-half-closed"]);
  const c = changeAt(d, "session-half-closed");
  assert.deepEqual([c.count, c.states, c.orphaned, c.notable], [
    1,
    { CLOSE_WAIT: 1 },
    undefined,
    undefined,
  ]);
  assert.equal(
    c.summary,
    "outbound tcp to 10.0.0.9:80: 1 session left half-closed (CLOSE_WAIT) (1 → 0 open)",
  );
  assert.deepEqual({ ...d.tcpStates }, {
    CLOSE_WAIT: { before: 0, after: 1 },
    ESTABLISHED: { before: 1, after: 0 },
  });
});

test("a state change that opens or closes nothing (SYN_SENT → gone, FIN_WAIT1 → TIME_WAIT) is no session change", () => {
  const a = snap(T0, {
    connections: [
      conn("10.0.0.5", 40001, "10.0.0.9", 80, "SYN_SENT"),
      conn("10.0.0.5", 40002, "10.0.0.9", 80, "FIN_WAIT1"),
    ],
  });
  const b = snap(T1, { connections: [conn("10.0.0.5", 40002, "10.0.0.9", 80, "TIME_WAIT")] });
  for (const detail of [false, true]) {
    assert.deepEqual(diffSnapshots(a, b, { only: ["sessions"], detail }).changes, []);
  }
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

/** Seven psql sessions to postgres on 10.0.0.5:5432, as both ends see them on one host. */
function pgSessions(server: string, client: string, serverInode?: number, serverPid?: number) {
  return Array.from({ length: 7 }, (_, i) => [
    {
      ...conn("10.0.0.5", 5432, "10.0.0.5", 50000 + i, server, serverPid),
      inode: serverInode ?? 7000 + i,
    },
    conn("10.0.0.5", 50000 + i, "10.0.0.5", 5432, client),
  ]).flat();
}

test("postgres killed with 7 sessions open: the server side is left half-closed and orphaned, inbound", () => {
  const before = snap(T0, {
    connections: [
      listen("10.0.0.5", 5432, 50),
      ...pgSessions("ESTABLISHED", "ESTABLISHED", undefined, 50),
    ],
    processes: procs(proc(50, "postgres")),
  });
  // Killed and restarted: a new listener; the old server sockets linger in FIN_WAIT2 with no
  // process (inode 0), the psql ends sit in CLOSE_WAIT.
  const after = snap(T1, {
    connections: [listen("10.0.0.5", 5432, 60), ...pgSessions("FIN_WAIT2", "CLOSE_WAIT", 0)],
    processes: procs(proc(60, "postgres", T1)),
  });
  const d = diffSnapshots(before, after, { only: ["sessions"] });
  assert.deepEqual(d.changes.map((c) => c.kind), ["session-half-closed", "session-half-closed"]);
  const server = changeAt(d, "session-half-closed", 0);
  assert.deepEqual(server.key, {
    direction: "inbound",
    protocol: "tcp",
    localPort: 5432,
    remoteAddress: "10.0.0.5",
  });
  assert.deepEqual([server.count, server.states, server.orphaned, server.notable], [
    7,
    { FIN_WAIT2: 7 },
    7,
    true,
  ]);
  assert.equal(
    server.summary,
    "inbound tcp to port 5432 from 10.0.0.5: 7 sessions left half-closed (FIN_WAIT2, 7 held by no process) (7 → 0 open)",
  );
  const client = changeAt(d, "session-half-closed", 1);
  assert.equal("direction" in client.key && client.key.direction, "outbound");
  assert.deepEqual([client.states, client.orphaned], [{ CLOSE_WAIT: 7 }, undefined]);
  // Without the listener in the after snapshot the orphans are still inbound: it listened before.
  const down = { ...after, connections: after.connections.filter((c) => c.state !== "LISTEN") };
  const d2 = diffSnapshots(before, down, { only: ["sessions"] });
  const orphans = changeAt(d2, "session-half-closed", 0).key;
  assert.equal("direction" in orphans && orphans.direction, "inbound");
  // --detail lists each 5-tuple: 14 half-closed, not "no changes".
  const detail = diffSnapshots(before, after, { only: ["sessions"], detail: true });
  const rows = detail.changes.filter((c) => c.kind === "session-half-closed");
  assert.equal(rows.length, 14);
  // A server socket now held by no process was postgres's: "(was postgres)", not "(postgres)".
  const serverRows = rows.filter((c) => c.summary.includes(":5432 ↔"));
  assert.equal(serverRows.length, 7);
  for (const c of serverRows) {
    assert.match(
      c.summary,
      /^tcp 10\.0\.0\.5:5432 ↔ 10\.0\.0\.5:\d+ \(was postgres\): 1 session left half-closed \(FIN_WAIT2, 1 held by no process\)$/,
    );
  }
});

test("SYN_SENT and TIME_WAIT sockets open no session; SYN_SENT piling up to one peer is session-unanswered", () => {
  const attempts = Array.from(
    { length: 25 },
    (_, i) => conn("10.0.0.5", 42000 + i, "203.0.113.9", 5432, "SYN_SENT"),
  );
  const remnants = Array.from(
    { length: 149 },
    (_, i) => conn("10.0.0.5", 43000 + i, "198.51.100.1", 443, "TIME_WAIT"),
  );
  const d = diffSnapshots(snap(T0), snap(T1, { connections: [...attempts, ...remnants] }), {
    only: ["sessions"],
  });
  assert.deepEqual(d.changes.map((c) => c.kind), ["session-unanswered", "session-state-buildup"]);
  const u = changeAt(d, "session-unanswered");
  assert.deepEqual(u.key, {
    direction: "outbound",
    protocol: "tcp",
    remoteAddress: "203.0.113.9",
    remotePort: 5432,
  });
  assert.deepEqual([u.before.count, u.after.count, u.notable], [0, 25, true]);
  assert.equal(
    u.summary,
    "outbound tcp to 203.0.113.9:5432: 25 connection attempts unanswered (SYN_SENT 0 → 25): the peer does not answer",
  );
  // A few in flight are normal.
  const few = diffSnapshots(snap(T0), snap(T1, { connections: attempts.slice(0, 4) }), {
    only: ["sessions"],
  });
  assert.deepEqual(few.changes, []);
});

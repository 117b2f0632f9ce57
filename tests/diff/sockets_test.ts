/**
 * The diff rules for what netlink captures add: UNIX listeners (opened, closed, another owner,
 * restarted), raw and packet sockets (always notable when new), per-peer TCP health from
 * tcp_info (retransmit deltas by peer with their share, RTT moves) and accept queues near their
 * limit tied to the TcpExt listen counters. Property tests hold the rules to their arithmetic.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { type ChangeOf, diffSnapshots, isKind } from "../../src/diff/mod.ts";
import type { Snapshot } from "../../src/model.ts";
import { proc, procs, snap } from "./_build.ts";
import { packetAll, rawIcmp, socketsPair, tcpSession, unixListener } from "./_sockets.ts";

const T0 = "2026-01-01T00:00:00.000Z", T1 = "2026-01-01T00:01:00.000Z";

const kinds = (a: Snapshot, b: Snapshot) => diffSnapshots(a, b).changes.map((c) => c.kind);

test("UNIX listeners open, close, change owner and restart like TCP ones", () => {
  const [a, b] = socketsPair();
  const doc = diffSnapshots(a, b, { only: ["listeners"] });
  const unix = doc.changes.filter((c) => c.kind.startsWith("unix-listener-"));
  assert.deepEqual(unix.map((c) => [c.kind, (c.key as { path: string }).path]), [
    ["unix-listener-restarted", "/run/containerd/containerd.sock"],
    ["unix-listener-closed", "/run/php/php-fpm.sock"],
    ["unix-listener-owner-changed", "/var/run/docker.sock"],
    ["unix-listener-opened", "@nsnap-test-abstract"],
  ]);
  const owner = doc.changes.find(isKind("unix-listener-owner-changed"))!;
  assert.equal(owner.before.program, "dockerd");
  assert.equal(owner.after.program, "socat");
  assert.equal(owner.notable, true);
});

test("a UNIX listener kept by the same socket or process is no change; an unknown owner never reads as one", () => {
  const base = (pid: number | undefined, inode: number, start?: string) =>
    snap(T0, {
      unixSockets: [unixListener("/run/php/php-fpm.sock", pid, inode)],
      processes: pid === undefined ? {} : procs(proc(pid, "php-fpm", start)),
    });
  // Same inode, other pid (the pid record was reused): the same socket.
  assert.deepEqual(kinds(base(20, 900), { ...base(21, 900), meta: base(21, 900).meta }), []);
  // Same pid and start time, new inode (re-bound by the same process): no restart.
  assert.deepEqual(kinds(base(20, 900), base(20, 901)), []);
  // Unknown owner on one side: nothing claimed.
  assert.deepEqual(kinds(base(undefined, 900), base(21, 901)), []);
  // The same program with a new pid and socket: restarted.
  assert.deepEqual(kinds(base(20, 900), base(21, 901)), ["unix-listener-restarted"]);
});

test("a snapshot without UNIX sockets is not compared for them, and says so", () => {
  const [a, b] = socketsPair();
  delete (b as { unixSockets?: unknown }).unixSockets;
  const doc = diffSnapshots(a, b);
  assert.ok(!doc.changes.some((c) => c.kind.startsWith("unix-listener-")));
  assert.ok(
    doc.warnings.includes("UNIX listeners not compared: the after snapshot has no UNIX sockets"),
  );
});

test("a new packet socket (tcpdump) and a new raw socket (ping) are notable; a kept one is nothing", () => {
  const [a, b] = socketsPair();
  const doc = diffSnapshots(a, b, { only: ["sockets"] });
  assert.deepEqual(doc.sections, ["sockets"]);
  assert.deepEqual(doc.changes.map((c) => [c.kind, c.notable]), [
    ["raw-socket-opened", true],
    ["packet-socket-opened", true],
  ]);
  const pkt = doc.changes.find(isKind("packet-socket-opened"))!;
  assert.deepEqual(pkt.key, { type: "raw", protocol: 3, program: "tcpdump" });
  assert.deepEqual(pkt.after, { count: 1, pids: [50] });
  // dhclient's socket on eth0 stayed (with a new pid after a restart it would too).
  const restarted = structuredClone(b);
  restarted.packetSockets = [packetAll(41, 970, "eth0"), packetAll(50, 961)];
  restarted.processes["41"] = proc(41, "dhclient");
  assert.deepEqual(kinds(a, restarted).filter((k) => k.startsWith("packet-")), [
    "packet-socket-opened",
  ]);
});

test("retransmits of sessions present in both go to their peer, with the share of all", () => {
  const [a, b] = socketsPair();
  const doc = diffSnapshots(a, b, { only: ["sessions"] });
  const r = doc.changes.filter(isKind("session-retransmits"));
  assert.equal(r.length, 2);
  const pg = r.find((c) => c.key.direction === "outbound" && c.key.remotePort === 5432)!;
  assert.equal(pg.retransmits, 1204);
  assert.equal(pg.total, 1210);
  assert.equal(pg.sessions, 2);
  assert.equal(pg.service, "postgresql");
  assert.equal(pg.program, "app");
  assert.equal(pg.notable, true);
  assert.match(pg.summary, /^1,204 of 1,210 retransmits went to 10\.0\.3\.7:5432 \(postgresql\)/);
  const redis = r.find((c) => c !== pg)!;
  assert.equal(redis.retransmits, 6);
  assert.equal(redis.notable, undefined, "6 of 1,210 is not notable");
  const rtt = doc.changes.filter(isKind("session-rtt-changed"));
  assert.equal(rtt.length, 1);
  assert.equal(rtt[0]!.before.rttUs, 410);
  assert.equal(rtt[0]!.after.rttUs, 39_500);
  assert.equal(rtt[0]!.notable, true);
});

test("loss is tcp_info's count of segments lost now, said with the retransmits of their peer", () => {
  // tcpi_lost is a gauge (segments marked lost, not yet retransmitted): the kernel keeps no
  // running total of losses, so the change gives the after snapshot's count; the retransmits
  // (tcpi_total_retrans, a running count) are the delta.
  const s = (retrans: number, lost: number, port: number) =>
    tcpSession(["10.0.0.5", port], ["10.0.3.7", 5432], { totalRetrans: retrans, rtt: 500, lost });
  const before = snap(T0, { connections: [s(10, 5, 40000), s(0, 0, 40001)] });
  const after = snap(T1, { connections: [s(40, 2, 40000), s(12, 1, 40001)] });
  const [r] = diffSnapshots(before, after, { only: ["sessions"] }).changes
    .filter(isKind("session-retransmits"));
  assert.ok(r);
  assert.equal(r.retransmits, 42, "30 + 12: deltas of the running counts");
  assert.equal(r.lost, 3, "2 + 1: the after snapshot's gauges, not 2 - 5 + 1 - 0");
  assert.match(r.summary, /42 of 42 retransmits went to 10\.0\.3\.7:5432 .*, 3 segments lost now$/);
  // No segment lost now: the summary says nothing of loss.
  const clean = snap(T1, { connections: [s(40, 0, 40000), s(12, 0, 40001)] });
  const [q] = diffSnapshots(before, clean, { only: ["sessions"] }).changes
    .filter(isKind("session-retransmits"));
  assert.equal(q!.lost, 0);
  assert.doesNotMatch(q!.summary, /lost/);
});

test("a session whose 5-tuple came back as another socket takes no part", () => {
  const s = (inode: number, retrans: number) => {
    const c = tcpSession(["10.0.0.5", 40000], ["10.0.0.9", 443], {
      totalRetrans: retrans,
      rtt: 500,
    });
    c.inode = inode;
    return c;
  };
  assert.deepEqual(
    kinds(snap(T0, { connections: [s(1, 0)] }), snap(T1, { connections: [s(2, 50)] }))
      .filter((k) => k === "session-retransmits"),
    [],
  );
  assert.deepEqual(
    kinds(snap(T0, { connections: [s(1, 0)] }), snap(T1, { connections: [s(1, 50)] }))
      .filter((k) => k === "session-retransmits"),
    ["session-retransmits"],
  );
});

test("an accept queue near its limit is notable and carries the listen counters' deltas", () => {
  const [a, b] = socketsPair();
  const q = diffSnapshots(a, b).changes.find(isKind("listener-queue-full"))!;
  assert.equal(q.queue, 128);
  assert.equal(q.limit, 128);
  assert.equal(q.queueBefore, 3);
  assert.equal(q.overflows, 342n);
  assert.equal(q.drops, 342n);
  // Full on both sides with no overflow in between: nothing new to say.
  const still = structuredClone(a);
  still.connections[0]!.recvQ = 125;
  still.counters = b.counters;
  assert.ok(!kinds(still, b).includes("listener-queue-full"));
  // Full on both sides and the kernel counted overflows: said again.
  assert.ok(kinds({ ...still, counters: a.counters }, b).includes("listener-queue-full"));
});

/** Sessions to a few peers with random retransmit counts before and growth after. */
const arbSessions = fc.array(
  fc.record({
    peer: fc.integer({ min: 1, max: 4 }),
    port: fc.constantFrom(5432, 6379, 443),
    before: fc.nat({ max: 1000 }),
    grew: fc.nat({ max: 1000 }),
    rtt: fc.integer({ min: 1, max: 200_000 }),
    rtt2: fc.integer({ min: 1, max: 200_000 }),
  }),
  { maxLength: 20 },
);

test("property: per-peer retransmits add up to the total and never exceed it; no change without growth", () => {
  fc.assert(
    fc.property(arbSessions, (list) => {
      const mk = (after: boolean) =>
        list.map((x, i) =>
          tcpSession(["10.0.0.5", 30000 + i], [`10.0.9.${x.peer}`, x.port], {
            totalRetrans: x.before + (after ? x.grew : 0),
            rtt: after ? x.rtt2 : x.rtt,
          }, 7)
        );
      const a = snap(T0, { connections: mk(false), processes: procs(proc(7, "app")) });
      const b = snap(T1, { connections: mk(true), processes: procs(proc(7, "app")) });
      const r = diffSnapshots(a, b).changes.filter(isKind("session-retransmits"));
      const grew = list.reduce((n, x) => n + x.grew, 0);
      assert.equal(r.reduce((n, c) => n + c.retransmits, 0), grew);
      for (const c of r) {
        assert.equal(c.total, grew);
        assert.ok(c.retransmits <= c.total && c.retransmits > 0);
      }
      // Nothing moved: no retransmit changes, no RTT changes.
      assert.deepEqual(diffSnapshots(a, a).changes.filter((c) => c.section === "sessions"), []);
      // Swapped, retransmits never go negative: nothing retransmitted backwards.
      assert.deepEqual(
        diffSnapshots(b, a).changes.filter(isKind("session-retransmits")),
        [],
      );
    }),
    { numRuns: 200 },
  );
});

/** UNIX listeners, raw and packet sockets of a few programs. */
const arbSide = fc.record({
  unix: fc.uniqueArray(fc.constantFrom("/run/a.sock", "/run/b.sock", "@c", "/run/d.sock"), {
    maxLength: 4,
  }),
  raw: fc.array(fc.constantFrom(51, 52), { maxLength: 4 }),
  packet: fc.array(fc.constantFrom(50, 53), { maxLength: 4 }),
});

test("property: swapping the snapshots mirrors opened and closed, and counts add up", () => {
  const names: Record<number, string> = { 50: "tcpdump", 51: "ping", 52: "fping", 53: "dhclient" };
  let inode = 1;
  const side = (
    at: string,
    x: fc.Arbitrary<unknown> extends never ? never : {
      unix: string[];
      raw: number[];
      packet: number[];
    },
  ) =>
    snap(at, {
      unixSockets: x.unix.map((p) => unixListener(p, 60, inode++)),
      rawSockets: x.raw.map((pid) => rawIcmp(pid, inode++)),
      packetSockets: x.packet.map((pid) => packetAll(pid, inode++)),
      processes: procs(proc(60, "daemon"), ...[50, 51, 52, 53].map((p) => proc(p, names[p]!))),
    });
  fc.assert(
    fc.property(arbSide, arbSide, (x, y) => {
      const a = side(T0, x), b = side(T1, y);
      const fwd = diffSnapshots(a, b, { only: ["listeners", "sockets"] }).changes;
      const back = diffSnapshots(b, a, { only: ["listeners", "sockets"] }).changes;
      const flip = (k: string) =>
        k.endsWith("-opened") ? k.replace("-opened", "-closed") : k.replace("-closed", "-opened");
      assert.deepEqual(back.map((c) => flip(c.kind)).sort(), fwd.map((c) => c.kind).sort());
      for (const kind of ["raw", "packet"] as const) {
        const net = fwd.filter((c) => c.kind.startsWith(kind)).reduce(
          (n, c) => n + (c.kind.endsWith("opened") ? 1 : -1) * (c as { count: number }).count,
          0,
        );
        assert.equal(net, y[kind].length - x[kind].length);
        for (const c of fwd.filter((c) => c.kind === `${kind}-socket-opened`)) {
          assert.equal((c as ChangeOf<"raw-socket-opened">).notable, true);
        }
      }
      assert.deepEqual(diffSnapshots(a, a).changes, []);
    }),
    { numRuns: 200 },
  );
});

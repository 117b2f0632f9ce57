/**
 * The watch state machine driven without I/O: samples in, rates, groups, listeners and changes
 * out; keys switch panes, freeze, scroll and quit; owners found once are carried by inode, and
 * a capture with owners is asked for only for a socket not seen before.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Snapshot } from "../../src/model.ts";
import {
  addSample,
  MAX_CHANGES,
  needsOwners,
  pressKey,
  splitKeys,
  startWatch,
  type WatchState,
} from "../../src/watch/model.ts";
import { conn, iface, listen, proc, procs, snap } from "../diff/_build.ts";

const at = (s: number) => new Date(Date.parse("2026-03-01T10:00:00.000Z") + s * 1000).toISOString();

function sample(sec: number, over: Partial<Snapshot> = {}): Snapshot {
  return snap(at(sec), {
    connections: [listen("0.0.0.0", 22, 1), conn("10.0.0.5", 22, "10.0.0.9", 40000 + sec)],
    processes: procs(proc(1, "sshd")),
    interfaces: [iface("eth0", {
      stats: {
        rxBytes: BigInt(10_000 * sec),
        txBytes: BigInt(5_000 * sec),
        rxPackets: BigInt(10 * sec),
        txPackets: 0n,
      },
    })],
    counters: {
      Tcp: { RetransSegs: BigInt(3 * sec * sec), OutRsts: 5n },
      TcpExt: { ListenOverflows: 0n },
    },
    ...over,
  });
}

function run(...snaps: Snapshot[]): WatchState {
  return snaps.reduce((s, x) => addSample(s, x), startWatch("web-1", 1000));
}

test("addSample(): rates per second between the last two samples, totals since the first", () => {
  const s = run(sample(1), sample(2), sample(4));
  const retrans = s.view!.rates.find((r) => r.name === "Tcp.RetransSegs")!;
  assert.equal(retrans.perSecond, (48 - 12) / 2);
  assert.equal(retrans.sinceStart, 45n);
  assert.equal(retrans.label, "TCP segments retransmitted");
  assert.equal(s.view!.rates.find((r) => r.name === "Tcp.OutRsts")!.perSecond, 0);
  assert.deepEqual(s.view!.traffic[0], {
    name: "eth0",
    rxBytes: 10_000,
    txBytes: 5_000,
    rxPackets: 10,
    txPackets: 0,
    trouble: null,
  });
  assert.equal(s.view!.seconds, 2);
  assert.equal(s.samples, 3);
  assert.equal(s.startedAt, at(1));
  // The first sample has nothing to compare with.
  assert.equal(run(sample(1)).view!.rates[0]!.perSecond, null);
});

test("addSample(): a counter that went backwards has no rate, never a negative one", () => {
  const low = sample(5, { counters: { Tcp: { RetransSegs: 1n } } });
  const s = run(sample(4), low);
  const r = s.view!.rates.find((x) => x.name === "Tcp.RetransSegs")!;
  assert.equal(r.perSecond, null);
  assert.equal(r.sinceStart, null);
});

test("addSample(): sessions by TCP state and by remote service, with the change since the last", () => {
  const two = sample(2, {
    connections: [
      listen("0.0.0.0", 22, 1),
      conn("10.0.0.5", 22, "10.0.0.9", 40001),
      conn("10.0.0.5", 22, "10.0.0.8", 40002),
      conn("10.0.0.5", 41000, "10.0.0.7", 5432, "SYN_SENT"),
    ],
  });
  const s = run(sample(1), two);
  assert.deepEqual(s.view!.states, [{ state: "ESTABLISHED", count: 2 }, {
    state: "SYN_SENT",
    count: 1,
  }]);
  assert.deepEqual(s.view!.services, [
    { label: "tcp :22 ← clients", count: 2, delta: 1 },
    { label: "tcp → 10.0.0.7:5432", count: 1, delta: 1 },
  ]);
  assert.equal(s.view!.sessions, 3);
});

test("addSample(): listeners with their accept queue (and the backlog where the capture has it)", () => {
  const busy = { ...listen("0.0.0.0", 8080, 1), recvQ: 7, backlog: 128 } as ReturnType<
    typeof listen
  >;
  const s = run(sample(1, { connections: [listen("0.0.0.0", 22, 1), busy] }));
  assert.deepEqual(s.view!.listeners.map((l) => [l.port, l.recvQ, l.backlog, l.program]), [
    [8080, 7, 128, "sshd"],
    [22, 0, undefined, "sshd"],
  ]);
});

test("addSample(): listener changes are kept with their time, counters are not changes", () => {
  const opened = sample(2, {
    connections: [listen("0.0.0.0", 22, 1), listen("0.0.0.0", 9200, 7)],
    processes: procs(proc(1, "sshd"), proc(7, "python3")),
  });
  const s = run(sample(1), opened, sample(3));
  assert.deepEqual(s.changes.map((c) => [c.at, c.mark, c.kind]), [
    [at(2), "!", "listener-opened"], // on every address: notable
    [at(3), "-", "listener-closed"],
  ]);
  assert.match(s.changes[0]!.summary, /tcp 0\.0\.0\.0:9200 opened by python3/);
});

test("addSample(): at most MAX_CHANGES are kept, the oldest counted as dropped", () => {
  let s = startWatch("web-1", 1000);
  for (let i = 0; i <= MAX_CHANGES / 2 + 5; i++) {
    const connections = [listen("0.0.0.0", 22, 1), ...(i % 2 ? [listen("0.0.0.0", 9000, 9)] : [])];
    s = addSample(s, sample(i + 1, { connections }));
    // Memory stays flat: only the last snapshot is held.
    assert.equal(s.last?.meta.capturedAt, at(i + 1));
  }
  assert.ok(s.changes.length <= MAX_CHANGES);
  assert.equal(s.changes.length + s.droppedChanges, MAX_CHANGES / 2 + 5);
});

test("owners: found once, carried by inode to captures without owners; asked for only when new", () => {
  const withOwner = sample(1);
  let s = run(withOwner);
  const light = sample(2);
  light.connections = light.connections.map(({ pid: _p, pids: _q, ...c }) => c);
  light.processes = {};
  light.meta.sections.processes = { status: "error", error: "not captured: light capture" };
  assert.equal(needsOwners(s, light), false, "the same inode: owner known");
  s = addSample(s, light);
  assert.equal(s.view!.listeners[0]!.program, "sshd");
  assert.deepEqual(s.changes, [], "no owner change claimed from a capture without owners");
  const fresh = { ...listen("0.0.0.0", 22, 5) };
  delete fresh.pid;
  const restarted = { ...light, connections: [fresh] };
  assert.equal(needsOwners(s, restarted), true, "a new socket: its owner is looked for");
  // A capture with owners that could not tell (another user's process): not looked for again.
  const unknown = { ...sample(3), connections: [fresh] };
  s = addSample(s, unknown);
  assert.equal(needsOwners(s, restarted), false);
});

test("pressKey(): digits and Tab switch panes, space and f freeze, arrows scroll, q quits", () => {
  let s = run(sample(1), sample(2));
  assert.equal(s.pane, "overview");
  s = pressKey(s, "3");
  assert.equal(s.pane, "listeners");
  s = pressKey(s, "\t");
  assert.equal(s.pane, "changes");
  s = pressKey(s, "\t");
  assert.equal(s.pane, "overview");
  s = pressKey(s, "\x1b[Z");
  assert.equal(s.pane, "changes");
  s = pressKey(s, "9");
  assert.equal(s.pane, "changes", "no pane 9");
  s = pressKey(s, " ");
  assert.equal(s.frozen, s.view);
  s = addSample(s, sample(3));
  assert.notEqual(s.frozen, s.view, "samples go on while frozen");
  assert.equal(s.frozen!.at, at(2));
  s = pressKey(s, "f");
  assert.equal(s.frozen, undefined);
  assert.equal(pressKey(s, "x"), s, "an unknown key changes nothing");
  assert.equal(pressKey(s, "q").quit, true);
  assert.equal(pressKey(s, "\x03").quit, true, "Ctrl-C in raw mode is a key");
});

test("splitKeys(): a burst of input is cut into keys, escape sequences whole", () => {
  assert.deepEqual(splitKeys("12\x1b[A\x1b[5~q\t\x1b[Z"), [
    "1",
    "2",
    "\x1b[A",
    "\x1b[5~",
    "q",
    "\t",
    "\x1b[Z",
  ]);
});

test("addSample(): across namespaces, interfaces of one name and listeners on one port stay apart", () => {
  const ns = (sec: number) => {
    const base = sample(sec);
    const lo = (namespace: string | undefined, perSec: number) =>
      iface("lo", {
        ...(namespace ? { namespace } : {}),
        stats: { rxBytes: BigInt(perSec * sec), txBytes: 0n, rxPackets: 0n, txPackets: 0n },
      });
    return {
      ...base,
      connections: [
        ...base.connections,
        { ...listen("0.0.0.0", 22, 2), namespace: "docker:web" },
        { ...conn("172.17.0.2", 22, "172.17.0.1", 50000 + sec), namespace: "docker:web" },
      ],
      processes: procs(proc(1, "sshd"), proc(2, "dropbear")),
      interfaces: [lo(undefined, 100), lo("docker:web", 7)],
    };
  };
  const s = run(ns(1), ns(2));
  assert.deepEqual(s.view!.traffic.map((t) => [t.namespace ?? "-", t.name, t.rxBytes]), [
    ["-", "lo", 100],
    ["docker:web", "lo", 7],
  ]);
  assert.deepEqual(s.view!.listeners.map((l) => [l.namespace ?? "-", l.port, l.program]), [
    ["-", 22, "sshd"],
    ["docker:web", 22, "dropbear"],
  ]);
  assert.deepEqual(s.view!.services.map((x) => x.label), [
    "tcp :22 ← clients",
    "tcp :22 ← clients (docker:web)",
  ]);
});

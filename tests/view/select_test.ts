import { test } from "node:test";
import assert from "node:assert/strict";
import { connectionRecord, normalizeState, selectConnections } from "../../src/view/select.ts";
import { parsePort, processesOf, socketsOnPort } from "../../src/view/port.ts";
import { renderConnections } from "../../src/render/show_connections.ts";
import { parseTable, selectRoutes } from "../../src/view/routes.ts";
import { tableName } from "../../src/net/routes.ts";
import { isListener, socketRules } from "../../src/net/sockets.ts";
import { UsageError } from "../../src/errors.ts";
import { sampleSnapshot } from "./fixture.ts";

const s = sampleSnapshot();
const ends = (cs: { localPort: number; remotePort: number; state: string }[]) =>
  cs.map((c) => `${c.localPort}>${c.remotePort} ${c.state}`);

test("selectConnections() without -a or -l shows only connected (non-listening) sockets", () => {
  const got = selectConnections(s, {});
  assert.ok(got.length > 0);
  const rules = socketRules(s);
  assert.ok(got.every((c) => !isListener(c, rules)));
  assert.equal(got.length, s.connections.filter((c) => !isListener(c, rules)).length);
});

test("selectConnections() with -l shows listeners only, TCP LISTEN and bound UDP", () => {
  const got = selectConnections(s, { listening: true });
  assert.deepEqual(ends(got), [
    "22>0 LISTEN",
    "80>0 LISTEN",
    "5432>0 LISTEN",
    "80>0 LISTEN",
    "53>0 UNCONN",
  ]);
});

test("selectConnections() with -a shows every socket, and -a -l is still every socket", () => {
  assert.equal(selectConnections(s, { all: true }).length, s.connections.length);
  assert.equal(selectConnections(s, { all: true, listening: true }).length, s.connections.length);
});

test("selectConnections() -t and -u pick protocols; neither or both means both", () => {
  const all = { all: true };
  assert.ok(selectConnections(s, { ...all, tcp: true }).every((c) => c.protocol === "tcp"));
  assert.ok(selectConnections(s, { ...all, udp: true }).every((c) => c.protocol === "udp"));
  assert.equal(selectConnections(s, { ...all, tcp: true, udp: true }).length, s.connections.length);
});

test("selectConnections() --port matches the local or the remote port", () => {
  const got = selectConnections(s, { all: true, port: 5432 });
  assert.deepEqual(ends(got), [
    "5432>0 LISTEN",
    "41000>5432 ESTABLISHED",
    "5432>41000 ESTABLISHED",
  ]);
});

test("selectConnections() --state selects those states and implies -a", () => {
  assert.deepEqual(ends(selectConnections(s, { state: ["LISTEN"], tcp: true })), [
    "22>0 LISTEN",
    "80>0 LISTEN",
    "5432>0 LISTEN",
    "80>0 LISTEN",
  ]);
  assert.deepEqual(ends(selectConnections(s, { state: ["TIME_WAIT", "CLOSE_WAIT"] })), [
    "80>40000 TIME_WAIT",
    "43000>443 CLOSE_WAIT",
  ]);
});

test("selectConnections() --pid matches any holder, not only the owner", () => {
  const got = selectConnections(s, { all: true, pid: 1002 });
  assert.deepEqual(ends(got), ["80>0 LISTEN", "80>0 LISTEN"]);
});

test("selectConnections() --program matches a holder's name or executable, ignoring case", () => {
  const got = selectConnections(s, { all: true, program: "POSTGRES" });
  assert.deepEqual(ends(got), ["5432>0 LISTEN", "5432>41000 ESTABLISHED"]);
  assert.equal(selectConnections(s, { all: true, program: "nosuch" }).length, 0);
});

test("selectConnections() --address matches local or remote address in a CIDR, IPv4 and IPv6", () => {
  assert.deepEqual(ends(selectConnections(s, { address: "203.0.113.0/24" })), [
    "80>51000 ESTABLISHED",
  ]);
  assert.deepEqual(ends(selectConnections(s, { address: "2001:db8::/32" })), [
    "443>60000 ESTABLISHED",
  ]);
  assert.deepEqual(ends(selectConnections(s, { address: "127.0.0.1", udp: true })), []);
});

test("selectConnections() rejects an address that is not an address or CIDR with a UsageError", () => {
  assert.throws(() => selectConnections(s, { address: "10.0.0.0/99" }), UsageError);
  assert.throws(() => selectConnections(s, { address: "web1" }), /not an address or CIDR/);
});

test("normalizeState() accepts netstat and ss spellings and rejects unknown states", () => {
  assert.equal(normalizeState("established"), "ESTABLISHED");
  assert.equal(normalizeState("estab"), "ESTABLISHED");
  assert.equal(normalizeState("time-wait"), "TIME_WAIT");
  assert.equal(normalizeState("fin-wait-1"), "FIN_WAIT1");
  assert.equal(normalizeState("listening"), "LISTEN");
  assert.throws(() => normalizeState("open"), UsageError);
});

test("connectionRecord() adds the owner's program and the socket user's name", () => {
  const rec = connectionRecord(s, s.connections[2]!);
  assert.equal(rec.program, "postgres");
  assert.equal(rec.user, "postgres");
  assert.equal(rec.localPort, 5432);
  const tw = connectionRecord(s, s.connections[4]!);
  assert.equal(tw.program, undefined);
  assert.equal(tw.user, "root");
});

test("parsePort() accepts 1-65535 and rejects everything else with a UsageError", () => {
  assert.equal(parsePort("443"), 443);
  assert.equal(parsePort("65535"), 65535);
  for (const bad of ["0", "65536", "-1", "ssh", "", "80.5", "1e3", "999999"]) {
    assert.throws(() => parsePort(bad), UsageError, bad);
  }
});

test("socketsOnPort() finds both ends of a session and every holder with its process", () => {
  const got = socketsOnPort(s, 5432);
  assert.deepEqual(got.map((c) => c.pid), [2000, 1001, 2001]);
  assert.deepEqual(processesOf(got).map((p) => p.pid), [1001, 2000, 2001]);
  const web = socketsOnPort(s, 80, { tcp: true });
  assert.deepEqual(processesOf(web).map((p) => p.pid), [1000, 1001, 1002]);
  assert.equal(socketsOnPort(s, 9).length, 0);
});

test("parseTable() reads numbers and the reserved names", () => {
  assert.equal(parseTable("main"), 254);
  assert.equal(parseTable("LOCAL"), 255);
  assert.equal(parseTable("default"), 253);
  assert.equal(parseTable("100"), 100);
  assert.throws(() => parseTable("private"), UsageError);
  assert.throws(() => parseTable("-1"), UsageError);
  assert.equal(tableName(254), "main");
  assert.equal(tableName(100), "100");
});

test("selectRoutes() groups by table, main first, and --table keeps one table", () => {
  assert.deepEqual(selectRoutes(s).map((t) => [t.table, t.routes.length]), [[254, 2], [100, 1], [
    255,
    1,
  ]]);
  assert.deepEqual(selectRoutes(s, 100).map((t) => t.table), [100]);
  assert.deepEqual(selectRoutes(s, 7), []);
});

test("a UDP client socket is hidden from -l, shown without it as UNCONN (client), role client in JSON", () => {
  const snap = sampleSnapshot();
  const client = {
    ...snap.connections.find((c) => c.protocol === "udp" && c.state === "UNCONN")!,
    localPort: 33481,
    inode: 99001,
    pid: 3000,
    pids: [3000],
  };
  snap.connections.push(client);
  const isClient = (c: { localPort: number }) => c.localPort === 33481;
  assert.ok(!selectConnections(snap, { listening: true }).some(isClient));
  assert.ok(selectConnections(snap, {}).some(isClient));
  const text = renderConnections(snap, selectConnections(snap, { udp: true }));
  assert.match(text, /^udp +0 +0 0\.0\.0\.0:33481 +0\.0\.0\.0:\* +UNCONN \(client\) +3000\/curl$/m);
  assert.equal(connectionRecord(snap, client).role, "client");
  assert.equal(socketsOnPort(snap, 33481)[0]?.role, "client");
  // Named a service, it is a listener again, in every view.
  const services = [[33481, 33481] as const];
  assert.ok(selectConnections(snap, { listening: true, udpServices: services }).some(isClient));
  assert.doesNotMatch(
    renderConnections(snap, [client], { udpServices: services }),
    /client/,
  );
  assert.equal(socketsOnPort(snap, 33481, { udpServices: services })[0]?.role, "listener");
});

test("show and port name programs by the one rule: busybox applets by their applet", () => {
  const snap = sampleSnapshot();
  snap.processes["3000"] = { pid: 3000, name: "busybox", exe: "/usr/bin/busybox", invokedAs: "nc" };
  assert.equal(connectionRecord(snap, snap.connections.find((c) => c.pid === 3000)!).program, "nc");
  assert.ok(selectConnections(snap, { all: true, program: "nc" }).length > 0);
  assert.ok(selectConnections(snap, { all: true, program: "busybox" }).length > 0);
  assert.match(renderConnections(snap, selectConnections(snap, { program: "nc" })), /3000\/nc/);
});

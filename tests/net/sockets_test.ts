/** The shared definitions of what a listener is and who owns a socket. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { isListener, isSession, masterPid, socketTupleKey } from "../../src/net/sockets.ts";
import type { Connection } from "../../src/model.ts";

const conn = (p: Partial<Connection>): Connection => ({
  protocol: "tcp",
  family: "inet",
  localAddress: "0.0.0.0",
  localPort: 80,
  remoteAddress: "0.0.0.0",
  remotePort: 0,
  state: "LISTEN",
  recvQ: 0,
  sendQ: 0,
  ...p,
});

test("masterPid() picks the holder whose parent does not hold the socket, not the lowest pid", () => {
  // A master (500) forked workers with lower pids after a pid wrap: 120 and 130 are its children.
  const parents = new Map([[120, 500], [130, 500], [500, 1]]);
  assert.equal(masterPid([120, 130, 500], (p) => parents.get(p)), 500);
});

test("masterPid() falls back to the lowest pid when every holder's parent holds it too", () => {
  const parents = new Map([[10, 20], [20, 10]]);
  assert.equal(masterPid([10, 20], (p) => parents.get(p)), 10);
  assert.equal(masterPid([42], () => undefined), 42);
});

test("isListener() means TCP LISTEN or a bound unconnected UDP socket; sessions have a remote end", () => {
  assert.equal(isListener(conn({})), true);
  assert.equal(isListener(conn({ protocol: "udp", state: "UNCONN", localPort: 53 })), true);
  assert.equal(isListener(conn({ protocol: "udp", state: "UNCONN", localPort: 0 })), false);
  const est = conn({ state: "ESTABLISHED", remoteAddress: "10.0.0.2", remotePort: 5000 });
  assert.equal(isListener(est), false);
  assert.equal(isSession(est), true);
});

test("socketTupleKey() treats an absent remote end as the any-address and port 0", () => {
  const c = conn({});
  assert.equal(
    socketTupleKey({ protocol: "tcp", family: "inet", localAddress: "0.0.0.0", localPort: 80 }),
    socketTupleKey(c),
  );
  assert.notEqual(socketTupleKey({ ...c, family: "inet6" }), socketTupleKey(c));
});

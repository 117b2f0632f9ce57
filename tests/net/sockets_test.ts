/** The shared definitions of what a listener is and who owns a socket. */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  isListener,
  isSession,
  isUdpClient,
  LINUX_EPHEMERAL,
  masterPid,
  parsePortList,
  socketRole,
  socketRules,
  socketTupleKey,
} from "../../src/net/sockets.ts";
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

const LINUX = { meta: { host: { os: "linux" } }, connections: [] };
const RULES = socketRules(LINUX);

test("isListener() means TCP LISTEN or a bound unconnected UDP socket; sessions have a remote end", () => {
  assert.equal(isListener(conn({}), RULES), true);
  assert.equal(isListener(conn({ protocol: "udp", state: "UNCONN", localPort: 53 }), RULES), true);
  assert.equal(isListener(conn({ protocol: "udp", state: "UNCONN", localPort: 0 }), RULES), false);
  const est = conn({ state: "ESTABLISHED", remoteAddress: "10.0.0.2", remotePort: 5000 });
  assert.equal(isListener(est, RULES), false);
  assert.equal(isSession(est), true);
});

test("an unconnected UDP socket on an ephemeral port is a client, not a listener", () => {
  const udp = (localPort: number, over: Partial<Connection> = {}) =>
    conn({ protocol: "udp", state: "UNCONN", localPort, inode: 4242, ...over });
  assert.deepEqual(RULES.ephemeral, LINUX_EPHEMERAL);
  assert.equal(socketRole(udp(33481), RULES), "client");
  assert.equal(isListener(udp(33481), RULES), false);
  assert.equal(socketRole(udp(32767), RULES), "listener");
  assert.equal(socketRole(udp(61000), RULES), "listener");
  // A kernel socket (VXLAN, WireGuard) has inode 0: a service wherever its port lies.
  assert.equal(socketRole(udp(51820, { inode: 0 }), RULES), "listener");
  // The snapshot's own range, its reserved ports, and ports the user names as services.
  const own = socketRules({
    ...LINUX,
    settings: {
      "net.ipv4.ip_local_port_range": "40000 50000",
      "net.ipv4.ip_local_reserved_ports": "45000,46000-46010",
    },
  }, { udpServices: [[47000, 47000]] });
  assert.equal(isUdpClient(udp(33481), own), false);
  assert.equal(isUdpClient(udp(41000), own), true);
  assert.equal(isUdpClient(udp(45000), own), false);
  assert.equal(isUdpClient(udp(46005), own), false);
  assert.equal(isUdpClient(udp(47000), own), false);
  // macOS and FreeBSD default to IANA's 49152-65535.
  const bsd = socketRules({ meta: { host: { os: "darwin" } }, connections: [] });
  assert.equal(isUdpClient(udp(33481), bsd), false);
  assert.equal(isUdpClient(udp(50000), bsd), true);
  // A TCP listener on the same port makes it a service's (a server on TCP and UDP 50000).
  const both = socketRules({ ...LINUX, connections: [conn({ localPort: 50000 })] });
  assert.equal(isUdpClient(udp(50000), both), false);
  assert.equal(isUdpClient(udp(50001), both), true);
  // A policy's range replaces the snapshot's.
  assert.equal(isUdpClient(udp(20000), socketRules(LINUX, { ephemeral: [20000, 20010] })), true);
  // TCP is never a client by this rule, nor a connected UDP socket.
  assert.equal(isUdpClient(conn({ localPort: 40000 }), RULES), false);
  assert.equal(
    socketRole(
      udp(40000, { state: "ESTABLISHED", remoteAddress: "1.1.1.1", remotePort: 53 }),
      RULES,
    ),
    "session",
  );
});

test("parsePortList() reads ip_local_reserved_ports, and refuses what is not a port list", () => {
  assert.deepEqual(parsePortList("8080,9000-9010"), [[8080, 8080], [9000, 9010]]);
  assert.deepEqual(parsePortList(""), []);
  assert.equal(parsePortList("8080,abc"), undefined);
  assert.equal(parsePortList("9010-9000"), undefined);
  assert.equal(parsePortList("70000"), undefined);
});

test("socketTupleKey() treats an absent remote end as the any-address and port 0", () => {
  const c = conn({});
  assert.equal(
    socketTupleKey({ protocol: "tcp", family: "inet", localAddress: "0.0.0.0", localPort: 80 }),
    socketTupleKey(c),
  );
  assert.notEqual(socketTupleKey({ ...c, family: "inet6" }), socketTupleKey(c));
});

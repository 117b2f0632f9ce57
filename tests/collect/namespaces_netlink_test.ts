/**
 * The mapping of another namespace's netlink records to the snapshot's model (the own namespace's
 * mappings, from_netlink.ts), and when to dump.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { protocolsInUse } from "../../src/collect/linux/namespaces/netlink_read.ts";
import {
  connectionFrom as connectionOf,
  interfacesFrom as interfacesOf,
  routeFrom as routeOf,
} from "../../src/collect/linux/from_netlink.ts";
import type { InetSocket } from "../../src/parse/netlink/inet_diag.ts";
import type { Link, LinkStats64 } from "../../src/parse/netlink/rtnl_link.ts";

test("protocolsInUse() asks for the protocols a namespace's sockstat says it has", () => {
  const stat = (tcp: bigint, tw: bigint, udp: bigint, tcp6: bigint, udp6: bigint) => ({
    Sockstat: { TCP_inuse: tcp, TCP_tw: tw, TCP_orphan: 0n, UDP_inuse: udp },
    Sockstat6: { TCP6_inuse: tcp6, UDP6_inuse: udp6 },
  });
  assert.deepEqual(protocolsInUse(stat(0n, 0n, 0n, 0n, 0n)), []);
  assert.deepEqual(protocolsInUse(stat(0n, 3n, 0n, 0n, 0n)), ["tcp"]);
  assert.deepEqual(protocolsInUse(stat(0n, 0n, 0n, 1n, 1n)), ["tcp", "udp"]);
  assert.deepEqual(protocolsInUse(stat(0n, 0n, 2n, 0n, 0n)), ["udp"]);
  assert.deepEqual(protocolsInUse({}), ["tcp", "udp"], "unknown gauges: ask for both");
});

test("connectionFrom() names states as /proc does", () => {
  const s = {
    protocol: "tcp",
    family: "inet",
    state: "NEW_SYN_RECV",
    localAddress: "10.0.0.2",
    localPort: 80,
    remoteAddress: "10.0.0.9",
    remotePort: 5555,
    recvQ: 0,
    sendQ: 0,
    uid: 0,
    inode: 0,
    cookie: 1n,
  } satisfies InetSocket;
  assert.equal(connectionOf(s).state, "SYN_RECV");
  assert.equal(connectionOf({ ...s, protocol: "udp", state: "UNCONN" }).protocol, "udp");
});

test("interfacesFrom() gives the /proc/net/dev columns, frame and carrier as its sums", () => {
  const zero = Object.fromEntries(
    [
      "rxPackets",
      "txPackets",
      "rxBytes",
      "txBytes",
      "rxErrors",
      "txErrors",
      "rxDropped",
      "txDropped",
      "multicast",
      "collisions",
      "rxLengthErrors",
      "rxOverErrors",
      "rxCrcErrors",
      "rxFrameErrors",
      "rxFifoErrors",
      "rxMissedErrors",
      "txAbortedErrors",
      "txCarrierErrors",
      "txFifoErrors",
      "txHeartbeatErrors",
      "txWindowErrors",
      "rxCompressed",
      "txCompressed",
    ].map((k) => [k, 0n]),
  ) as unknown as LinkStats64;
  const link: Link = {
    index: 2,
    name: "eth0",
    hwType: 1,
    flags: 0x11043,
    mtu: 1500,
    mac: "02:42:0a:7b:fa:02",
    operState: "UP",
    stats: { ...zero, rxBytes: 100n, rxCrcErrors: 2n, rxFrameErrors: 1n, txAbortedErrors: 4n },
  };
  const [itf] = interfacesOf([link], [{
    family: "inet",
    ifindex: 2,
    address: "10.123.250.2",
    prefixLength: 24,
    scope: "global",
    flags: 0,
  }]);
  assert.equal(itf?.operState, "up");
  // The flags as /sys/class/net shows them in the own namespace: RUNNING is not one there.
  assert.deepEqual(itf?.flags, ["UP", "BROADCAST", "MULTICAST", "LOWER_UP"]);
  assert.deepEqual(itf?.addresses, [{
    family: "inet",
    address: "10.123.250.2",
    prefixLength: 24,
    scope: "global",
  }]);
  assert.equal(itf?.stats?.rxBytes, 100n);
  assert.equal(itf?.stats?.rxFrame, 3n);
  assert.equal(itf?.stats?.txCarrier, 4n);
});

test("routeFrom() keeps the key fields and the attributes ip -j shows", () => {
  const r = routeOf({
    family: "inet",
    table: 254,
    type: "unicast",
    protocol: "kernel",
    scope: "link",
    destination: "10.0.0.0/24",
    interface: "eth0",
    prefsrc: "10.0.0.2",
    flags: [],
    metrics: { mtu: 1400 },
  });
  assert.deepEqual(r, {
    family: "inet",
    table: 254,
    type: "unicast",
    destination: "10.0.0.0/24",
    metric: 0,
    interface: "eth0",
    protocol: "kernel",
    scope: "link",
    source: "10.0.0.2",
    mtu: 1400,
  });
});

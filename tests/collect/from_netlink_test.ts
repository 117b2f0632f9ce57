/**
 * The netlink records of a real kernel (tests/testdata/netlink, recorded from the scenario of
 * tests/system/netlink/_scenario.ts) as snapshot records: the shape /proc and `ip -j` give, the
 * facts only netlink has, and every record valid under the schema.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as S from "../../src/schema.ts";
import { TCP_INFO_FIELDS, TCP_INFO_SUMMARY } from "../../src/fields.ts";
import {
  connectionFrom,
  interfacesFrom,
  isUnixListener,
  packetSocketFrom,
  routeFrom,
  unixSocketFrom,
} from "../../src/collect/linux/from_netlink.ts";
import { inetDiagDecoder } from "../../src/parse/netlink/inet_diag.ts";
import { linkDecoder } from "../../src/parse/netlink/rtnl_link.ts";
import { addressDecoder } from "../../src/parse/netlink/rtnl_addr.ts";
import { routeDecoder } from "../../src/parse/netlink/rtnl_route.ts";
import { unixDiagDecoder } from "../../src/parse/netlink/unix_diag.ts";
import { packetDiagDecoder } from "../../src/parse/netlink/packet_diag.ts";
import { serializeSnapshot } from "../../src/snapshot/serialize.ts";
import { parseSnapshotBytes } from "../../src/snapshot/read.ts";
import type { Connection, Snapshot } from "../../src/model.ts";
import { sampleSnapshot } from "../view/fixture.ts";
import { decodeFixture } from "../parse/netlink/_fixtures.ts";

const tcp = (detail: "summary" | "full") =>
  [
    ...decodeFixture("inet_tcp4.bin", inetDiagDecoder("tcp", detail)).records,
    ...decodeFixture("inet_tcp6.bin", inetDiagDecoder("tcp", detail)).records,
  ].map(connectionFrom);

const listener = (cs: Connection[], port: number) =>
  cs.find((c) => c.localPort === port && c.state === "LISTEN")!;

test("connectionFrom(): a listener's queue is recvQ and its limit backlog, sendQ 0 as in /proc", () => {
  const cs = tcp("summary");
  const l = listener(cs, 7001);
  assert.deepEqual([l.recvQ, l.sendQ, l.backlog], [2, 0, 7]);
  assert.equal(l.tcpInfo, undefined, "no tcp_info for a listener");
  assert.equal(listener(cs, 7002).interface, "if3", "the bound device, by index without names");
  assert.equal(listener(cs, 7003).v6only, true);
  assert.equal(listener(cs, 7004).v6only, false);
  assert.equal(cs.find((c) => c.state === "TIME_WAIT")?.timer?.name, "timewait");
  const est = cs.filter((c) => c.state === "ESTABLISHED");
  assert.ok(est.length >= 4);
  for (const c of est) assert.deepEqual(Object.keys(c.tcpInfo!), [...TCP_INFO_SUMMARY]);
  assert.equal(est.find((c) => c.localPort === 7005)?.recvQ, 100, "unread bytes");
  for (const c of cs) assert.ok(S.Connection.safeParse(c).success, JSON.stringify(c));
});

test("connectionFrom() with full tcp_info: every field in schema order, and it round-trips", () => {
  const cs = tcp("full");
  const c = cs.find((x) => x.state === "ESTABLISHED")!;
  const order = TCP_INFO_FIELDS.map(([n]) => n);
  assert.deepEqual(Object.keys(c.tcpInfo!), order);
  assert.equal(typeof c.tcpInfo!.bytesAcked, "bigint");
  assert.ok(c.tcpInfo!.congestion);
  const snap: Snapshot = { ...sampleSnapshot(), connections: cs };
  for (const format of ["json", "yaml"] as const) {
    const text = serializeSnapshot(snap, format);
    const back = parseSnapshotBytes(new TextEncoder().encode(text), `x.${format}`);
    assert.deepStrictEqual(back.connections, cs, format);
  }
});

test("unixSocketFrom() and the default filter: listeners and bound datagram sockets", () => {
  const us = decodeFixture("unix.bin", unixDiagDecoder()).records;
  const kept = us.filter(isUnixListener).map(unixSocketFrom);
  assert.deepEqual(kept.map((u) => [u.type, u.state, u.path]).sort(), [
    ["dgram", "UNCONN", "@nsnap-nl-rec-dgram"],
    ["seqpacket", "LISTEN", "@nsnap-nl-rec-seq"],
    ["stream", "LISTEN", "/tmp/nsnap-nl-rec.sock"],
  ]);
  const stream = kept.find((u) => u.type === "stream")!;
  assert.deepEqual([stream.recvQ, stream.sendQ, stream.backlog], [0, 0, 16]);
  const pair = us.filter((u) => !isUnixListener(u)).map(unixSocketFrom);
  assert.deepEqual(pair.map((u) => u.peerInode).sort(), pair.map((u) => u.inode).sort());
  for (const u of us.map(unixSocketFrom)) assert.ok(S.UnixSocket.safeParse(u).success);
});

test("packetSocketFrom(): type, protocol and bound device", () => {
  const ps = decodeFixture("packet.bin", packetDiagDecoder()).records.map((p) => {
    if (p.ifindex === 3) p.interface = "nl0";
    return packetSocketFrom(p);
  });
  assert.deepEqual(ps.map((p) => [p.type, p.protocol, p.interface]), [
    ["raw", 3, undefined],
    ["raw", 0x0806, "nl0"],
  ]);
  for (const p of ps) assert.ok(S.PacketSocket.safeParse(p).success);
});

test("interfacesFrom(): /sys's flags (a bridge port is PROMISC), lower-case state, 16 counters", () => {
  const links = decodeFixture("links.bin", linkDecoder()).records;
  const addresses = decodeFixture("addresses.bin", addressDecoder()).records;
  const itfs = interfacesFrom(links, addresses, (n) => (n === "nl0" ? 10000 : undefined));
  const by = new Map(itfs.map((i) => [i.name, i]));
  assert.deepEqual(by.get("nl1")!.flags, [
    "UP",
    "BROADCAST",
    "PROMISC",
    "ALLMULTI",
    "MULTICAST",
    "LOWER_UP",
  ]);
  assert.deepEqual(by.get("lo")!.flags, ["UP", "LOOPBACK", "LOWER_UP"]);
  assert.equal(by.get("nlbr0")!.operState, "down");
  assert.equal(by.get("nl0")!.speedMbps, 10000);
  assert.equal(by.get("lo")!.speedMbps, undefined);
  assert.deepEqual(
    by.get("nl0")!.addresses.map((a) => `${a.address}/${a.prefixLength} ${a.scope}`),
    [
      "10.77.5.1/24 global",
      "10.77.8.1/24 global",
      "fd00:77::1/64 global",
      "fe80::f472:22ff:fe45:a46f/64 link",
    ],
  );
  assert.equal(Object.keys(by.get("nl0")!.stats!).length, 16);
  for (const i of itfs) assert.ok(S.NetInterface.safeParse(encode(i)).success, i.name);
});

/** An interface's counters as written on disk. */
function encode(o: object): unknown {
  return JSON.parse(JSON.stringify(o, (_k, v) => typeof v === "bigint" ? Number(v) : v));
}

test("routeFrom(): the fields ip -j prints (no boot protocol, no global scope), route metrics, multipath weights", () => {
  const rs = [
    ...decodeFixture("routes4.bin", routeDecoder()).records,
    ...decodeFixture("routes6.bin", routeDecoder()).records,
  ].map((r) => {
    if (r.ifindex === 3) r.interface = "nl0";
    for (const h of r.nexthops ?? []) if (h.ifindex === 3) h.interface = "nl0";
    return routeFrom(r);
  });
  const find = (d: string) => rs.find((r) => r.destination === d)!;
  assert.deepEqual(find("10.88.0.0/16"), {
    family: "inet",
    table: 254,
    type: "unicast",
    destination: "10.88.0.0/16",
    metric: 50,
    gateway: "10.77.5.2",
    interface: "nl0",
    // ip route add … mtu 1300 advmss 1260 initcwnd 20 initrwnd 30 (tests/system/netlink/_scenario.ts)
    mtu: 1300,
    advmss: 1260,
    initcwnd: 20,
    initrwnd: 30,
  });
  assert.deepEqual(
    [find("10.77.5.0/24").protocol, find("10.77.5.0/24").scope],
    ["kernel", "link"],
  );
  assert.deepEqual(find("10.55.0.0/16").flags, ["onlink"]);
  assert.deepEqual(find("10.99.0.0/16").nexthops, [
    { gateway: "10.77.5.2", interface: "nl0", weight: 1 },
    { gateway: "10.77.5.3", interface: "nl0", weight: 3 },
  ]);
  assert.equal(find("10.66.0.0/16").type, "blackhole");
  assert.equal(find("10.77.5.1/32").table, 255);
  assert.ok(rs.filter((r) => r.family === "inet6").every((r) => r.scope === undefined));
  // The router preference and the expiry, as ip -j prints them (pref, expires in seconds).
  const expiring = rs.filter((r) => r.family === "inet6" && r.expires !== undefined);
  assert.ok(expiring.length > 0 && expiring.every((r) => r.expires! > 0 && r.pref !== undefined));
  for (const r of rs) assert.ok(S.Route.safeParse(r).success, r.destination);
});

/**
 * The rtnetlink codecs on answers recorded from this machine's kernel (Linux 6.18) in the scenario
 * namespace of tests/system/netlink/_scenario.ts (lo 1, nl1 2, nl0 3, nlbr0 4), and on hand-built
 * corner cases.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeDump } from "../../../src/parse/netlink/nlmsg.ts";
import { addressDecoder, addressFlagNames } from "../../../src/parse/netlink/rtnl_addr.ts";
import {
  linkDecoder,
  linkFlagNames,
  procNetDevStats,
  resolveMasters,
} from "../../../src/parse/netlink/rtnl_link.ts";
import { neighbourDecoder } from "../../../src/parse/netlink/rtnl_neigh.ts";
import { formatTcHandle, qdiscDecoder } from "../../../src/parse/netlink/rtnl_qdisc.ts";
import { routeDecoder } from "../../../src/parse/netlink/rtnl_route.ts";
import { ruleDecoder } from "../../../src/parse/netlink/rtnl_rule.ts";
import { attr, concat, decodeFixture, done, message } from "./_fixtures.ts";

test("links: names, kinds, peers, master, flags and every counter", () => {
  const r = decodeFixture("links.bin", linkDecoder());
  assert.deepEqual(r.warnings, []);
  resolveMasters(r.records);
  const by = new Map(r.records.map((l) => [l.name, l]));
  assert.deepEqual([...by.keys()], ["lo", "nl1", "nl0", "nlbr0"]);
  const nl0 = by.get("nl0")!, nl1 = by.get("nl1")!;
  assert.equal(nl0.index, 3);
  assert.equal(nl0.kind, "veth");
  assert.equal(nl0.link, nl1.index, "a veth's link is its peer");
  assert.equal(nl0.qdisc, "pfifo");
  assert.equal(nl0.operState, "UP");
  assert.match(nl0.mac!, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
  assert.equal(nl1.masterName, "nlbr0");
  assert.equal(nl1.slaveKind, "bridge");
  assert.equal(by.get("nlbr0")!.kind, "bridge");
  assert.deepEqual(linkFlagNames(by.get("lo")!.flags), ["UP", "LOOPBACK", "RUNNING", "LOWER_UP"]);
  assert.equal(by.get("lo")!.hwType, 772);
  const s = nl0.stats!;
  assert.ok(s.txPackets >= 5n, "the scenario sent five datagrams out of nl0");
  assert.equal(typeof s.rxOtherhostDropped, "bigint");
  const dev = procNetDevStats(s);
  assert.equal(dev.txPackets, s.txPackets);
  assert.equal(dev.rxDropped, s.rxDropped + s.rxMissedErrors);
  assert.equal(Object.keys(dev).length, 16);
});

test("addresses: both families, labels, scopes, flags and lifetimes", () => {
  const r = decodeFixture("addresses.bin", addressDecoder());
  assert.deepEqual(r.warnings, []);
  const on3 = r.records.filter((a) => a.ifindex === 3);
  assert.deepEqual(
    on3.map((a) => [a.family, a.address, a.prefixLength, a.scope, a.label]),
    [
      ["inet", "10.77.5.1", 24, "global", "nl0"],
      ["inet", "10.77.8.1", 24, "global", "nl0:8"],
      ["inet6", "fd00:77::1", 64, "global", undefined],
      ["inet6", on3[3]!.address, 64, "link", undefined],
    ],
  );
  assert.match(on3[3]!.address, /^fe80::/);
  assert.deepEqual(addressFlagNames(on3[2]!), ["nodad", "permanent"]);
  assert.equal(on3[0]!.validLifetime, 0xffffffff);
});

test("routes: metrics, multipath weights, tables, types, onlink and realms", () => {
  const r = decodeFixture("routes4.bin", routeDecoder());
  assert.deepEqual(r.warnings, []);
  const by = new Map(r.records.map((x) => [`${x.table} ${x.destination}`, x]));
  const metered = by.get("254 10.88.0.0/16")!;
  assert.equal(metered.gateway, "10.77.5.2");
  assert.equal(metered.ifindex, 3);
  assert.equal(metered.metric, 50);
  assert.deepEqual(metered.metrics, {
    lock: ["mtu"],
    mtu: 1300,
    advmss: 1260,
    initcwnd: 20,
    initrwnd: 30,
  });
  assert.deepEqual(
    by.get("254 10.99.0.0/16")!.nexthops!.map((h) => [h.gateway, h.ifindex, h.weight]),
    [["10.77.5.2", 3, 1], ["10.77.5.3", 3, 3]],
  );
  assert.equal(by.get("100 0.0.0.0/0")!.gateway, "10.77.5.254");
  assert.equal(by.get("254 10.66.0.0/16")!.type, "blackhole");
  const onlink = by.get("254 10.55.0.0/16")!;
  assert.deepEqual(onlink.flags, ["onlink"]);
  assert.equal(onlink.realms, 7);
  const local = by.get("255 10.77.5.1/32")!;
  assert.deepEqual([local.type, local.scope, local.protocol, local.prefsrc], [
    "local",
    "host",
    "kernel",
    "10.77.5.1",
  ]);
  assert.equal(by.get("254 10.77.5.0/24")!.metric, undefined, "IPv4 sends no priority of 0");
});

test("routes: IPv6 router preference and expiry", () => {
  const r = decodeFixture("routes6.bin", routeDecoder());
  const by = new Map(r.records.map((x) => [`${x.table} ${x.destination}`, x]));
  const high = by.get("254 fd00:88::/64")!;
  assert.deepEqual([high.gateway, high.metric, high.pref], ["fd00:77::2", 512, "high"]);
  const expiring = by.get("254 fd00:99::/64")!;
  assert.ok(expiring.expires! > 290 && expiring.expires! <= 300, `expires ${expiring.expires}`);
  assert.equal(by.get("255 ff00::/8")?.type, "multicast");
});

test("rules: selectors, inversion, actions and the kernel's default rules", () => {
  const r = decodeFixture("rules4.bin", ruleDecoder());
  assert.deepEqual(r.warnings, []);
  const by = new Map(r.records.map((x) => [x.priority, x]));
  assert.deepEqual([...by.keys()], [0, 1000, 1001, 1002, 1004, 1005, 32766, 32767]);
  assert.deepEqual([by.get(0)!.table, by.get(32766)!.table, by.get(32767)!.table], [255, 254, 253]);
  assert.equal(by.get(1000)!.from, "10.77.6.0/24");
  assert.equal(by.get(1000)!.table, 100);
  assert.deepEqual([by.get(1001)!.fwmark, by.get(1001)!.fwmask], [0x10, 0xff]);
  const sel = by.get(1002)!;
  assert.equal(sel.invert, true);
  assert.equal(sel.to, "10.0.0.0/8");
  assert.equal(sel.iif, "lo");
  assert.equal(sel.ipProto, 6);
  assert.deepEqual(sel.sport, { start: 1000, end: 1000 });
  assert.deepEqual(sel.dport, { start: 80, end: 90 });
  assert.deepEqual(sel.uidRange, { start: 1000, end: 2000 });
  assert.equal(by.get(1004)!.suppressPrefixLength, 0);
  assert.deepEqual([by.get(1005)!.action, by.get(1005)!.oif], ["prohibit", "nl0"]);
  const r6 = decodeFixture("rules6.bin", ruleDecoder());
  assert.deepEqual(r6.records.map((x) => [x.priority, x.from]), [
    [0, undefined],
    [1003, "fd00:77::/64"],
    [32766, undefined],
  ]);
});

test("neighbours: states, link-layer addresses, the router flag and proxy entries", () => {
  const r = decodeFixture("neighbours.bin", neighbourDecoder());
  assert.deepEqual(r.warnings, []);
  const by = new Map(r.records.filter((n) => n.ifindex === 3).map((n) => [n.address, n]));
  assert.deepEqual(by.get("10.77.5.2")!.states, ["PERMANENT"]);
  assert.equal(by.get("10.77.5.2")!.lladdr, "02:00:00:00:00:02");
  assert.deepEqual(by.get("10.77.5.3")!.states, ["STALE"]);
  assert.deepEqual(by.get("10.77.5.4")!.states, ["FAILED"]);
  assert.equal(by.get("10.77.5.4")!.lladdr, undefined);
  const v6 = by.get("fd00:77::2")!;
  assert.deepEqual([v6.family, v6.router, v6.states], ["inet6", true, ["REACHABLE"]]);
  const proxy = decodeFixture("neighbours_proxy.bin", neighbourDecoder());
  assert.deepEqual(proxy.records.map((n) => [n.address, n.proxy, n.ifindex]), [[
    "10.77.5.50",
    true,
    3,
  ]]);
});

test("qdiscs: kinds, handles, parents, limits, tbf rate and queue counters", () => {
  const r = decodeFixture("qdiscs.bin", qdiscDecoder());
  assert.deepEqual(r.warnings, []);
  const pfifo = r.records.find((q) => q.kind === "pfifo")!;
  assert.deepEqual([pfifo.ifindex, pfifo.root, pfifo.limit, formatTcHandle(pfifo.handle)], [
    3,
    true,
    3,
    "8001:",
  ]);
  assert.equal(pfifo.stats!.packets, 5n);
  assert.equal(pfifo.stats!.bytes, 5n * 142n, "100 bytes of data and 42 of headers each");
  assert.equal(pfifo.stats!.drops, 0);
  const tbf = r.records.find((q) => q.kind === "tbf")!;
  assert.equal(tbf.rate, 125_000n, "1mbit is 125000 bytes/s");
  assert.ok(tbf.limit! > 0);
  const ingress = r.records.find((q) => q.kind === "ingress")!;
  assert.deepEqual([formatTcHandle(ingress.handle), formatTcHandle(ingress.parent)], [
    "ffff:",
    "ffff:fff1",
  ]);
  assert.equal(formatTcHandle(0xffffffff), "root");
});

test("a link whose name attribute is cut short keeps its index and warns", () => {
  const ifi = new Uint8Array(16);
  new DataView(ifi.buffer).setInt32(4, 9, true);
  const name = attr(3, new TextEncoder().encode("eth9\0"));
  new DataView(name.buffer).setUint16(0, 64, true);
  const r = decodeDump(concat(message(16, concat(ifi, name)), done()), 1, linkDecoder(), "links");
  assert.equal(r.records[0]!.index, 9);
  assert.match(r.warnings[0]!, /link 9: an attribute runs past the end/);
});

test("an address without IFA_ADDRESS is skipped with a warning", () => {
  const ifa = new Uint8Array([2, 24, 0, 0, 1, 0, 0, 0]);
  const r = decodeDump(concat(message(20, ifa), done()), 1, addressDecoder(), "addresses");
  assert.deepEqual(r.records, []);
  assert.match(r.warnings[0]!, /without IFA_ADDRESS/);
});

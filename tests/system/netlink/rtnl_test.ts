/**
 * rtnetlink dumps (links, addresses, routes of every table, rules, neighbours, qdiscs) of a test
 * namespace, read from the root namespace through /run/netns/NAME, cross-checked against `ip -j`
 * and `tc -j` run inside it. Counters that may move (IPv6 housekeeping packets) are checked to lie
 * between a reading taken before the dump and one taken after it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseProcNetDev } from "../../../src/parse/linux/proc_net_dev.ts";
import { addressFlagNames } from "../../../src/parse/netlink/rtnl_addr.ts";
import { type Link, linkFlagNames, procNetDevStats } from "../../../src/parse/netlink/rtnl_link.ts";
import { formatTcHandle } from "../../../src/parse/netlink/rtnl_qdisc.ts";
import type { RouteEntry } from "../../../src/parse/netlink/rtnl_route.ts";
import type { Rule } from "../../../src/parse/netlink/rtnl_rule.ts";
import {
  dumpAddresses,
  dumpLinks,
  dumpNeighbours,
  dumpQdiscs,
  type DumpResult,
  dumpRoutes,
  dumpRules,
} from "../../../src/collect/linux/netlink.ts";
import { type Netns, withNetns } from "../../helpers/netns.ts";
import { buildNetwork, netnsPath, SCENARIO_SKIP } from "./_scenario.ts";

const skip = SCENARIO_SKIP;
type Json = Record<string, unknown>;

function ok<T>(r: DumpResult<T>, what: string): T[] {
  assert.ok(r.ok, `${what}: ${r.ok ? "" : r.reason}`);
  assert.deepEqual(r.warnings, [], what);
  assert.deepEqual(r.incomplete, [], what);
  return r.records;
}

function json(ns: Netns, argv: string[]): Json[] {
  return JSON.parse(ns.exec(...argv)) as Json[];
}

async function withNetwork(tag: string, fn: (ns: Netns, path: string) => void): Promise<void> {
  await withNetns(tag, (ns) => {
    buildNetwork(ns);
    fn(ns, netnsPath(ns));
  });
}

/** Asserts before ≤ ours ≤ after for a counter read on each side of the dump. */
function between(what: string, before: unknown, ours: bigint | number, after: unknown): void {
  const b = BigInt(before as number), a = BigInt(after as number), o = BigInt(ours);
  assert.ok(b <= o && o <= a, `${what}: ${o} not within [${b}, ${a}]`);
}

/** Asserts that a state read between two ip runs is the one either of them printed. */
function oneSide(what: string, ours: unknown, before: unknown, after: unknown): void {
  const same = (x: unknown) => JSON.stringify(x) === JSON.stringify(ours);
  assert.ok(
    same(before) || same(after),
    `${what}: ${JSON.stringify(ours)} is neither ${JSON.stringify(before)} nor ${
      JSON.stringify(after)
    }`,
  );
}

/** The flags of a link in ip's order, RUNNING left out and NO-CARRIER added, as `ip` prints them. */
function ipLinkFlags(flags: number): string[] {
  const order = [
    "LOOPBACK",
    "BROADCAST",
    "POINTOPOINT",
    "MULTICAST",
    "NOARP",
    "ALLMULTI",
    "PROMISC",
    "MASTER",
    "SLAVE",
    "DEBUG",
    "DYNAMIC",
    "AUTOMEDIA",
    "PORTSEL",
    "NOTRAILERS",
    "UP",
    "LOWER_UP",
    "DORMANT",
    "ECHO",
  ];
  const names = linkFlagNames(flags);
  const out = order.filter((n) => names.includes(n));
  return flags & 1 && !(flags & 0x40) ? ["NO-CARRIER", ...out] : out;
}

const IP_RX: Array<[string, keyof NonNullable<Link["stats"]>]> = [
  ["bytes", "rxBytes"],
  ["packets", "rxPackets"],
  ["errors", "rxErrors"],
  ["dropped", "rxDropped"],
  ["over_errors", "rxOverErrors"],
  ["multicast", "multicast"],
  ["length_errors", "rxLengthErrors"],
  ["crc_errors", "rxCrcErrors"],
  ["frame_errors", "rxFrameErrors"],
  ["fifo_errors", "rxFifoErrors"],
  ["missed_errors", "rxMissedErrors"],
];
const IP_TX: Array<[string, keyof NonNullable<Link["stats"]>]> = [
  ["bytes", "txBytes"],
  ["packets", "txPackets"],
  ["errors", "txErrors"],
  ["dropped", "txDropped"],
  ["carrier_errors", "txCarrierErrors"],
  ["collisions", "collisions"],
  ["aborted_errors", "txAbortedErrors"],
  ["fifo_errors", "txFifoErrors"],
  ["window_errors", "txWindowErrors"],
  ["heartbeat_errors", "txHeartbeatErrors"],
];

test("dumpLinks() in a namespace equals ip -j -d -s -s link, and /proc/net/dev sums match", {
  skip,
}, async () => {
  await withNetwork("nllink", (ns, path) => {
    const ipBefore = json(ns, ["ip", "-j", "-d", "-s", "-s", "link"]);
    const devBefore = parseProcNetDev(ns.exec("cat", "/proc/net/dev")).value;
    const links = ok(dumpLinks({ netns: path }), "links");
    const ipAfter = json(ns, ["ip", "-j", "-d", "-s", "-s", "link"]);
    const devAfter = parseProcNetDev(ns.exec("cat", "/proc/net/dev")).value;
    assert.deepEqual(links.map((l) => l.name), ipBefore.map((l) => l.ifname));
    const names = new Map(links.map((l) => [l.index, l.name]));
    links.forEach((l, i) => {
      const ip = ipBefore[i]!, after = ipAfter[i]!, info = (ip.linkinfo ?? {}) as Json;
      const where = `link ${l.name}`;
      assert.equal(l.index, ip.ifindex, `${where}: index`);
      // A bridge gains its carrier a moment after its port comes up (the kernel's link watch):
      // the dump, read between the two ip runs, may see either state.
      oneSide(`${where}: flags`, ipLinkFlags(l.flags), ip.flags, after.flags);
      assert.equal(l.mtu, ip.mtu, `${where}: mtu`);
      assert.equal(l.qdisc, ip.qdisc, `${where}: qdisc`);
      assert.equal(l.masterName, ip.master, `${where}: master`);
      oneSide(`${where}: operstate`, l.operState, ip.operstate, after.operstate);
      assert.equal(l.txQueueLength, ip.txqlen, `${where}: txqlen`);
      assert.equal(l.mac, ip.address, `${where}: address`);
      assert.equal(l.broadcast, ip.broadcast, `${where}: broadcast`);
      assert.equal(l.promiscuity, ip.promiscuity, `${where}: promiscuity`);
      assert.equal(l.minMtu, ip.min_mtu, `${where}: min_mtu`);
      assert.equal(l.maxMtu, ip.max_mtu, `${where}: max_mtu`);
      assert.equal(l.kind, info.info_kind, `${where}: kind`);
      assert.equal(l.slaveKind, info.info_slave_kind, `${where}: slave kind`);
      assert.equal(l.numTxQueues, ip.num_tx_queues, `${where}: tx queues`);
      assert.equal(l.numRxQueues, ip.num_rx_queues, `${where}: rx queues`);
      assert.equal(l.link === undefined ? undefined : names.get(l.link), ip.link, `${where}: link`);
      const s = l.stats!,
        sb = ip.stats64 as Record<string, Json>,
        sa = after.stats64 as Record<string, Json>;
      for (const [k, ours] of IP_RX) between(`${where} rx ${k}`, sb.rx![k], s[ours]!, sa.rx![k]);
      for (const [k, ours] of IP_TX) between(`${where} tx ${k}`, sb.tx![k], s[ours]!, sa.tx![k]);
      assert.equal(l.carrierChanges, (sb.tx as Json).carrier_changes ?? l.carrierChanges);
      // /proc/net/dev is computed from the same counters: the sums must agree.
      const dev = procNetDevStats(s);
      const pb = devBefore.find((d) => d.name === l.name)!.stats;
      const pa = devAfter.find((d) => d.name === l.name)!.stats;
      for (const [k, v] of Object.entries(dev)) {
        between(
          `${where} /proc/net/dev ${k}`,
          pb[k as keyof typeof pb],
          v,
          pa[k as keyof typeof pa],
        );
      }
    });
  });
});

test("dumpAddresses() in a namespace equals ip -j addr", { skip }, async () => {
  await withNetwork("nladdr", (ns, path) => {
    const ours = ok(dumpAddresses({ netns: path }), "addresses");
    const ip = json(ns, ["ip", "-j", "addr"]);
    const theirs = ip.flatMap((l) =>
      (l.addr_info as Json[]).map((a) => ({ ...a, dev: l.ifname }) as Json)
    );
    const key = (dev: unknown, local: unknown) => `${dev} ${local}`;
    const byKey = new Map(theirs.map((a) => [key(a.dev, a.local), a]));
    assert.equal(ours.length, theirs.length);
    for (const a of ours) {
      const t = byKey.get(key(a.interface, a.address));
      assert.ok(t, `ip does not show ${a.address} on ${a.interface}`);
      const where = `address ${a.address}`;
      assert.equal(a.family, t.family, where);
      assert.equal(a.prefixLength, t.prefixlen, where);
      assert.equal(a.scope, t.scope, where);
      assert.equal(a.label, t.label, where);
      assert.equal(a.broadcast, t.broadcast, where);
      assert.equal(a.validLifetime, t.valid_life_time, where);
      assert.equal(a.preferredLifetime, t.preferred_life_time, where);
      const flags = addressFlagNames(a).filter((f) => f !== "permanent");
      const ipFlags = Object.keys(t).filter((k) => t[k] === true);
      assert.deepEqual(flags.sort(), ipFlags.sort(), `${where}: flags`);
    }
  });
});

const TABLES: Record<number, string> = { 253: "default", 254: "main", 255: "local" };

/** A route in the shape of `ip -d -j route show table all`. */
function ipRoute(r: RouteEntry): Json {
  const [addr, len] = r.destination.split("/");
  const full = r.family === "inet" ? "32" : "128";
  const o: Json = {
    type: r.type,
    dst: len === "0" ? "default" : len === full ? addr : r.destination,
  };
  if (r.gateway) o.gateway = r.gateway;
  if (r.interface) o.dev = r.interface;
  o.table = TABLES[r.table] ?? String(r.table);
  o.protocol = r.protocol;
  o.scope = r.scope;
  if (r.prefsrc) o.prefsrc = r.prefsrc;
  if (r.metric !== undefined) o.metric = r.metric;
  o.flags = r.flags;
  if (r.realms) o.flow = { to: String(r.realms & 0xffff) };
  if (r.metrics) {
    const { lock: _lock, ...m } = r.metrics;
    o.metrics = [m];
  }
  if (r.pref) o.pref = r.pref;
  if (r.nexthops) {
    o.nexthops = r.nexthops.map((h) => ({
      ...(h.gateway ? { gateway: h.gateway } : {}),
      dev: h.interface,
      weight: h.weight,
      flags: h.flags,
    }));
  }
  return o;
}

test("dumpRoutes() in a namespace equals ip -d -j route show table all, -4 and -6", {
  skip,
}, async () => {
  await withNetwork("nlroute", (ns, path) => {
    const ours = ok(dumpRoutes({ netns: path }), "routes");
    const theirs = [
      ...json(ns, ["ip", "-d", "-j", "-4", "route", "show", "table", "all"]),
      ...json(ns, ["ip", "-d", "-j", "-6", "route", "show", "table", "all"]),
    ];
    assert.equal(ours.length, theirs.length, "as many routes as ip shows");
    ours.forEach((r, i) => {
      const want = ipRoute(r), t = { ...theirs[i]! };
      const where = `route ${r.table} ${r.destination} ${r.interface ?? ""}`;
      if (r.expires !== undefined) {
        assert.ok(Math.abs(r.expires - (t.expires as number)) <= 5, `${where}: expires`);
        delete t.expires;
      }
      assert.deepEqual(want, t, where);
    });
    // The attributes the routing issue asks for, by name.
    const m = ours.find((r) => r.destination === "10.88.0.0/16")!;
    assert.deepEqual(m.metrics, {
      lock: ["mtu"],
      mtu: 1300,
      advmss: 1260,
      initcwnd: 20,
      initrwnd: 30,
    });
    const ecmp = ours.find((r) => r.destination === "10.99.0.0/16")!;
    assert.deepEqual(ecmp.nexthops!.map((h) => h.weight), [1, 3]);
  });
});

/** A rule in the shape of `ip -d -j rule`. */
function ipRule(r: Rule): Json {
  const o: Json = { priority: r.priority };
  if (r.invert) o.not = null;
  const [src, srclen] = (r.from ?? "all").split("/");
  o.src = src;
  if (srclen) o.srclen = Number(srclen);
  if (r.to) {
    const [dst, dstlen] = r.to.split("/");
    o.dst = dst;
    o.dstlen = Number(dstlen);
  }
  if (r.fwmark !== undefined) o.fwmark = `0x${r.fwmark.toString(16)}`;
  if (r.fwmask !== undefined && r.fwmask !== 0xffffffff) o.fwmask = `0x${r.fwmask.toString(16)}`;
  if (r.iif) o.iif = r.iif;
  if (r.oif) o.oif = r.oif;
  if (r.uidRange) [o.uid_start, o.uid_end] = [r.uidRange.start, r.uidRange.end];
  if (r.ipProto !== undefined) {
    o.ipproto = r.ipProto === 6 ? "tcp" : r.ipProto === 17 ? "udp" : r.ipProto;
  }
  for (const [name, range] of [["sport", r.sport], ["dport", r.dport]] as const) {
    if (!range) continue;
    if (range.start === range.end) o[name] = range.start;
    else [o[`${name}_start`], o[`${name}_end`]] = [range.start, range.end];
  }
  if (r.action === "lookup") o.table = TABLES[r.table] ?? String(r.table);
  if (r.suppressPrefixLength !== undefined) o.suppress_prefixlen = r.suppressPrefixLength;
  if (r.action !== "lookup") o.action = r.action;
  o.protocol = r.protocol;
  return o;
}

test("dumpRules() in a namespace equals ip -d -j rule, -4 and -6", { skip }, async () => {
  await withNetwork("nlrule", (ns, path) => {
    const ours = ok(dumpRules({ netns: path }), "rules");
    const theirs = [
      ...json(ns, ["ip", "-d", "-j", "-4", "rule"]),
      ...json(ns, ["ip", "-d", "-j", "-6", "rule"]),
    ];
    assert.deepEqual(ours.map(ipRule), theirs);
    const added = ours.find((r) => r.priority === 1000)!;
    assert.deepEqual([added.from, added.table, added.action], ["10.77.6.0/24", 100, "lookup"]);
  });
});

test("dumpNeighbours() in a namespace equals ip -j neigh and ip -j neigh show proxy", {
  skip,
}, async () => {
  await withNetwork("nlneigh", (ns, path) => {
    const before = json(ns, ["ip", "-j", "neigh"]);
    const ours = ok(dumpNeighbours({ netns: path }), "neighbours");
    const after = json(ns, ["ip", "-j", "neigh"]);
    const proxy = json(ns, ["ip", "-j", "neigh", "show", "proxy"]);
    const shape = (n: (typeof ours)[number]): Json => ({
      dst: n.address,
      dev: n.interface,
      ...(n.lladdr ? { lladdr: n.lladdr } : {}),
      ...(n.router ? { router: null } : {}),
      ...(n.proxy ? { proxy: null } : { state: n.states }),
    });
    // ip leaves out NOARP entries (multicast, loopback) and entries in no state.
    const plain = ours.filter((n) => !n.proxy && n.state & ~0x40);
    const seen = plain.map(shape);
    // An entry can age (REACHABLE → STALE) between the readings: either reading will do.
    for (let i = 0; i < seen.length; i++) {
      const b = before.find((x) => x.dst === seen[i]!.dst),
        a = after.find((x) => x.dst === seen[i]!.dst);
      assert.ok(
        JSON.stringify(seen[i]) === JSON.stringify(b) ||
          JSON.stringify(seen[i]) === JSON.stringify(a),
        `neighbour ${seen[i]!.dst}: ${JSON.stringify(seen[i])} vs ${JSON.stringify(b)}`,
      );
    }
    assert.equal(seen.length, before.length);
    assert.deepEqual(
      ours.filter((n) => n.proxy).map(shape),
      proxy,
    );
    const failed = ours.find((n) => n.address === "10.77.5.4")!;
    assert.deepEqual([failed.states, failed.lladdr], [["FAILED"], undefined]);
    assert.equal(ours.find((n) => n.address === "fd00:77::2")!.router, true);
  });
});

test("dumpQdiscs() in a namespace equals tc -j -s qdisc, counters included", { skip }, async () => {
  await withNetwork("nlqdisc", (ns, path) => {
    const before = json(ns, ["tc", "-j", "-s", "qdisc"]);
    const ours = ok(dumpQdiscs({ netns: path }), "qdiscs");
    const after = json(ns, ["tc", "-j", "-s", "qdisc"]);
    assert.equal(ours.length, before.length);
    ours.forEach((q, i) => {
      const t = before[i]!, a = after[i]!, where = `qdisc ${q.kind} on ${q.interface}`;
      assert.equal(q.kind, t.kind, where);
      assert.equal(formatTcHandle(q.handle), t.handle, where);
      assert.equal(q.interface, t.dev, where);
      assert.equal(q.root ? true : undefined, t.root, where);
      if (!q.root) assert.equal(formatTcHandle(q.parent), t.parent, where);
      if (t.refcnt !== undefined) assert.equal(q.refcnt, t.refcnt, where);
      const options = t.options as Json;
      // tc shows tbf's rate, burst and latency, not the byte limit it derives from them.
      if (q.kind === "tbf") assert.equal(q.rate, BigInt(options.rate as number), where);
      else assert.equal(q.limit, options.limit, where);
      const s = q.stats!;
      for (const k of ["bytes", "packets", "drops", "overlimits", "requeues"] as const) {
        between(`${where} ${k}`, t[k], s[k], a[k]);
      }
      assert.equal(s.backlog, t.backlog, where);
      assert.equal(s.qlen, t.qlen, where);
    });
    const pfifo = ours.find((q) => q.kind === "pfifo")!;
    assert.deepEqual([pfifo.interface, pfifo.limit], ["nl0", 3]);
    assert.ok(pfifo.stats!.packets >= 5n);
  });
});

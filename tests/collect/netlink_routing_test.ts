/**
 * The netlink records of rules, neighbours and qdiscs mapped to the snapshot's model as the ip
 * and tc readers give them: recorded kernel answers (tests/testdata/netlink) in, records out.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFixture } from "../parse/netlink/_fixtures.ts";
import { ruleDecoder } from "../../src/parse/netlink/rtnl_rule.ts";
import { neighbourDecoder } from "../../src/parse/netlink/rtnl_neigh.ts";
import { qdiscDecoder } from "../../src/parse/netlink/rtnl_qdisc.ts";
import { type RuleNames, ruleOf } from "../../src/collect/linux/rules.ts";
import { listedByIp, neighbourOf } from "../../src/collect/linux/neighbours.ts";
import { plainOptions, qdiscOf, tcClassId } from "../../src/collect/linux/qdiscs.ts";
import { parseEtcProtocols, parseIproute2Names } from "../../src/parse/linux/etc_names.ts";

const NAMES: RuleNames = {
  protocol: (n) => (n === 6 ? "tcp" : `ipproto-${n}`),
  tos: (n) => `0x${n.toString(16).padStart(2, "0")}`,
  realm: String,
};

test("rules of a dump read as ip -j rule shows them", () => {
  const rules = decodeFixture("rules4.bin", ruleDecoder()).records.map((r) => ruleOf(r, NAMES));
  const by = new Map(rules.map((r) => [r.priority, r]));
  assert.deepEqual(by.get(0), { family: "inet", priority: 0, action: "lookup", table: 255 });
  assert.deepEqual(by.get(1000), {
    family: "inet",
    priority: 1000,
    action: "lookup",
    from: "10.77.6.0/24",
    table: 100,
  });
  assert.deepEqual([by.get(1001)!.fwmark, by.get(1001)!.fwmask], [0x10, 0xff]);
  const sel = by.get(1002)!;
  assert.deepEqual(
    [sel.not, sel.to, sel.iif, sel.ipProto, sel.sport, sel.dport, sel.uidRange],
    [
      true,
      "10.0.0.0/8",
      "lo",
      "tcp",
      { start: 1000, end: 1000 },
      { start: 80, end: 90 },
      { start: 1000, end: 2000 },
    ],
  );
  assert.equal(by.get(1004)!.suppressPrefixLength, 0);
  // An action that looks nothing up has no table, as ip prints none.
  assert.deepEqual(by.get(1005), {
    family: "inet",
    priority: 1005,
    action: "prohibit",
    oif: "nl0",
  });
  // The suppressors at "none" and the full uid range are left out, as ip leaves them out.
  for (const r of rules) {
    assert.ok(r.suppressIfgroup === undefined, `rule ${r.priority}`);
    if (r.priority !== 1002) assert.equal(r.uidRange, undefined, `rule ${r.priority}`);
  }
});

test("a rule's mark without a mask attribute, realms, tos and goto as ip prints them", () => {
  const base = { family: "inet" as const, priority: 5, table: 0, invert: false };
  assert.deepEqual(
    ruleOf({ ...base, action: "lookup", table: 9, fwmask: 0xff }, NAMES),
    { family: "inet", priority: 5, action: "lookup", table: 9, fwmark: 0, fwmask: 0xff },
  );
  const r = ruleOf({ ...base, action: "goto", goto: 9, realms: (3 << 16) | 4, tos: 0x10 }, NAMES);
  assert.deepEqual([r.action, r.goto, r.table, r.realms, r.tos], [
    "goto",
    9,
    undefined,
    "3/4",
    "0x10",
  ]);
  assert.equal(ruleOf({ ...base, action: "lookup", realms: 4 }, NAMES).realms, "4");
  assert.equal(
    ruleOf({ ...base, action: "lookup", from: "10.1.1.1/32" }, NAMES).from,
    "10.1.1.1/32",
  );
  const l3 = ruleOf({ ...base, action: "lookup", l3mdev: true }, NAMES);
  assert.deepEqual([l3.l3mdev, l3.table], [true, undefined]);
});

test("neighbours of a dump read as ip -j neigh shows them, NOARP and NONE entries left out", () => {
  const names = new Map([[1, "lo"], [2, "nl1"], [3, "nl0"], [4, "nlbr0"]]);
  const raw = decodeFixture("neighbours.bin", neighbourDecoder()).records;
  for (const n of raw) n.interface = names.get(n.ifindex)!;
  const out = raw.map(neighbourOf).filter((n) => n !== undefined);
  const by = new Map(out.map((n) => [n.address, n]));
  assert.deepEqual(by.get("10.77.5.2"), {
    family: "inet",
    address: "10.77.5.2",
    interface: "nl0",
    mac: "02:00:00:00:00:02",
    state: "PERMANENT",
  });
  assert.deepEqual(by.get("10.77.5.4"), {
    family: "inet",
    address: "10.77.5.4",
    interface: "nl0",
    state: "FAILED",
  });
  assert.deepEqual([by.get("fd00:77::2")!.router, by.get("fd00:77::2")!.state], [
    true,
    "REACHABLE",
  ]);
  const hidden = raw.filter((n) => !listedByIp(n));
  assert.ok(hidden.every((n) => n.state === 0 || n.state === 0x40), JSON.stringify(hidden));
  assert.equal(out.length, raw.length - hidden.length);
  const proxy = decodeFixture("neighbours_proxy.bin", neighbourDecoder()).records;
  proxy[0]!.interface = "nl0";
  assert.deepEqual(neighbourOf(proxy[0]!), {
    family: "inet",
    address: "10.77.5.50",
    interface: "nl0",
    proxy: true,
  });
  // A name the dump could not resolve: left out (the reader warns).
  assert.equal(neighbourOf({ ...proxy[0]!, interface: undefined } as never), undefined);
});

test("qdiscs of a dump read as tc -j -s qdisc shows them, plain options written", () => {
  const raw = decodeFixture("qdiscs.bin", qdiscDecoder()).records;
  for (const q of raw) q.interface = `if${q.ifindex}`;
  const pfifo = raw.find((q) => q.kind === "pfifo")!;
  assert.deepEqual(qdiscOf(pfifo), {
    interface: "if3",
    kind: "pfifo",
    handle: "8001:",
    parent: "root",
    stats: {
      bytes: 710n,
      packets: 5n,
      drops: 0n,
      overlimits: 0n,
      requeues: 0n,
      backlog: 0n,
      qlen: 0n,
    },
  });
  assert.equal(plainOptions(pfifo), "limit 3p");
  const ingress = raw.find((q) => q.kind === "ingress")!;
  assert.deepEqual([qdiscOf(ingress)!.handle, qdiscOf(ingress)!.parent], ["ffff:", "ffff:fff1"]);
  assert.equal(plainOptions(ingress), null);
  assert.equal(plainOptions(raw.find((q) => q.kind === "tbf")!), undefined, "tbf: tc's text");
  const noqueue = raw.find((q) => q.kind === "noqueue");
  if (noqueue) assert.equal(plainOptions(noqueue), null);
  assert.deepEqual(
    [0xffffffff, 0, 0x10000, 0x1000a, 0xffff0000, 0x0005].map(tcClassId),
    ["root", "none", "1:", "1:a", "ffff:", ":5"],
  );
  const fast = {
    ...pfifo,
    kind: "pfifo_fast",
    bands: 3,
    priomap: [1, 2, 2, 2, 1, 2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1],
  };
  assert.equal(plainOptions(fast), "bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1");
  assert.equal(qdiscOf({ ...pfifo, interface: undefined } as never), undefined);
});

test("names tables: /etc/protocols and iproute2's, first name wins, comments read past", () => {
  const p = parseEtcProtocols("# c\nip\t0\tIP\ntcp 6 TCP # tcp\nTCP 6\nbad x\nudp\t17\n");
  assert.deepEqual([...p], [[0, "ip"], [6, "tcp"], [17, "udp"]]);
  const d = parseIproute2Names("0x0\tdefault\n0x28 AF11\n# 0x30 AF12\n40 dup\n12 twelve\n");
  assert.deepEqual([...d], [[0, "default"], [0x28, "AF11"], [12, "twelve"]]);
});

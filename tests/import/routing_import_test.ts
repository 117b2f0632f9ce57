/**
 * nsnap import of the routing, neighbour, settings, qdisc and firewall outputs: each real capture
 * (tests/testdata/routing) is recognised as its format, and importing them gives the sections
 * their parsers read, merged.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { detectFormat } from "../../src/import/detect.ts";
import { importFiles } from "../../src/import/mod.ts";
import { describeRule } from "../../src/net/rules.ts";
import { parseIpRule } from "../../src/parse/linux/ip_rule.ts";
import { routingData } from "../helpers/routing_data.ts";

const FORMAT_OF: Record<string, string> = {
  "ip-rule.txt": "ip-rule",
  "ip-6-rule.txt": "ip-rule",
  "ip-j-rule.json": "ip-json-rule",
  "ip-j-6-rule.json": "ip-json-rule",
  "ip-rule-default.txt": "ip-rule",
  "ip-6-rule-default.txt": "ip-rule",
  "ip-j-rule-default.json": "ip-json-rule",
  "ip-j-6-rule-default.json": "ip-json-rule",
  "ip-neigh.txt": "ip-neigh",
  "ip-neigh-proxy.txt": "ip-neigh",
  "ip-j-neigh.json": "ip-json-neigh",
  "ip-j-neigh-proxy.json": "ip-json-neigh",
  "arp-an.txt": "arp-an",
  "proc-net-arp.txt": "proc-net-arp",
  "ip-route-table-all.txt": "ip-route",
  "ip-j-4-route-table-all.json": "ip-json-route",
  "ip-j-6-route-table-all.json": "ip-json-route",
  "sysctl-a.txt": "sysctl-a",
  "tc-s-qdisc.txt": "tc-qdisc",
  "tc-qdisc.txt": "tc-qdisc",
  "tc-j-s-qdisc.json": "tc-json-qdisc",
  "nft-list-ruleset.txt": "nft-ruleset",
  "nft-a-list-ruleset.txt": "nft-ruleset",
  "iptables-save.txt": "iptables-save",
  "iptables-save-c.txt": "iptables-save",
  "ip6tables-save-c.txt": "iptables-save",
  "iptables-legacy-save-c.txt": "iptables-save",
};

test("every routing capture is recognised as its format by content alone", () => {
  for (const [file, id] of Object.entries(FORMAT_OF)) {
    assert.equal(detectFormat(routingData(file)), id, file);
  }
});

test("importing the captures gives rules, neighbours, settings, qdiscs and firewall sections", () => {
  const names = [
    "ip-rule.txt",
    "ip-neigh.txt",
    "ip-neigh-proxy.txt",
    "arp-an.txt",
    "sysctl-a.txt",
    "tc-s-qdisc.txt",
    "nft-list-ruleset.txt",
    "iptables-legacy-save-c.txt",
    "ip-route-table-all.txt",
  ];
  const s = importFiles(names.map((n) => ({ name: n, text: routingData(n) })), {
    time: "2026-12-01T00:00:00.000Z",
  });
  for (const sec of ["rules", "neighbours", "settings", "qdiscs", "firewall"] as const) {
    assert.deepEqual(s.meta.sections[sec], { status: "ok" }, sec);
  }
  assert.deepEqual(s.meta.source?.formats, [
    "arp-an",
    "ip-neigh",
    "ip-route",
    "ip-rule",
    "iptables-save",
    "nft-ruleset",
    "sysctl-a",
    "tc-qdisc",
  ]);
  assert.equal(s.rules!.length, parseIpRule(routingData("ip-rule.txt")).value.length);
  // arp -an and ip neigh name the same IPv4 entries: merged, ip's states kept.
  assert.equal(s.neighbours!.length, 6);
  assert.equal(s.neighbours!.find((n) => n.address === "10.77.0.3")!.state, "STALE");
  assert.equal(s.settings!["net.core.somaxconn"], "4096");
  assert.ok(Object.keys(s.settings!).every((k) => k.startsWith("net.")), "only net.* settings");
  assert.equal(s.qdiscs!.length, 7);
  assert.deepEqual(s.firewall!.tables.map((t) => `${t.syntax} ${t.family} ${t.name}`), [
    "iptables ip filter",
    "iptables ip nat",
    "nft inet filter",
    "nft ip filter",
    "nft ip nat",
    "nft ip6 filter",
  ]);
  assert.ok(s.routes.some((r) => r.mtu === 1300));
});

test("an import without these outputs leaves the sections out, as an older snapshot has them", () => {
  const s = importFiles([{ name: "r.txt", text: routingData("ip-route-table-all.txt") }]);
  assert.equal(s.rules, undefined);
  assert.equal(s.meta.sections.rules, undefined);
  assert.equal(s.firewall, undefined);
});

/** Imports the named captures' rules at one time. */
function rulesOf(...names: string[]) {
  const s = importFiles(names.map((n) => ({ name: n, text: routingData(n) })), {
    time: "2026-12-01T00:00:00.000Z",
  });
  return {
    rules: (s.rules ?? []).map((r) => `${r.family} ${describeRule(r)}`).sort(),
    status: s.meta.sections.rules,
  };
}

const KERNEL_DEFAULTS = [
  "inet 0: from all lookup local",
  "inet 32766: from all lookup main",
  "inet 32767: from all lookup default",
  "inet6 0: from all lookup local",
  "inet6 32766: from all lookup main",
];

test("the kernel's default ip -6 rule listing, which names no address, is imported as IPv6", () => {
  // Real outputs of a fresh namespace: `ip rule` has 0, 32766, 32767; `ip -6 rule` 0 and 32766.
  for (
    const pair of [
      ["ip-rule-default.txt", "ip-6-rule-default.txt"],
      ["ip-j-rule-default.json", "ip-j-6-rule-default.json"],
      ["ip-rule-default.txt", "ip-j-6-rule-default.json"],
    ]
  ) {
    const r = rulesOf(...pair);
    assert.deepEqual(r.rules, KERNEL_DEFAULTS, pair.join(" + "));
    assert.deepEqual(r.status, { status: "ok" }, pair.join(" + "));
  }
  assert.deepEqual(rulesOf("ip-6-rule-default.txt").rules, KERNEL_DEFAULTS.slice(3));
});

test("a rule listing whose family cannot be told is read as IPv4 with a warning", () => {
  const r = importFiles([{ name: "r.txt", text: "1000:\tfrom all fwmark 0x1 lookup 100\n" }], {
    time: "2026-12-01T00:00:00.000Z",
  });
  assert.equal(r.rules?.[0]?.family, "inet");
  assert.equal(r.meta.sections.rules?.status, "partial");
  assert.match(
    r.meta.sections.rules!.warnings![0]!,
    /^r\.txt: .*family is not shown; read as IPv4/,
  );
});

test("rules two inputs both give are kept once and said, never merged away silently", () => {
  const twice = rulesOf("ip-rule-default.txt", "ip-j-rule-default.json");
  assert.deepEqual(twice.rules, KERNEL_DEFAULTS.slice(0, 3));
  assert.equal(twice.status?.status, "partial");
  assert.deepEqual(twice.status?.warnings, [
    "3 rules are in more than one input, kept once each (`IPv4 0: from all lookup local`, …)",
  ]);
  const other = importFiles([
    { name: "a.txt", text: "1000:\tfrom 10.1.0.0/16 lookup 100\n" },
    { name: "b.txt", text: "1000:\tfrom 10.1.0.0/16 lookup 200\n" },
  ], { time: "2026-12-01T00:00:00.000Z" });
  assert.deepEqual(other.meta.sections.rules?.warnings, [
    "two inputs give IPv4 rule 1000 another action: kept `1000: from 10.1.0.0/16 lookup 100`, " +
    "left out `1000: from 10.1.0.0/16 lookup 200`",
  ]);
});

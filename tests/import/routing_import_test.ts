/**
 * nsnap import of the routing, neighbour, settings, qdisc and firewall outputs: each real capture
 * (tests/testdata/routing) is recognised as its format, and importing them gives the sections
 * their parsers read, merged.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { detectFormat } from "../../src/import/detect.ts";
import { importFiles } from "../../src/import/mod.ts";
import { parseIpRule } from "../../src/parse/linux/ip_rule.ts";
import { routingData } from "../helpers/routing_data.ts";

const FORMAT_OF: Record<string, string> = {
  "ip-rule.txt": "ip-rule",
  "ip-6-rule.txt": "ip-rule",
  "ip-j-rule.json": "ip-json-rule",
  "ip-j-6-rule.json": "ip-json-rule",
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

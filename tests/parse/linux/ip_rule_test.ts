import { test } from "node:test";
import assert from "node:assert/strict";
import { parseIpRule } from "../../../src/parse/linux/ip_rule.ts";
import { parseIpJsonRules } from "../../../src/parse/linux/ip_json_rule.ts";
import { describeRule } from "../../../src/net/rules.ts";
import { routingData } from "../../helpers/routing_data.ts";

test("parseIpRule() and parseIpJsonRules() read the same rules from ip rule and ip -j rule", () => {
  const text = parseIpRule(routingData("ip-rule.txt"), "ip rule");
  const json = parseIpJsonRules(routingData("ip-j-rule.json"), "inet");
  assert.deepEqual(text.warnings, []);
  assert.deepEqual(json.warnings, []);
  assert.equal(text.value.length, 14);
  assert.deepEqual(text.value, json.value);
  const six = parseIpRule(routingData("ip-6-rule.txt"), "ip -6 rule", "inet6");
  assert.deepEqual(six.value, parseIpJsonRules(routingData("ip-j-6-rule.json"), "inet6").value);
  assert.ok(six.value.every((r) => r.family === "inet6"));
});

test("parseIpRule() reads every selector and action ip prints", () => {
  const rules = parseIpRule(routingData("ip-rule.txt")).value;
  const at = (p: number) => rules.find((r) => r.priority === p)!;
  assert.deepEqual(at(1000), {
    family: "inet",
    priority: 1000,
    action: "lookup",
    from: "10.77.6.0/24",
    table: 100,
  });
  assert.deepEqual(at(1001), {
    family: "inet",
    priority: 1001,
    action: "lookup",
    not: true,
    to: "10.0.0.0/8",
    fwmark: 0x10,
    fwmask: 0xff,
    iif: "v0",
    table: 200,
  });
  const r1002 = at(1002);
  assert.deepEqual(
    [
      r1002.uidRange,
      r1002.ipProto,
      r1002.sport,
      r1002.dport,
      r1002.table,
      r1002.suppressPrefixLength,
    ],
    [{ start: 1000, end: 2000 }, "tcp", { start: 1024, end: 1024 }, { start: 80, end: 90 }, 254, 0],
  );
  assert.deepEqual([at(1003).action, at(1004).action, at(1005).action], [
    "blackhole",
    "prohibit",
    "unreachable",
  ]);
  assert.deepEqual([at(1006).action, at(1006).goto, at(1010).action], ["goto", 1010, "nop"]);
  assert.deepEqual([at(1011).l3mdev, at(1011).table, at(1011).tos, at(1011).oif], [
    true,
    undefined,
    "0x10",
    "v1",
  ]);
  assert.equal(at(1013).realms, "3/4");
  assert.deepEqual([at(0).table, at(32766).table, at(32767).table], [255, 254, 253]);
});

test("describeRule() prints each rule as ip rule does", () => {
  const lines = routingData("ip-rule.txt").trimEnd().split("\n").map((l) => l.replace("\t", " "));
  assert.deepEqual(parseIpRule(routingData("ip-rule.txt")).value.map(describeRule), lines);
});

test("parseIpRule() reads older layouts: spaces for the tab, a host address without /32", () => {
  const text = "0: from all lookup local\n32760: from 10.6.212.131  lookup 100\n" +
    "32761:\tfrom all iif eth9 [detached] lookup 7\n32766: from all lookup main\n";
  const { value, warnings } = parseIpRule(text);
  assert.deepEqual(warnings, []);
  assert.equal(value[1]!.from, "10.6.212.131/32");
  assert.equal(value[2]!.iif, "eth9");
  assert.ok(value.every((r) => r.family === "inet"));
});

test("parseIpRule() warns about a table name without a number and about lines it cannot read", () => {
  const { value, warnings } = parseIpRule(
    "100: from all lookup wireguard\nbad line\n200: from all frobnicate 3 lookup main\n",
    "saved.txt",
  );
  assert.equal(value.length, 1);
  assert.equal(value[0]!.table, 0);
  assert.equal(warnings.length, 4);
  assert.match(warnings[0]!, /^saved\.txt:1: table "wireguard" has no number/);
  assert.match(warnings[1]!, /^saved\.txt:2: cannot read rule: "bad line"/);
  assert.match(warnings[2]!, /unknown word "frobnicate"/);
  // No address and none of the kernel's default rules: the family is a guess, and said.
  assert.match(warnings[3]!, /^saved\.txt: .*family is not shown; read as IPv4/);
});

test("parseIpRule() and parseIpJsonRules() tell the kernel's default IPv6 listing from IPv4's", () => {
  // Real outputs of a fresh namespace (tests/testdata/routing/make.sh): no address in either.
  const six = parseIpRule(routingData("ip-6-rule-default.txt"), "ip -6 rule");
  assert.deepEqual(six.warnings, []);
  assert.deepEqual(six.value.map((r) => [r.family, r.priority, r.table]), [
    ["inet6", 0, 255],
    ["inet6", 32766, 254],
  ]);
  const sixJson = parseIpJsonRules(routingData("ip-j-6-rule-default.json"), undefined);
  assert.deepEqual(sixJson, six);
  const four = parseIpRule(routingData("ip-rule-default.txt"));
  assert.deepEqual(four.warnings, []);
  assert.ok(four.value.length === 3 && four.value.every((r) => r.family === "inet"));
  assert.deepEqual(parseIpJsonRules(routingData("ip-j-rule-default.json"), undefined), four);
  // The family given wins over the shape.
  assert.ok(
    parseIpRule(routingData("ip-6-rule-default.txt"), "x", "inet").value.every((r) =>
      r.family === "inet"
    ),
  );
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { parseNftRuleset } from "../../../src/parse/linux/nft_ruleset.ts";
import { parseNftJsonRuleset } from "../../../src/parse/linux/nft_json_ruleset.ts";
import { parseIptablesSave } from "../../../src/parse/linux/iptables_save.ts";
import { chainPriority } from "../../../src/net/firewall.ts";
import { routingData } from "../../helpers/routing_data.ts";

test("parseNftRuleset() reads tables, base chains and rules; sets are read past", () => {
  const { value, warnings } = parseNftRuleset(routingData("nft-list-ruleset.txt"));
  assert.deepEqual(warnings, []);
  assert.deepEqual(value.map((t) => `${t.family} ${t.name}`), [
    "inet filter",
    "ip nat",
    "ip filter",
    "ip6 filter",
  ]);
  const input = value[0]!.chains.find((c) => c.name === "input")!;
  assert.deepEqual(
    [input.type, input.hook, input.priority, input.policy],
    ["filter", "input", 0, "drop"],
  );
  assert.deepEqual(input.rules.map((r) => r.text), [
    'iif "lo" accept',
    "ct state established,related accept",
    "ct state invalid counter drop",
    'tcp dport 22 accept comment "ssh"',
    "tcp dport { 80, 443 } counter accept",
    "ip saddr @blocked drop",
    "ip6 nexthdr ipv6-icmp accept",
    "tcp dport 8080 reject with tcp reset",
    "udp dport 5353-5360 drop",
    "jump extra",
  ]);
  assert.deepEqual(input.rules[2]!.counters, { packets: 0n, bytes: 0n });
  assert.equal(input.rules[0]!.handle, undefined, "nft without -a prints no handles");
  const post = value[1]!.chains[0]!;
  assert.deepEqual([post.hook, post.priority], ["postrouting", 110], "srcnat + 10");
  const ipt = value[2]!.chains.find((c) => c.name === "INPUT")!;
  assert.equal(ipt.rules[0]!.text, 'iifname "lo" counter accept');
  assert.ok(ipt.rules[0]!.counters!.packets > 0n);
});

test("parseNftRuleset() on nft -a gives the same rules with their handles, as nft -j has them", () => {
  const plain = parseNftRuleset(routingData("nft-list-ruleset.txt")).value;
  const withHandles = parseNftRuleset(routingData("nft-a-list-ruleset.txt"));
  assert.deepEqual(withHandles.warnings, []);
  const strip = (ts: typeof plain) =>
    ts.map((t) => ({
      ...t,
      chains: t.chains.map((c) => ({ ...c, rules: c.rules.map(({ handle: _, ...r }) => r) })),
    }));
  assert.deepEqual(strip(withHandles.value), strip(plain));
  const json = parseNftJsonRuleset(routingData("nft-j-list-ruleset.json"));
  assert.deepEqual(json.warnings, []);
  // Every chain with its attributes, and every rule's handle in order.
  assert.deepEqual(
    json.value.tables.map((t) => ({ ...t, chains: t.chains.map((c) => ({ ...c, rules: [] })) })),
    withHandles.value.map((t) => ({ ...t, chains: t.chains.map((c) => ({ ...c, rules: [] })) })),
  );
  const handles = withHandles.value.flatMap((t) =>
    t.chains.flatMap((c) => c.rules.map((r) => `${t.family} ${t.name} ${c.name} ${r.handle}`))
  );
  assert.deepEqual(
    json.value.rules.map((r) => `${r.family} ${r.table} ${r.chain} ${r.handle}`).sort(),
    [...handles].sort(),
  );
  const ssh = json.value.rules.find((r) => r.handle === 8)!;
  assert.equal(ssh.comment, "ssh");
});

test("parseIptablesSave() reads tables, policies and rules; -c counters kept apart", () => {
  const plain = parseIptablesSave(routingData("iptables-save.txt"));
  const counted = parseIptablesSave(routingData("iptables-save-c.txt"));
  assert.deepEqual(plain.warnings, []);
  assert.deepEqual(counted.warnings, []);
  const filter = counted.value.find((t) => t.name === "filter")!;
  assert.deepEqual(filter.chains.map((c) => [c.name, c.hook, c.policy, c.priority]), [
    ["INPUT", "input", "accept", 0],
    ["FORWARD", "forward", "drop", 0],
    ["OUTPUT", "output", "accept", 0],
    ["MYCHAIN", undefined, undefined, undefined],
  ]);
  assert.deepEqual(filter.chains[0]!.rules.map((r) => r.text), [
    "-i lo -j ACCEPT",
    "-p tcp -m tcp --dport 2222 -j DROP",
    "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
    "-s 10.1.0.0/16 -p udp -m multiport --dports 53,123 -j REJECT --reject-with icmp-port-unreachable",
  ]);
  assert.deepEqual(filter.chains[3]!.rules[0], {
    text: '-j LOG --log-prefix "x y "',
    counters: { packets: 0n, bytes: 0n },
  });
  const strip = plain.value.map((t) => ({
    ...t,
    chains: t.chains.map((c) => ({ ...c, rules: c.rules.map((r) => r.text) })),
  }));
  assert.deepEqual(
    counted.value.map((t) => ({
      ...t,
      chains: t.chains.map((c) => ({ ...c, rules: c.rules.map((r) => r.text) })),
    })),
    strip,
  );
  assert.ok(counted.value.every((t) => t.family === "ip" && t.syntax === "iptables"));
  const v6 = parseIptablesSave(routingData("ip6tables-save-c.txt"));
  assert.ok(v6.value.every((t) => t.family === "ip6"), "the header says ip6tables-save");
  const legacy = parseIptablesSave(routingData("iptables-legacy-save-c.txt"));
  const nat = legacy.value.find((t) => t.name === "nat")!;
  assert.deepEqual(nat.chains.map((c) => [c.name, c.priority]), [
    ["PREROUTING", -100],
    ["INPUT", 100],
    ["OUTPUT", -100],
    ["POSTROUTING", 100],
  ]);
});

test("parseIptablesSave() warns about rules of undeclared chains and a missing COMMIT", () => {
  const { value, warnings } = parseIptablesSave("*filter\n:INPUT ACCEPT [0:0]\n-A NOPE -j DROP\n");
  assert.equal(value.length, 1);
  assert.equal(warnings.length, 2);
});

test("chainPriority() reads nft's priority names per family", () => {
  assert.equal(chainPriority("filter", "inet"), 0);
  assert.equal(chainPriority("mangle - 5", "ip"), -155);
  assert.equal(chainPriority("filter", "bridge"), -200);
  assert.equal(chainPriority("-300", "ip6"), -300);
  assert.equal(chainPriority("nonsense", "ip"), undefined);
});

test("parseNftRuleset() reads netdev chains, flowtables, multi-line maps and chain comments", () => {
  const text = `table netdev edge {
	flowtable ft {
		hook ingress priority filter
		devices = { eth0 }
	}

	map ports {
		type inet_service : verdict
		elements = { 22 : accept,
			     80 : accept }
	}

	chain ingress {
		comment "edge filter"
		type filter hook ingress device "eth0" priority -500; policy accept;
		ip saddr 192.0.2.0/24 counter packets 5 bytes 300 drop
	}
}
`;
  const { value, warnings } = parseNftRuleset(text);
  assert.deepEqual(warnings, []);
  const c = value[0]!.chains[0]!;
  assert.deepEqual([c.hook, c.device, c.priority, c.policy], ["ingress", "eth0", -500, "accept"]);
  assert.deepEqual(c.rules, [{
    text: "ip saddr 192.0.2.0/24 counter drop",
    counters: { packets: 5n, bytes: 300n },
  }]);
});

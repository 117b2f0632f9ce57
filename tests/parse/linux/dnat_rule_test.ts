/**
 * DNAT rules and docker-proxy command lines read into forwards, on real outputs of a host running
 * Debian's docker.io 20.10.24 with iptables-nft (tests/testdata/namespaces/: `iptables-save -t
 * nat`, `nft -a list table ip nat`, and the docker-proxy command lines of `ps -eo args`).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  dnatOfIptablesRule,
  dnatOfIptablesSave,
  dnatOfNftRule,
} from "../../../src/parse/linux/dnat_rule.ts";
import { parseDockerProxyArgs } from "../../../src/parse/linux/docker_proxy_cmdline.ts";

const DATA = new URL("../../testdata/namespaces/", import.meta.url);
const read = (name: string) => readFileSync(new URL(name, DATA), "utf8");

test("dnatOfIptablesSave() reads Docker's DNAT rules of a real iptables-save -t nat", () => {
  const got = dnatOfIptablesSave(read("iptables-save-t-nat.txt"));
  assert.deepEqual(got.map((g) => g.forward), [
    {
      protocol: "tcp",
      hostAddress: "127.0.0.1",
      hostPort: 18099,
      toAddress: "10.123.250.2",
      toPort: 80,
      chain: "DOCKER",
    },
    {
      protocol: "tcp",
      hostAddress: "0.0.0.0",
      hostPort: 8099,
      toAddress: "10.124.77.2",
      toPort: 8080,
      chain: "DOCKER",
    },
  ]);
  assert.match(
    got[0]!.rule,
    /^-A DOCKER -d 127\.0\.0\.1\/32 .*--to-destination 10\.123\.250\.2:80$/,
  );
});

test("dnatOfNftRule() reads the same forwards from the nft text of that iptables-nft table", () => {
  const text = read("nft-a-list-table-ip-nat.txt");
  const rules = text.split("\n").filter((l) => /^\t\t\S/.test(l) && !/^\t\ttype /.test(l));
  const fromNft = rules.map(dnatOfNftRule).filter((f) => f !== undefined);
  const fromSave = dnatOfIptablesSave(read("iptables-save-t-nat.txt")).map(({ forward }) => {
    const { chain: _, ...rest } = forward;
    return rest;
  });
  assert.deepEqual(fromNft, fromSave);
  // nft's JSON shows iptables-nft's DNAT as an xt target without its destination.
  const json = read("nft-j-list-table-ip-nat.json");
  assert.match(json, /"xt": \{"type": "target", "name": "DNAT"\}/);
  assert.doesNotMatch(json, /"dnat"/);
});

test("dnatOfIptablesRule() takes single-port DNATs only, never a guess", () => {
  const base = "-A CNI-DN-1 -p tcp -m tcp --dport 8080 -j DNAT --to-destination";
  assert.deepEqual(dnatOfIptablesRule(`${base} 10.244.0.5:80`), {
    protocol: "tcp",
    hostAddress: "0.0.0.0",
    hostPort: 8080,
    toAddress: "10.244.0.5",
    toPort: 80,
    chain: "CNI-DN-1",
  });
  // No port in the target: the port stays.
  assert.equal(dnatOfIptablesRule(`${base} 10.244.0.5`)?.toPort, 8080);
  assert.deepEqual(
    dnatOfIptablesRule(
      "-A DOCKER -d ::1/128 -p udp -m udp --dport 53 -j DNAT --to-destination [fd00::2]:5353",
    ),
    {
      protocol: "udp",
      hostAddress: "::1",
      hostPort: 53,
      toAddress: "fd00::2",
      toPort: 5353,
      chain: "DOCKER",
    },
  );
  for (
    const rule of [
      "-A X -p tcp -m tcp --dport 8000:8010 -j DNAT --to-destination 10.0.0.2:80",
      "-A X -p tcp -m multiport --dports 80,443 -j DNAT --to-destination 10.0.0.2",
      "-A X ! -d 127.0.0.1/32 -p tcp --dport 80 -j DNAT --to-destination 10.0.0.2:80",
      "-A X -d 10.0.0.0/8 -p tcp --dport 80 -j DNAT --to-destination 10.0.0.2:80",
      "-A X --dport 80 -j DNAT --to-destination 10.0.0.2:80",
      "-A X -p tcp --dport 80 -j MASQUERADE",
      "-A X -p tcp --dport 80 -j DNAT --to-destination 10.0.0.2-10.0.0.9:80",
      "-N DOCKER",
    ]
  ) assert.equal(dnatOfIptablesRule(rule), undefined, rule);
});

test("dnatOfNftRule() reads nft's own dnat statements", () => {
  assert.deepEqual(
    dnatOfNftRule(
      'ip daddr 127.0.0.1 iifname != "docker0" tcp dport 18080 counter packets 0 bytes 0 dnat to 172.17.0.2:80 # handle 12',
    ),
    {
      protocol: "tcp",
      hostAddress: "127.0.0.1",
      hostPort: 18080,
      toAddress: "172.17.0.2",
      toPort: 80,
    },
  );
  assert.equal(dnatOfNftRule("udp dport 53 dnat ip to 10.0.0.2")?.hostAddress, "0.0.0.0");
  assert.equal(dnatOfNftRule("tcp dport 80 dnat ip6 to [fd00::2]:8080")?.hostAddress, "::");
  assert.equal(dnatOfNftRule("ip daddr != 127.0.0.1 tcp dport 80 dnat to 1.2.3.4:80"), undefined);
  assert.equal(dnatOfNftRule("tcp dport { 80, 443 } dnat to 1.2.3.4"), undefined);
  assert.equal(dnatOfNftRule("tcp dport 80 accept"), undefined);
});

test("parseDockerProxyArgs() reads each real docker-proxy command line", () => {
  const lines = read("docker-proxy-cmdlines.txt").trim().split("\n");
  assert.deepEqual(lines.map((l) => parseDockerProxyArgs(l.split(" "))), [
    {
      protocol: "tcp",
      hostAddress: "127.0.0.1",
      hostPort: 18099,
      toAddress: "10.123.250.2",
      toPort: 80,
    },
    {
      protocol: "tcp",
      hostAddress: "0.0.0.0",
      hostPort: 8099,
      toAddress: "10.124.77.2",
      toPort: 8080,
    },
    { protocol: "tcp", hostAddress: "::", hostPort: 8099, toAddress: "10.124.77.2", toPort: 8080 },
  ]);
  assert.equal(parseDockerProxyArgs(["/usr/bin/socat", "-proto", "tcp"]), undefined);
  assert.equal(parseDockerProxyArgs(["docker-proxy", "-proto", "tcp", "-host-ip", "x"]), undefined);
});

/**
 * The Linux collector's rules, neighbours, settings, qdiscs and firewall sections on a fixture
 * tree (/proc/sys, /proc/net/arp) and recorded tool outputs (tests/testdata/routing): each
 * section equals what its parser reads from the same output, each falls back as its header says,
 * and a missing tool or a refusal is a warning or an error, never a crash.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { CommandResult, CommandRunner } from "../../src/runtime/command.ts";
import type { Place } from "../../src/collect/contract.ts";
import { collectRules } from "../../src/collect/linux/rules.ts";
import { collectNeighbours } from "../../src/collect/linux/neighbours.ts";
import { collectSettings, SETTINGS } from "../../src/collect/linux/settings.ts";
import { collectQdiscs } from "../../src/collect/linux/qdiscs.ts";
import { collectFirewall } from "../../src/collect/linux/firewall.ts";
import { parseIpJsonRules } from "../../src/parse/linux/ip_json_rule.ts";
import { parseIpNeigh } from "../../src/parse/linux/ip_neigh.ts";
import { parseTcQdisc } from "../../src/parse/linux/tc_qdisc.ts";
import { parseNftRuleset } from "../../src/parse/linux/nft_ruleset.ts";
import { routingData } from "../helpers/routing_data.ts";

const ok = (stdout: string): CommandResult => ({ ok: true, stdout, stderr: "" });
const notFound = (argv: readonly string[]): CommandResult => ({
  ok: false,
  stdout: "",
  stderr: "",
  reason: `${argv[0]}: not found`,
});

/** The recorded outputs, by tool name and arguments (any path to the tool). */
const RECORDED: Record<string, string> = {
  "ip -j -4 rule show": "ip-j-rule.json",
  "ip -j -6 rule show": "ip-j-6-rule.json",
  "ip -j neigh show": "ip-j-neigh.json",
  "ip -j neigh show proxy": "ip-j-neigh-proxy.json",
  "tc -j -s qdisc show": "tc-j-s-qdisc.json",
  "tc qdisc show": "tc-qdisc.txt",
  "tc -s qdisc show": "tc-s-qdisc.txt",
  "nft -a list ruleset": "nft-a-list-ruleset.txt",
  "nft -j list ruleset": "nft-j-list-ruleset.json",
  "iptables-legacy-save -c": "iptables-legacy-save-c.txt",
  "iptables-save -c": "iptables-save-c.txt",
  "ip6tables-save -c": "ip6tables-save-c.txt",
};

/** A runner with the recorded outputs; `without` lists tools that are not installed. */
/** What nft prints when the kernel refuses its netlink dump (as root without CAP_NET_ADMIN). */
const ROOTLESS = "Operation not permitted (you must be root)";

function recorded(
  without: string[] = [],
  refuse: string[] = [],
  refusal = "Operation not permitted",
): CommandRunner {
  return (argv) => {
    const tool = argv[0]!.slice(argv[0]!.lastIndexOf("/") + 1);
    if (without.includes(tool)) return notFound(argv);
    if (refuse.includes(tool)) {
      return {
        ok: false,
        stdout: "",
        stderr: refusal,
        reason: `${argv.join(" ")}: exit 1: Error: ${refusal}`,
      };
    }
    const file = RECORDED[[tool, ...argv.slice(1)].join(" ")];
    return file === undefined ? notFound(argv) : ok(routingData(file));
  };
}

function put(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

/** A /proc tree: some settings (an interface with a dot, no conntrack), the ARP table. */
function tree(): string {
  const root = mkdtempSync(join(tmpdir(), "nsnap-routing-"));
  put(root, "proc/sys/net/ipv4/ip_forward", "1\n");
  for (const dev of ["all", "default", "eth0", "eth0.100"]) {
    put(root, `proc/sys/net/ipv4/conf/${dev}/rp_filter`, dev === "eth0.100" ? "2\n" : "1\n");
    put(root, `proc/sys/net/ipv4/conf/${dev}/forwarding`, "0\n");
  }
  put(root, "proc/sys/net/core/somaxconn", "4096\n");
  put(root, "proc/sys/net/ipv4/tcp_rmem", "4096\t131072\t6291456\n");
  put(root, "proc/net/arp", routingData("proc-net-arp.txt"));
  return root;
}

function place(root: string, runner: CommandRunner): Place {
  return { root, runner };
}

test("collectRules() reads both families from ip -j rule, as the parser reads them", () => {
  const s = collectRules(place("/nonexistent", recorded()));
  assert.equal(s.source, "ip -j");
  assert.deepEqual(s.status, { status: "ok" });
  assert.deepEqual(s.value, [
    ...parseIpJsonRules(routingData("ip-j-rule.json"), "inet").value,
    ...parseIpJsonRules(routingData("ip-j-6-rule.json"), "inet6").value,
  ]);
  const none = collectRules(place("/nonexistent", recorded(["ip"])));
  assert.deepEqual(none.status, {
    status: "error",
    error: "ip: not found (iproute2 is not installed)",
  });
});

test("collectNeighbours() reads ip -j neigh and its proxy entries, else /proc/net/arp, saying so", () => {
  const root = tree();
  try {
    const s = collectNeighbours(place(root, recorded()));
    assert.equal(s.source, "ip -j");
    assert.deepEqual(s.status, { status: "ok" });
    assert.deepEqual(s.value, [
      ...parseIpNeigh(routingData("ip-neigh.txt")).value,
      ...parseIpNeigh(routingData("ip-neigh-proxy.txt")).value,
    ]);
    const proc = collectNeighbours(place(root, recorded(["ip"])));
    assert.equal(proc.source, "/proc/net/arp");
    assert.equal(proc.status.status, "partial");
    assert.match(proc.status.warnings![0]!, /ip: not found .*read \/proc\/net\/arp instead \(IPv4/);
    assert.equal(proc.value.length, 5);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("collectSettings() reads the table from /proc/sys: every interface, names as sysctl writes them", () => {
  const root = tree();
  try {
    const s = collectSettings(place(root, recorded()));
    assert.equal(s.source, "/proc/sys");
    assert.deepEqual({ ...s.value }, {
      "net.ipv4.ip_forward": "1",
      "net.ipv4.conf.all.forwarding": "0",
      "net.ipv4.conf.default.forwarding": "0",
      "net.ipv4.conf.eth0.forwarding": "0",
      "net.ipv4.conf.eth0/100.forwarding": "0",
      "net.ipv4.conf.all.rp_filter": "1",
      "net.ipv4.conf.default.rp_filter": "1",
      "net.ipv4.conf.eth0.rp_filter": "1",
      "net.ipv4.conf.eth0/100.rp_filter": "2",
      "net.core.somaxconn": "4096",
      "net.ipv4.tcp_rmem": "4096 131072 6291456",
    });
    // Absent settings are notes, not losses (ok, with the notes); a kernel without IPv6 (no
    // ipv6 folder) just has no IPv6 settings.
    assert.equal(s.status.status, "ok");
    const w = s.status.warnings!;
    assert.ok(
      w.includes("net.netfilter.nf_conntrack_max absent: the nf_conntrack module is not loaded"),
      w.join("\n"),
    );
    assert.ok(!w.some((x) => /netdev_max_backlog/.test(x)), "absent in a namespace: no news");
    assert.ok(!w.some((x) => /ipv6/.test(x)), w.join("\n"));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("the settings table names every sysctl once, each with a reason", () => {
  const names = SETTINGS.map((e) => e.name);
  assert.equal(new Set(names).size, names.length);
  for (const e of SETTINGS) {
    assert.match(e.name, /^net\.[a-z0-9_*.]+$/, e.name);
    assert.ok(e.reason.length > 10 && e.reason.length < 100, e.name);
  }
});

test("collectQdiscs() joins tc -j counters with tc's option text; without -j, tc -s alone", () => {
  const s = collectQdiscs(place("/nonexistent", recorded()));
  assert.equal(s.source, "tc -j");
  assert.deepEqual(s.status, { status: "ok" });
  const text = parseTcQdisc(routingData("tc-qdisc.txt")).value;
  assert.deepEqual(
    s.value.map((q) => [q.interface, q.parent, q.handle, q.options]),
    text.map((q) => [
      q.interface,
      q.parent,
      q.handle,
      q.options,
    ]),
  );
  assert.ok(s.value.find((q) => q.kind === "tbf")!.stats!.drops! > 0n);
  const textOnly = collectQdiscs(
    place(
      "/nonexistent",
      (argv) =>
        argv.includes("-j")
          ? { ok: false, stdout: "", stderr: "", reason: "tc: exit 1" }
          : recorded()(argv),
    ),
  );
  assert.equal(textOnly.source, "tc");
  assert.deepEqual(textOnly.value, parseTcQdisc(routingData("tc-s-qdisc.txt")).value);
  const none = collectQdiscs(place("/nonexistent", recorded(["tc"])));
  assert.equal(none.status.status, "error");
});

test("collectFirewall() joins nft's JSON and text by handle, and adds legacy iptables tables", () => {
  const root = tree();
  try {
    put(root, "proc/net/ip_tables_names", "nat\nfilter\n");
    const s = collectFirewall(place(root, recorded()));
    assert.equal(s.source, "nft, iptables-legacy-save");
    assert.deepEqual(s.status, { status: "ok" });
    const nft = s.value.tables.filter((t) => t.syntax === "nft");
    assert.deepEqual(nft, parseNftRuleset(routingData("nft-a-list-ruleset.txt")).value);
    const legacy = s.value.tables.filter((t) => t.syntax === "iptables");
    assert.deepEqual(legacy.map((t) => `${t.family} ${t.name}`), ["ip nat", "ip filter"]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("collectFirewall() falls back to iptables-save without nft, and says why when nothing answers", () => {
  const root = tree();
  try {
    const ipt = collectFirewall(place(root, recorded(["nft"])));
    assert.equal(ipt.source, "iptables-save");
    assert.deepEqual(ipt.status, { status: "ok" });
    assert.deepEqual(ipt.value.tables.map((t) => `${t.family} ${t.name}`), [
      "ip filter",
      "ip nat",
      "ip6 filter",
    ]);
    const none = collectFirewall(place(root, recorded(["nft", "iptables-save", "ip6tables-save"])));
    assert.deepEqual(none.status, {
      status: "error",
      error: "no firewall tool: nft and iptables-save are not installed",
    });
    const refused = collectFirewall(
      place(root, recorded([], ["nft", "iptables-save", "ip6tables-save"])),
    );
    assert.equal(refused.status.status, "error");
    assert.match(
      refused.status.error!,
      /Operation not permitted \(reading the firewall needs root\)/,
    );
    // Root without CAP_NET_ADMIN (a bounded systemd unit, a pod): nft says "you must be root",
    // which the capture was; the error names the capability instead.
    const capless = collectFirewall({
      ...place(root, recorded([], ["nft", "iptables-save", "ip6tables-save"], ROOTLESS)),
      uid: 0,
    });
    assert.equal(capless.status.status, "error");
    assert.match(capless.status.error!, /\(reading the firewall needs CAP_NET_ADMIN\)/);
    assert.doesNotMatch(capless.status.error!, /must be root|needs root/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

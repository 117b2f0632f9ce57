/**
 * End to end on a real kernel: capture a fresh network namespace, change what decides where its
 * packets go — a policy rule added and one removed, a route's MTU, a gateway's MAC, a neighbour
 * left to go FAILED, ip_forward and somaxconn flipped (per namespace: the host's stay), qdiscs
 * (pfifo limit 3, tbf, ingress), an nft rule in the input hook that drops a listener's port —
 * capture again, and check that each appears with its kind and notable flag; then that every
 * captured fact equals what `ip -j rule`, `ip -j neigh`, `sysctl -n`, `tc -j -s qdisc` and
 * `nft -j list ruleset` say in the same namespace. A third capture after traffic through tbf
 * and the nft rule's removal shows the drops and the rule going.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../helpers/cli.ts";
import { canUseNetns, holdSockets, type Netns, sh, withNetns } from "../../helpers/netns.ts";
import type { Snapshot } from "../../../src/model.ts";
import { parseSnapshotBytes } from "../../../src/snapshot/read.ts";
import { parseIpJsonNeigh } from "../../../src/parse/linux/ip_json_neigh.ts";
import { neighbourKey } from "../../../src/net/neighbours.ts";
import { orderNeighbour } from "../../../src/snapshot/normalize.ts";
import type { Rule } from "../../../src/model.ts";

const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
const skip = !canUseNetns()
  ? "needs root and iproute2 to create network namespaces"
  : !has("nft")
  ? "needs nft (Debian package nftables)"
  : !has("tc")
  ? "needs tc (iproute2)"
  : !has("bash")
  ? "needs bash (its /dev/udp sends the packets that make a neighbour fail)"
  : false;

interface Change {
  kind: string;
  section: string;
  notable?: boolean;
  key: Record<string, unknown>;
  changed?: string[];
  gateway?: boolean;
  summary: string;
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
}

function capture(ns: Netns, file: string): Snapshot {
  const r = runCli(["capture", "-o", file], { wrap: ns.wrap });
  assert.equal(r.code, 0, r.stderr);
  return parseSnapshotBytes(readFileSync(file), file);
}

function diff(a: string, b: string): Change[] {
  const r = runCli(["diff", a, b, "--format", "json"]);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { changes: Change[] }).changes;
}

/** Waits (bounded) until `ok` holds. */
async function until(what: string, ok: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function sysctl(ns: Netns | undefined, name: string): string {
  const argv = ["sysctl", "-n", name];
  return (ns ? ns.exec(...argv) : sh(argv)).trim().split(/\s+/).join(" ");
}

const TABLES: Record<string, number> = { local: 255, main: 254, default: 253 };

/**
 * Each rule of `ip -j -4|-6 rule` as one line of its fields, read here straight from ip's JSON
 * (not with nsnap's parser, which the capture runs too): what a dropped field would change.
 */
function ipJsonRuleLines(json: string, family: "inet" | "inet6"): string[] {
  const hex = (v: unknown) => typeof v === "string" ? Number.parseInt(v, 16) : Number(v);
  const host = family === "inet" ? 32 : 128;
  return (JSON.parse(json) as Array<Record<string, unknown>>).map((r) => {
    const f: string[] = [family, `pref ${r.priority}`];
    if ("not" in r) f.push("not");
    if (r.src !== undefined && r.src !== "all") f.push(`from ${r.src}/${r.srclen ?? host}`);
    if (r.dst !== undefined && r.dst !== "all") f.push(`to ${r.dst}/${r.dstlen ?? host}`);
    if (r.tos !== undefined) f.push(`tos ${r.tos}`);
    if (r.fwmark !== undefined) {
      f.push(`fwmark ${hex(r.fwmark)}`);
      if (r.fwmask !== undefined && hex(r.fwmask) !== 0xffffffff) f.push(`/${hex(r.fwmask)}`);
    }
    if (r.iif !== undefined) f.push(`iif ${r.iif}`);
    if (r.oif !== undefined) f.push(`oif ${r.oif}`);
    if (r.uid_start !== undefined) f.push(`uid ${r.uid_start}-${r.uid_end}`);
    if (r.ipproto !== undefined) f.push(`ipproto ${r.ipproto}`);
    for (const p of ["sport", "dport"]) {
      if (r[p] !== undefined) f.push(`${p} ${r[p]}-${r[p]}`);
      else if (r[`${p}_start`] !== undefined) f.push(`${p} ${r[`${p}_start`]}-${r[`${p}_end`]}`);
    }
    const action = typeof r.action === "string"
      ? r.action
      : "goto" in r
      ? "goto"
      : "nop" in r
      ? "nop"
      : "lookup";
    f.push(action);
    if ("l3mdev" in r) f.push("l3mdev");
    else if (action === "lookup") f.push(`table ${TABLES[String(r.table)] ?? Number(r.table)}`);
    if (r.goto !== undefined) f.push(`goto ${r.goto}`);
    if (r.suppress_prefixlen !== undefined) f.push(`suppress ${r.suppress_prefixlen}`);
    if (r.flow_to !== undefined) {
      f.push(`realms ${r.flow_from === undefined ? "" : `${r.flow_from}/`}${r.flow_to}`);
    }
    return f.join(" ");
  }).sort();
}

/** A captured rule as the same line of fields. */
function ruleLine(r: Rule): string {
  const f: string[] = [r.family, `pref ${r.priority}`];
  if (r.not) f.push("not");
  if (r.from !== undefined) f.push(`from ${r.from}`);
  if (r.to !== undefined) f.push(`to ${r.to}`);
  if (r.tos !== undefined) f.push(`tos ${r.tos}`);
  if (r.fwmark !== undefined) f.push(`fwmark ${r.fwmark}`);
  if (r.fwmask !== undefined) f.push(`/${r.fwmask}`);
  if (r.iif !== undefined) f.push(`iif ${r.iif}`);
  if (r.oif !== undefined) f.push(`oif ${r.oif}`);
  if (r.uidRange) f.push(`uid ${r.uidRange.start}-${r.uidRange.end}`);
  if (r.ipProto !== undefined) f.push(`ipproto ${r.ipProto}`);
  if (r.sport) f.push(`sport ${r.sport.start}-${r.sport.end}`);
  if (r.dport) f.push(`dport ${r.dport.start}-${r.dport.end}`);
  f.push(r.action);
  if (r.l3mdev) f.push("l3mdev");
  else if (r.table !== undefined) f.push(`table ${r.table}`);
  if (r.goto !== undefined) f.push(`goto ${r.goto}`);
  if (r.suppressPrefixLength !== undefined) f.push(`suppress ${r.suppressPrefixLength}`);
  if (r.realms !== undefined) f.push(`realms ${r.realms}`);
  return f.join(" ");
}

/** Every fact of the capture's new sections equals what the tools say now, in the namespace. */
function crossCheck(ns: Netns, s: Snapshot): void {
  // Rules: ip -j rule, both families, field by field.
  assert.deepEqual(
    s.rules!.map(ruleLine).sort(),
    [
      ...ipJsonRuleLines(ns.ip("-j", "-4", "rule"), "inet"),
      ...ipJsonRuleLines(ns.ip("-j", "-6", "rule"), "inet6"),
    ].sort(),
    "rules = ip -j rule",
  );
  // Neighbours: the static ones exactly; every entry by identity and MAC.
  const neigh = [
    ...parseIpJsonNeigh(ns.ip("-j", "neigh", "show")).value,
    ...parseIpJsonNeigh(ns.ip("-j", "neigh", "show", "proxy"), "ip", true).value,
  ];
  const idMac = (xs: typeof neigh) => xs.map((n) => `${neighbourKey(n)} ${n.mac ?? "-"}`).sort();
  assert.deepEqual(idMac(s.neighbours!), idMac(neigh), "neighbours = ip -j neigh");
  for (const n of s.neighbours!.filter((x) => x.state === "PERMANENT" || x.state === "FAILED")) {
    const same = (m: typeof n) => JSON.stringify(orderNeighbour(m)) === JSON.stringify(n);
    assert.ok(neigh.some(same), JSON.stringify(n));
  }
  // Settings: sysctl -n of every one captured.
  for (
    const name of [
      "net.ipv4.ip_forward",
      "net.core.somaxconn",
      "net.ipv4.tcp_rmem",
      "net.ipv4.conf.v0.rp_filter",
    ]
  ) {
    assert.equal(s.settings![name], sysctl(ns, name), name);
  }
  // Qdiscs: tc -j -s qdisc, every qdisc with its kind, handle and parent; counters at most now.
  const tc = JSON.parse(sh(["tc", "-n", ns.name, "-j", "-s", "qdisc", "show"])) as Array<
    Record<string, unknown>
  >;
  const q = (kind: unknown, handle: unknown, dev: unknown, parent: unknown) =>
    `${dev} ${parent} ${kind} ${handle}`;
  assert.deepEqual(
    s.qdiscs!.map((x) => q(x.kind, x.handle, x.interface, x.parent)).sort(),
    tc.map((x) => q(x.kind, x.handle, x.dev, x.root ? "root" : x.parent)).sort(),
    "qdiscs = tc -j -s qdisc",
  );
  for (const x of s.qdiscs!) {
    const t = tc.find((y) => y.dev === x.interface && y.handle === x.handle)!;
    assert.ok(x.stats!.packets! <= BigInt(t.packets as number), `${x.interface} packets`);
    assert.ok(x.stats!.drops! <= BigInt(t.drops as number), `${x.interface} drops`);
  }
  // Firewall: nft -j list ruleset, every chain with its hook, priority, policy, and rule handles.
  const nft = (JSON.parse(ns.exec("nft", "-j", "list", "ruleset")) as {
    nftables: Array<Record<string, Record<string, unknown>>>;
  }).nftables;
  const chains = nft.filter((o) => o.chain).map((o) => o.chain!);
  const ours = s.firewall!.tables.filter((t) => t.syntax === "nft");
  assert.deepEqual(
    ours.flatMap((t) =>
      t.chains.map((c) => `${t.family} ${t.name} ${c.name} ${c.hook} ${c.priority} ${c.policy}`)
    ).sort(),
    chains.map((c) => `${c.family} ${c.table} ${c.name} ${c.hook} ${c.prio} ${c.policy}`).sort(),
    "chains = nft -j",
  );
  assert.deepEqual(
    ours.flatMap((t) =>
      t.chains.flatMap((c) => c.rules.map((r) => `${t.name} ${c.name} ${r.handle}`))
    ).sort(),
    nft.filter((o) => o.rule).map((o) => `${o.rule!.table} ${o.rule!.chain} ${o.rule!.handle}`)
      .sort(),
    "rule handles = nft -j",
  );
}

test(
  "a namespace's rules, route MTU, neighbours, sysctls, qdiscs and nft rules diff with their kinds",
  { skip, timeout: 180_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "nsnap-routing-ns-"));
    const hostForward = sysctl(undefined, "net.ipv4.ip_forward");
    const hostSomaxconn = sysctl(undefined, "net.core.somaxconn");
    try {
      await withNetns("routing", async (ns) => {
        const table = `nsnap_${process.pid}`;
        try {
          ns.ip("link", "add", "v0", "type", "veth", "peer", "name", "v1");
          ns.ip("link", "set", "v0", "up");
          ns.ip("link", "set", "v1", "up");
          ns.ip("addr", "add", "10.91.0.1/24", "dev", "v0");
          ns.ip(
            "neigh",
            "add",
            "10.91.0.2",
            "lladdr",
            "02:00:00:00:91:02",
            "dev",
            "v0",
            "nud",
            "permanent",
          );
          ns.ip("route", "add", "10.92.0.0/24", "via", "10.91.0.2");
          ns.ip("route", "add", "10.94.0.0/24", "via", "10.91.0.2", "mtu", "1300");
          ns.ip("route", "add", "10.93.0.0/24", "via", "10.91.0.9");
          ns.ip("rule", "add", "fwmark", "0x7", "lookup", "7", "pref", "1001");
          // Rules of every selector, for the cross-check with ip -j rule (they stay as they are).
          for (
            const words of [
              "not to 10.0.0.0/8 fwmark 0x10/0xff iif lo lookup 200 pref 1002",
              "uidrange 1000-2000 ipproto tcp sport 1024 dport 80-90 lookup main " +
              "suppress_prefixlength 0 pref 1003",
              "from 10.9.0.0/16 prohibit pref 1004",
              "to 10.9.2.0/24 unreachable pref 1005",
              "nop pref 1010",
              "tos 0x10 goto 1010 pref 1006",
              "oif v1 l3mdev pref 1011",
              "iif v1 oif v0 table 300 pref 1012",
              "fwmark 0x9 realms 3/4 lookup 400 pref 1013",
            ]
          ) ns.ip("rule", "add", ...words.split(" "));
          ns.ip("-6", "rule", "add", "from", "fd00:1::/64", "lookup", "100", "pref", "2000");
          ns.exec("sysctl", "-qw", "net.ipv4.ip_forward=0");
          ns.exec("sysctl", "-qw", "net.core.somaxconn=4096");
          ns.exec("nft", "add", "table", "inet", table);
          ns.exec(
            "nft",
            "add chain inet " + table +
              " input { type filter hook input priority 0; policy accept; }",
          );
          ns.exec("nft", "add", "rule", "inet", table, "input", "tcp", "dport", "22", "accept");
          await holdSockets(ns, ["listen:0.0.0.0:7300"], 120);
          const a = join(dir, "a.json"), b = join(dir, "b.json"), c = join(dir, "c.json");
          const sa = capture(ns, a);
          for (const sec of ["rules", "neighbours", "settings", "qdiscs", "firewall"] as const) {
            assert.equal(
              sa.meta.sections[sec]?.status,
              "ok",
              `${sec}: ${JSON.stringify(sa.meta.sections[sec])}`,
            );
          }
          crossCheck(ns, sa);

          ns.ip("rule", "add", "from", "10.77.6.0/24", "lookup", "100", "pref", "1000");
          ns.ip("rule", "del", "pref", "1001");
          ns.ip("route", "change", "10.94.0.0/24", "via", "10.91.0.2", "mtu", "1200");
          ns.ip(
            "neigh",
            "replace",
            "10.91.0.2",
            "lladdr",
            "02:00:00:00:91:99",
            "dev",
            "v0",
            "nud",
            "permanent",
          );
          ns.exec("bash", "-c", "echo x > /dev/udp/10.91.0.9/9");
          await until(
            "10.91.0.9 to go FAILED",
            () => /FAILED/.test(ns.ip("neigh", "show", "10.91.0.9")),
          );
          ns.exec("sysctl", "-qw", "net.ipv4.ip_forward=1");
          ns.exec("sysctl", "-qw", "net.core.somaxconn=128");
          sh(["tc", "-n", ns.name, "qdisc", "add", "dev", "v1", "root", "pfifo", "limit", "3"]);
          sh([
            "tc",
            "-n",
            ns.name,
            "qdisc",
            "add",
            "dev",
            "v0",
            "root",
            "handle",
            "1:",
            "tbf",
            "rate",
            "1mbit",
            "burst",
            "32kbit",
            "latency",
            "400ms",
          ]);
          sh(["tc", "-n", ns.name, "qdisc", "add", "dev", "v0", "ingress"]);
          ns.exec("nft", "add", "rule", "inet", table, "input", "tcp", "dport", "7300", "drop");
          const sb = capture(ns, b);
          crossCheck(ns, sb);
          // Per namespace: the host kept its own values.
          assert.equal(sysctl(undefined, "net.ipv4.ip_forward"), hostForward);
          assert.equal(sysctl(undefined, "net.core.somaxconn"), hostSomaxconn);

          const changes = diff(a, b).filter((x) =>
            x.section !== "counters" && x.kind !== "interface-traffic" && x.section !== "sessions"
          );
          const take = (pred: (x: Change) => boolean, what: string): Change => {
            const i = changes.findIndex(pred);
            assert.ok(i >= 0, `missing ${what} in ${JSON.stringify(changes, null, 1)}`);
            return changes.splice(i, 1)[0]!;
          };
          const added = take(
            (x) => x.kind === "rule-added" && x.key.priority === 1000,
            "rule added",
          );
          assert.equal(added.key.match, "from 10.77.6.0/24");
          take((x) => x.kind === "rule-removed" && x.key.priority === 1001, "rule removed");
          const mtu = take(
            (x) => x.kind === "route-changed" && x.key.destination === "10.94.0.0/24",
            "mtu",
          );
          assert.deepEqual([mtu.changed, mtu.before?.mtu, mtu.after?.mtu], [["mtu"], 1300, 1200]);
          const mac = take(
            (x) => x.kind === "neighbour-changed" && x.key.address === "10.91.0.2",
            "MAC change",
          );
          assert.deepEqual([mac.changed, mac.notable, mac.gateway], [["mac"], true, true]);
          const failed = take(
            (x) => x.kind === "neighbour-failed" && x.key.address === "10.91.0.9",
            "FAILED",
          );
          assert.deepEqual([failed.notable, failed.gateway, failed.after?.state], [
            true,
            true,
            "FAILED",
          ]);
          const fwd = take(
            (x) => x.kind === "sysctl-changed" && x.key.name === "net.ipv4.ip_forward",
            "ip_forward",
          );
          assert.deepEqual([fwd.before, fwd.after, fwd.notable], ["0", "1", true]);
          const smc = take(
            (x) => x.kind === "sysctl-changed" && x.key.name === "net.core.somaxconn",
            "somaxconn",
          );
          assert.deepEqual([smc.before, smc.after, smc.notable], ["4096", "128", true]);
          // ip_forward=1 turns forwarding on for every interface too (conf.*.forwarding).
          while (
            changes.some((x) =>
              x.kind === "sysctl-changed" && /\.forwarding$/.test(String(x.key.name))
            )
          ) {
            const f = take(
              (x) => x.kind === "sysctl-changed" && /\.forwarding$/.test(String(x.key.name)),
              "forwarding",
            );
            assert.equal(f.notable, true);
          }
          const pfifo = take(
            (x) => x.kind === "qdisc-changed" && x.key.interface === "v1",
            "pfifo",
          );
          assert.deepEqual([pfifo.before?.kind, pfifo.after?.kind, pfifo.after?.options], [
            "noqueue",
            "pfifo",
            "limit 3p",
          ]);
          const tbf = take((x) => x.kind === "qdisc-changed" && x.key.interface === "v0", "tbf");
          assert.equal(tbf.after?.kind, "tbf");
          assert.match(String(tbf.after?.options), /^rate 1Mbit burst 4Kb lat 400ms/);
          take((x) => x.kind === "qdisc-added" && x.key.parent === "ffff:fff1", "ingress");
          const rule = take((x) => x.kind === "firewall-rule-added", "nft rule added");
          assert.deepEqual([rule.key.rule, rule.key.chain, rule.notable], [
            "tcp dport 7300 drop",
            "input",
            true,
          ]);
          const lf = take(
            (x) => x.kind === "listener-firewall-changed" && x.key.port === 7300,
            "filtered",
          );
          assert.deepEqual([lf.before?.firewall, lf.after?.firewall], ["open", "filtered"]);
          // The new rule's local route and the neighbour cache may add IPv6 entries of their own.
          assert.deepEqual(
            changes.filter((x) => x.section !== "routes" || x.kind !== "route-added"),
            [],
            "nothing else",
          );

          // show and port say the listener is filtered, from the snapshot and live.
          const show = runCli(["show", "-tl", b]);
          assert.match(show.stdout, /0\.0\.0\.0:7300 +0\.0\.0\.0:\* +LISTEN\*/);
          const port = runCli(["port", "7300"], { wrap: ns.wrap });
          assert.match(
            port.stdout.replaceAll("\n  ", " "),
            new RegExp(`filtered: inet ${table} input: \`tcp dport 7300 drop\``),
          );

          // Traffic through tbf until it drops; the nft rule removed.
          ns.exec(
            "bash",
            "-c",
            'p=$(head -c 1200 /dev/zero | tr "\\0" x); for i in $(seq 400); do echo "$p" > /dev/udp/10.91.0.2/9; done',
          );
          const handle =
            JSON.parse(ns.exec("nft", "-j", "-a", "list", "chain", "inet", table, "input")).nftables
              .find((o: { rule?: { expr: unknown[] } }) =>
                o.rule && JSON.stringify(o.rule.expr).includes("7300")
              ).rule.handle;
          ns.exec("nft", "delete", "rule", "inet", table, "input", "handle", String(handle));
          const sc = capture(ns, c);
          crossCheck(ns, sc);
          const later = diff(b, c);
          const drops = later.find((x) => x.kind === "qdisc-drops" && x.key.interface === "v0");
          assert.ok(drops, JSON.stringify(later.map((x) => x.summary)));
          assert.equal(drops.notable, true);
          const tcNow = JSON.parse(
            sh(["tc", "-n", ns.name, "-j", "-s", "qdisc", "show", "dev", "v0", "root"]),
          )[0];
          assert.ok(
            BigInt(tcNow.drops) >=
              BigInt((drops as unknown as { after: { drops: number } }).after.drops),
          );
          const gone = later.find((x) => x.kind === "firewall-rule-removed");
          assert.deepEqual([gone?.key.rule, gone?.notable], ["tcp dport 7300 drop", true]);
          const reopened = later.find((x) => x.kind === "listener-firewall-changed");
          assert.deepEqual([reopened?.after?.firewall, reopened?.notable], ["open", true]);
        } finally {
          spawnSync("ip", ["netns", "exec", ns.name, "nft", "delete", "table", "inet", table]);
        }
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
      assert.equal(sysctl(undefined, "net.ipv4.ip_forward"), hostForward);
    }
  },
);

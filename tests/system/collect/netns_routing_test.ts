/**
 * Other namespaces' rules, neighbours, qdiscs and firewall in a capture across namespaces, run
 * from the host's namespace: two `ip netns` namespaces with different rules, neighbours, qdiscs
 * (netem where the kernel has it, else tbf) and an nft table in one — one held by a process
 * (read by /proc/PID/ns/net), one nothing runs in (read by its /run/netns file). Each namespace's
 * records carry its id and equal `ip -n NAME -j rule`, `ip -n NAME -j neigh`,
 * `tc -n NAME -j -s qdisc` and `ip netns exec NAME nft -j list ruleset`; the one without a table
 * has an empty firewall read over netlink, with no nft run. A diff after changing one
 * namespace's rule and nft rule names that namespace, and only it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Namespace, Snapshot } from "../../../src/model.ts";
import { canUseNetns, Netns, sh } from "../../helpers/netns.ts";
import { runCli } from "../../helpers/cli.ts";
import { asNobody, sharedDir } from "../../helpers/users.ts";
import { copyBinary, runBare } from "../../helpers/binary.ts";
import { parseSnapshotBytes } from "../../../src/snapshot/read.ts";
import { parseIpJsonRules } from "../../../src/parse/linux/ip_json_rule.ts";
import { parseIpJsonNeigh } from "../../../src/parse/linux/ip_json_neigh.ts";
import { orderNeighbour, orderRule } from "../../../src/snapshot/normalize.ts";
import { netlinkAvailable } from "../../../src/runtime/netlink.ts";
import { captureSnapshot } from "../../../src/collect/mod.ts";

const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
const nl = netlinkAvailable();
const skip = !canUseNetns()
  ? "needs root and iproute2 (ip netns)"
  : !has("nft")
  ? "needs nft (Debian package nftables)"
  : !has("tc")
  ? "needs tc (iproute2)"
  : !has("nsenter")
  ? "needs nsenter (util-linux)"
  : !nl.ok
  ? `needs netlink: ${nl.reason}`
  : false;

interface Change {
  kind: string;
  section: string;
  namespace?: string;
  summary: string;
}

function capture(dir: string, file: string, names: string[], extra: string[] = []): Snapshot {
  const path = join(dir, file);
  const args = ["capture", "-o", path, ...names.flatMap((n) => ["--netns", n]), ...extra];
  // The netlink capture, whatever NSNAP_NETLINK the tests run with (--no-netlink still wins).
  const r = runCli(args, { timeoutMs: 120_000, env: { NSNAP_NETLINK: "1" } });
  assert.equal(r.code, 0, r.stderr);
  return parseSnapshotBytes(readFileSync(path), path);
}

const json = (x: unknown) =>
  JSON.stringify(x, (_k, v) => typeof v === "bigint" ? String(v) : v as unknown);

/** The namespace's records of the capture equal what the tools say inside it now. */
function crossCheck(s: Snapshot, ns: Netns): Namespace {
  const id = `netns:${ns.name}`;
  const entry = s.namespaces?.find((n) => n.id === id);
  assert.ok(entry, `${id} captured`);
  for (const sec of ["rules", "neighbours", "qdiscs", "firewall"]) {
    assert.equal(entry.sections[sec]?.status, "ok", `${id} ${sec}: ${json(entry.sections[sec])}`);
  }
  for (const sec of ["rules", "neighbours", "qdiscs"]) {
    assert.equal(entry.sections[sec]?.source, "netlink", `${id} ${sec} source`);
  }
  const mine = <T extends { namespace?: string | undefined }>(xs: T[] | undefined) =>
    (xs ?? []).filter((x) => x.namespace === id).map((x) => {
      const { namespace: _, ...rest } = x;
      return rest as T;
    });
  const rules = [
    ...parseIpJsonRules(ns.ip("-j", "-4", "rule"), "inet").value,
    ...parseIpJsonRules(ns.ip("-j", "-6", "rule"), "inet6").value,
  ];
  assert.deepEqual(
    mine(s.rules).map((r) => json(orderRule(r))).sort(),
    rules.map((r) => json(orderRule(r))).sort(),
    `${id} rules = ip -n ${ns.name} -j rule`,
  );
  const neigh = [
    ...parseIpJsonNeigh(ns.ip("-j", "neigh", "show")).value,
    ...parseIpJsonNeigh(ns.ip("-j", "neigh", "show", "proxy"), "ip", true).value,
  ];
  assert.deepEqual(
    mine(s.neighbours).map((n) => json(orderNeighbour(n))).sort(),
    neigh.map((n) => json(orderNeighbour(n))).sort(),
    `${id} neighbours = ip -n ${ns.name} -j neigh`,
  );
  const tc = JSON.parse(sh(["tc", "-n", ns.name, "-j", "-s", "qdisc", "show"])) as Array<
    Record<string, unknown>
  >;
  const q = mine(s.qdiscs);
  assert.deepEqual(
    q.map((x) => `${x.interface} ${x.parent} ${x.kind} ${x.handle}`).sort(),
    tc.map((x) => `${x.dev} ${x.root ? "root" : x.parent} ${x.kind} ${x.handle}`).sort(),
    `${id} qdiscs = tc -n ${ns.name} -j -s qdisc`,
  );
  for (const x of q) {
    const t = tc.find((y) => y.dev === x.interface && y.handle === x.handle)!;
    assert.ok(x.stats!.packets! <= BigInt(t.packets as number), `${x.interface} packets`);
  }
  const nft = (JSON.parse(ns.exec("nft", "-j", "list", "ruleset")) as {
    nftables: Array<Record<string, Record<string, unknown>>>;
  }).nftables;
  const tables = entry.firewall?.tables ?? [];
  assert.deepEqual(
    tables.map((t) => `${t.family} ${t.name}`).sort(),
    nft.filter((o) => o.table).map((o) => `${o.table!.family} ${o.table!.name}`).sort(),
    `${id} tables = nft -j list ruleset`,
  );
  assert.deepEqual(
    tables.flatMap((t) =>
      t.chains.flatMap((c) => c.rules.map((r) => `${t.name} ${c.name} ${c.hook} ${r.handle}`))
    ).sort(),
    nft.filter((o) => o.rule).map((o) => {
      const chain = nft.find((c) => c.chain?.name === o.rule!.chain)?.chain;
      return `${o.rule!.table} ${o.rule!.chain} ${chain?.hook} ${o.rule!.handle}`;
    }).sort(),
    `${id} rules = nft -j list ruleset`,
  );
  return entry;
}

test("other namespaces' rules, neighbours, qdiscs and firewall, each in its namespace", {
  skip,
  timeout: 240_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-ns-routing-"));
  const a = new Netns("rta"), b = new Netns("rtb");
  try {
    // a: held by a process; veth, a rule, a permanent and a proxy neighbour, netem/tbf, nft.
    a.spawn(["sleep", "240"]);
    a.ip("link", "add", "a0", "type", "veth", "peer", "name", "a1");
    a.ip("link", "set", "a0", "up");
    a.ip("link", "set", "a1", "up");
    a.ip("addr", "add", "10.61.0.1/24", "dev", "a0");
    a.ip("rule", "add", "from", "10.61.0.0/24", "lookup", "61", "pref", "610");
    a.ip("-6", "rule", "add", "to", "fd00:61::/64", "lookup", "61", "pref", "611");
    a.ip(
      "neigh",
      "add",
      "10.61.0.2",
      "lladdr",
      "02:00:00:00:61:02",
      "dev",
      "a0",
      "nud",
      "permanent",
    );
    a.ip("neigh", "add", "proxy", "10.61.0.50", "dev", "a0");
    const netem = spawnSync(
      "tc",
      [
        ..."-n NS qdisc add dev a0 root handle 1: netem delay 1ms".split(" "),
      ].map((w) => w === "NS" ? a.name : w),
    );
    if (netem.status !== 0) {
      // This kernel has no sch_netem (CONFIG_NET_SCH_NETEM): tbf stands in for it.
      sh([
        "tc",
        "-n",
        a.name,
        ..."qdisc add dev a0 root handle 1: tbf rate 1mbit burst 4kb latency 50ms".split(" "),
      ]);
    }
    const table = `nsnap_${process.pid}`;
    a.exec("nft", "add", "table", "inet", table);
    a.exec(
      "nft",
      `add chain inet ${table} input { type filter hook input priority 0; policy accept; }`,
    );
    a.exec("nft", "add", "rule", "inet", table, "input", "tcp", "dport", "22", "accept");
    a.exec("bash", "-c", "for i in $(seq 10); do echo x >/dev/udp/10.61.0.2/9; done");
    // b: nothing runs in it; another rule, a stale neighbour, pfifo, no firewall table.
    b.ip("link", "add", "b0", "type", "veth", "peer", "name", "b1");
    b.ip("link", "set", "b0", "up");
    b.ip("link", "set", "b1", "up");
    b.ip("rule", "add", "to", "10.62.0.0/16", "fwmark", "0x62", "lookup", "62", "pref", "620");
    b.ip("neigh", "add", "10.62.0.3", "lladdr", "02:00:00:00:62:03", "dev", "b0", "nud", "stale");
    sh([
      "tc",
      "-n",
      b.name,
      "qdisc",
      "add",
      "dev",
      "b0",
      "root",
      "handle",
      "2:",
      "pfifo",
      "limit",
      "9",
    ]);

    const s1 = capture(dir, "1.json", [a.name, b.name]);
    const ea = crossCheck(s1, a), eb = crossCheck(s1, b);
    assert.equal(ea.processes > 0, true, "a is held by a process");
    assert.equal(eb.processes, 0, "nothing runs in b");
    assert.ok(
      s1.rules!.some((r) => r.namespace === ea.id && r.priority === 610) &&
        !s1.rules!.some((r) => r.namespace === eb.id && r.priority === 610),
      "a's rule is a's alone",
    );
    assert.equal(ea.firewall!.tables.some((t) => t.name === table), true);
    assert.deepEqual(eb.firewall, { tables: [] });
    assert.equal(eb.sections.firewall?.source, "netlink", "no table in b: nft not run");
    assert.match(ea.sections.firewall?.source ?? "", /^nft/);
    assert.equal(
      s1.qdiscs!.find((x) => x.namespace === eb.id && x.interface === "b0")?.options,
      "limit 9p",
    );
    // The host's own records carry no namespace.
    assert.ok(s1.rules!.some((r) => r.namespace === undefined && r.priority === 32766));

    // --no-netlink: every namespace's rules, neighbours and qdiscs from ip and tc run in it
    // with nsenter, the same records; b's firewall then from nft run in it too.
    const sp = capture(dir, "ip.json", [a.name, b.name], ["--no-netlink"]);
    for (const e of [ea, eb]) {
      const pe = sp.namespaces!.find((n) => n.id === e.id)!;
      assert.deepEqual(
        ["rules", "neighbours", "qdiscs"].map((x) => pe.sections[x]?.source),
        ["ip -j", "ip -j", "tc -j"],
        `${e.id} sources without netlink`,
      );
      const of = <T extends { namespace?: string | undefined }>(xs: T[] | undefined) =>
        (xs ?? []).filter((x) => x.namespace === e.id).map((x) => {
          const { stats: _, ...rest } = x as T & { stats?: unknown };
          return json(rest);
        }).sort();
      assert.deepEqual(of(sp.rules), of(s1.rules), `${e.id} rules without netlink`);
      assert.deepEqual(of(sp.neighbours), of(s1.neighbours), `${e.id} neighbours without netlink`);
      assert.deepEqual(of(sp.qdiscs), of(s1.qdiscs), `${e.id} qdiscs without netlink`);
    }
    assert.deepEqual(sp.namespaces!.find((n) => n.id === eb.id)!.firewall, { tables: [] });

    // A capture that leaves these parts out (nsnap watch) reads none of them in other namespaces.
    const light = await captureSnapshot({
      netns: [a.name],
      skip: ["rules", "neighbours", "qdiscs", "firewall"],
    });
    const la = light.namespaces!.find((n) => n.id === ea.id)!;
    for (const sec of ["rules", "neighbours", "qdiscs", "firewall"]) {
      assert.equal(la.sections[sec]?.status, "error", `${sec} left out: ${json(la.sections[sec])}`);
    }
    assert.equal(la.firewall, undefined);
    assert.ok(!(light.rules ?? []).some((r) => r.namespace === ea.id));

    // Change a's policy rule and nft rule; b stays as it was.
    a.ip("rule", "add", "from", "10.61.1.0/24", "lookup", "61", "pref", "612");
    a.exec("nft", "add", "rule", "inet", table, "input", "udp", "dport", "53", "drop");
    capture(dir, "2.json", [a.name, b.name]);
    const r = runCli(["diff", join(dir, "1.json"), join(dir, "2.json"), "--format", "json"]);
    assert.equal(r.code, 0, r.stderr);
    const changes = (JSON.parse(r.stdout) as { changes: Change[] }).changes;
    const ruleAdded = changes.filter((c) => c.kind === "rule-added");
    assert.deepEqual(ruleAdded.map((c) => c.namespace), [ea.id], json(ruleAdded));
    assert.match(ruleAdded[0]!.summary, new RegExp(`^netns ${a.name}|${a.name}`));
    assert.match(ruleAdded[0]!.summary, /612/);
    const fw = changes.filter((c) => c.kind === "firewall-rule-added");
    assert.deepEqual(fw.map((c) => c.namespace), [ea.id], json(fw));
    assert.match(fw[0]!.summary, /udp dport 53 drop/);
    assert.deepEqual(
      changes.filter((c) =>
        c.namespace === eb.id && ["rules", "neighbours", "qdiscs", "firewall"].includes(c.section)
      ).map((c) => c.kind),
      [],
      "b's rules, neighbours, qdiscs and firewall did not change (its links may send IPv6 chatter)",
    );
  } finally {
    a.close();
    b.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("without privilege another namespace's rules, neighbours, qdiscs and firewall say why", {
  skip,
  timeout: 120_000,
}, () => {
  const home = sharedDir("ns-routing-nobody");
  const ns = new Netns("rtn");
  try {
    ns.ip("rule", "add", "from", "10.63.0.0/24", "lookup", "63", "pref", "630");
    // The binary, copied where nobody may run it: the repository may sit in a private folder.
    const r = runBare(copyBinary(home), ["capture", "-o", "-", "--netns", ns.name], asNobody(home));
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as Snapshot;
    const entry = s.namespaces?.find((n) => n.id === `netns:${ns.name}`);
    assert.ok(entry, JSON.stringify(s.namespaces?.map((n) => n.id)));
    for (const sec of ["rules", "neighbours", "qdiscs", "firewall"]) {
      assert.equal(entry.sections[sec]?.status, "error", `${sec}: ${json(entry.sections[sec])}`);
      assert.match(entry.sections[sec]?.error ?? "", /CAP_SYS_ADMIN/, sec);
    }
    assert.equal(entry.firewall, undefined);
    assert.ok(!(s.rules ?? []).some((x) => x.namespace === entry.id), "no rules of it");
  } finally {
    ns.close();
    rmSync(home, { recursive: true, force: true });
  }
});

/**
 * The netlink readers of rules, neighbours and qdiscs give what the ip/tc readers give, record
 * for record, in a namespace this test makes and fills: IPv4 and IPv6 rules with every selector
 * (from, to, iif, oif, fwmark/mask, uidrange, ipproto, sport/dport, not, realms, the actions),
 * neighbours in REACHABLE, STALE, FAILED, INCOMPLETE, PERMANENT state, an IPv6 router and proxy
 * entries, and htb with an fq_codel child, netem, ingress, pfifo and prio qdiscs with counters
 * after traffic. Each is also checked against the raw `ip -j rule`, `ip -j neigh` and
 * `tc -j -s qdisc` output of that namespace, and a capture made inside it records them with
 * source "netlink".
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../helpers/cli.ts";
import { canUseNetns, type Netns, sh, withNetns } from "../../helpers/netns.ts";
import type { Neighbour, Qdisc, Rule } from "../../../src/model.ts";
import type { Place } from "../../../src/collect/contract.ts";
import type { Reader } from "../../../src/collect/linux/readers.ts";
import { RULE_READERS } from "../../../src/collect/linux/rules.ts";
import { NEIGHBOUR_READERS } from "../../../src/collect/linux/neighbours.ts";
import { QDISC_READERS } from "../../../src/collect/linux/qdiscs.ts";
import { runnerIn } from "../../../src/collect/linux/namespaces/enter.ts";
import { runCommand } from "../../../src/runtime/command.ts";
import { netlinkAvailable } from "../../../src/runtime/netlink.ts";
import { orderNeighbour, orderQdisc, orderRule } from "../../../src/snapshot/normalize.ts";
import { parseSnapshotBytes } from "../../../src/snapshot/read.ts";

const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
const nl = netlinkAvailable();
const skip = !canUseNetns()
  ? "needs root and iproute2 to create network namespaces"
  : !has("tc")
  ? "needs tc (iproute2)"
  : !has("nsenter")
  ? "needs nsenter (util-linux)"
  : !has("bash")
  ? "needs bash (its /dev/udp sends the test's traffic)"
  : !nl.ok
  ? `needs netlink: ${nl.reason}`
  : false;

const json = (x: unknown) =>
  JSON.stringify(x, (_k, v) => typeof v === "bigint" ? `${v}n` : v as unknown);

/** What a reader gives in the namespace; it must answer, without warnings. */
function read<T>(readers: readonly Reader<T>[], source: string, place: Place): T {
  const reader = readers.find((r) => r.source === source)!;
  const warnings: string[] = [];
  const v = reader.read(place, warnings);
  assert.ok(!(typeof v === "object" && v !== null && "unavailable" in v), `${source}: ${json(v)}`);
  assert.deepEqual(warnings, [], `${source} warnings`);
  return v as T;
}

/** Records as sorted, field-ordered JSON lines, so that two lists compare whole. */
function lines<T>(xs: readonly T[], order: (x: T) => T): string[] {
  return xs.map((x) => json(order(x))).sort();
}

function setUp(ns: Netns): void {
  const ip = (...a: string[]) => ns.ip(...a);
  // No router solicitations from the new links: fewer stray packets moving the counters.
  ns.exec("sysctl", "-qw", "net.ipv6.conf.default.router_solicitations=0");
  ip("link", "add", "v0", "type", "veth", "peer", "name", "v1");
  ip("link", "add", "d0", "type", "veth", "peer", "name", "d1");
  for (const d of ["v0", "v1", "d0", "d1"]) ip("link", "set", d, "up");
  ip("addr", "add", "10.81.0.1/24", "dev", "v0");
  ip("addr", "add", "10.86.0.1/24", "dev", "v1");
  ip("-6", "addr", "add", "fd00:81::1/64", "dev", "v0", "nodad");
  // Rules: every selector ip rule has, both families.
  const rules = [
    ["from", "10.81.0.0/24", "lookup", "100", "pref", "1000"],
    ["to", "10.82.0.0/16", "iif", "lo", "lookup", "101", "pref", "1001"],
    ["oif", "v0", "lookup", "102", "pref", "1002"],
    ["fwmark", "0x7/0xff", "lookup", "103", "pref", "1003"],
    ["fwmark", "0x9", "lookup", "103", "pref", "1013"],
    ["uidrange", "1000-2000", "lookup", "104", "pref", "1004"],
    ["ipproto", "tcp", "dport", "80-90", "lookup", "105", "pref", "1005"],
    ["ipproto", "udp", "sport", "53", "lookup", "105", "pref", "1015"],
    ["ipproto", "250", "lookup", "105", "pref", "1025"],
    ["not", "from", "10.83.0.0/24", "lookup", "106", "pref", "1006"],
    ["from", "10.84.0.1", "prohibit", "pref", "1007"],
    ["from", "10.84.0.2", "blackhole", "pref", "1008"],
    ["from", "10.84.0.3", "unreachable", "pref", "1009"],
    ["from", "10.85.0.0/24", "goto", "1012", "pref", "1010"],
    ["nop", "pref", "1011"],
    ["lookup", "main", "suppress_prefixlength", "0", "pref", "1012"],
    ["tos", "0x10", "lookup", "107", "pref", "1014"],
    ["realms", "3/4", "lookup", "108", "pref", "1016"],
  ];
  for (const r of rules) ip("rule", "add", ...r);
  const rules6 = [
    ["from", "fd00:81::/64", "lookup", "200", "pref", "2000"],
    ["to", "fd00:82::/48", "ipproto", "ipv6-icmp", "lookup", "201", "pref", "2001"],
    ["fwmark", "9", "oif", "v0", "lookup", "202", "pref", "2002"],
    ["not", "to", "fd00:83::1", "uidrange", "0-0", "lookup", "203", "pref", "2003"],
  ];
  for (const r of rules6) ip("-6", "rule", "add", ...r);
  // Neighbours in each state, a router, proxy entries.
  const neigh = (...a: string[]) => ip("neigh", "add", ...a);
  neigh("10.81.0.2", "lladdr", "02:00:00:00:81:02", "dev", "v0", "nud", "permanent");
  neigh("10.81.0.3", "lladdr", "02:00:00:00:81:03", "dev", "v0", "nud", "reachable");
  neigh("10.81.0.4", "lladdr", "02:00:00:00:81:04", "dev", "v0", "nud", "stale");
  neigh("10.81.0.5", "dev", "v0", "nud", "failed");
  neigh("10.81.0.6", "dev", "v0", "nud", "incomplete");
  neigh("10.86.0.2", "lladdr", "02:00:00:00:86:02", "dev", "v1", "nud", "permanent");
  ip("-6", "neigh", "add", "fd00:81::2", "lladdr", "02:00:00:00:81:12", "dev", "v0", "router");
  ip("neigh", "add", "proxy", "10.81.0.50", "dev", "v0");
  ip("-6", "neigh", "add", "proxy", "fd00:81::50", "dev", "v0");
  // Qdiscs: htb with a pfifo_head_drop child and ingress on v0, tbf on v1, pfifo and bfifo on
  // the second pair, clsact beside bfifo: what any kernel with CONFIG_NET_SCH_HTB and _TBF has.
  const tc = (...a: string[]) => sh(["tc", "-n", ns.name, ...a]);
  tc("qdisc", "add", "dev", "v0", "root", "handle", "1:", "htb", "default", "10");
  tc("class", "add", "dev", "v0", "parent", "1:", "classid", "1:10", "htb", "rate", "10mbit");
  tc(
    "qdisc",
    "add",
    "dev",
    "v0",
    "parent",
    "1:10",
    "handle",
    "10:",
    "pfifo_head_drop",
    "limit",
    "7",
  );
  tc("qdisc", "add", "dev", "v0", "ingress");
  tc(
    "qdisc",
    "add",
    "dev",
    "v1",
    "root",
    "handle",
    "2:",
    "tbf",
    "rate",
    "1mbit",
    "burst",
    "4kb",
    "latency",
    "50ms",
  );
  tc("qdisc", "add", "dev", "d0", "root", "handle", "3:", "pfifo", "limit", "5");
  tc("qdisc", "add", "dev", "d1", "root", "handle", "4:", "bfifo", "limit", "3000");
  tc("qdisc", "add", "dev", "d1", "clsact");
  traffic(ns);
}

/** Traffic out of v0 (htb, its child, v1's ingress side) and out of v1 (tbf). */
function traffic(ns: Netns): void {
  ns.exec(
    "bash",
    "-c",
    "for i in $(seq 40); do echo x >/dev/udp/10.81.0.2/9; echo y >/dev/udp/10.86.0.2/9; done",
  );
}

/** Reads until two netlink reads agree around the other reader's (stray IPv6 packets move counters). */
function settled<T>(nl: () => T[], other: () => T[], order: (x: T) => T): [string[], string[]] {
  let last: [string[], string[]] = [[], []];
  for (let attempt = 0; attempt < 30; attempt++) {
    const a = lines(nl(), order), b = lines(other(), order), c = lines(nl(), order);
    last = [a, b];
    if (json(a) === json(c) && json(a) === json(b)) return last;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
  }
  return last;
}

test(
  "netlink rules, neighbours and qdiscs equal the ip -j and tc -j readers and their raw output",
  { skip, timeout: 120_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "nsnap-nlreaders-"));
    try {
      await withNetns("nlread", (ns) => {
        setUp(ns);
        const path = `/run/netns/${ns.name}`;
        const place: Place = { root: "/", runner: runnerIn(path, runCommand), netns: path };

        // Rules: the readers agree; every rule ip lists is there with its selectors.
        const rules = read<Rule[]>(RULE_READERS, "netlink", place);
        assert.deepEqual(
          lines(rules, orderRule),
          lines(read<Rule[]>(RULE_READERS, "ip -j", place), orderRule),
          "netlink rules = ip -j reader",
        );
        const raw = [
          ...JSON.parse(ns.ip("-j", "-4", "rule")).map((r: object) => ({ ...r, family: "inet" })),
          ...JSON.parse(ns.ip("-j", "-6", "rule")).map((r: object) => ({ ...r, family: "inet6" })),
        ] as Array<Record<string, unknown>>;
        assert.equal(rules.length, raw.length, "as many rules as ip -j rule lists");
        for (const r of raw) {
          const n = rules.find((x) => x.family === r.family && x.priority === r.priority)!;
          assert.ok(n, `rule ${r.family} ${r.priority}`);
          const cidr = (a: unknown, l: unknown) =>
            a === undefined || a === "all"
              ? undefined
              : `${a}/${l ?? (r.family === "inet" ? 32 : 128)}`;
          assert.equal(n.from, cidr(r.src, r.srclen), `from of ${r.priority}`);
          assert.equal(n.to, cidr(r.dst, r.dstlen), `to of ${r.priority}`);
          assert.equal(n.not, "not" in r ? true : undefined, `not of ${r.priority}`);
          assert.equal(n.iif, r.iif);
          assert.equal(n.oif, r.oif);
          assert.equal(n.fwmark, r.fwmark === undefined ? undefined : Number(r.fwmark));
          assert.equal(n.fwmask, r.fwmask === undefined ? undefined : Number(r.fwmask));
          assert.equal(n.uidRange?.start, r.uid_start);
          assert.equal(n.uidRange?.end, r.uid_end);
          assert.equal(n.ipProto, r.ipproto);
          assert.equal(n.dport?.start, r.dport ?? r.dport_start);
          assert.equal(n.sport?.start, r.sport ?? r.sport_start);
          assert.equal(n.tos, r.tos);
          assert.equal(n.goto, r.goto);
          assert.equal(
            n.action,
            r.action ?? ("goto" in r ? "goto" : "nop" in r ? "nop" : "lookup"),
          );
          const named: Record<string, number> = { local: 255, main: 254, default: 253 };
          if (n.action === "lookup") {
            assert.equal(
              n.table,
              named[r.table as string] ?? Number(r.table),
              `table ${r.priority}`,
            );
          }
        }
        const by = new Map(rules.map((r) => [`${r.family} ${r.priority}`, r]));
        assert.equal(by.get("inet 1005")?.ipProto, "tcp");
        assert.equal(by.get("inet 1025")?.ipProto, "ipproto-250");
        assert.equal(by.get("inet 1016")?.realms, "3/4");
        assert.equal(by.get("inet6 2001")?.ipProto, "ipv6-icmp");

        // Neighbours: the readers agree; each ip -j neigh entry is there with its state and flags.
        const neigh = read<Neighbour[]>(NEIGHBOUR_READERS, "netlink", place);
        assert.deepEqual(
          lines(neigh, orderNeighbour),
          lines(read<Neighbour[]>(NEIGHBOUR_READERS, "ip -j", place), orderNeighbour),
          "netlink neighbours = ip -j reader",
        );
        const rawN = [
          ...JSON.parse(ns.ip("-j", "neigh", "show")),
          ...JSON.parse(ns.ip("-j", "neigh", "show", "proxy")),
        ] as Array<Record<string, unknown>>;
        const fromIp = rawN.map((r) =>
          [
            r.dst,
            r.dev,
            r.lladdr ?? "-",
            (r.state as string[] | undefined)?.join(" ") ?? "-",
            "router" in r,
            "proxy" in r,
          ].join(" ")
        ).sort();
        assert.deepEqual(
          neigh.map((n) =>
            [n.address, n.interface, n.mac ?? "-", n.state ?? "-", !!n.router, !!n.proxy].join(" ")
          ).sort(),
          fromIp,
          "neighbours = ip -j neigh (+ show proxy)",
        );
        const states = new Set(neigh.map((n) => n.state));
        for (const s of ["PERMANENT", "REACHABLE", "STALE", "FAILED", "INCOMPLETE"]) {
          assert.ok(states.has(s), `a ${s} entry`);
        }
        assert.equal(neigh.find((n) => n.address === "fd00:81::2")?.router, true);
        assert.deepEqual(
          neigh.filter((n) => n.proxy).map((n) => n.address).sort(),
          ["10.81.0.50", "fd00:81::50"],
        );

        // Qdiscs: the readers agree, counters and options too, once the traffic has settled.
        const nlQ = () => read<Qdisc[]>(QDISC_READERS, "netlink", place);
        const [a, b] = settled(nlQ, () => read<Qdisc[]>(QDISC_READERS, "tc -j", place), orderQdisc);
        assert.deepEqual(a, b, "netlink qdiscs = tc -j reader");
        // The raw output, between two netlink reads that agree.
        let qdiscs: Qdisc[] = [], rawQ: Array<Record<string, unknown>> = [];
        for (let attempt = 0; attempt < 30; attempt++) {
          qdiscs = nlQ();
          rawQ = JSON.parse(sh(["tc", "-n", ns.name, "-j", "-s", "qdisc", "show"]));
          if (json(qdiscs) === json(nlQ())) break;
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
        }
        assert.deepEqual(
          qdiscs.map((q) => `${q.interface} ${q.parent} ${q.kind} ${q.handle}`).sort(),
          rawQ.map((q) => `${q.dev} ${q.root ? "root" : q.parent} ${q.kind} ${q.handle}`).sort(),
          "qdiscs = tc -j -s qdisc",
        );
        for (const q of qdiscs) {
          const t = rawQ.find((x) => x.dev === q.interface && x.handle === q.handle)!;
          for (
            const c of ["bytes", "packets", "drops", "overlimits", "requeues", "backlog", "qlen"]
          ) {
            assert.equal(
              q.stats?.[c as "bytes"],
              BigInt(t[c] as number),
              `${q.interface} ${q.kind} ${c}`,
            );
          }
        }
        const kinds = new Map(qdiscs.map((q) => [q.kind, q]));
        for (const k of ["htb", "pfifo_head_drop", "tbf"]) {
          assert.ok(kinds.get(k)!.stats!.packets! > 0n, `${k} saw the traffic`);
        }
        assert.equal(kinds.get("pfifo")!.options, "limit 5p");
        assert.equal(kinds.get("pfifo_head_drop")!.options, "limit 7p");
        assert.match(kinds.get("tbf")!.options!, /^rate 1Mbit burst 4Kb lat 50ms/);
        assert.match(kinds.get("bfifo")!.options!, /^limit 3000b/);
        assert.equal(kinds.get("ingress")!.parent, "ffff:fff1");
        assert.equal(kinds.get("clsact")!.parent, "ffff:fff1");
        assert.equal(kinds.get("pfifo_head_drop")!.parent, "1:10");

        // A capture inside the namespace records the same, from netlink.
        const file = join(dir, "s.json");
        const run = runCli(["capture", "--netns", "current", "-o", file], {
          wrap: ns.wrap,
          env: { NSNAP_NETLINK: "1" },
        });
        assert.equal(run.code, 0, run.stderr);
        const s = parseSnapshotBytes(readFileSync(file), file);
        assert.deepEqual(lines(s.rules!, orderRule), lines(rules, orderRule), "captured rules");
        assert.deepEqual(
          lines(s.neighbours!, orderNeighbour),
          lines(neigh, orderNeighbour),
          "captured neighbours",
        );
        const noStats = (q: Qdisc) => {
          const { stats: _, ...rest } = q;
          return rest as Qdisc;
        };
        assert.deepEqual(
          lines(s.qdiscs!.map(noStats), orderQdisc),
          lines(qdiscs.map(noStats), orderQdisc),
          "captured qdiscs",
        );
        for (const sec of ["rules", "neighbours", "qdiscs"] as const) {
          const st = s.meta.sections[sec];
          assert.equal(st?.status, "ok", `${sec}: ${json(st)}`);
          assert.equal(st?.source, "netlink", `${sec} source`);
        }
        // --no-netlink: the same records from ip -j and tc -j, and the sources say so.
        const fileIp = join(dir, "ip.json");
        const ipRun = runCli(["capture", "--netns", "current", "--no-netlink", "-o", fileIp], {
          wrap: ns.wrap,
        });
        assert.equal(ipRun.code, 0, ipRun.stderr);
        const si = parseSnapshotBytes(readFileSync(fileIp), fileIp);
        assert.deepEqual(lines(si.rules!, orderRule), lines(rules, orderRule), "ip -j rules");
        assert.deepEqual(
          lines(si.neighbours!, orderNeighbour),
          lines(neigh, orderNeighbour),
          "ip -j neighbours",
        );
        assert.deepEqual(
          lines(si.qdiscs!.map(noStats), orderQdisc),
          lines(qdiscs.map(noStats), orderQdisc),
          "tc -j qdiscs",
        );
        assert.deepEqual(
          ["rules", "neighbours", "qdiscs"].map((x) => si.meta.sections[x as "rules"]?.source),
          ["ip -j", "ip -j", "tc -j"],
        );
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  "netlink fq_codel, netem and prio qdiscs equal the tc -j reader, counters after traffic",
  { skip, timeout: 60_000 },
  async (t) => {
    await withNetns("nlq", (ns) => {
      ns.ip("link", "add", "v0", "type", "veth", "peer", "name", "v1");
      ns.ip("link", "add", "d0", "type", "veth", "peer", "name", "d1");
      for (const d of ["v0", "v1", "d0", "d1"]) ns.ip("link", "set", d, "up");
      ns.ip("addr", "add", "10.81.0.1/24", "dev", "v0");
      ns.ip("addr", "add", "10.86.0.1/24", "dev", "v1");
      ns.ip("neigh", "add", "10.81.0.2", "lladdr", "02:00:00:00:81:02", "dev", "v0");
      ns.ip("neigh", "add", "10.86.0.2", "lladdr", "02:00:00:00:86:02", "dev", "v1");
      const add = (...a: string[]) =>
        spawnSync("tc", ["-n", ns.name, "qdisc", "add", ...a], { encoding: "utf8" });
      const tries = [
        add("dev", "v0", "root", "handle", "1:", "htb", "default", "10"),
        spawnSync(
          "tc",
          [
            ..."-n X class add dev v0 parent 1: classid 1:10 htb rate 10mbit".split(" "),
          ].map((w) => w === "X" ? ns.name : w),
        ),
        add("dev", "v0", "parent", "1:10", "handle", "10:", "fq_codel"),
        add("dev", "v1", "root", "handle", "2:", "netem", "delay", "1ms", "loss", "20%"),
        add("dev", "d0", "root", "handle", "3:", "prio"),
      ];
      const failed = tries.find((r) => r.status !== 0);
      if (failed) {
        t.skip(
          `the kernel lacks a qdisc (CONFIG_NET_SCH_FQ_CODEL, _NETEM, _PRIO): ${failed.stderr}`,
        );
        return;
      }
      traffic(ns);
      const path = `/run/netns/${ns.name}`;
      const place: Place = { root: "/", runner: runnerIn(path, runCommand), netns: path };
      const [a, b] = settled(
        () => read<Qdisc[]>(QDISC_READERS, "netlink", place),
        () => read<Qdisc[]>(QDISC_READERS, "tc -j", place),
        orderQdisc,
      );
      assert.deepEqual(a, b, "netlink qdiscs = tc -j reader");
      const qdiscs = read<Qdisc[]>(QDISC_READERS, "netlink", place);
      const kinds = new Map(qdiscs.map((q) => [q.kind, q]));
      assert.ok(kinds.get("fq_codel")!.stats!.packets! > 0n, "fq_codel saw the traffic");
      assert.ok(kinds.get("netem")!.stats!.packets! > 0n, "netem saw the traffic");
      assert.match(kinds.get("prio")!.options!, /^bands 3 priomap( [0-9]+){16}$/);
      assert.match(kinds.get("netem")!.options!, /delay 1ms/);
    });
  },
);

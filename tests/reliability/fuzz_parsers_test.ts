/**
 * Every text parser survives anything: random text, random bytes read as text, and real fixtures
 * mutated (lines dropped, duplicated, truncated, fields swapped, bytes flipped). The only allowed
 * outcomes are records with warnings, or a `ParseError`; any other exception fails the test.
 * Runs are bounded so the whole file takes a few seconds.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ParseError } from "../../src/errors.ts";
import { fixture, fixturePaths } from "../helpers/fixtures.ts";
import { parseProcNetSockets } from "../../src/parse/linux/proc_net_tcp.ts";
import { parseProcNetDev } from "../../src/parse/linux/proc_net_dev.ts";
import { parseProcNetSnmp } from "../../src/parse/linux/proc_net_snmp.ts";
import { parseProcNetSnmp6 } from "../../src/parse/linux/proc_net_snmp6.ts";
import { parseProcNetSockstat } from "../../src/parse/linux/proc_net_sockstat.ts";
import { parseProcNetRoute } from "../../src/parse/linux/proc_net_route.ts";
import { parseProcNetIpv6Route } from "../../src/parse/linux/proc_net_ipv6_route.ts";
import { parseBootTime, parseProcPidStat } from "../../src/parse/linux/proc_pid_stat.ts";
import { ipJsonText, parseIpJsonAddr, parseIpJsonRoutes } from "../../src/parse/linux/ip_json.ts";
import { parseMountinfo, procHiding } from "../../src/parse/linux/proc_self_mountinfo.ts";
import { parseIpAddr } from "../../src/parse/linux/ip_addr.ts";
import { parseIpRoute } from "../../src/parse/linux/ip_route.ts";
import { parseLinuxNetstat } from "../../src/parse/linux/netstat_an.ts";
import { parseLinuxNetstatI } from "../../src/parse/linux/netstat_i.ts";
import { parseLinuxNetstatS } from "../../src/parse/linux/netstat_s.ts";
import { parseRouteN } from "../../src/parse/linux/route_n.ts";
import { parseSs } from "../../src/parse/linux/ss.ts";
import { parseLinuxIfconfig } from "../../src/parse/linux/ifconfig.ts";
import { parseIfconfig } from "../../src/parse/bsd/ifconfig.ts";
import { parseLsof } from "../../src/parse/bsd/lsof.ts";
import { parseNetstatAn } from "../../src/parse/bsd/netstat_an.ts";
import { parseNetstatI } from "../../src/parse/bsd/netstat_i.ts";
import { parseNetstatRn } from "../../src/parse/bsd/netstat_rn.ts";
import { parseNetstatS } from "../../src/parse/bsd/netstat_s.ts";
import { parseIpRule } from "../../src/parse/linux/ip_rule.ts";
import { parseIpJsonRules } from "../../src/parse/linux/ip_json_rule.ts";
import { parseIpNeigh } from "../../src/parse/linux/ip_neigh.ts";
import { parseIpJsonNeigh } from "../../src/parse/linux/ip_json_neigh.ts";
import { parseArpAn } from "../../src/parse/linux/arp_an.ts";
import { parseProcNetArp } from "../../src/parse/linux/proc_net_arp.ts";
import { parseSysctlA } from "../../src/parse/linux/sysctl_a.ts";
import { parseTcQdisc } from "../../src/parse/linux/tc_qdisc.ts";
import { parseTcJsonQdisc } from "../../src/parse/linux/tc_json_qdisc.ts";
import { parseNftRuleset } from "../../src/parse/linux/nft_ruleset.ts";
import { parseNftJsonRuleset } from "../../src/parse/linux/nft_json_ruleset.ts";
import { parseIptablesSave } from "../../src/parse/linux/iptables_save.ts";
import { routingData } from "../helpers/routing_data.ts";
import { readFileSync } from "node:fs";

/** Runs per property; each parser gets two properties (random input, mutated fixtures). */
const RUNS = 150;

/** A hand-written `ip -j route show table all` document (no captured copy exists in fixtures). */
const IP_JSON_ROUTES = JSON.stringify([
  { dst: "default", gateway: "10.0.0.1", dev: "eth0", protocol: "dhcp", metric: 100, flags: [] },
  { dst: "10.0.0.0/24", dev: "eth0", protocol: "kernel", scope: "link", prefsrc: "10.0.0.5" },
  { type: "local", dst: "10.0.0.5", table: "local", dev: "eth0", prefsrc: "10.0.0.5" },
  {
    dst: "192.0.2.0/24",
    table: "100",
    nexthops: [{ gateway: "10.0.0.2", dev: "eth0", weight: 1 }, {
      gateway: "10.0.0.3",
      dev: "eth0",
      weight: 1,
    }],
    flags: [],
  },
]);

const PID_STAT =
  "1234 (my (odd) prog) S 1 1234 1234 0 -1 4194560 2000 0 0 0 10 5 0 0 20 0 1 0 4242 10000000 500";

function darwinCapture(name: string): string {
  return readFileSync(new URL(`../testdata/darwin/capture/${name}`, import.meta.url), "utf8");
}

/** One parser: a name, the call, and real inputs to mutate. */
interface Target {
  name: string;
  parse: (text: string) => unknown;
  seeds: string[];
}

const under = (dir: string) => fixturePaths(dir).map(fixture);

const TARGETS: Target[] = [
  {
    name: "parseProcNetSockets (tcp)",
    parse: (t) => parseProcNetSockets(t, "tcp", "inet"),
    seeds: [...under("linux/proc-net-tcp"), ...under("linux/proc-net-udp")],
  },
  {
    name: "parseProcNetSockets (udp6)",
    parse: (t) => parseProcNetSockets(t, "udp", "inet6"),
    seeds: [...under("linux/proc-net-tcp6"), ...under("linux/proc-net-udp6")],
  },
  { name: "parseProcNetDev", parse: parseProcNetDev, seeds: under("linux/proc-net-dev") },
  {
    name: "parseProcNetSnmp",
    parse: parseProcNetSnmp,
    seeds: [...under("linux/proc-net-snmp"), ...under("linux/proc-net-netstat")],
  },
  { name: "parseProcNetSnmp6", parse: parseProcNetSnmp6, seeds: under("linux/proc-net-snmp6") },
  {
    name: "parseProcNetSockstat",
    parse: parseProcNetSockstat,
    seeds: [...under("linux/proc-net-sockstat"), ...under("linux/proc-net-sockstat6")],
  },
  { name: "parseProcNetRoute", parse: parseProcNetRoute, seeds: under("linux/proc-net-route") },
  {
    name: "parseProcNetIpv6Route",
    parse: parseProcNetIpv6Route,
    seeds: under("linux/proc-net-ipv6_route"),
  },
  {
    name: "parseProcPidStat / parseBootTime",
    parse: (t) => [parseProcPidStat(t), parseBootTime(t)],
    seeds: [PID_STAT, "cpu 1 2 3\nbtime 1764083238\nprocesses 99\n"],
  },
  { name: "parseIpJsonAddr", parse: parseIpJsonAddr, seeds: under("linux/ip-j-addr") },
  {
    name: "ipJsonText",
    parse: (t) => ipJsonText(new TextEncoder().encode(t)),
    seeds: [...under("linux/ip-j-addr"), IP_JSON_ROUTES],
  },
  {
    name: "parseMountinfo / procHiding",
    parse: (t) => procHiding(parseMountinfo(t).value),
    seeds: [
      "22 27 0:21 / /proc rw,relatime - proc proc rw\n" +
      "230 168 0:53 / /proc rw,relatime shared:5 - proc proc rw,hidepid=invisible,gid=27\n",
    ],
  },
  {
    name: "parseIpJsonRoutes",
    parse: (t) => parseIpJsonRoutes(t, "inet"),
    seeds: [IP_JSON_ROUTES],
  },
  {
    name: "parseIpAddr",
    parse: parseIpAddr,
    seeds: [
      ...under("linux/ip-addr"),
      ...under("linux/ip-s-link"),
      ...under("linux/ip-d-s-link"),
      ...under("linux/ip-o-link"),
    ],
  },
  {
    name: "parseIpRoute",
    parse: parseIpRoute,
    seeds: [
      ...under("linux/ip-route"),
      ...under("linux/ip-6-route"),
      ...under("linux/ip-o-route"),
      ...under("linux/ip-route-table-all"),
    ],
  },
  {
    name: "parseLinuxNetstat",
    parse: parseLinuxNetstat,
    seeds: [
      ...under("linux/netstat"),
      ...under("linux/netstat-p"),
      ...under("linux/netstat-lnp"),
      ...under("linux/netstat-aeep"),
    ],
  },
  { name: "parseLinuxNetstatI", parse: parseLinuxNetstatI, seeds: under("linux/netstat-i") },
  { name: "parseLinuxNetstatS", parse: parseLinuxNetstatS, seeds: under("linux/netstat-s") },
  {
    name: "parseRouteN",
    parse: parseRouteN,
    seeds: [...under("linux/route-n"), ...under("linux/route-6-n"), ...under("linux/netstat-r")],
  },
  {
    name: "parseSs",
    parse: parseSs,
    seeds: [...under("linux/ss-a"), ...under("linux/ss-tulpen"), ...under("linux/ss-tupna")],
  },
  { name: "parseLinuxIfconfig", parse: parseLinuxIfconfig, seeds: under("linux/ifconfig") },
  {
    name: "darwin parseIfconfig",
    parse: parseIfconfig,
    seeds: [...under("darwin/ifconfig"), ...under("freebsd/ifconfig")],
  },
  {
    name: "darwin parseLsof",
    parse: parseLsof,
    seeds: [darwinCapture("lsof-F.txt")],
  },
  {
    name: "darwin parseNetstatAn",
    parse: parseNetstatAn,
    seeds: [
      ...under("darwin/netstat"),
      ...under("freebsd/netstat-an"),
      darwinCapture("netstat-anvW-tcp.txt"),
    ],
  },
  {
    name: "darwin parseNetstatI",
    parse: parseNetstatI,
    seeds: [...under("darwin/netstat-i"), darwinCapture("netstat-ibn.txt")],
  },
  {
    name: "darwin parseNetstatRn",
    parse: parseNetstatRn,
    seeds: [...under("darwin/netstat-rnl"), ...under("freebsd/netstat-r")],
  },
  {
    name: "parseIpRule",
    parse: parseIpRule,
    seeds: [routingData("ip-rule.txt"), routingData("ip-6-rule.txt")],
  },
  {
    name: "parseIpJsonRules",
    parse: (t) => parseIpJsonRules(t, "inet"),
    seeds: [routingData("ip-j-rule.json")],
  },
  {
    name: "parseIpNeigh",
    parse: parseIpNeigh,
    seeds: [routingData("ip-neigh.txt"), routingData("ip-neigh-proxy.txt")],
  },
  { name: "parseIpJsonNeigh", parse: parseIpJsonNeigh, seeds: [routingData("ip-j-neigh.json")] },
  { name: "parseArpAn", parse: parseArpAn, seeds: [routingData("arp-an.txt")] },
  { name: "parseProcNetArp", parse: parseProcNetArp, seeds: [routingData("proc-net-arp.txt")] },
  { name: "parseSysctlA", parse: parseSysctlA, seeds: [routingData("sysctl-a.txt")] },
  {
    name: "parseTcQdisc",
    parse: parseTcQdisc,
    seeds: [routingData("tc-s-qdisc.txt"), routingData("tc-qdisc.txt")],
  },
  { name: "parseTcJsonQdisc", parse: parseTcJsonQdisc, seeds: [routingData("tc-j-s-qdisc.json")] },
  {
    name: "parseNftRuleset",
    parse: parseNftRuleset,
    seeds: [routingData("nft-list-ruleset.txt"), routingData("nft-a-list-ruleset.txt")],
  },
  {
    name: "parseNftJsonRuleset",
    parse: parseNftJsonRuleset,
    seeds: [routingData("nft-j-list-ruleset.json")],
  },
  {
    name: "parseIptablesSave",
    parse: parseIptablesSave,
    seeds: [routingData("iptables-save-c.txt"), routingData("iptables-legacy-save-c.txt")],
  },
  {
    name: "darwin parseNetstatS",
    parse: parseNetstatS,
    seeds: [...under("darwin/netstat-s"), darwinCapture("netstat-s.txt")],
  },
];

/** Calls the parser: records (any value) or a ParseError pass; any other throw fails with the input. */
function survives(t: Target, text: string): boolean {
  try {
    t.parse(text);
    return true;
  } catch (err) {
    if (err instanceof ParseError) return true;
    throw new Error(
      `${t.name} threw ${(err as Error)?.name}: ${(err as Error)?.message} on ${
        JSON.stringify(text.slice(0, 300))
      }`,
    );
  }
}

/** Text that looks a little like tool output: digits, hex, separators, brackets, odd bytes. */
const arbNoisyText = fc.oneof(
  fc.string({ maxLength: 400 }),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.uint8Array({ maxLength: 400 }).map((b) => new TextDecoder("latin1").decode(b)),
  fc.array(
    fc.constantFrom(
      " ",
      "  ",
      "\n",
      "\t",
      ":",
      "/",
      "0",
      "1",
      "255",
      "FFFFFFFF",
      "0100007F:0016",
      "::",
      "fe80::1%lo",
      "[",
      "]",
      "{",
      "}",
      '"',
      ",",
      "(",
      ")",
      "LISTEN",
      "Ip:",
      "Tcp:",
      "eth0",
      "inet",
      "18446744073709551616",
      "-1",
      "NaN",
      "users:((",
      "pid=",
      "null",
      // Words that name Object.prototype members: a lookup table indexed by raw text must not
      // find them.
      "valueOf",
      "constructor",
      "__proto__",
      "toString",
      "hasOwnProperty",
    ),
    { maxLength: 120 },
  ).map((parts) => parts.join("")),
);

/** A real fixture changed the way a broken tool, a truncated copy or a bad pipe would change it. */
function arbMutated(seeds: string[]): fc.Arbitrary<string> {
  const seed = fc.constantFrom(...seeds);
  const lineEdit = fc.tuple(seed, fc.nat(), fc.nat(), fc.string({ maxLength: 30 })).map(
    ([s, i, j, junk]) => {
      const lines = s.split("\n");
      const a = i % Math.max(lines.length, 1), b = j % Math.max(lines.length, 1);
      switch ((i + j) % 6) {
        case 0:
          lines.splice(a, 1);
          break;
        case 1:
          lines.splice(a, 0, lines[b] ?? "");
          break;
        case 2:
          lines[a] = (lines[a] ?? "").slice(0, j % 40);
          break;
        case 3:
          lines[a] = (lines[a] ?? "").split(/\s+/).reverse().join(" ");
          break;
        case 4:
          lines[a] = junk;
          break;
        default:
          lines[a] = (lines[a] ?? "").replace(/[0-9]/g, (d) => (d === "9" ? "x" : "99999999999"));
      }
      return lines.join("\n");
    },
  );
  const byteEdit = fc.tuple(
    seed,
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
      minLength: 1,
      maxLength: 8,
    }),
  ).map(([s, edits]) => {
    const chars = [...s];
    for (const [pos, code] of edits) {
      if (chars.length) chars[pos % chars.length] = String.fromCharCode(code);
    }
    return chars.join("");
  });
  const cut = fc.tuple(seed, fc.nat()).map(([s, n]) => s.slice(0, n % (s.length + 1)));
  const repeat = seed.map((s) => s + s);
  return fc.oneof(lineEdit, byteEdit, cut, repeat);
}

for (const t of TARGETS) {
  test(`${t.name}() on random text gives records or a ParseError, never another exception`, () => {
    fc.assert(fc.property(arbNoisyText, (text) => survives(t, text)), { numRuns: RUNS });
  });

  test(`${t.name}() on mutated real inputs gives records or a ParseError, never another exception`, () => {
    assert.ok(t.seeds.length > 0, `${t.name} has real inputs to mutate`);
    for (const s of t.seeds) assert.ok(survives(t, s));
    fc.assert(fc.property(arbMutated(t.seeds), (text) => survives(t, text)), { numRuns: RUNS });
  });
}

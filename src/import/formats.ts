/**
 * Every format `nsnap import` knows, in one table: its id (written to `meta.source.formats`), the
 * systems whose tools print it, the section it feeds, how its content is recognised and how it
 * is read. Adding a format is one entry here and one parser under src/parse/.
 *
 * Order matters twice: where several formats recognise a text equally well the earlier entry
 * wins, and `probe.json` texts are only offered to the JSON formats.
 */
import type {
  AnySectionName,
  Connection,
  Counters,
  Family,
  FirewallTable,
  Neighbour,
  NetInterface,
  ProcessInfo,
  Protocol,
  Qdisc,
  Route,
  Rule,
  Settings,
} from "../model.ts";
import { type Parsed, sameOrigin, type SocketTable } from "../parse/text.ts";
import { parseSs } from "../parse/linux/ss.ts";
import { parseLinuxNetstat } from "../parse/linux/netstat_an.ts";
import { parseLinuxNetstatI } from "../parse/linux/netstat_i.ts";
import { parseLinuxNetstatS } from "../parse/linux/netstat_s.ts";
import { parseRouteN } from "../parse/linux/route_n.ts";
import { parseIpRoute } from "../parse/linux/ip_route.ts";
import { parseIpAddr } from "../parse/linux/ip_addr.ts";
import { parseLinuxIfconfig } from "../parse/linux/ifconfig.ts";
import { parseIpJsonAddr, parseIpJsonRoutes } from "../parse/linux/ip_json.ts";
import { parseProcNetSockets } from "../parse/linux/proc_net_tcp.ts";
import { parseProcNetDev } from "../parse/linux/proc_net_dev.ts";
import { parseProcNetRoute } from "../parse/linux/proc_net_route.ts";
import { parseProcNetIpv6Route } from "../parse/linux/proc_net_ipv6_route.ts";
import { parseProcNetSnmp } from "../parse/linux/proc_net_snmp.ts";
import { parseProcNetSnmp6 } from "../parse/linux/proc_net_snmp6.ts";
import { parseProcNetSockstat } from "../parse/linux/proc_net_sockstat.ts";
import { parseProcNetIfInet6 } from "../parse/linux/proc_net_if_inet6.ts";
import { parseNetstatAn } from "../parse/bsd/netstat_an.ts";
import { parseNetstatRn } from "../parse/bsd/netstat_rn.ts";
import { parseNetstatI } from "../parse/bsd/netstat_i.ts";
import { parseNetstatS } from "../parse/bsd/netstat_s.ts";
import { parseIfconfig } from "../parse/bsd/ifconfig.ts";
import { lsofProcesses, type LsofSocket, parseLsof } from "../parse/bsd/lsof.ts";
import { parseIpRule } from "../parse/linux/ip_rule.ts";
import { parseIpJsonRules } from "../parse/linux/ip_json_rule.ts";
import { parseIpNeigh } from "../parse/linux/ip_neigh.ts";
import { parseIpJsonNeigh } from "../parse/linux/ip_json_neigh.ts";
import { parseArpAn } from "../parse/linux/arp_an.ts";
import { parseProcNetArp } from "../parse/linux/proc_net_arp.ts";
import { parseSysctlA } from "../parse/linux/sysctl_a.ts";
import { parseTcQdisc } from "../parse/linux/tc_qdisc.ts";
import { parseTcJsonQdisc } from "../parse/linux/tc_json_qdisc.ts";
import { parseNftRuleset } from "../parse/linux/nft_ruleset.ts";
import { parseIptablesSave } from "../parse/linux/iptables_save.ts";
import {
  headerValuePairs,
  ifconfigKind,
  isIpAddr,
  isIpNeigh,
  isIpRoute,
  isIptablesSave,
  isSysctlA,
  jsonRecords,
  type Probe,
  procSocketKind,
  statisticsKind,
} from "./probe.ts";
import { dict } from "../util/record.ts";

/** What one input adds to the snapshot; its warnings belong to its format's section. */
export interface Contribution {
  connections?: Connection[];
  /** lsof's sockets: joined onto the other inputs' sockets by 5-tuple. */
  lsof?: LsofSocket[];
  processes?: ProcessInfo[];
  routes?: Route[];
  interfaces?: NetInterface[];
  counters?: Counters;
  rules?: Rule[];
  neighbours?: Neighbour[];
  settings?: Settings;
  qdiscs?: Qdisc[];
  firewall?: FirewallTable[];
  /** Warnings about the format's own section. */
  warnings: string[];
  /**
   * Warnings about another section's records (a process `ss -p` names that the schema refuses
   * is warned of under `processes`, not under `connections`).
   */
  sectionWarnings?: Partial<Record<AnySectionName, string[]>>;
}

/** The systems whose tools print a format: Linux, the BSDs (macOS and FreeBSD), or any. */
export type FormatOs = "linux" | "bsd" | "any";

/** How sure a detector is: 0 not this format, 1 could be, 2 is. */
export type Likelihood = 0 | 1 | 2;

/** One format of the registry. */
export interface ImportFormat {
  id: string;
  os: FormatOs;
  /** The section the format speaks about; its warnings go there. */
  section: AnySectionName;
  /** Whether the format is JSON (only JSON texts are offered to it, and only to it). */
  json?: boolean;
  detect: (p: Probe) => Likelihood;
  parse: (text: string, source: string) => Contribution;
  /** For BSD formats: which BSD the content shows it came from, where it does. */
  system?: (p: Probe) => "darwin" | "freebsd" | undefined;
}

const yes = (b: boolean): Likelihood => b ? 2 : 0;

function socketTable(r: Parsed<SocketTable>): Contribution {
  const c: Contribution = { connections: r.value.connections, warnings: r.warnings };
  if (r.value.processes.length > 0) c.processes = r.value.processes;
  return c;
}

function procSockets(protocol: Protocol, family: Family) {
  return (text: string, source: string): Contribution => {
    const r = parseProcNetSockets(text, protocol, family, source);
    return { connections: r.value, warnings: r.warnings };
  };
}

/** A /proc/net socket table of this protocol and family, as sure as the content allows. */
function procSocketsOf(protocol: Protocol, family: Family) {
  return (p: Probe): Likelihood => {
    const k = procSocketKind(p);
    if (k === undefined || k.family !== family) return 0;
    if (k.udp === "sure") return protocol === "udp" ? 2 : 0;
    if (k.udp === "likely") return protocol === "udp" ? 2 : 1;
    return protocol === "tcp" ? 2 : 1;
  };
}

const routes = (r: Parsed<Route[]>): Contribution => ({ routes: r.value, warnings: r.warnings });
const interfaces = (r: Parsed<NetInterface[]>): Contribution => ({
  interfaces: r.value,
  warnings: r.warnings,
});
const counters = (r: Parsed<Counters>): Contribution => ({
  counters: r.value,
  warnings: r.warnings,
});

const rules = (r: Parsed<Rule[]>): Contribution => ({ rules: r.value, warnings: r.warnings });
const neighbours = (r: Parsed<Neighbour[]>): Contribution => ({
  neighbours: r.value,
  warnings: r.warnings,
});
const qdiscs = (r: Parsed<Qdisc[]>): Contribution => ({ qdiscs: r.value, warnings: r.warnings });
const firewall = (r: Parsed<FirewallTable[]>): Contribution => ({
  firewall: r.value,
  warnings: r.warnings,
});

/** `sysctl -a`'s network settings: every net.* name (the capture's table cannot be seen here). */
function networkSettings(r: Parsed<Settings>): Contribution {
  const out: Settings = dict();
  for (const [k, v] of Object.entries(r.value)) if (k.startsWith("net.")) out[k] = v;
  return { settings: out, warnings: r.warnings };
}

/** Interface names only one BSD's drivers use. */
const DARWIN_NAMES = /^(en|utun|awdl|llw|anpi|ap|p2p)[0-9]+\b/;
const FREEBSD_NAMES = /^(em|igb|ix|ixl|ixv|vtnet|re|bge|cxl|mlxen|vmx|xn|lagg|ue)[0-9]+\b/;

/** Which BSD interface names belong to, where one of them tells. */
function systemOfNames(names: readonly string[]): "darwin" | "freebsd" | undefined {
  if (names.some((n) => DARWIN_NAMES.test(n))) return "darwin";
  if (names.some((n) => FREEBSD_NAMES.test(n))) return "freebsd";
  return undefined;
}

/** The interface names that start the lines (`en0: flags=…`, `en0 1500 <Link#4> …`). */
const leadingNames = (lines: readonly string[]) =>
  lines.map((l) => /^([^\s:]+)/.exec(l)?.[1] ?? "");

/** Every word of the lines: a route table's Netif column is somewhere among them. */
const allWords = (lines: readonly string[]) => lines.flatMap((l) => l.trim().split(/\s+/));

/** Every format `nsnap import` knows (see the header for what the order means). */
export const FORMATS = [
  {
    id: "ip-json-addr",
    os: "linux",
    section: "interfaces",
    json: true,
    detect: (p) =>
      yes(
        jsonRecords(p)?.every((r) =>
          typeof r.ifname === "string" && typeof r.ifindex === "number"
        ) ??
          false,
      ),
    parse: (t, s) => interfaces(parseIpJsonAddr(t, s)),
  },
  {
    id: "ip-json-rule",
    os: "linux",
    section: "rules",
    json: true,
    detect: (p) =>
      yes(
        jsonRecords(p)?.every((r) => typeof r.priority === "number" && "src" in r) ?? false,
      ),
    // A record's family is read from its addresses, else from the listing (the kernel's
    // default rules tell IPv6's from IPv4's); a listing that shows none is IPv4, with a warning.
    parse: (t, s) => rules(parseIpJsonRules(t, undefined, s)),
  },
  {
    id: "ip-json-neigh",
    os: "linux",
    section: "neighbours",
    json: true,
    detect: (p) =>
      yes(
        jsonRecords(p)?.every((r) =>
          typeof r.dst === "string" && typeof r.dev === "string" &&
          ("state" in r || "lladdr" in r || "proxy" in r) && !("protocol" in r)
        ) ?? false,
      ),
    parse: (t, s) => neighbours(parseIpJsonNeigh(t, s)),
  },
  {
    id: "tc-json-qdisc",
    os: "linux",
    section: "qdiscs",
    json: true,
    detect: (p) =>
      yes(
        jsonRecords(p)?.every((r) =>
          typeof r.kind === "string" && typeof r.handle === "string" && typeof r.dev === "string"
        ) ?? false,
      ),
    parse: (t, s) => qdiscs(parseTcJsonQdisc(t, s)),
  },
  {
    id: "ip-json-route",
    os: "linux",
    section: "routes",
    json: true,
    detect: (p) => yes(jsonRecords(p)?.every((r) => typeof r.dst === "string") ?? false),
    // A record's family is read from its addresses; `default` routes without one are IPv4.
    parse: (t, s) => routes(parseIpJsonRoutes(t, "inet", s)),
  },
  {
    id: "proc-net-tcp",
    os: "linux",
    section: "connections",
    detect: procSocketsOf("tcp", "inet"),
    parse: procSockets("tcp", "inet"),
  },
  {
    id: "proc-net-tcp6",
    os: "linux",
    section: "connections",
    detect: procSocketsOf("tcp", "inet6"),
    parse: procSockets("tcp", "inet6"),
  },
  {
    id: "proc-net-udp",
    os: "linux",
    section: "connections",
    detect: procSocketsOf("udp", "inet"),
    parse: procSockets("udp", "inet"),
  },
  {
    id: "proc-net-udp6",
    os: "linux",
    section: "connections",
    detect: procSocketsOf("udp", "inet6"),
    parse: procSockets("udp", "inet6"),
  },
  {
    id: "proc-net-dev",
    os: "linux",
    section: "interfaces",
    detect: (p) =>
      yes(/^Inter-\|\s*Receive/.test(p.head) && /face\s*\|\s*bytes/.test(p.body[1] ?? "")),
    parse: (t, s) => {
      const r = parseProcNetDev(t, s);
      return interfaces({
        value: r.value.map((i) =>
          sameOrigin({ name: i.name, flags: [], addresses: [], stats: i.stats }, i)
        ),
        warnings: r.warnings,
      });
    },
  },
  {
    id: "proc-net-route",
    os: "linux",
    section: "routes",
    detect: (p) =>
      yes(/^Iface\s+Destination\s+Gateway\s+Flags\s+RefCnt\s+Use\s+Metric\s+Mask/.test(p.head)),
    parse: (t, s) => routes(parseProcNetRoute(t, s)),
  },
  {
    id: "proc-net-ipv6_route",
    os: "linux",
    section: "routes",
    detect: (p) =>
      yes(
        p.body.every((l) =>
          /^[0-9a-f]{32} [0-9a-f]{2} [0-9a-f]{32} [0-9a-f]{2} [0-9a-f]{32}( [0-9a-f]{8}){4}\s+\S+\s*$/
            .test(l)
        ),
      ),
    parse: (t, s) => routes(parseProcNetIpv6Route(t, s)),
  },
  {
    id: "proc-net-if_inet6",
    os: "linux",
    section: "interfaces",
    detect: (p) =>
      yes(
        p.body.every((l) =>
          /^[0-9a-f]{32} [0-9a-f]{2,8} [0-9a-f]{2} [0-9a-f]{2} [0-9a-f]{2}\s+\S+\s*$/.test(l)
        ),
      ),
    parse: (t, s) => {
      const r = parseProcNetIfInet6(t, s);
      return interfaces({
        value: r.value.map((e) =>
          sameOrigin({ name: e.name, index: e.index, flags: [], addresses: [e.address] }, e)
        ),
        warnings: r.warnings,
      });
    },
  },
  {
    id: "proc-net-snmp",
    os: "linux",
    section: "counters",
    detect: (p) => yes(headerValuePairs(p)?.endsWith("Ext") === false),
    parse: (t, s) => counters(parseProcNetSnmp(t, s)),
  },
  {
    id: "proc-net-netstat",
    os: "linux",
    section: "counters",
    detect: (p) => yes(headerValuePairs(p)?.endsWith("Ext") === true),
    parse: (t, s) => counters(parseProcNetSnmp(t, s)),
  },
  {
    id: "proc-net-snmp6",
    os: "linux",
    section: "counters",
    detect: (p) =>
      yes(
        !/^ifIndex\s/.test(p.head) &&
          p.body.every((l) => /^[A-Za-z][A-Za-z0-9]*\s+-?[0-9]+\s*$/.test(l)),
      ),
    parse: (t, s) => counters(parseProcNetSnmp6(t, s)),
  },
  {
    id: "proc-net-dev_snmp6",
    os: "linux",
    section: "counters",
    detect: (p) =>
      yes(
        /^ifIndex\s/.test(p.head) &&
          p.body.every((l) => /^[A-Za-z][A-Za-z0-9]*\s+-?[0-9]+\s*$/.test(l)),
      ),
    // Per-interface IPv6 counters have no place in the snapshot model.
    parse: (_t, s) => ({
      warnings: [`${s}: per-interface IPv6 counters (dev_snmp6) are not imported`],
    }),
  },
  {
    id: "proc-net-sockstat",
    os: "linux",
    section: "counters",
    detect: (p) => yes(/^sockets: used [0-9]+$/.test(p.head)),
    parse: (t, s) => counters(parseProcNetSockstat(t, s, "Sockstat")),
  },
  {
    id: "proc-net-sockstat6",
    os: "linux",
    section: "counters",
    detect: (p) => yes(/^(TCP6|UDP6|UDPLITE6|RAW6|FRAG6): inuse [0-9]+/.test(p.head)),
    parse: (t, s) => counters(parseProcNetSockstat(t, s, "Sockstat6")),
  },
  {
    id: "ss",
    os: "linux",
    section: "connections",
    detect: (p) =>
      yes(
        /^\s*(Netid\s+)?State\s+Recv-Q\s+Send-Q\s+Local\s+Address:Port\s+Peer\s+Address:Port/m
          .test(p.top),
      ),
    parse: (t, s) => socketTable(parseSs(t, s)),
  },
  {
    id: "bsd-netstat-an",
    os: "bsd",
    section: "connections",
    detect: (p) =>
      yes(
        /^(Socket\s+Flowhash\s+|Tcpcb\s+|PCB\s+)?Proto\s+(Recv-Q|Rexmit)\s.*Local Address\s+Foreign Address/m
          .test(p.top) && /\(state\)|^(Socket|Tcpcb|PCB)\s/m.test(p.top),
      ),
    parse: (t, s) => socketTable(parseNetstatAn(t, s)),
    system: (p) => {
      if (/^Tcpcb\s|\(state\)\s+Log ID\b/m.test(p.text)) return "freebsd";
      if (
        /^Socket\s+Flowhash\s|\srhiwat\s|\sprocess:pid\s|^Active (Multipath Internet connections|LOCAL \(UNIX\) domain sockets|kernel (event|control) sockets)/m
          .test(p.text)
      ) {
        return "darwin";
      }
      return undefined;
    },
  },
  {
    id: "linux-netstat",
    os: "linux",
    section: "connections",
    detect: (p) =>
      yes(
        /^Proto\s+Recv-Q\s+Send-Q\s+Local Address\s+Foreign Address\s+State\b/m.test(p.top) ||
          /^Active (Internet connections|UNIX domain sockets) \((servers and established|only servers|w\/o servers)\)$/m
            .test(p.top),
      ),
    parse: (t, s) => socketTable(parseLinuxNetstat(t, s)),
  },
  {
    id: "linux-netstat-i",
    os: "linux",
    section: "interfaces",
    detect: (p) => yes(/^Iface\s+MTU\s+(Met\s+)?RX-OK\s+RX-ERR/m.test(p.top)),
    parse: (t, s) => interfaces(parseLinuxNetstatI(t, s)),
  },
  {
    id: "bsd-netstat-i",
    os: "bsd",
    section: "interfaces",
    detect: (p) => yes(/^Name\s+Mtu\s+Network\s+Address\s+Ipkts\s+Ierrs/m.test(p.top)),
    parse: (t, s) => interfaces(parseNetstatI(t, s)),
    system: (p) =>
      /^Name\s+Mtu\s+Network\s+Address\s+Ipkts\s+Ierrs\s+Idrop\b/m.test(p.top)
        ? "freebsd"
        : systemOfNames(leadingNames(p.body)),
  },
  {
    id: "route-n",
    os: "linux",
    section: "routes",
    detect: (p) =>
      yes(
        /^Kernel IP(v6)? routing table$/m.test(p.top) ||
          /^Destination\s+(Gateway\s+Genmask|Next Hop)\s+Flags?\s/m.test(p.top),
      ),
    parse: (t, s) => routes(parseRouteN(t, s)),
  },
  {
    id: "bsd-netstat-rn",
    os: "bsd",
    section: "routes",
    detect: (p) =>
      yes(
        /^Routing tables$/m.test(p.top) ||
          /^Destination\s+Gateway\s+Flags\s+(Refs\s+Use\s+)?Netif/m.test(p.top),
      ),
    parse: (t, s) => routes(parseNetstatRn(t, s)),
    system: (p) => systemOfNames(allWords(p.body)),
  },
  {
    id: "linux-netstat-s",
    os: "linux",
    section: "counters",
    detect: (p) => yes(statisticsKind(p) === "linux"),
    parse: (t, s) => counters(parseLinuxNetstatS(t, s)),
  },
  {
    id: "bsd-netstat-s",
    os: "bsd",
    section: "counters",
    detect: (p) => yes(statisticsKind(p) === "bsd"),
    parse: (t, s) => counters(parseNetstatS(t, s)),
    system: (p) => {
      if (/^mptcp:$/m.test(p.text)) return "darwin";
      if (/^(sctp|pfsync|carp):$/m.test(p.text)) return "freebsd";
      return undefined;
    },
  },
  {
    id: "lsof",
    os: "any",
    section: "connections",
    detect: (p) =>
      yes(
        /^COMMAND\s+PID\s+USER\s+FD\s+TYPE\s+DEVICE\s+SIZE\/OFF\s+NODE\s+NAME/.test(p.head) ||
          (/^p[0-9]+$/.test(p.head) && p.body.slice(1, 4).some((l) => /^[cfnPtTuLR]/.test(l))),
      ),
    parse: (t, s) => {
      const r = parseLsof(t, s);
      return { lsof: r.value, processes: lsofProcesses(r.value), warnings: r.warnings };
    },
  },
  {
    id: "linux-ifconfig",
    os: "linux",
    section: "interfaces",
    detect: (p) => yes(ifconfigKind(p) === "linux"),
    parse: (t, s) => interfaces(parseLinuxIfconfig(t, s)),
  },
  {
    id: "bsd-ifconfig",
    os: "bsd",
    section: "interfaces",
    detect: (p) => yes(ifconfigKind(p) === "bsd"),
    parse: (t, s) => interfaces(parseIfconfig(t, s)),
    system: (p) => {
      const headers = p.body.filter((l) => /^\S+?:\s+flags=/.test(l));
      // FreeBSD prints the metric on every interface and lists every interface's groups;
      // macOS does so only for some (a VLAN), so its interface names are looked at first.
      const freebsd = /^\s+groups:/m.test(p.text) ||
        headers.every((h) => /\smetric [0-9]+ mtu /.test(h));
      return systemOfNames(leadingNames(headers)) ?? (freebsd ? "freebsd" : undefined);
    },
  },
  {
    id: "ip-addr",
    os: "linux",
    section: "interfaces",
    detect: (p) => yes(isIpAddr(p)),
    parse: (t, s) => interfaces(parseIpAddr(t, s)),
  },
  {
    id: "ip-neigh",
    os: "linux",
    section: "neighbours",
    detect: (p) => yes(isIpNeigh(p)),
    parse: (t, s) => neighbours(parseIpNeigh(t, s)),
  },
  {
    id: "ip-route",
    os: "linux",
    section: "routes",
    detect: (p) => yes(isIpRoute(p)),
    parse: (t, s) => routes(parseIpRoute(t, s)),
  },
  {
    id: "ip-rule",
    os: "linux",
    section: "rules",
    detect: (p) => yes(p.body.every((l) => /^\s*[0-9]{1,10}:\s+(not\s+)?from\s\S+/.test(l))),
    parse: (t, s) => rules(parseIpRule(t, s)),
  },
  {
    id: "arp-an",
    os: "linux",
    section: "neighbours",
    detect: (p) =>
      yes(p.body.every((l) => /^\S+ \([0-9]{1,3}(\.[0-9]{1,3}){3}\) at \S+.* on \S+\s*$/.test(l))),
    parse: (t, s) => neighbours(parseArpAn(t, s)),
  },
  {
    id: "proc-net-arp",
    os: "linux",
    section: "neighbours",
    detect: (p) => yes(/^IP address\s+HW type\s+Flags\s+HW address\s+Mask\s+Device$/.test(p.head)),
    parse: (t, s) => neighbours(parseProcNetArp(t, s)),
  },
  {
    id: "sysctl-a",
    os: "linux",
    section: "settings",
    detect: (p) => yes(isSysctlA(p)),
    parse: (t, s) => networkSettings(parseSysctlA(t, s)),
  },
  {
    id: "tc-qdisc",
    os: "linux",
    section: "qdiscs",
    detect: (p) => yes(/^qdisc \S+ [0-9a-f]*:[0-9a-f]* dev \S+ /.test(p.head)),
    parse: (t, s) => qdiscs(parseTcQdisc(t, s)),
  },
  {
    id: "nft-ruleset",
    os: "linux",
    section: "firewall",
    detect: (p) =>
      yes(
        /^table (ip|ip6|inet|arp|bridge|netdev) \S+ \{/m.test(
          p.body.find((l) => !l.startsWith("#")) ?? "",
        ),
      ),
    parse: (t, s) => firewall(parseNftRuleset(t, s)),
  },
  {
    id: "iptables-save",
    os: "linux",
    section: "firewall",
    detect: (p) => yes(isIptablesSave(p)),
    parse: (t, s) => firewall(parseIptablesSave(t, s)),
  },
] as const satisfies readonly ImportFormat[];

/** One of the formats `nsnap import` knows. */
export type FormatId = typeof FORMATS[number]["id"];

/**
 * `nsnap import`: turns saved tool outputs and /proc/net copies into one snapshot. Each input is
 * recognised by its content, parsed by the parser for its format, and merged: sockets by 5-tuple
 * (owners from ss -p, netstat -p and lsof joined on), interfaces by name (ip addr + ip -s link +
 * /proc/net/dev …), routes and counters as they come. A section no input spoke about is
 * `{status: "error", error: "not provided"}`.
 */
import type {
  Connection,
  Counters,
  Family,
  InterfaceAddress,
  Meta,
  NetInterface,
  ProcessInfo,
  Protocol,
  Route,
  SectionName,
  SectionStatus,
  Snapshot,
} from "../model.ts";
import { SCHEMA_ID, SECTION_NAMES } from "../model.ts";
import { InputError, ParseError } from "../errors.ts";
import { TOOL_NAME, VERSION } from "../version.ts";
import { runtimeName } from "../runtime/process.ts";
import { normalizeSnapshot } from "../snapshot/normalize.ts";
import { detectFormat, type FormatId } from "./detect.ts";
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
import { parseNetstatAn } from "../parse/darwin/netstat_an.ts";
import { parseNetstatRn } from "../parse/darwin/netstat_rn.ts";
import { parseNetstatI } from "../parse/darwin/netstat_i.ts";
import { parseNetstatS } from "../parse/darwin/netstat_s.ts";
import { parseIfconfig } from "../parse/darwin/ifconfig.ts";
import { type LsofSocket, parseLsof } from "../parse/darwin/lsof.ts";
import { masterPid, socketTupleKey } from "../net/sockets.ts";

/** One file to import: the name it is reported under and its text. */
export interface ImportInput {
  name: string;
  text: string;
}

/** How to label the imported snapshot. */
export interface ImportOptions {
  /** host.hostname; default "imported". */
  hostname?: string;
  /** capturedAt (ISO 8601); default now. */
  time?: string;
  /** User labels (`--label key=value`). */
  labels?: Record<string, string>;
}

/** What the parsed inputs contributed, before they become a snapshot. */
interface Parts {
  /** Every socket read, with the index of the input it came from. */
  connections: { conn: Connection; input: number }[];
  /** The index of the input being read. */
  input: number;
  lsof: LsofSocket[];
  processes: Map<number, ProcessInfo>;
  routes: Route[];
  interfaces: NetInterface[];
  counters: Counters;
  provided: Set<SectionName>;
  warnings: Record<SectionName, string[]>;
  linux: boolean;
  bsd: boolean;
}

const LINUX_FORMATS = /^(ss|linux-|route-n|ip-|proc-net-)/;

/** Recognises, parses and merges saved outputs into one snapshot; throws InputError naming a file. */
export function importFiles(inputs: readonly ImportInput[], opts: ImportOptions = {}): Snapshot {
  if (inputs.length === 0) throw new InputError("Cannot import: no input files");
  const parts: Parts = {
    connections: [],
    input: 0,
    lsof: [],
    processes: new Map(),
    routes: [],
    interfaces: [],
    counters: {},
    provided: new Set(),
    warnings: {
      connections: [],
      processes: [],
      routes: [],
      interfaces: [],
      counters: [],
    },
    linux: false,
    bsd: false,
  };
  const formats: string[] = [];
  for (const input of inputs) {
    const format = detectFormat(input.text);
    if (format === undefined) {
      throw new InputError(`Cannot import ${input.name}: format not recognised`);
    }
    formats.push(format);
    parts.input = formats.length - 1;
    if (LINUX_FORMATS.test(format)) parts.linux = true;
    else parts.bsd = true;
    try {
      readInput(parts, format, input);
    } catch (err) {
      if (err instanceof ParseError) {
        throw new InputError(`Cannot import ${input.name} (${format}): ${err.message}`);
      }
      throw err;
    }
  }
  return assemble(parts, inputs, formats, opts);
}

function addProcesses(parts: Parts, list: Iterable<ProcessInfo>) {
  for (const p of list) {
    const had = parts.processes.get(p.pid);
    parts.processes.set(p.pid, had ? { ...p, ...had } : p);
  }
  parts.provided.add("processes");
}

function readInput(parts: Parts, format: FormatId, input: ImportInput): void {
  const { name, text } = input;
  const w = parts.warnings;
  const sockets = (r: { connections: Connection[]; warnings: string[] }) => {
    for (const conn of r.connections) parts.connections.push({ conn, input: parts.input });
    w.connections.push(...r.warnings);
    parts.provided.add("connections");
  };
  const routes = (r: { routes: Route[]; warnings: string[] }) => {
    parts.routes.push(...r.routes);
    w.routes.push(...r.warnings);
    parts.provided.add("routes");
  };
  const interfaces = (r: { interfaces: NetInterface[]; warnings: string[] }) => {
    for (const itf of r.interfaces) mergeInterface(parts.interfaces, itf);
    w.interfaces.push(...r.warnings);
    parts.provided.add("interfaces");
  };
  const counters = (r: { counters: Counters; warnings: string[] }) => {
    for (const [g, values] of Object.entries(r.counters)) {
      parts.counters[g] = { ...values, ...parts.counters[g] };
    }
    w.counters.push(...r.warnings);
    parts.provided.add("counters");
  };
  const proc = (protocol: Protocol, family: Family) =>
    sockets(parseProcNetSockets(text, protocol, family, name));
  switch (format) {
    case "ss": {
      const r = parseSs(text, name);
      sockets(r);
      if (r.processes.length > 0) addProcesses(parts, r.processes);
      return;
    }
    case "linux-netstat": {
      const r = parseLinuxNetstat(text, name);
      sockets(r);
      if (r.processes.length > 0) addProcesses(parts, r.processes);
      return;
    }
    case "bsd-netstat-an": {
      const r = parseNetstatAn(text, name);
      sockets(r);
      if (r.processNames.size > 0) {
        addProcesses(parts, [...r.processNames].map(([pid, n]) => ({ pid, name: n })));
      }
      return;
    }
    case "lsof": {
      const r = parseLsof(text, name);
      parts.lsof.push(...r.sockets);
      w.connections.push(...r.warnings);
      const seen = new Map<number, ProcessInfo>();
      for (const s of r.sockets) {
        if (seen.has(s.pid)) continue;
        const p: ProcessInfo = { pid: s.pid, name: s.command };
        if (s.ppid !== undefined) p.ppid = s.ppid;
        if (s.user !== undefined) p.user = s.user;
        if (s.uid !== undefined) p.uid = s.uid;
        seen.set(s.pid, p);
      }
      addProcesses(parts, seen.values());
      return;
    }
    case "proc-net-tcp":
      return proc("tcp", "inet");
    case "proc-net-tcp6":
      return proc("tcp", "inet6");
    case "proc-net-udp":
      return proc("udp", "inet");
    case "proc-net-udp6":
      return proc("udp", "inet6");
    case "route-n":
      return routes(parseRouteN(text, name));
    case "ip-route":
      return routes(parseIpRoute(text, name));
    case "ip-json-route":
      return routes(parseIpJsonRoutes(text, "inet", name));
    case "proc-net-route":
      return routes(parseProcNetRoute(text, name));
    case "proc-net-ipv6_route":
      return routes(parseProcNetIpv6Route(text, name));
    case "bsd-netstat-rn":
      return routes(parseNetstatRn(text, name));
    case "ip-addr":
      return interfaces(parseIpAddr(text, name));
    case "ip-json-addr":
      return interfaces(parseIpJsonAddr(text, name));
    case "linux-ifconfig":
      return interfaces(parseLinuxIfconfig(text, name));
    case "linux-netstat-i":
      return interfaces(parseLinuxNetstatI(text, name));
    case "bsd-ifconfig":
      return interfaces(parseIfconfig(text, name));
    case "bsd-netstat-i":
      return interfaces(parseNetstatI(text, name));
    case "proc-net-dev": {
      const r = parseProcNetDev(text, name);
      return interfaces({
        interfaces: r.interfaces.map((i) => ({
          name: i.name,
          flags: [],
          addresses: [],
          stats: i.stats,
        })),
        warnings: r.warnings,
      });
    }
    case "proc-net-if_inet6": {
      const r = parseProcNetIfInet6(text, name);
      return interfaces({
        interfaces: r.entries.map((e) => ({
          name: e.name,
          index: e.index,
          flags: [],
          addresses: [e.address],
        })),
        warnings: r.warnings,
      });
    }
    case "proc-net-dev_snmp6":
      // Per-interface IPv6 counters have no place in the snapshot model.
      w.counters.push(`${name}: per-interface IPv6 counters (dev_snmp6) are not imported`);
      return;
    case "linux-netstat-s":
      return counters(parseLinuxNetstatS(text, name));
    case "bsd-netstat-s":
      return counters(parseNetstatS(text, name));
    case "proc-net-snmp":
    case "proc-net-netstat":
      return counters(parseProcNetSnmp(text, name));
    case "proc-net-snmp6":
      return counters(parseProcNetSnmp6(text, name));
    case "proc-net-sockstat":
    case "proc-net-sockstat6":
      return counters(parseProcNetSockstat(text, name));
  }
}

/** Adds an interface, merging into one of the same name: what is known fills what is not. */
function mergeInterface(list: NetInterface[], itf: NetInterface): void {
  const had = list.find((x) => x.name === itf.name);
  if (!had) {
    list.push({ ...itf, flags: [...itf.flags], addresses: [...itf.addresses] });
    return;
  }
  if (had.index === undefined && itf.index !== undefined) had.index = itf.index;
  if (had.mac === undefined && itf.mac !== undefined) had.mac = itf.mac;
  if (had.mtu === undefined && itf.mtu !== undefined) had.mtu = itf.mtu;
  if (had.flags.length === 0) had.flags = [...itf.flags];
  if (had.operState === undefined && itf.operState !== undefined) had.operState = itf.operState;
  if (had.speedMbps === undefined && itf.speedMbps !== undefined) had.speedMbps = itf.speedMbps;
  for (const a of itf.addresses) {
    if (!had.addresses.some((x) => sameAddress(x, a))) had.addresses.push(a);
  }
  if (itf.stats) had.stats = { ...itf.stats, ...had.stats };
}

function sameAddress(a: InterfaceAddress, b: InterfaceAddress): boolean {
  return a.family === b.family && a.address === b.address && a.prefixLength === b.prefixLength;
}

/** Merges sockets seen by several inputs into one per 5-tuple, joining owners from lsof. */
function mergeConnections(parts: Parts): { list: Connection[]; warnings: string[] } {
  // Two lines of one input are two sockets even with the same 5-tuple (SO_REUSEPORT, two DHCP
  // clients); a socket of another input joins one not yet matched from that input, unless
  // both know their inodes and they differ.
  const byKey = new Map<string, Connection>();
  const groups = new Map<string, { conn: Connection; inputs: Set<number> }[]>();
  for (const { conn, input } of parts.connections) {
    const k = socketTupleKey(conn);
    const group = groups.get(k) ?? [];
    groups.set(k, group);
    const had = group.find((g) =>
      !g.inputs.has(input) &&
      (g.conn.inode === undefined || conn.inode === undefined || g.conn.inode === conn.inode)
    );
    if (!had) {
      const copy = { ...conn };
      group.push({ conn: copy, inputs: new Set([input]) });
      if (!byKey.has(k)) byKey.set(k, copy);
      continue;
    }
    had.inputs.add(input);
    const c = had.conn;
    if (c.uid === undefined && conn.uid !== undefined) c.uid = conn.uid;
    if (c.inode === undefined && conn.inode !== undefined) c.inode = conn.inode;
    if (conn.pids) c.pids = [...new Set([...(c.pids ?? []), ...conn.pids])];
    if (c.pid === undefined && conn.pid !== undefined) c.pid = conn.pid;
  }
  const warnings: string[] = [];
  let lsofOnly = 0;
  const ppid = new Map<number, number>();
  for (const s of parts.lsof) {
    if (s.ppid !== undefined) ppid.set(s.pid, s.ppid);
    const k = socketTupleKey(s);
    let c = byKey.get(k);
    if (!c) {
      // A socket only lsof saw: its queues are not known, and lsof does not print them.
      lsofOnly++;
      c = {
        protocol: s.protocol,
        family: s.family,
        localAddress: s.localAddress,
        localPort: s.localPort,
        remoteAddress: s.remoteAddress ?? (s.family === "inet6" ? "::" : "0.0.0.0"),
        remotePort: s.remotePort ?? 0,
        state: s.state ?? (s.protocol === "udp" ? "UNCONN" : "UNKNOWN"),
        recvQ: 0,
        sendQ: 0,
      };
      byKey.set(k, c);
      groups.set(k, [{ conn: c, inputs: new Set() }]);
    }
    c.pids = [...new Set([...(c.pids ?? []), s.pid])];
  }
  if (lsofOnly > 0) {
    warnings.push(`${lsofOnly} sockets seen only by lsof: queue sizes unknown, written as 0`);
  }
  const list = [...groups.values()].flatMap((g) => g.map((x) => x.conn));
  for (const c of list) {
    if (!c.pids || c.pids.length === 0) continue;
    const pids = [...c.pids].sort((a, b) => a - b);
    c.pids = pids;
    c.pid = masterPid(pids, (p) => ppid.get(p));
  }
  return { list, warnings };
}

function status(parts: Parts, section: SectionName, extra: string[] = []): SectionStatus {
  const warnings = [...parts.warnings[section], ...extra];
  if (!parts.provided.has(section)) {
    return warnings.length === 0
      ? { status: "error", error: "not provided" }
      : { status: "error", error: "not provided", warnings };
  }
  return warnings.length === 0 ? { status: "ok" } : { status: "partial", warnings };
}

function assemble(
  parts: Parts,
  inputs: readonly ImportInput[],
  formats: string[],
  opts: ImportOptions,
): Snapshot {
  const conns = mergeConnections(parts);
  const processes: Record<string, ProcessInfo> = {};
  for (const [pid, p] of parts.processes) processes[String(pid)] = p;
  const sections = Object.fromEntries(
    SECTION_NAMES.map((s) => [s, status(parts, s, s === "connections" ? conns.warnings : [])]),
  ) as Meta["sections"];
  const meta: Meta = {
    capturedAt: opts.time ?? new Date().toISOString(),
    durationMs: 0,
    host: {
      hostname: opts.hostname ?? "imported",
      os: parts.linux && !parts.bsd ? "linux" : parts.bsd && !parts.linux ? "darwin" : "unknown",
    },
    tool: { name: TOOL_NAME, version: VERSION, runtime: runtimeName() },
    // The privileges the saved outputs were made with are not known; none are claimed.
    privileges: { root: false },
    labels: { ...opts.labels },
    source: {
      kind: "import",
      formats: [...new Set(formats)].sort(),
      files: inputs.map((i) => i.name),
    },
    sections,
  };
  return normalizeSnapshot({
    schema: SCHEMA_ID,
    meta,
    connections: conns.list,
    processes,
    routes: parts.routes,
    interfaces: parts.interfaces,
    counters: parts.counters,
  });
}

/**
 * The defined order of a snapshot: every list sorted, every object's keys in the schema's order.
 * Two captures of the same state normalise to the same document, byte for byte once serialised.
 *
 * Orders (addresses compare numerically: IPv4 before IPv6, text that is not an address last):
 * - records of several namespaces (connections, routes, interfaces): the own namespace's (no
 *   `namespace`) first, then by namespace id, and within one namespace as below;
 * - namespaces: the host's first, then by id; forwards: protocol, host port and address, target;
 * - connections: protocol, family, localAddress, localPort, remoteAddress, remotePort, inode
 *   (then state, uid, pid, queues, so that even duplicates have one order);
 * - unixSockets, rawSockets, packetSockets: the own namespace's first, then by namespace id;
 *   within one, UNIX by path (unbound last), type, state, inode; raw by family, ipProtocol,
 *   local and remote address, inode; packet by protocol, interface (none first), type, inode;
 * - routes: family, table, destination (address, then prefix length), metric, type, interface;
 * - interfaces: index (absent last), then name; addresses within one: family, address, prefix;
 * - `pids` ascending; `processes` keys ascending by pid; `meta.labels` keys sorted.
 * - rules: family, priority, then what they match; neighbours: family, interface, address, proxy
 *   entries after the others; settings by name; qdiscs: interface, parent, handle; firewall
 *   tables by syntax, family and name, their chains by name.
 * - Kept as given, because their order carries meaning: counter groups and counter names (the
 *   kernel's order, which `show -s` prints as netstat does), interface and route `flags`,
 *   route `nexthops`, process `cmdline`, section warnings, the rules of a firewall chain.
 *
 * Keys the schema does not define are dropped, as the reader drops them.
 */
import type {
  Connection,
  Counters,
  Firewall,
  FirewallChain,
  FirewallRule,
  FirewallTable,
  Forward,
  InterfaceAddress,
  InterfaceStats,
  Meta,
  Namespace,
  NamespaceExposure,
  NamespaceSection,
  Neighbour,
  NetInterface,
  Nexthop,
  PacketSocket,
  ProcessInfo,
  Qdisc,
  QdiscStats,
  RawSocket,
  Route,
  Rule,
  SectionStatus,
  Settings,
  Snapshot,
  SocketTimer,
  TcpInfo,
  UnixSocket,
} from "../model.ts";
import {
  INTERFACE_STAT_NAMES,
  OPTIONAL_SECTION_NAMES,
  QDISC_COUNTER_NAMES,
  QDISC_GAUGE_NAMES,
  SCHEMA_ID,
  SECTION_NAMES,
} from "../model.ts";
import { FIELDS, TCP_INFO_FIELDS } from "../fields.ts";
import { parseIPv4, parseIPv6 } from "../net/address.ts";
import { ruleKey } from "../net/rules.ts";
import { firewallTableKey } from "../net/firewall.ts";
import { dict, dictFrom } from "../util/record.ts";

/** Returns a copy of the snapshot with every list in its defined order and keys in schema order. */
export function normalizeSnapshot(s: Snapshot): Snapshot {
  const processes = dict<ProcessInfo>();
  for (const k of Object.keys(s.processes).sort(comparePidKeys)) {
    processes[k] = orderProcess(s.processes[k]!);
  }
  const out: Snapshot = {
    schema: SCHEMA_ID,
    meta: orderMeta(s.meta),
    connections: sortConnections(s.connections.map(orderConnection)),
    ...(s.unixSockets
      ? { unixSockets: sortByKey(s.unixSockets.map(orderUnixSocket), unixSortKey) }
      : {}),
    ...(s.rawSockets
      ? { rawSockets: sortByKey(s.rawSockets.map(orderRawSocket), rawSortKey) }
      : {}),
    ...(s.packetSockets
      ? { packetSockets: sortByKey(s.packetSockets.map(orderPacketSocket), packetSortKey) }
      : {}),
    processes,
    routes: sortByKey(s.routes.map(orderRoute), routeSortKey),
    interfaces: s.interfaces.map(orderInterface).sort(compareInterfaces),
    counters: orderCounters(s.counters),
  };
  if (s.rules) out.rules = sortByKey(s.rules.map(orderRule), ruleSortKey);
  if (s.neighbours) out.neighbours = sortByKey(s.neighbours.map(orderNeighbour), neighbourSortKey);
  if (s.settings) out.settings = orderSettings(s.settings);
  if (s.qdiscs) out.qdiscs = sortByKey(s.qdiscs.map(orderQdisc), qdiscSortKey);
  if (s.firewall) out.firewall = orderFirewall(s.firewall);
  if (s.namespaces) out.namespaces = s.namespaces.map(orderNamespace).sort(compareNamespaces);
  if (s.forwards) out.forwards = sortByKey(s.forwards.map(orderForward), forwardSortKey);
  return out;
}

/**
 * A namespace with keys in schema order, its containers by name then id, their bindings in
 * port order, pids ascending, sections by name.
 */
export function orderNamespace(n: Namespace): Namespace {
  const o = pick(n, NAMESPACE_KEYS);
  o.labels = sortedRecord(n.labels);
  o.pids = [...n.pids].sort((a, b) => a - b);
  if (o.files) o.files = [...o.files].sort();
  if (o.containers) {
    o.containers = o.containers.map((c) => {
      const x = pick(c, CONTAINER_KEYS);
      if (x.compose) x.compose = pick(x.compose, ["project", "service", "number"]);
      if (x.labels) x.labels = sortedRecord(x.labels);
      if (x.ports) {
        x.ports = sortByKey(
          x.ports.map((b) => pick(b, BINDING_KEYS)),
          (b) => `${pad(b.containerPort, 5)} ${b.protocol} ${pad(b.hostPort, 5)} ${b.hostAddress}`,
        );
      }
      if (x.pids) x.pids = [...x.pids].sort((a, b) => a - b);
      return x;
    }).sort((a, b) => compareText(a.name ?? "", b.name ?? "") || compareText(a.id, b.id));
  }
  const sections: Record<string, NamespaceSection> = {};
  for (const k of Object.keys(n.sections).sort()) {
    sections[k] = pick(n.sections[k]!, NS_SECTION_KEYS);
  }
  o.sections = sections;
  if (n.counters) o.counters = orderCounters(n.counters);
  if (n.settings) o.settings = orderSettings(n.settings);
  if (n.firewall) o.firewall = orderFirewall(n.firewall);
  return o;
}

/** The host's namespace first, then by id. */
function compareNamespaces(a: Namespace, b: Namespace): number {
  return Number(b.kind === "host") - Number(a.kind === "host") || compareText(a.id, b.id) ||
    absentLast(a.inode, b.inode);
}

/** A forward with keys in schema order. */
export function orderForward(f: Forward): Forward {
  return pick(f, FORWARD_KEYS);
}

function forwardSortKey(f: Forward): string {
  return [
    f.protocol,
    pad(f.hostPort, 5),
    addressSortKey(f.hostAddress),
    addressSortKey(f.toAddress),
    pad(f.toPort, 5),
    f.via,
  ].join("\0");
}

function sortedRecord(r: Readonly<Record<string, string>>): Record<string, string> {
  const out = dict<string>();
  for (const k of Object.keys(r).sort()) out[k] = r[k]!;
  return out;
}

const PROCESS_KEYS = FIELDS.process;
const ROUTE_KEYS = FIELDS.route;
const NEXTHOP_KEYS = FIELDS.nexthop;
const INTERFACE_KEYS = FIELDS.netInterface;
const ADDRESS_KEYS = FIELDS.interfaceAddress;
const META_KEYS = FIELDS.meta;
const HOST_KEYS = FIELDS.host;
const NETNS_KEYS = FIELDS.netns;
const TOOL_KEYS = FIELDS.tool;
const PRIVILEGE_KEYS = FIELDS.privileges;
const SOURCE_KEYS = FIELDS.metaSource;
const CAPTURE_KEYS = FIELDS.capture;
const STATUS_KEYS = FIELDS.sectionStatus;
const TIMER_KEYS = FIELDS.timer;
const TCP_INFO_KEYS = TCP_INFO_FIELDS.map(([name]) => name);
const EXPOSURE_KEYS = FIELDS.exposure;
const PUBLISHED_KEYS = FIELDS.publishedPort;
const NAMESPACE_KEYS = FIELDS.namespace;
const CONTAINER_KEYS = FIELDS.namespaceContainer;
const BINDING_KEYS = FIELDS.portBinding;
const NS_SECTION_KEYS = FIELDS.namespaceSection;
const FORWARD_KEYS = FIELDS.forward;
const META_NAMESPACES_KEYS = FIELDS.metaNamespaces;
const RULE_KEYS = FIELDS.rule;
const NEIGHBOUR_KEYS = FIELDS.neighbour;
const QDISC_KEYS = FIELDS.qdisc;
const QDISC_STAT_KEYS = [...QDISC_COUNTER_NAMES, ...QDISC_GAUGE_NAMES];
const FW_TABLE_KEYS = FIELDS.firewallTable;
const FW_CHAIN_KEYS = FIELDS.firewallChain;
const FW_RULE_KEYS = FIELDS.firewallRule;

/** Copies the listed keys in that order, leaving out absent ones. */
function pick<T extends object>(o: T, keys: readonly string[]): T {
  const src = o as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const v = src[k];
    if (v !== undefined) out[k] = v;
  }
  return out as T;
}

/** Connections this module made, in schema order: the writer takes them without checking. */
const ORDERED = new WeakSet<Connection>();

/** True for a connection `orderConnection` made (its keys are in schema order, pids sorted). */
export function isOrderedConnection(c: Connection): boolean {
  return ORDERED.has(c);
}

/**
 * A connection with its keys in schema order and `pids` ascending. Written out by hand (not
 * `pick`) because it runs for every socket: objects of one fixed shape serialise much faster.
 * tests/snapshot/normalize_test.ts checks this order against the schema.
 */
export function orderConnection(c: Connection): Connection {
  if (ORDERED.has(c)) return c;
  const o: Connection = {
    protocol: c.protocol,
    family: c.family,
    localAddress: c.localAddress,
    localPort: c.localPort,
    remoteAddress: c.remoteAddress,
    remotePort: c.remotePort,
    state: c.state,
    recvQ: c.recvQ,
    sendQ: c.sendQ,
  };
  if (c.uid !== undefined) o.uid = c.uid;
  if (c.inode !== undefined) o.inode = c.inode;
  if (c.pid !== undefined) o.pid = c.pid;
  if (c.pids !== undefined) {
    o.pids = isAscending(c.pids) ? c.pids : [...c.pids].sort((a, b) => a - b);
  }
  if (c.interface !== undefined) o.interface = c.interface;
  if (c.v6only !== undefined) o.v6only = c.v6only;
  if (c.backlog !== undefined) o.backlog = c.backlog;
  if (c.timer !== undefined) o.timer = orderTimer(c.timer);
  if (c.mark !== undefined) o.mark = c.mark;
  if (c.cgroupId !== undefined) o.cgroupId = c.cgroupId;
  if (c.tcpInfo !== undefined) o.tcpInfo = orderTcpInfo(c.tcpInfo);
  if (c.namespace !== undefined) o.namespace = c.namespace;
  if (c.exposure !== undefined) o.exposure = orderExposure(c.exposure);
  ORDERED.add(o);
  return o;
}

/** A timer with its keys in schema order (the capture builds them so: no copy then). */
function orderTimer(t: SocketTimer): SocketTimer {
  const keys = Object.keys(t);
  if (keys.length === 3 && keys[0] === "name" && keys[1] === "expiresMs") return t;
  return pick(t, TIMER_KEYS);
}

/** tcp_info with its keys in schema order; the capture's own objects already are. */
function orderTcpInfo(t: TcpInfo): TcpInfo {
  let i = 0;
  for (const k in t) {
    while (i < TCP_INFO_KEYS.length && TCP_INFO_KEYS[i] !== k) i++;
    if (i === TCP_INFO_KEYS.length) return pick(t, TCP_INFO_KEYS);
  }
  return t;
}

/** A UNIX socket with its keys in schema order and `pids` ascending. */
export function orderUnixSocket(u: UnixSocket): UnixSocket {
  return withSortedPids(pick(u, FIELDS.unixSocket));
}

/** A raw socket with its keys in schema order and `pids` ascending. */
export function orderRawSocket(r: RawSocket): RawSocket {
  return withSortedPids(pick(r, FIELDS.rawSocket));
}

/** A packet socket with its keys in schema order and `pids` ascending. */
export function orderPacketSocket(p: PacketSocket): PacketSocket {
  return withSortedPids(pick(p, FIELDS.packetSocket));
}

function withSortedPids<T extends { pids?: number[] | undefined }>(o: T): T {
  if (o.pids !== undefined && !isAscending(o.pids)) o.pids = [...o.pids].sort((a, b) => a - b);
  return o;
}

/** A listener's exposure with keys in schema order. */
function orderExposure(e: NamespaceExposure): NamespaceExposure {
  const o = pick(e, EXPOSURE_KEYS);
  if (o.published) {
    o.published = o.published.map((p) => ({ ...pick(p, PUBLISHED_KEYS), via: [...p.via].sort() }));
  }
  return o;
}

function isAscending(xs: readonly number[]): boolean {
  for (let i = 1; i < xs.length; i++) if (xs[i - 1]! > xs[i]!) return false;
  return true;
}

/** A process with its keys in schema order. */
export function orderProcess(p: ProcessInfo): ProcessInfo {
  return pick(p, PROCESS_KEYS);
}

/** A route with its keys (and its nexthops' keys) in schema order. */
export function orderRoute(r: Route): Route {
  const o = pick(r, ROUTE_KEYS);
  if (o.nexthops) o.nexthops = o.nexthops.map((n: Nexthop) => pick(n, NEXTHOP_KEYS));
  return o;
}

/** A routing rule with its keys (and its ranges' keys) in schema order. */
export function orderRule(r: Rule): Rule {
  const o = pick(r, RULE_KEYS);
  for (const k of ["uidRange", "sport", "dport"] as const) {
    const v = o[k];
    if (v) o[k] = { start: v.start, end: v.end };
  }
  return o;
}

/** A neighbour entry with its keys in schema order. */
export function orderNeighbour(n: Neighbour): Neighbour {
  return pick(n, NEIGHBOUR_KEYS);
}

/**
 * Settings by name, sorted, in a prototype-free record as the reader gives them back: the names
 * come from the input (`__proto__` stays a key, not a prototype).
 */
export function orderSettings(s: Settings): Settings {
  const out = dict<string>();
  for (const k of Object.keys(s).sort()) out[k] = s[k]!;
  return out;
}

/** A qdisc with its keys (and its counters) in schema order. */
export function orderQdisc(q: Qdisc): Qdisc {
  const o = pick(q, QDISC_KEYS);
  if (o.stats) o.stats = pick(o.stats, QDISC_STAT_KEYS) as QdiscStats;
  return o;
}

/** The firewall with tables and chains sorted, each chain's rules in their order. */
export function orderFirewall(f: Firewall): Firewall {
  const tables = f.tables.map((t: FirewallTable) => {
    const o = pick(t, FW_TABLE_KEYS);
    o.chains = t.chains.map((c: FirewallChain) => {
      const oc = pick(c, FW_CHAIN_KEYS);
      oc.rules = c.rules.map((r: FirewallRule) => {
        const or = pick(r, FW_RULE_KEYS);
        if (or.counters) or.counters = { packets: or.counters.packets, bytes: or.counters.bytes };
        return or;
      });
      return oc;
    }).sort((a, b) => compareText(a.name, b.name));
    return o;
  });
  return { tables: sortByKey(tables, firewallTableKey) };
}

/** An interface with keys in schema order, addresses sorted, stats in /proc/net/dev order. */
export function orderInterface(i: NetInterface): NetInterface {
  const o = pick(i, INTERFACE_KEYS);
  o.addresses = o.addresses.map((a: InterfaceAddress) => pick(a, ADDRESS_KEYS)).sort(
    compareAddresses,
  );
  if (o.stats) o.stats = pick(o.stats, INTERFACE_STAT_NAMES) as InterfaceStats;
  return o;
}

/** The meta block with keys in schema order and labels sorted by key. */
export function orderMeta(m: Meta): Meta {
  const o = pick(m, META_KEYS);
  o.host = pick(m.host, HOST_KEYS);
  if (m.netns) o.netns = pick(m.netns, NETNS_KEYS);
  o.tool = pick(m.tool, TOOL_KEYS);
  o.privileges = pick(m.privileges, PRIVILEGE_KEYS);
  const labels = dict<string>();
  for (const k of Object.keys(m.labels).sort()) labels[k] = m.labels[k]!;
  o.labels = labels;
  if (m.source) o.source = pick(m.source, SOURCE_KEYS);
  if (m.capture) o.capture = pick(m.capture, CAPTURE_KEYS);
  if (m.namespaces) o.namespaces = pick(m.namespaces, META_NAMESPACES_KEYS);
  const sections = {} as Meta["sections"];
  for (const name of SECTION_NAMES) {
    sections[name] = pick(m.sections[name], STATUS_KEYS) as SectionStatus;
  }
  for (const name of OPTIONAL_SECTION_NAMES) {
    const st = m.sections[name];
    if (st) sections[name] = pick(st, STATUS_KEYS) as SectionStatus;
  }
  o.sections = sections;
  return o;
}

/** Counters copied group by group, keeping the kernel's order of groups and names. */
function orderCounters(c: Counters): Counters {
  const out: Counters = dict();
  for (const [group, values] of Object.entries(c)) out[group] = dictFrom(values);
  return out;
}

/**
 * Sorts by a precomputed string key (one key per element, not one per comparison); equal keys
 * are ordered by the whole record, so that the order never depends on the input's.
 */
function sortByKey<T extends object>(items: T[], key: (item: T) => string): T[] {
  const keyed = items.map((item) => ({ k: key(item), item }));
  keyed.sort((a, b) =>
    a.k < b.k ? -1 : a.k > b.k ? 1 : compareText(fullText(a.item), fullText(b.item))
  );
  return keyed.map((x) => x.item);
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");

/**
 * A string that sorts addresses numerically: IPv4 ("4" + 8 hex digits) before IPv6 ("6" + 32 hex
 * digits, then any %scope), and anything else last, as written.
 */
export function addressSortKey(text: string): string {
  if (text.includes(":")) {
    const g = parseIPv6(text);
    if (!g) return "~" + text;
    const pct = text.indexOf("%");
    let hex = "6";
    for (const x of g) hex += x.toString(16).padStart(4, "0");
    return pct >= 0 ? hex + text.slice(pct) : hex;
  }
  const v4 = parseIPv4(text);
  return v4 === undefined ? "~" + text : "4" + v4.toString(16).padStart(8, "0");
}

/** Sort key of a CIDR destination: the address, then the prefix length. */
function cidrSortKey(text: string): string {
  const slash = text.indexOf("/");
  if (slash < 0) return addressSortKey(text) + "\x01999";
  return addressSortKey(text.slice(0, slash)) + "\x01" + text.slice(slash + 1).padStart(3, "0");
}

/**
 * Sorts connections by protocol, family, local address and port, remote address and port, inode,
 * then state, uid, pid (absent last) and queues; full ties keep their input order.
 *
 * A busy host has 100k connections, and a comparator called 1.5M times was the slow part of a
 * capture. So each connection gets a short key whose UTF-16 code units are, in order, the ranks
 * of its protocol/family and addresses, its ports, its inode and its position, and the engine's
 * native string sort orders those keys. The rare rows that agree up to the position (one socket
 * listed twice) are then put in order by the full comparator. Values a key cannot hold (ports
 * outside 0-65535, inodes that are not safe integers) fall back to the comparator for all.
 */
function sortConnections(items: Connection[]): Connection[] {
  const addressKeys = new Map<string, string>();
  const kindRank = new Map<string, Map<string, number>>(); // protocol → family → rank
  const namespaces = new Set<string>();
  for (const c of items) {
    if (c.namespace !== undefined) namespaces.add(c.namespace);
    if (!addressKeys.has(c.localAddress)) {
      addressKeys.set(c.localAddress, addressSortKey(c.localAddress));
    }
    if (!addressKeys.has(c.remoteAddress)) {
      addressKeys.set(c.remoteAddress, addressSortKey(c.remoteAddress));
    }
    let families = kindRank.get(c.protocol);
    if (families === undefined) kindRank.set(c.protocol, families = new Map());
    families.set(c.family, 0);
  }
  const addressRank = rankBy(addressKeys);
  // The own namespace (no `namespace`) is rank 0, the others by id.
  const nsRank = new Map([...namespaces].sort(compareText).map((n, i) => [n, i + 1]));
  if (nsRank.size > 0xfffe) return [...items].sort(compareConnections);
  [...kindRank].flatMap(([p, families]) => [...families.keys()].map((f) => [p, f] as const))
    .sort((x, y) => compareText(x[0], y[0]) || compareText(x[1], y[1]))
    .forEach(([p, f], i) => kindRank.get(p)!.set(f, i));
  const keys = new Array<string>(items.length);
  for (let i = 0; i < items.length; i++) {
    const c = items[i]!;
    if (
      !isPort(c.localPort) || !isPort(c.remotePort) ||
      (c.inode !== undefined && !(Number.isSafeInteger(c.inode) && c.inode >= 0))
    ) {
      return [...items].sort(compareConnections);
    }
    const l = addressRank.get(c.localAddress)!, r = addressRank.get(c.remoteAddress)!;
    // An absent inode sorts last: all ones, above any safe integer (whose top unit is < 0x20).
    const hi = c.inode === undefined ? 0xffffffff : Math.floor(c.inode / 4294967296);
    const lo = c.inode === undefined ? 0xffffffff : c.inode >>> 0;
    keys[i] = String.fromCharCode(
      c.namespace === undefined ? 0 : nsRank.get(c.namespace)!,
      kindRank.get(c.protocol)!.get(c.family)!,
      l >>> 16,
      l & 0xffff,
      c.localPort,
      r >>> 16,
      r & 0xffff,
      c.remotePort,
      hi >>> 16,
      hi & 0xffff,
      lo >>> 16,
      lo & 0xffff,
      i >>> 16,
      i & 0xffff,
    );
  }
  keys.sort();
  const out = keys.map((k) =>
    items[(k.charCodeAt(KEY_LENGTH - 2) << 16) | k.charCodeAt(KEY_LENGTH - 1)]!
  );
  // Rows with equal keys up to the position: order them by the fields the key does not hold.
  for (let start = 0; start < keys.length;) {
    let end = start + 1;
    while (end < keys.length && samePrefix(keys[start]!, keys[end]!, KEY_LENGTH - 2)) end++;
    if (end - start > 1) {
      const run = out.slice(start, end).sort(compareConnections);
      for (let j = 0; j < run.length; j++) out[start + j] = run[j]!;
    }
    start = end;
  }
  return out;
}

/**
 * Code units in a connection sort key: namespace, kind, 2 per address, 1 per port, 4 inode,
 * 2 position.
 */
const KEY_LENGTH = 14;

function isPort(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 0xffff;
}

function samePrefix(a: string, b: string, length: number): boolean {
  for (let i = 0; i < length; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) return false;
  return true;
}

/** Ranks of texts by their sort keys: equal keys share a rank. */
function rankBy(keyOf: Map<string, string>): Map<string, number> {
  const distinct = [...new Set(keyOf.values())].sort();
  const rankOfKey = new Map(distinct.map((k, i) => [k, i]));
  return new Map([...keyOf].map(([text, key]) => [text, rankOfKey.get(key)!]));
}

/** The full connection order (see sortConnections), for ties and values a key cannot hold. */
function compareConnections(a: Connection, b: Connection): number {
  return compareNamespaceRefs(a.namespace, b.namespace) || compareText(a.protocol, b.protocol) ||
    compareText(a.family, b.family) ||
    compareText(addressSortKey(a.localAddress), addressSortKey(b.localAddress)) ||
    a.localPort - b.localPort ||
    compareText(addressSortKey(a.remoteAddress), addressSortKey(b.remoteAddress)) ||
    a.remotePort - b.remotePort || absentLast(a.inode, b.inode) ||
    compareText(a.state, b.state) || absentLast(a.uid, b.uid) || absentLast(a.pid, b.pid) ||
    a.recvQ - b.recvQ || a.sendQ - b.sendQ || compareText(String(a.pids), String(b.pids));
}

/** Compares optional numbers, an absent one after every present one. */
function absentLast(a: number | undefined, b: number | undefined): number {
  return a === b ? 0 : a === undefined ? 1 : b === undefined ? -1 : a - b;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function unixSortKey(u: UnixSocket): string {
  return [
    nsSortKey(u),
    u.path === undefined ? "\u{10ffff}" : u.path,
    u.type,
    u.state,
    pad(u.inode, 16),
  ].join("\0");
}

function rawSortKey(r: RawSocket): string {
  return [
    nsSortKey(r),
    r.family,
    pad(r.ipProtocol, 3),
    addressSortKey(r.localAddress),
    addressSortKey(r.remoteAddress),
    r.inode === undefined ? "~" : pad(r.inode, 16),
  ].join("\0");
}

function packetSortKey(p: PacketSocket): string {
  return [nsSortKey(p), pad(p.protocol, 5), p.interface ?? "", p.type, pad(p.inode, 16)].join(
    "\0",
  );
}

/** The own namespace (no reference) first, then by id. */
function compareNamespaceRefs(a: string | undefined, b: string | undefined): number {
  return a === b ? 0 : a === undefined ? -1 : b === undefined ? 1 : compareText(a, b);
}

function routeSortKey(r: Route): string {
  return [
    nsSortKey(r),
    r.family,
    pad(r.table, 10),
    cidrSortKey(r.destination),
    pad(r.metric, 10),
    r.type,
    r.interface ?? "",
    r.gateway === undefined ? "" : addressSortKey(r.gateway),
  ].join("\0");
}

/** The own namespace's records first, then each namespace's (by id). */
function nsSortKey(r: { namespace?: string | undefined }): string {
  return r.namespace === undefined ? "" : "\x01" + r.namespace;
}

function ruleSortKey(r: Rule): string {
  return `${nsSortKey(r)}\0${r.family}\0${pad(r.priority, 10)}\0${ruleKey(r)}`;
}

function neighbourSortKey(n: Neighbour): string {
  return [nsSortKey(n), n.family, n.proxy ? "1" : "0", n.interface, addressSortKey(n.address)]
    .join("\0");
}

function qdiscSortKey(q: Qdisc): string {
  return [nsSortKey(q), q.interface, q.parent === "root" ? "" : q.parent, q.handle].join("\0");
}

function compareInterfaces(a: NetInterface, b: NetInterface): number {
  const ns = compareNamespaceRefs(a.namespace, b.namespace);
  if (ns !== 0) return ns;
  const ai = a.index ?? Number.MAX_SAFE_INTEGER, bi = b.index ?? Number.MAX_SAFE_INTEGER;
  if (ai !== bi) return ai - bi;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  // One name listed twice (netstat -i prints a row per address): order by the whole record.
  return compareText(fullText(a), fullText(b));
}

/** The whole record as text, a last tie-breaker that makes the order total. */
function fullText(o: object): string {
  return JSON.stringify(o, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
}

function compareAddresses(a: InterfaceAddress, b: InterfaceAddress): number {
  if (a.family !== b.family) return a.family < b.family ? -1 : 1;
  const ka = addressSortKey(a.address), kb = addressSortKey(b.address);
  if (ka !== kb) return ka < kb ? -1 : 1;
  return a.prefixLength - b.prefixLength;
}

function comparePidKeys(a: string, b: string): number {
  const d = Number(a) - Number(b);
  return d !== 0 ? d : a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Netlink records (src/parse/netlink/) as snapshot records: what the collector writes when the
 * kernel answered over netlink. Each mapping gives exactly what the /proc and `ip -j` readers
 * give for the same kernel state, plus the facts only netlink carries, so that a snapshot made
 * from either source diffs clean against the other (tests/system/collect/sources_test.ts holds
 * them to that):
 *
 * - sockets: a TCP listener's accept queue is `recvQ` and its limit `backlog`, `sendQ` 0, as
 *   /proc/net/tcp shows them (sock_diag puts the limit in the send queue); the bound device is
 *   `interface` (`ifN` where the index has no name); tcp_info is kept for TCP sessions only.
 * - interfaces: the flags as /sys/class/net gives them (sysfsLinkFlags), the operational state in
 *   lower case as /sys writes it, the /proc/net/dev counters from IFLA_STATS64.
 * - routes: the fields `ip -j route` prints without `-d`: protocol `boot` and scope `global` are
 *   left out as it leaves them out, a missing metric is 0, flags sorted, no `cloned`; the route
 *   attributes (RTA_METRICS, pref, expires, realms) under the names the ip -j reader gives them.
 *
 * The same mappings serve every namespace, the own one and those entered with setns
 * (namespaces/netlink_read.ts), so a namespace reads alike whichever it is.
 */
import { TCP_INFO_FIELDS } from "../../fields.ts";
import type {
  Connection,
  InterfaceAddress,
  NetInterface,
  Nexthop,
  PacketSocket,
  RawSocket,
  Route,
  TcpInfo,
  UnixSocket,
} from "../../model.ts";
import { canonicalAddress } from "../../net/address.ts";
import type { InetSocket } from "../../parse/netlink/inet_diag.ts";
import type { PacketSocket as NlPacketSocket } from "../../parse/netlink/packet_diag.ts";
import type { Address } from "../../parse/netlink/rtnl_addr.ts";
import { type Link, procNetDevStats, sysfsLinkFlags } from "../../parse/netlink/rtnl_link.ts";
import type { RouteEntry, RouteMetrics } from "../../parse/netlink/rtnl_route.ts";
import type { TcpInfo as NlTcpInfo } from "../../parse/netlink/tcp_info.ts";
import type { UnixSocket as NlUnixSocket } from "../../parse/netlink/unix_diag.ts";

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** The device name of a record's ifindex: its name, or `ifN` (as ss writes an unknown one). */
function deviceName(r: { ifindex?: number; interface?: string }): string | undefined {
  if (r.interface !== undefined) return r.interface;
  return r.ifindex === undefined || r.ifindex === 0 ? undefined : `if${r.ifindex}`;
}

/** Every tcp_info field of the snapshot, in its order, from a full decode. */
export function fullTcpInfo(info: NlTcpInfo, congestion: string | undefined): TcpInfo {
  const src = info as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [name] of TCP_INFO_FIELDS) {
    const v = name === "congestion" ? congestion : src[name];
    if (v !== undefined) out[name] = v;
  }
  return out as TcpInfo;
}

/**
 * A TCP or UDP socket from sock_diag as a connection. Its keys come in schema order (the writer
 * then copies nothing); `tcpInfo` is the summary object the decoder made, or the full struct.
 */
export function connectionFrom(s: InetSocket): Connection {
  const listen = s.state === "LISTEN" && s.protocol === "tcp";
  const c: Connection = {
    protocol: s.protocol as "tcp" | "udp",
    family: s.family,
    localAddress: s.localAddress,
    localPort: s.localPort,
    remoteAddress: s.remoteAddress,
    remotePort: s.remotePort,
    // A request socket is SYN_RECV, as /proc/net/tcp names it.
    state: s.state === "NEW_SYN_RECV" ? "SYN_RECV" : s.state,
    recvQ: s.recvQ,
    sendQ: listen ? 0 : s.sendQ,
    uid: s.uid,
    inode: s.inode,
  };
  const dev = deviceName(s);
  if (dev !== undefined) c.interface = dev;
  if (s.v6only !== undefined) c.v6only = s.v6only;
  if (listen) c.backlog = s.sendQ;
  if (s.timer !== undefined) c.timer = s.timer;
  if (s.mark) c.mark = s.mark;
  if (s.cgroupId !== undefined && s.cgroupId <= MAX_SAFE) c.cgroupId = Number(s.cgroupId);
  if (!listen) {
    if (s.tcpSummary !== undefined) c.tcpInfo = s.tcpSummary;
    else if (s.tcpInfo !== undefined) c.tcpInfo = fullTcpInfo(s.tcpInfo, s.congestion);
  }
  return c;
}

/** A raw socket from sock_diag; its IP protocol is the local "port", as /proc/net/raw has it. */
export function rawSocketFrom(s: InetSocket): RawSocket {
  const r: RawSocket = {
    family: s.family,
    ipProtocol: s.localPort,
    localAddress: s.localAddress,
    remoteAddress: s.remoteAddress,
    state: s.state,
    recvQ: s.recvQ,
    sendQ: s.sendQ,
    uid: s.uid,
    inode: s.inode,
  };
  const dev = deviceName(s);
  if (dev !== undefined) r.interface = dev;
  if (s.v6only !== undefined) r.v6only = s.v6only;
  return r;
}

/** A UNIX socket from unix_diag; a listener's limit is `backlog`, its `sendQ` 0. */
export function unixSocketFrom(u: NlUnixSocket): UnixSocket {
  const o: UnixSocket = { type: u.type, state: u.state, inode: u.inode };
  if (u.path !== undefined) o.path = u.path;
  if (u.abstract) o.abstract = true;
  const listen = u.state === "LISTEN";
  if (u.recvQ !== undefined) o.recvQ = u.recvQ;
  if (u.sendQ !== undefined) {
    o.sendQ = listen ? 0 : u.sendQ;
    if (listen) o.backlog = u.sendQ;
  }
  if (u.uid !== undefined) o.uid = u.uid;
  if (u.peerInode !== undefined) o.peerInode = u.peerInode;
  return o;
}

/**
 * The UNIX sockets a snapshot keeps by default: listeners, and datagram (or other unconnected)
 * sockets bound to a name, which receive as a listener does (/dev/log, journald's sockets).
 */
export function isUnixListener(u: Pick<UnixSocket, "state" | "path">): boolean {
  return u.state === "LISTEN" || u.state === "UNCONN" && u.path !== undefined;
}

/** A packet socket from packet_diag. */
export function packetSocketFrom(p: NlPacketSocket): PacketSocket {
  const o: PacketSocket = { type: p.type, protocol: p.protocol, inode: p.inode };
  const dev = deviceName(p);
  if (dev !== undefined) o.interface = dev;
  if (p.recvQ !== undefined) o.recvQ = p.recvQ;
  if (p.uid !== undefined) o.uid = p.uid;
  return o;
}

/** An interface address as `ip -j addr` gives it: the local address, canonical. */
function interfaceAddressFrom(a: Address): InterfaceAddress {
  const o: InterfaceAddress = {
    family: a.family,
    address: canonicalAddress(a.address),
    prefixLength: a.prefixLength,
    scope: a.scope,
  };
  if (a.broadcast !== undefined) o.broadcast = a.broadcast;
  return o;
}

/**
 * The interfaces from a link dump and an address dump. `speed` gives a link's speed in Mb/s
 * where it can be known (/sys, in the capture's own namespace only).
 */
export function interfacesFrom(
  links: readonly Link[],
  addresses: readonly Address[],
  speed?: (name: string) => number | undefined,
): NetInterface[] {
  const byIndex = new Map<number, NetInterface>();
  const out: NetInterface[] = [];
  for (const l of links) {
    const itf: NetInterface = { name: l.name, flags: sysfsLinkFlags(l), addresses: [] };
    if (l.index > 0) itf.index = l.index;
    if (l.mac) itf.mac = l.mac;
    if (l.mtu !== undefined) itf.mtu = l.mtu;
    if (l.operState !== undefined) itf.operState = l.operState.toLowerCase();
    const mbps = speed?.(l.name);
    if (mbps !== undefined && mbps > 0) itf.speedMbps = mbps;
    if (l.stats) itf.stats = procNetDevStats(l.stats);
    byIndex.set(l.index, itf);
    out.push(itf);
  }
  for (const a of addresses) byIndex.get(a.ifindex)?.addresses.push(interfaceAddressFrom(a));
  return out;
}

/** The route flags `ip -j route` prints (RTM_F_CLONED is not one of them), sorted as the parser sorts them. */
function ipRouteFlags(flags: readonly string[]): string[] | undefined {
  const shown = flags.filter((f) => f !== "cloned").sort();
  return shown.length > 0 ? shown : undefined;
}

/** A route as nsnap reads it from `ip -j route show table all` (see the module comment). */
export function routeFrom(r: RouteEntry): Route {
  const slash = r.destination.lastIndexOf("/");
  const o: Route = {
    family: r.family,
    table: r.table,
    type: r.type,
    destination: `${canonicalAddress(r.destination.slice(0, slash))}${r.destination.slice(slash)}`,
    metric: r.metric ?? 0,
  };
  const gateway = r.gateway ?? r.via;
  if (gateway !== undefined) o.gateway = canonicalAddress(gateway);
  const dev = deviceName(r);
  if (dev !== undefined) o.interface = dev;
  if (r.protocol !== "boot") o.protocol = r.protocol;
  if (r.scope !== "global") o.scope = r.scope;
  if (r.prefsrc !== undefined) o.source = canonicalAddress(r.prefsrc);
  const flags = ipRouteFlags(r.flags);
  if (flags) o.flags = flags;
  if (r.nexthops) {
    o.nexthops = r.nexthops.map((h) => {
      const n: Nexthop = {};
      if (h.gateway !== undefined) n.gateway = canonicalAddress(h.gateway);
      const d = deviceName(h);
      if (d !== undefined) n.interface = d;
      n.weight = h.weight;
      return n;
    });
  }
  Object.assign(o, routeAttributesFrom(r));
  return o;
}

/** The RTA_METRICS integers ip -j prints, by the route field that keeps them. */
const METRIC_FIELDS = [
  ["mtu", "mtu"],
  ["advmss", "advmss"],
  ["hoplimit", "hoplimit"],
  ["initcwnd", "initcwnd"],
  ["initrwnd", "initrwnd"],
  ["rtt", "rtt"],
  ["rttvar", "rttvar"],
  ["ssthresh", "ssthresh"],
  ["cwnd", "cwnd"],
  ["window", "window"],
  ["reordering", "reordering"],
  ["quickack", "quickack"],
  ["rto_min", "rtoMin"],
] as const satisfies readonly (readonly [keyof RouteMetrics, keyof Route])[];

/** RTAX_FEATURE_ECN: the one feature ip prints. */
const FEATURE_ECN = 1;

/**
 * A route's attributes as the ip -j reader gives them (parse/linux/ip_json.ts
 * jsonRouteAttributes): the metrics, `congestion`, `features`, `pref`, `expires` and the realms
 * as "TO" or "FROM/TO" (numbers: the realm names of /etc/iproute2 are not read).
 */
function routeAttributesFrom(r: RouteEntry): Partial<Route> {
  const out: Partial<Route> = {};
  const m = r.metrics;
  if (m) {
    for (const [from, to] of METRIC_FIELDS) {
      const v = m[from];
      if (v !== undefined) (out as Record<string, number>)[to] = v;
    }
    if (m.congestion !== undefined) out.congestion = m.congestion;
    if (m.features !== undefined && (m.features & FEATURE_ECN) !== 0) out.features = ["ecn"];
  }
  if (r.pref !== undefined) out.pref = r.pref;
  if (r.expires !== undefined && r.expires >= 0) out.expires = r.expires;
  if (r.realms !== undefined && r.realms !== 0) {
    const from = r.realms >>> 16, to = r.realms & 0xffff;
    out.realms = from === 0 ? String(to) : `${from}/${to}`;
  }
  return out;
}

/**
 * Reading another network namespace over netlink: its sockets (sock_diag), links, addresses and
 * routes of every table (rtnetlink), each dump made on a socket opened inside the namespace
 * (src/runtime/netlink.ts enters it and comes back); its counters from /proc/PID/net (or
 * /proc/thread-self/net after entering it, when nothing runs in it). Never the host's /sys.
 *
 * The records are mapped to the snapshot's model here, field for field with what the /proc and
 * `ip -j` readers give (the same state names, the /proc/net/dev counter columns, the route
 * attributes of `ip -j route`). A dump the kernel refuses falls back to /proc/PID/net for that
 * section, and the section's source and notes say so.
 */
import type {
  Connection,
  Counters,
  InterfaceAddress,
  InterfaceStats,
  NetInterface,
  Nexthop,
  Route,
} from "../../../model.ts";
import type { Address } from "../../../parse/netlink/rtnl_addr.ts";
import type { InetSocket } from "../../../parse/netlink/inet_diag.ts";
import { type Link, linkFlagNames } from "../../../parse/netlink/rtnl_link.ts";
import type { RouteEntry } from "../../../parse/netlink/rtnl_route.ts";
import { mergeStatus, type Section } from "../../section.ts";
import { dumpAddresses, dumpInetSockets, dumpLinks, dumpRoutes } from "../netlink.ts";
import type { NamespaceRead } from "./read.ts";

/** A socket of a dump as a connection (TCP and UDP; NEW_SYN_RECV is SYN_RECV, as /proc says). */
export function connectionOf(s: InetSocket): Connection {
  return {
    protocol: s.protocol === "udp" ? "udp" : "tcp",
    family: s.family,
    localAddress: s.localAddress,
    localPort: s.localPort,
    remoteAddress: s.remoteAddress,
    remotePort: s.remotePort,
    state: s.state === "NEW_SYN_RECV" ? "SYN_RECV" : s.state,
    recvQ: s.recvQ,
    sendQ: s.sendQ,
    uid: s.uid,
    inode: s.inode,
  };
}

/** rtnl_link_stats64 as the /proc/net/dev columns (frame and carrier are sums, as there). */
function statsOf(l: Link): InterfaceStats | undefined {
  const s = l.stats;
  if (!s) return undefined;
  return {
    rxBytes: s.rxBytes,
    rxPackets: s.rxPackets,
    rxErrors: s.rxErrors,
    rxDropped: s.rxDropped,
    rxFifo: s.rxFifoErrors,
    rxFrame: s.rxLengthErrors + s.rxOverErrors + s.rxCrcErrors + s.rxFrameErrors,
    rxCompressed: s.rxCompressed,
    rxMulticast: s.multicast,
    txBytes: s.txBytes,
    txPackets: s.txPackets,
    txErrors: s.txErrors,
    txDropped: s.txDropped,
    txFifo: s.txFifoErrors,
    txCollisions: s.collisions,
    txCarrier: s.txCarrierErrors + s.txAbortedErrors + s.txWindowErrors +
      s.txHeartbeatErrors,
    txCompressed: s.txCompressed,
  };
}

/** Links with their addresses as the snapshot's interfaces. */
export function interfacesOf(
  links: readonly Link[],
  addresses: readonly Address[],
): NetInterface[] {
  const byIndex = new Map<number, InterfaceAddress[]>();
  for (const a of addresses) {
    const list = byIndex.get(a.ifindex) ?? [];
    const out: InterfaceAddress = {
      family: a.family,
      address: a.address,
      prefixLength: a.prefixLength,
      scope: a.scope,
    };
    if (a.broadcast !== undefined) out.broadcast = a.broadcast;
    list.push(out);
    byIndex.set(a.ifindex, list);
  }
  return links.map((l) => {
    const itf: NetInterface = {
      name: l.name,
      index: l.index,
      flags: linkFlagNames(l.flags),
      addresses: byIndex.get(l.index) ?? [],
    };
    if (l.mac !== undefined) itf.mac = l.mac;
    if (l.mtu !== undefined) itf.mtu = l.mtu;
    if (l.operState !== undefined) itf.operState = l.operState.toLowerCase();
    const stats = statsOf(l);
    if (stats) itf.stats = stats;
    return itf;
  });
}

/** A route of a dump as the snapshot's route, with the attributes `ip -j route` shows. */
export function routeOf(r: RouteEntry): Route {
  const out: Route = {
    family: r.family,
    table: r.table,
    type: r.type,
    destination: r.destination,
    metric: r.metric ?? 0,
  };
  if (r.gateway !== undefined) out.gateway = r.gateway;
  if (r.interface !== undefined) out.interface = r.interface;
  if (r.protocol) out.protocol = r.protocol;
  if (r.scope) out.scope = r.scope;
  if (r.prefsrc !== undefined) out.source = r.prefsrc;
  if (r.flags.length) out.flags = [...r.flags].sort();
  if (r.nexthops?.length) {
    out.nexthops = r.nexthops.map((h) => {
      const n: Nexthop = { weight: h.weight };
      if (h.gateway !== undefined) n.gateway = h.gateway;
      if (h.interface !== undefined) n.interface = h.interface;
      return n;
    });
  }
  const m = r.metrics;
  if (m?.mtu !== undefined) out.mtu = m.mtu;
  if (m?.advmss !== undefined) out.advmss = m.advmss;
  if (m?.hoplimit !== undefined) out.hoplimit = m.hoplimit;
  if (m?.initcwnd !== undefined) out.initcwnd = m.initcwnd;
  if (r.pref !== undefined) out.pref = r.pref;
  return out;
}

/** The /proc readers of a namespace, one per section, called only where they are needed. */
export interface ProcSections {
  connections: () => Section<Connection[]>;
  routes: () => Section<Route[]>;
  interfaces: () => Section<NetInterface[]>;
  counters: () => NamespaceRead["counters"];
}

/**
 * The protocols a namespace has sockets of, from its sockstat gauges (cheap, per namespace):
 * a socket dump walks the host's whole hash tables, whatever the namespace holds, so one with
 * no TCP (or no UDP) socket is not asked. Both when the gauges are unknown.
 */
export function protocolsInUse(counters: Counters): ("tcp" | "udp")[] {
  const v4 = counters.Sockstat, v6 = counters.Sockstat6;
  if (v4 === undefined || v6 === undefined) return ["tcp", "udp"];
  const n = (x: bigint | undefined) => x ?? 1n;
  const out: ("tcp" | "udp")[] = [];
  if (n(v4.TCP_inuse) + n(v4.TCP_tw) + n(v4.TCP_orphan) + n(v6.TCP6_inuse) > 0n) out.push("tcp");
  if (n(v4.UDP_inuse) + n(v6.UDP6_inuse) > 0n) out.push("udp");
  return out;
}

/**
 * Reads the namespace at `netns` over netlink; a section whose dump fails is read from /proc
 * instead (`proc`), with a note. The counters always come from /proc, first: their socket
 * gauges say which socket dumps are worth making.
 */
export function readOverNetlink(netns: string, proc: ProcSections): NamespaceRead {
  const counters = proc.counters();
  const fromDump = <T, R>(
    key: "connections" | "routes",
    dump: () => { ok: true; records: T[]; warnings: string[]; incomplete: string[] } | {
      ok: false;
      reason: string;
    },
    map: (t: T) => R,
  ): Section<R[]> => {
    const d = dump();
    if (!d.ok || d.incomplete.length > 0) {
      const s = proc[key]() as unknown as Section<R[]>;
      const why = d.ok ? d.warnings.join("; ") : d.reason;
      return { ...s, status: mergeStatus(s.status, [`netlink: ${why}`]) };
    }
    return {
      value: d.records.map(map),
      status: d.warnings.length ? { status: "partial", warnings: d.warnings } : { status: "ok" },
      source: "netlink",
    };
  };
  const links = dumpLinks({ netns });
  const names = links.ok ? new Map(links.records.map((l) => [l.index, l.name])) : undefined;
  const opts = names ? { netns, names } : { netns };
  const protocols = protocolsInUse(counters.value);
  const connections = protocols.length === 0
    ? { value: [], status: { status: "ok" as const }, source: "netlink" }
    : fromDump("connections", () => dumpInetSockets({ ...opts, protocols }), connectionOf);
  const routes = fromDump("routes", () => dumpRoutes(opts), routeOf);
  let interfaces: Section<NetInterface[]>;
  const addresses = links.ok ? dumpAddresses(opts) : links;
  if (links.ok && addresses.ok && !links.incomplete.length && !addresses.incomplete.length) {
    const warnings = [...links.warnings, ...addresses.warnings];
    interfaces = {
      value: interfacesOf(links.records, addresses.records),
      status: warnings.length ? { status: "partial", warnings } : { status: "ok" },
      source: "netlink",
    };
  } else {
    const s = proc.interfaces();
    const why = !links.ok ? links.reason : !addresses.ok ? addresses.reason : "incomplete";
    interfaces = { ...s, status: mergeStatus(s.status, [`netlink: ${why}`]) };
  }
  const read: NamespaceRead = { connections, routes, interfaces, counters };
  if (names) read.linkNames = names;
  return read;
}

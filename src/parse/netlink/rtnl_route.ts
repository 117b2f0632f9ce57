/**
 * Routes of every table over rtnetlink: the RTM_GETROUTE dump request (one family) and the
 * RTM_NEWROUTE answers (linux/rtnetlink.h `rtmsg`: u8 family, dst_len, src_len, tos, table,
 * protocol, scope, type; u32 flags) with their RTA_* attributes: destination, gateway, devices,
 * metric, preferred source, the RTA_METRICS set (mtu, advmss, initcwnd …), RTA_MULTIPATH next
 * hops with their weights, IPv6 router preference and expiry.
 *
 * A dump without strict checking returns every table (main, local, policy tables) at once.
 */
import { anyAddress, familyName, ipAt } from "./addresses.ts";
import {
  attrString,
  attrWalker,
  familyRequest,
  type MessageDecoder,
  NLMSG_HDRLEN,
  type Walk,
  walkAttrs,
} from "./nlmsg.ts";
import { routeProtocolName, routeTypeName, scopeName } from "./rtnl_names.ts";

export const RTM_NEWROUTE = 24;
export const RTM_GETROUTE = 26;

const RTA_DST = 1;
const RTA_SRC = 2;
const RTA_IIF = 3;
const RTA_OIF = 4;
const RTA_GATEWAY = 5;
const RTA_PRIORITY = 6;
const RTA_PREFSRC = 7;
const RTA_METRICS = 8;
const RTA_MULTIPATH = 9;
const RTA_FLOW = 11;
const RTA_CACHEINFO = 12;
const RTA_TABLE = 15;
const RTA_MARK = 16;
const RTA_VIA = 18;
const RTA_PREF = 20;
const RTA_ENCAP_TYPE = 21;
const RTA_UID = 25;
const RTA_NH_ID = 30;

/** Clock ticks per second of the kernel's clock_t values (USER_HZ, 100 on every Linux ABI). */
const USER_HZ = 100;

/** Builds an RTM_GETROUTE dump request for one family (AF_INET or AF_INET6), every table. */
export function routeRequest(seq: number, family: number): Uint8Array {
  return familyRequest(RTM_GETROUTE, seq, 12, family).bytes;
}

/** RTNH_F_* and RTM_F_* bits with the names `ip -j route` gives them, in its order. */
const FLAG_NAMES: ReadonlyArray<[number, string]> = [
  [0x1, "dead"],
  [0x4, "onlink"],
  [0x2, "pervasive"],
  [0x8, "offload"],
  [0x40, "trap"],
  [0x100, "notify"],
  [0x10, "linkdown"],
  [0x20, "unresolved"],
  [0x4000, "rt_offload"],
  [0x8000, "rt_trap"],
  [0x20000000, "rt_offload_failed"],
  [0x200, "cloned"],
];

/** The names of a route's or next hop's flag bits, in `ip -j` order ("cloned" last). */
export function routeFlagNames(flags: number): string[] {
  const out: string[] = [];
  for (const [bit, name] of FLAG_NAMES) if (flags & bit) out.push(name);
  return out;
}

/** The route metrics (RTA_METRICS, RTAX_*), with the names `ip -j route` uses. */
export interface RouteMetrics {
  /** Names of the metrics locked against change by path MTU discovery and such ("mtu lock 1300"). */
  lock?: string[];
  /** Path MTU, bytes. */
  mtu?: number;
  window?: number;
  /** Initial RTT estimate, ms. */
  rtt?: number;
  /** Initial RTT variance, ms. */
  rttvar?: number;
  ssthresh?: number;
  cwnd?: number;
  /** Advertised MSS, bytes. */
  advmss?: number;
  reordering?: number;
  hoplimit?: number;
  /** Initial congestion window, segments. */
  initcwnd?: number;
  /** RTAX_FEATURE_* bits (1 ECN, 2 SACK, 4 timestamps, 8 allfrag). */
  features?: number;
  /** Minimum retransmission timeout, ms. */
  rto_min?: number;
  /** Initial receive window, segments. */
  initrwnd?: number;
  quickack?: number;
  /** Congestion control algorithm for this route (`congctl`). */
  congestion?: string;
  fastopen_no_cookie?: number;
}

const METRIC_NAMES: ReadonlyArray<keyof RouteMetrics | undefined> = [
  undefined,
  "lock",
  "mtu",
  "window",
  "rtt",
  "rttvar",
  "ssthresh",
  "cwnd",
  "advmss",
  "reordering",
  "hoplimit",
  "initcwnd",
  "features",
  "rto_min",
  "initrwnd",
  "quickack",
  "congestion",
  "fastopen_no_cookie",
];
const RTAX_LOCK = 1;
const RTAX_RTT = 4;
const RTAX_RTTVAR = 5;
const RTAX_CC_ALGO = 16;

/** One next hop of a multipath route. */
export interface RouteNexthop {
  gateway?: string;
  /** Index of its device. */
  ifindex?: number;
  /** Name of that device, when the dump resolved it. */
  interface?: string;
  /** Relative weight (rtnh_hops + 1, as `ip` prints it). */
  weight: number;
  /** dead, onlink, linkdown, … */
  flags: string[];
  /** Routing realms (RTA_FLOW). */
  realms?: number;
}

/** One route. */
export interface RouteEntry {
  family: "inet" | "inet6";
  /** Table id: 254 main, 255 local, 253 default, others numbered. */
  table: number;
  /** unicast, local, broadcast, anycast, multicast, blackhole, unreachable, prohibit, throw, nat … */
  type: string;
  /** Who installed it: kernel, boot, static, ra, dhcp, bgp … (or the number). */
  protocol: string;
  /** global, link, host, … */
  scope: string;
  /** Destination prefix, CIDR ("0.0.0.0/0" for default). */
  destination: string;
  /** Source prefix the route is limited to (`from`, IPv6 source routing), CIDR. */
  from?: string;
  /** Type of service byte it matches (0 is any, left out). */
  tos?: number;
  gateway?: string;
  /** A gateway of the other family (RTA_VIA: IPv4 over an IPv6 next hop). */
  via?: string;
  /** Index of the output device. */
  ifindex?: number;
  /** Name of the output device, when the dump resolved it. */
  interface?: string;
  /** Index of the input device (`iif`), for routes that match one. */
  iif?: number;
  /** Priority (`metric`); absent when the kernel sends none (IPv4 routes added without one: 0). */
  metric?: number;
  /** Preferred source address (`src`). */
  prefsrc?: string;
  /** dead, onlink, linkdown, … */
  flags: string[];
  /** RTA_METRICS. */
  metrics?: RouteMetrics;
  /** Next hops of a multipath (ECMP) route. */
  nexthops?: RouteNexthop[];
  /** IPv6 router preference: low, medium, high (or the number). */
  pref?: string;
  /** Seconds until it expires (IPv6 routes from router advertisements, cached routes). */
  expires?: number;
  /** Routing realms (RTA_FLOW). */
  realms?: number;
  /** fwmark it matches. */
  mark?: number;
  uid?: number;
  /** Id of the nexthop object it uses (`ip nexthop`). */
  nhid?: number;
  /** Lightweight-tunnel encapsulation type (1 MPLS, 2 IP, …). */
  encapType?: number;
  /** Error code of an unreachable/cached route (rta_error). */
  error?: number;
}

/** The parts the walk fills before the record is assembled. */
interface Parts {
  family: "inet" | "inet6";
  rec: RouteEntry;
  dst?: string | undefined;
  src?: string | undefined;
  table?: number | undefined;
}

function visitMetric(w: Walk<RouteEntry>, type: number, at: number, len: number): void {
  const v = w.view, m = (w.rec.metrics ??= {});
  const name = METRIC_NAMES[type];
  if (name === undefined) return;
  if (type === RTAX_CC_ALGO) {
    m.congestion = attrString(v, at, len);
    return;
  }
  if (len < 4) return;
  const value = v.getUint32(at, true);
  if (type === RTAX_LOCK) {
    const locked: string[] = [];
    for (let i = 2; i < METRIC_NAMES.length; i++) {
      if (value & (1 << i)) locked.push(METRIC_NAMES[i]!);
    }
    m.lock = locked;
  } else if (type === RTAX_RTT) m.rtt = Math.floor(value / 8);
  else if (type === RTAX_RTTVAR) m.rttvar = Math.floor(value / 4);
  else (m as Record<string, number>)[name] = value;
}

function visitNexthopAttr(w: Walk<RouteNexthop>, type: number, at: number, len: number): void {
  if (type === RTA_GATEWAY) {
    const g = ipAt(w.view, at, len);
    if (g !== undefined) w.rec.gateway = g;
  } else if (type === RTA_VIA && len >= 2) {
    const g = ipAt(w.view, at + 2, len - 2);
    if (g !== undefined) w.rec.gateway = g;
  } else if (type === RTA_FLOW && len >= 4) w.rec.realms = w.view.getUint32(at, true);
}

function multipath(v: DataView, at: number, len: number): RouteNexthop[] {
  const out: RouteNexthop[] = [];
  const end = at + len;
  while (at + 8 <= end) {
    const nlen = v.getUint16(at, true);
    if (nlen < 8 || at + nlen > end) break;
    const hop: RouteNexthop = {
      weight: v.getUint8(at + 3) + 1,
      flags: routeFlagNames(v.getUint8(at + 2)),
    };
    const ifindex = v.getInt32(at + 4, true);
    if (ifindex > 0) hop.ifindex = ifindex;
    walkAttrs(v, at + 8, at + nlen, visitNexthopAttr, { view: v, rec: hop });
    out.push(hop);
    at += (nlen + 3) & ~3;
  }
  return out;
}

const PREFS: Record<number, string> = { 0: "medium", 1: "high", 3: "low" };

function visit(w: Walk<Parts>, type: number, at: number, len: number): void {
  const v = w.view, p = w.rec, rec = p.rec;
  switch (type) {
    case RTA_DST:
      p.dst = ipAt(v, at, len);
      break;
    case RTA_SRC:
      p.src = ipAt(v, at, len);
      break;
    case RTA_GATEWAY: {
      const g = ipAt(v, at, len);
      if (g !== undefined) rec.gateway = g;
      break;
    }
    case RTA_VIA: {
      const g = len >= 2 ? ipAt(v, at + 2, len - 2) : undefined;
      if (g !== undefined) rec.via = g;
      break;
    }
    case RTA_PREFSRC: {
      const s = ipAt(v, at, len);
      if (s !== undefined) rec.prefsrc = s;
      break;
    }
    case RTA_OIF:
      if (len >= 4) rec.ifindex = v.getUint32(at, true);
      break;
    case RTA_IIF:
      if (len >= 4) rec.iif = v.getUint32(at, true);
      break;
    case RTA_PRIORITY:
      if (len >= 4) rec.metric = v.getUint32(at, true);
      break;
    case RTA_TABLE:
      if (len >= 4) p.table = v.getUint32(at, true);
      break;
    case RTA_METRICS:
      walkAttrs(v, at, at + len, visitMetric, { view: v, rec });
      break;
    case RTA_MULTIPATH:
      rec.nexthops = multipath(v, at, len);
      break;
    case RTA_FLOW:
      if (len >= 4) rec.realms = v.getUint32(at, true);
      break;
    case RTA_CACHEINFO:
      if (len >= 20) {
        const expires = v.getInt32(at + 8, true);
        if (expires !== 0) rec.expires = Math.trunc(expires / USER_HZ);
        const error = v.getUint32(at + 12, true);
        if (error !== 0) rec.error = error;
      }
      break;
    case RTA_MARK:
      if (len >= 4) rec.mark = v.getUint32(at, true);
      break;
    case RTA_PREF:
      if (len >= 1) {
        const pref = v.getUint8(at);
        rec.pref = PREFS[pref] ?? String(pref);
      }
      break;
    case RTA_ENCAP_TYPE:
      if (len >= 2) rec.encapType = v.getUint16(at, true);
      break;
    case RTA_UID:
      if (len >= 4) rec.uid = v.getUint32(at, true);
      break;
    case RTA_NH_ID:
      if (len >= 4) rec.nhid = v.getUint32(at, true);
      break;
  }
}

/** Decodes RTM_NEWROUTE answers of IPv4 and IPv6 (others — MPLS, multicast — are skipped). */
export function routeDecoder(): MessageDecoder<RouteEntry> {
  const walkAttrs = attrWalker(visit, (p: Parts) => `route ${p.dst ?? "?"}`);
  return (view, at, length, type, warnings) => {
    if (type !== RTM_NEWROUTE) return undefined;
    const q = at + NLMSG_HDRLEN;
    if (length < NLMSG_HDRLEN + 12) {
      warnings.push(`routes: a ${length}-byte answer is too short; skipped`);
      return undefined;
    }
    const family = familyName(view.getUint8(q));
    if (!family) return undefined;
    const flags = view.getUint32(q + 8, true);
    const rec: RouteEntry = {
      family,
      table: view.getUint8(q + 4),
      type: routeTypeName(view.getUint8(q + 7)),
      protocol: routeProtocolName(view.getUint8(q + 5)),
      scope: scopeName(view.getUint8(q + 6)),
      destination: "",
      flags: routeFlagNames(flags),
    };
    const tos = view.getUint8(q + 3);
    if (tos !== 0) rec.tos = tos;
    const parts: Parts = { family, rec };
    walkAttrs(view, q + 12, at + length, parts, warnings);
    if (parts.table !== undefined) rec.table = parts.table;
    rec.destination = `${parts.dst ?? anyAddress(family)}/${view.getUint8(q + 1)}`;
    const srcLen = view.getUint8(q + 2);
    if (parts.src !== undefined || srcLen !== 0) {
      rec.from = `${parts.src ?? anyAddress(family)}/${srcLen}`;
    }
    return rec;
  };
}

/**
 * inet sockets over sock_diag (linux/inet_diag.h): the `inet_diag_req_v2` dump request for TCP,
 * UDP and raw sockets of one family, the older `inet_diag_req` (TCPDIAG_GETSOCK) that asks for
 * the TCP sockets of both families at once, and the `inet_diag_msg` answers with their extensions.
 *
 * Answer layout (72 bytes, then attributes): u8 family, state, timer, retrans; the socket id
 * (be16 sport, be16 dport, be32 src[4], be32 dst[4], u32 ifindex, u32 cookie[2]); u32 expires
 * (ms), rqueue, wqueue, uid, inode. For a LISTEN TCP socket the kernel puts the accept queue in
 * rqueue and its limit (the backlog) in wqueue, as `ss` shows them. TIME_WAIT and SYN_RECV
 * mini-sockets carry no owner: their uid and inode are 0, and they have no attributes.
 *
 * Raw sockets (`ss -w`): asked for with protocol IPPROTO_RAW; every raw socket of the family
 * answers, its own protocol in INET_DIAG_PROTOCOL and in the local "port" (the kernel puts the
 * socket's protocol number there).
 */
import { KERNEL_TCP_STATES } from "../../net/states.ts";
import { AF_INET, AF_INET6, ipv4At, ipv6At } from "./addresses.ts";
import { attrWalker, type MessageDecoder, newRequest, NLMSG_HDRLEN, type Walk } from "./nlmsg.ts";
import { cookieAt, decodeSkMemInfo, type SkMemInfo, SOCK_DIAG_BY_FAMILY } from "./sock_diag.ts";
import {
  decodeTcpInfo,
  decodeTcpInfoSummary,
  type TcpInfo,
  type TcpInfoSummary,
} from "./tcp_info.ts";

export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_ICMPV6 = 58;
export const IPPROTO_RAW = 255;

/** Extension numbers (INET_DIAG_*) of the answers' attributes. */
export const INET_DIAG_MEMINFO = 1;
export const INET_DIAG_INFO = 2;
export const INET_DIAG_VEGASINFO = 3;
export const INET_DIAG_CONG = 4;
export const INET_DIAG_TOS = 5;
export const INET_DIAG_TCLASS = 6;
export const INET_DIAG_SKMEMINFO = 7;
export const INET_DIAG_SHUTDOWN = 8;
export const INET_DIAG_PROTOCOL = 10;
export const INET_DIAG_SKV6ONLY = 11;
export const INET_DIAG_MARK = 15;
export const INET_DIAG_CGROUP_ID = 21;

/** The bit that asks for extension `ext` in a request's idiag_ext (only the first eight can be). */
export function extBit(ext: number): number {
  return 1 << (ext - 1);
}

/** Every TCP state (the kernel's bit per state). */
export const ALL_STATES = 0xffffffff;

/**
 * Builds an inet_diag_req_v2 dump request (72 bytes) for one family and protocol. For raw sockets
 * pass IPPROTO_RAW as `protocol`; `rawProtocol` 0 matches raw sockets of any protocol.
 *
 * @example
 * ```ts
 * import { AF_INET } from "./addresses.ts";
 * import { extBit, INET_DIAG_INFO, inetDiagRequest, IPPROTO_TCP } from "./inet_diag.ts";
 * const req = inetDiagRequest(1, AF_INET, IPPROTO_TCP, extBit(INET_DIAG_INFO));
 * ```
 */
export function inetDiagRequest(
  seq: number,
  family: number,
  protocol: number,
  ext = 0,
  states = ALL_STATES,
  rawProtocol = 0,
): Uint8Array {
  const { bytes, view } = newRequest(SOCK_DIAG_BY_FAMILY, seq, 56);
  const p = NLMSG_HDRLEN;
  view.setUint8(p, family);
  view.setUint8(p + 1, protocol);
  view.setUint8(p + 2, ext);
  view.setUint8(p + 3, rawProtocol);
  view.setUint32(p + 4, states, true);
  // The socket id stays zero (any), except the cookie, which "no cookie" spells as all ones.
  view.setUint32(p + 8 + 40, 0xffffffff, true);
  view.setUint32(p + 8 + 44, 0xffffffff, true);
  return bytes;
}

/** nlmsg_type of the older TCP request (and of its answers). */
export const TCPDIAG_GETSOCK = 18;

/**
 * Builds an `inet_diag_req` dump request (76 bytes) for the TCP sockets of both families. The
 * kernel serves it with the family left unset, so that one pass over its socket tables answers
 * for IPv4 and IPv6 alike, where two `inet_diag_req_v2` requests (one per family) each walk every
 * TCP socket of the host, those of other namespaces included. The answers are the same
 * `inet_diag_msg`, of type TCPDIAG_GETSOCK.
 *
 * Layout after the header: u8 family (0), src_len, dst_len, ext; the socket id (48 bytes);
 * u32 states; u32 dbs.
 *
 * @example
 * ```ts
 * import { extBit, INET_DIAG_INFO, tcpDiagRequest } from "./inet_diag.ts";
 * const req = tcpDiagRequest(1, extBit(INET_DIAG_INFO));
 * ```
 */
export function tcpDiagRequest(seq: number, ext = 0, states = ALL_STATES): Uint8Array {
  const { bytes, view } = newRequest(TCPDIAG_GETSOCK, seq, 60);
  const p = NLMSG_HDRLEN;
  view.setUint8(p + 3, ext);
  // As in inetDiagRequest: any socket, and "no cookie" as all ones.
  view.setUint32(p + 4 + 40, 0xffffffff, true);
  view.setUint32(p + 4 + 44, 0xffffffff, true);
  view.setUint32(p + 52, states, true);
  return bytes;
}

/** Kernel timer kinds (idiag_timer), as `ss -o` names them. */
export const TIMER_NAMES: readonly string[] = [
  "off",
  "on",
  "keepalive",
  "timewait",
  "persist",
  "delack",
];

/** A pending timer of a socket (`ss -o` timer:(name,expires,retrans)). */
export interface SocketTimer {
  /** on (retransmit), keepalive, timewait, persist (zero-window probe), delack, or unknown. */
  name: string;
  /** Time until it fires, ms (0 when already due). */
  expiresMs: number;
  /** Retransmissions (for "on") or probes (for keepalive/persist) done so far. */
  retrans: number;
}

/** One inet socket from sock_diag. */
export interface InetSocket {
  protocol: "tcp" | "udp" | "raw";
  family: "inet" | "inet6";
  /** State name: the TCP states (ESTABLISHED, LISTEN, …, NEW_SYN_RECV); UNCONN for an unconnected UDP or raw socket. */
  state: string;
  localAddress: string;
  /** For a raw socket, its protocol number (1 ICMP, 58 ICMPv6, …). */
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  /** Bytes waiting to be read; for LISTEN, connections waiting in the accept queue. */
  recvQ: number;
  /** Bytes not yet acknowledged (TCP) or queued (UDP); for LISTEN, the accept queue's limit (backlog). */
  sendQ: number;
  /** Owner uid as the namespace's user namespace maps it (0 for TIME_WAIT and SYN_RECV). */
  uid: number;
  /** Socket inode, what /proc/PID/fd links name (0 for TIME_WAIT and SYN_RECV). */
  inode: number;
  /** The kernel's socket cookie: unique per socket until reboot (`ss -e` sk:). */
  cookie: bigint;
  /** Index of the device the socket is bound to (SO_BINDTODEVICE, or an IPv6 link-local scope); absent when none. */
  ifindex?: number;
  /** Name of that device, when the dump resolved it. */
  interface?: string;
  /** The pending timer; absent when none is running. */
  timer?: SocketTimer;
  /** IPv6 sockets: true when IPV6_V6ONLY (no IPv4 through it), false when dual-stack. */
  v6only?: boolean;
  /** shutdown() state bits: 1 receive side shut, 2 send side shut. */
  shutdown?: number;
  /** SO_MARK (reported to CAP_NET_ADMIN only; absent otherwise). */
  mark?: number;
  /** cgroup v2 id of the socket's creator (`ss --cgroup`). */
  cgroupId?: bigint;
  /** For raw sockets: the protocol given at creation. */
  rawProtocol?: number;
  /** TCP congestion control algorithm (asked for with tcp_info). */
  congestion?: string;
  /** Socket memory (asked for with memInfo). */
  memInfo?: SkMemInfo;
  /** TCP internals, every field (asked for with tcpInfo "full"). */
  tcpInfo?: TcpInfo;
  /** The few TCP health fields every snapshot keeps (asked for with tcpInfo "summary"). */
  tcpSummary?: TcpInfoSummary;
}

/** How much of tcp_info a decoder keeps: all of it, or the summary fields only. */
export type TcpInfoDetail = "full" | "summary";

/** The state name of a kernel state number for a protocol. */
export function inetStateName(protocol: "tcp" | "udp" | "raw", state: number): string {
  if (protocol !== "tcp" && state === 7) return "UNCONN";
  return KERNEL_TCP_STATES[state] ?? `UNKNOWN_${state}`;
}

/** Per-dump context of the attribute walk (no closure per message). */

/** Attributes with the whole tcp_info kept. */
function visitFull(w: Walk<InetSocket>, type: number, at: number, len: number): void {
  if (type !== INET_DIAG_INFO) return visit(w, type, at, len);
  if (w.rec.protocol !== "tcp") return;
  const info = decodeTcpInfo(w.view, at, len);
  if (info) w.rec.tcpInfo = info;
}

/** Attributes with only the summary of tcp_info kept. */
function visitSummary(w: Walk<InetSocket>, type: number, at: number, len: number): void {
  if (type !== INET_DIAG_INFO) return visit(w, type, at, len);
  if (w.rec.protocol !== "tcp") return;
  const summary = decodeTcpInfoSummary(w.view, at, len);
  if (summary) w.rec.tcpSummary = summary;
}

/** cgroup ids seen so far: a host has few, and thousands of sockets share each. */
const cgroupIds = new Map<number, bigint>();

function cgroupId(v: DataView, at: number): bigint {
  const lo = v.getUint32(at, true);
  if (v.getUint32(at + 4, true) !== 0) return v.getBigUint64(at, true);
  let id = cgroupIds.get(lo);
  if (id === undefined) {
    if (cgroupIds.size > 4096) cgroupIds.clear();
    cgroupIds.set(lo, id = BigInt(lo));
  }
  return id;
}

/** Every attribute but INET_DIAG_INFO. */
function visit(w: Walk<InetSocket>, type: number, at: number, len: number): void {
  const v = w.view, rec = w.rec;
  switch (type) {
    case INET_DIAG_CONG: {
      let s = "";
      for (let i = at; i < at + len; i++) {
        const c = v.getUint8(i);
        if (c === 0) break;
        s += String.fromCharCode(c);
      }
      rec.congestion = s;
      break;
    }
    case INET_DIAG_SKMEMINFO: {
      const m = decodeSkMemInfo(v, at, len);
      if (m) rec.memInfo = m;
      break;
    }
    case INET_DIAG_SHUTDOWN:
      if (len >= 1) rec.shutdown = v.getUint8(at);
      break;
    case INET_DIAG_PROTOCOL:
      if (len >= 1) rec.rawProtocol = v.getUint8(at);
      break;
    case INET_DIAG_SKV6ONLY:
      if (len >= 1 && rec.family === "inet6") rec.v6only = v.getUint8(at) !== 0;
      break;
    case INET_DIAG_MARK:
      if (len >= 4) rec.mark = v.getUint32(at, true);
      break;
    case INET_DIAG_CGROUP_ID:
      if (len >= 8) rec.cgroupId = cgroupId(v, at);
      break;
  }
}

/** The inet_diag_msg fixed part. */
const MSG_LENGTH = 72;

/**
 * A decoder of inet_diag_msg answers for sockets of `protocol` (the answer does not say which it
 * was asked for); a tcp_info in them becomes `tcpInfo` (detail "full") or `tcpSummary`
 * ("summary"). Addresses seen before are not formatted again.
 */
export function inetDiagDecoder(
  protocol: "tcp" | "udp" | "raw",
  detail: TcpInfoDetail = "full",
): MessageDecoder<InetSocket> {
  const v4 = new Map<number, string>();
  const describe = (rec: InetSocket) => `${protocol} socket ${rec.localAddress}:${rec.localPort}`;
  const walkAttrs = attrWalker(detail === "full" ? visitFull : visitSummary, describe);
  const v6 = (view: DataView, at: number): string => {
    // IPv4-mapped and all-zero addresses are common: cache them by their last word.
    const a = view.getUint32(at, true), b = view.getUint32(at + 4, true);
    const c = view.getUint32(at + 8, true), d = view.getUint32(at + 12, true);
    if (a === 0 && b === 0 && (c === 0 || c === 0xffff0000)) {
      const key = c === 0 ? -1 - d : d + 2 ** 32;
      let s = v4.get(key);
      if (s === undefined) v4.set(key, s = ipv6At(view, at));
      return s;
    }
    return ipv6At(view, at);
  };
  const ip4 = (view: DataView, at: number): string => {
    const key = view.getUint32(at, true);
    let s = v4.get(key);
    if (s === undefined) v4.set(key, s = ipv4At(view, at));
    return s;
  };
  return (view, at, length, _type, warnings) => {
    const p = at + NLMSG_HDRLEN;
    if (length < NLMSG_HDRLEN + MSG_LENGTH) {
      warnings.push(`${protocol} sockets: a ${length}-byte answer is too short; skipped`);
      return undefined;
    }
    const af = view.getUint8(p);
    if (af !== AF_INET && af !== AF_INET6) return undefined;
    const inet6 = af === AF_INET6;
    const addr = inet6 ? v6 : ip4;
    const state = view.getUint8(p + 1);
    const timer = view.getUint8(p + 2);
    const ifindex = view.getUint32(p + 40, true);
    const rec: InetSocket = {
      protocol,
      family: inet6 ? "inet6" : "inet",
      state: inetStateName(protocol, state),
      localAddress: addr(view, p + 8),
      localPort: view.getUint16(p + 4, false),
      remoteAddress: addr(view, p + 24),
      remotePort: view.getUint16(p + 6, false),
      recvQ: view.getUint32(p + 56, true),
      sendQ: view.getUint32(p + 60, true),
      uid: view.getUint32(p + 64, true),
      inode: view.getUint32(p + 68, true),
      cookie: cookieAt(view, p + 44),
    };
    if (ifindex !== 0) rec.ifindex = ifindex;
    if (timer !== 0) {
      rec.timer = {
        name: TIMER_NAMES[timer] ?? "unknown",
        expiresMs: view.getUint32(p + 52, true),
        retrans: view.getUint8(p + 3),
      };
    }
    if (length > NLMSG_HDRLEN + MSG_LENGTH) {
      walkAttrs(view, p + MSG_LENGTH, at + length, rec, warnings);
    }
    return rec;
  };
}

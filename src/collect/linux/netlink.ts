/**
 * Netlink dumps that return typed records: sockets (inet, UNIX, raw, packet) over sock_diag and
 * links, addresses, routes, rules, neighbours and qdiscs over rtnetlink, nftables tables over
 * nfnetlink, each in this process's
 * network namespace or in the one a path names (`/proc/PID/ns/net`, `/run/netns/NAME`, …).
 *
 * The socket is src/runtime/netlink.ts's; the loop is here (send one request, feed what the kernel
 * answers to a DumpReader); the decoding is in src/parse/netlink/, pure. Every function returns either the records with the warnings met on
 * the way, or — when netlink cannot be used at all (no FFI, the namespace cannot be entered, no
 * socket) — `ok: false` with the reason, so that the caller falls back to /proc and `ip -j`. It
 * never throws for what the kernel refuses: a family the kernel lacks (unix_diag or packet_diag
 * not built: ENOENT), EPERM, EACCES or EOPNOTSUPP on one request is a warning, and that request is
 * named in `incomplete` so that the caller can read that part elsewhere.
 *
 * Device names: records that carry an interface index get its name from one link dump in the
 * same namespace, made only when some record needs it, or from `names` when the caller has them.
 */
import { AF_INET, AF_INET6 } from "../../parse/netlink/addresses.ts";
import {
  extBit,
  INET_DIAG_CONG,
  INET_DIAG_INFO,
  INET_DIAG_SKMEMINFO,
  inetDiagDecoder,
  inetDiagRequest,
  type InetSocket,
  IPPROTO_RAW,
  IPPROTO_TCP,
  IPPROTO_UDP,
  tcpDiagRequest,
} from "../../parse/netlink/inet_diag.ts";
import { DumpReader, type MessageDecoder } from "../../parse/netlink/nlmsg.ts";
import {
  packetDiagDecoder,
  packetDiagRequest,
  type PacketSocket,
} from "../../parse/netlink/packet_diag.ts";
import { type Address, addressDecoder, addressRequest } from "../../parse/netlink/rtnl_addr.ts";
import {
  type Link,
  linkDecoder,
  linkRequest,
  resolveMasters,
} from "../../parse/netlink/rtnl_link.ts";
import {
  type Neighbour,
  neighbourDecoder,
  neighbourRequest,
} from "../../parse/netlink/rtnl_neigh.ts";
import {
  NETLINK_NETFILTER,
  type NftTable,
  nftTableDecoder,
  nftTablesRequest,
} from "../../parse/netlink/nf_tables.ts";
import { type Qdisc, qdiscDecoder, qdiscRequest } from "../../parse/netlink/rtnl_qdisc.ts";
import { routeDecoder, type RouteEntry, routeRequest } from "../../parse/netlink/rtnl_route.ts";
import { type Rule, ruleDecoder, ruleRequest } from "../../parse/netlink/rtnl_rule.ts";
import {
  UDIAG_SHOW_MEMINFO,
  UNIX_SHOW_DEFAULT,
  unixDiagDecoder,
  unixDiagRequest,
  type UnixSocket,
} from "../../parse/netlink/unix_diag.ts";
import {
  errnoName,
  NETLINK_ROUTE,
  NETLINK_SOCK_DIAG,
  netlinkAvailable,
  type NetlinkRuntime,
  type NetlinkUnavailable,
  openNetlink,
} from "../../runtime/netlink.ts";

/** A dump's answer: the records, what went wrong on the way, and which requests did not finish. */
export interface DumpRecords<T> {
  ok: true;
  records: T[];
  /** One line per problem ("udp6: the kernel answered EPERM (permission denied)"). */
  warnings: string[];
  /** Names of the requests that failed or did not finish ("tcp6", "raw", "proxy neighbours"). */
  incomplete: string[];
  /** The FFI that carried the calls. */
  runtime: NetlinkRuntime;
}

/** What every dump returns: records, or why netlink could not be used. */
export type DumpResult<T> = DumpRecords<T> | NetlinkUnavailable;

/** Options every dump takes. */
export interface DumpOptions {
  /** A network namespace file to dump inside; absent for this process's namespace. */
  netns?: string;
  /** Interface names by index, when the caller already has them (saves a link dump). */
  names?: ReadonlyMap<number, string>;
}

/** One request of a dump, with the name it goes by in warnings and `incomplete`. */
export interface DumpPart<T> {
  name: string;
  request: (seq: number) => Uint8Array;
  decoder: MessageDecoder<T>;
  /** Asked instead, without a warning, when the kernel refuses this request outright. */
  otherwise?: DumpPart<T>[];
}

let nextSeq = 1;

/**
 * Sends each part's request on one socket and reads its answer to the end; where the kernel
 * refuses a request that has `otherwise`, those parts are asked in its place. A part that ends
 * incomplete gives no records: its caller reads that part elsewhere, whole, and would otherwise
 * hold the records it did get twice.
 */
export function runDump<T>(
  protocol: number,
  netns: string | undefined,
  parts: DumpPart<T>[],
): DumpResult<T> {
  const available = netlinkAvailable();
  if (!available.ok) return available;
  const opened = openNetlink(protocol, netns);
  if (!opened.ok) return opened;
  const socket = opened.socket;
  const records: T[] = [], warnings: string[] = [], incomplete: string[] = [];
  try {
    const queue = [...parts];
    for (let part = queue.shift(); part !== undefined; part = queue.shift()) {
      const seq = nextSeq++;
      const reader = new DumpReader(seq, part.decoder, part.name);
      const sent = socket.send(part.request(seq));
      let problem = sent.ok ? undefined : sent.reason;
      while (problem === undefined && !reader.done) {
        const got = socket.receive();
        if (!got.ok) problem = got.reason;
        else if (got.length === 0) problem = "the kernel closed the answer early";
        else reader.feed(got.view, 0, got.length);
      }
      if (reader.error && part.otherwise && reader.records.length === 0) {
        queue.unshift(...part.otherwise);
        continue;
      }
      if (reader.error) {
        const { code, text } = errnoName(reader.error.errno);
        problem = `the kernel answered ${code} (${text})`;
      }
      for (const w of reader.warnings) warnings.push(w);
      if (problem !== undefined) {
        warnings.push(`${part.name}: ${problem}`);
        incomplete.push(part.name);
      } else if (reader.interrupted) incomplete.push(part.name);
      else for (const r of reader.records) records.push(r);
    }
  } finally {
    socket.close();
  }
  return { ok: true, records, warnings, incomplete, runtime: available.runtime };
}

/**
 * Interface names by index in a namespace, from one link dump; an empty map (and a warning)
 * when the dump fails, so that records keep their indexes and lose only the names.
 */
export function linkNames(netns?: string, warnings: string[] = []): Map<number, string> {
  const links = runDump(NETLINK_ROUTE, netns, [{
    name: "links",
    request: linkRequest,
    decoder: linkDecoder(),
  }]);
  if (!links.ok) {
    warnings.push(`interface names: ${links.reason}`);
    return new Map();
  }
  warnings.push(...links.warnings);
  return new Map(links.records.map((l) => [l.index, l.name]));
}

/** Adds `interface` names (and next-hop names) to records that carry an ifindex. */
function nameDevices<T extends { ifindex?: number; interface?: string }>(
  result: DumpResult<T>,
  options: DumpOptions,
  nexthops?: (rec: T) => { ifindex?: number; interface?: string }[] | undefined,
): DumpResult<T> {
  if (!result.ok) return result;
  const needs = result.records.some((r) =>
    r.ifindex !== undefined && r.ifindex !== 0 || nexthops?.(r)?.length
  );
  if (!needs) return result;
  const names = options.names ?? linkNames(options.netns, result.warnings);
  const name = (o: { ifindex?: number; interface?: string }) => {
    if (o.ifindex === undefined || o.ifindex === 0) return;
    const n = names.get(o.ifindex);
    if (n !== undefined) o.interface = n;
  };
  for (const r of result.records) {
    name(r);
    for (const hop of nexthops?.(r) ?? []) name(hop);
  }
  return result;
}

/** Options of dumpInetSockets(). */
export interface InetDumpOptions extends DumpOptions {
  /**
   * tcp_info of every TCP socket (INET_DIAG_INFO): true (or "full") keeps all of it, with the
   * congestion algorithm, in `tcpInfo`; "summary" keeps the few health fields every snapshot
   * carries (rtt, rttvar, retrans, totalRetrans, lost) in `tcpSummary`, at a fraction of the cost.
   */
  tcpInfo?: boolean | "full" | "summary";
  /** Ask for socket memory (INET_DIAG_SKMEMINFO). */
  memInfo?: boolean;
  /** Which protocols; both by default. */
  protocols?: ReadonlyArray<"tcp" | "udp">;
}

/**
 * Every TCP and UDP socket of both families (all states), as `ss -tuan` lists them, with the
 * listen backlog, bound device, v6only, mark, cgroup, timers; tcp_info when asked for. Parts:
 * "tcp" (both families in one request; where the kernel refuses it, "tcp4" and "tcp6"), "udp",
 * "udp6".
 *
 * @example
 * ```ts
 * import { dumpInetSockets } from "./netlink.ts";
 * const r = dumpInetSockets({ tcpInfo: true, netns: "/run/netns/blue" });
 * if (r.ok) for (const s of r.records) console.log(s.localPort, s.tcpInfo?.rtt);
 * ```
 */
export function dumpInetSockets(options: InetDumpOptions = {}): DumpResult<InetSocket> {
  return nameDevices(runDump(NETLINK_SOCK_DIAG, options.netns, inetParts(options)), options);
}

/**
 * dumpInetSockets() that hands each socket to `map` as it is decoded and keeps only what `map`
 * returns (a busy host's 100k sockets then never exist twice over). Device names come from
 * `options.names` only (an index without a name stays an index).
 */
export function dumpInetSocketsAs<T>(
  options: InetDumpOptions,
  map: (s: InetSocket) => T,
): DumpResult<T> {
  const names = options.names;
  const mapped = (p: DumpPart<InetSocket>): DumpPart<T> => ({
    name: p.name,
    request: p.request,
    decoder: (view, at, length, type, warnings) => {
      const s = p.decoder(view, at, length, type, warnings);
      if (s === undefined) return undefined;
      if (s.ifindex !== undefined && names !== undefined) {
        const n = names.get(s.ifindex);
        if (n !== undefined) s.interface = n;
      }
      return map(s);
    },
    ...(p.otherwise ? { otherwise: p.otherwise.map(mapped) } : {}),
  });
  return runDump(NETLINK_SOCK_DIAG, options.netns, inetParts(options).map(mapped));
}

/**
 * The requests of an inet dump: "tcp" (both families in one pass; where the kernel refuses
 * that, "tcp4" and "tcp6"), "udp" and "udp6", or those of `protocols`.
 */
function inetParts(options: InetDumpOptions): DumpPart<InetSocket>[] {
  const parts: DumpPart<InetSocket>[] = [];
  const mem = options.memInfo ? extBit(INET_DIAG_SKMEMINFO) : 0;
  const detail = options.tcpInfo === "summary" ? "summary" : "full";
  const info = options.tcpInfo === "summary"
    ? extBit(INET_DIAG_INFO)
    : options.tcpInfo
    ? extBit(INET_DIAG_INFO) | extBit(INET_DIAG_CONG)
    : 0;
  for (const protocol of options.protocols ?? ["tcp", "udp"] as const) {
    const number = protocol === "tcp" ? IPPROTO_TCP : IPPROTO_UDP;
    const ext = mem | (protocol === "tcp" ? info : 0);
    const decoder = inetDiagDecoder(protocol, detail);
    const perFamily = ([[AF_INET, "4"], [AF_INET6, "6"]] as const).map(([family, suffix]) => ({
      name: `${protocol}${protocol === "udp" && suffix === "4" ? "" : suffix}`,
      request: (seq: number) => inetDiagRequest(seq, family, number, ext),
      decoder,
    }));
    if (protocol === "udp") parts.push(...perFamily);
    else {
      parts.push({
        name: "tcp",
        request: (seq) => tcpDiagRequest(seq, ext),
        decoder,
        otherwise: perFamily,
      });
    }
  }
  return parts;
}

/** Every raw socket (`ss -w`) of both families, any protocol. Parts: "raw", "raw6". */
export function dumpRawSockets(options: DumpOptions & { memInfo?: boolean } = {}): DumpResult<
  InetSocket
> {
  const ext = options.memInfo ? extBit(INET_DIAG_SKMEMINFO) : 0;
  const parts = ([[AF_INET, "raw"], [AF_INET6, "raw6"]] as const).map(([family, name]) => ({
    name,
    request: (seq: number) => inetDiagRequest(seq, family, IPPROTO_RAW, ext),
    decoder: inetDiagDecoder("raw"),
  }));
  return nameDevices(runDump(NETLINK_SOCK_DIAG, options.netns, parts), options);
}

/** Every UNIX socket (`ss -xa`): path or abstract name, type, state, peer, queues. Part: "unix". */
export function dumpUnixSockets(options: DumpOptions & { memInfo?: boolean } = {}): DumpResult<
  UnixSocket
> {
  const show = UNIX_SHOW_DEFAULT | (options.memInfo ? UDIAG_SHOW_MEMINFO : 0);
  return runDump(NETLINK_SOCK_DIAG, options.netns, [{
    name: "unix",
    request: (seq) => unixDiagRequest(seq, show),
    decoder: unixDiagDecoder(),
  }]);
}

/** Every packet socket (`ss -0`): type, protocol, bound device. Part: "packet". */
export function dumpPacketSockets(options: DumpOptions = {}): DumpResult<PacketSocket> {
  const result = runDump(NETLINK_SOCK_DIAG, options.netns, [{
    name: "packet",
    request: (seq) => packetDiagRequest(seq),
    decoder: packetDiagDecoder(),
  }]);
  return nameDevices(result, options);
}

/** Every link with its counters (`ip -s -d link`); masters named. Part: "links". */
export function dumpLinks(options: DumpOptions = {}): DumpResult<Link> {
  const result = runDump(NETLINK_ROUTE, options.netns, [{
    name: "links",
    request: linkRequest,
    decoder: linkDecoder(),
  }]);
  if (result.ok) resolveMasters(result.records);
  return result;
}

/** Every IPv4 and IPv6 address (`ip addr`). Part: "addresses". */
export function dumpAddresses(options: DumpOptions = {}): DumpResult<Address> {
  const result = runDump(NETLINK_ROUTE, options.netns, [{
    name: "addresses",
    request: (seq) => addressRequest(seq),
    decoder: addressDecoder(),
  }]);
  return nameDevices(result, options);
}

/** Routes of every table, both families (`ip route show table all`, -4 and -6). Parts: "routes", "routes6". */
export function dumpRoutes(options: DumpOptions = {}): DumpResult<RouteEntry> {
  const parts = ([[AF_INET, "routes"], [AF_INET6, "routes6"]] as const).map(([family, name]) => ({
    name,
    request: (seq: number) => routeRequest(seq, family),
    decoder: routeDecoder(),
  }));
  return nameDevices(runDump(NETLINK_ROUTE, options.netns, parts), options, (r) => r.nexthops);
}

/** Policy rules of both families (`ip rule`, -4 and -6). Parts: "rules", "rules6". */
export function dumpRules(options: DumpOptions = {}): DumpResult<Rule> {
  const parts = ([[AF_INET, "rules"], [AF_INET6, "rules6"]] as const).map(([family, name]) => ({
    name,
    request: (seq: number) => ruleRequest(seq, family),
    decoder: ruleDecoder(),
  }));
  return runDump(NETLINK_ROUTE, options.netns, parts);
}

/** ARP and NDP entries, proxy entries included (`ip neigh`, `ip neigh show proxy`). Parts: "neighbours", "proxy neighbours". */
export function dumpNeighbours(options: DumpOptions = {}): DumpResult<Neighbour> {
  const parts = [false, true].map((proxy) => ({
    name: proxy ? "proxy neighbours" : "neighbours",
    request: (seq: number) => neighbourRequest(seq, proxy),
    decoder: neighbourDecoder(),
  }));
  return nameDevices(runDump(NETLINK_ROUTE, options.netns, parts), options);
}

/** Every qdisc with its counters (`tc -s qdisc`). Part: "qdiscs". */
export function dumpQdiscs(options: DumpOptions = {}): DumpResult<Qdisc> {
  const result = runDump(NETLINK_ROUTE, options.netns, [{
    name: "qdiscs",
    request: qdiscRequest,
    decoder: qdiscDecoder(),
  }]);
  return nameDevices(result, options);
}

/**
 * The nftables tables of every family (`nft list tables`), over nfnetlink: which tables there
 * are, not their rules (CAP_NET_ADMIN: EPERM otherwise, a warning). Part: "nft tables".
 */
export function dumpNftTables(options: DumpOptions = {}): DumpResult<NftTable> {
  return runDump(NETLINK_NETFILTER, options.netns, [{
    name: "nft tables",
    request: nftTablesRequest,
    decoder: nftTableDecoder(),
  }]);
}

/**
 * Sends one request and returns every byte of the answer, parts concatenated (each padded to 4
 * bytes): what the fixtures under tests/testdata/netlink/ are made of. The answer ends at the
 * first NLMSG_DONE or NLMSG_ERROR of the request's sequence number, read from its header.
 */
export function dumpBytes(
  protocol: number,
  request: Uint8Array,
  netns?: string,
): { ok: true; bytes: Uint8Array } | NetlinkUnavailable {
  const opened = openNetlink(protocol, netns);
  if (!opened.ok) return opened;
  const socket = opened.socket;
  const seq = new DataView(request.buffer, request.byteOffset).getUint32(8, true);
  const chunks: Uint8Array[] = [];
  try {
    const sent = socket.send(request);
    if (!sent.ok) return sent;
    const reader = new DumpReader(seq, () => undefined, "dump");
    while (!reader.done) {
      const got = socket.receive();
      if (!got.ok) return got;
      if (got.length === 0) break;
      const chunk = new Uint8Array((got.length + 3) & ~3);
      chunk.set(got.bytes.subarray(0, got.length));
      chunks.push(chunk);
      reader.feed(got.view, 0, got.length);
    }
  } finally {
    socket.close();
  }
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return { ok: true, bytes: out };
}

/**
 * Protocol statistics for `nsnap show -s`: the counters of each kernel group as plain-word lines
 * (netstat -s style: "428 segments retransmitted"), then every other counter of the group by its
 * kernel name, so that nothing is hidden.
 */
import type { Counters } from "../model.ts";
import { dict, own } from "../util/record.ts";
import { formatPercent } from "../format.ts";

/** One line of the statistics view. */
export interface StatLine {
  text: string;
  /** The kernel counter this line reports. */
  name: string;
  value: bigint;
  /** A line an operator should look at when it is not zero (errors, drops, retransmissions). */
  notable: boolean;
}

/** One counter group (`Tcp`, `TcpExt`, `Udp6` …) and its lines. */
export interface StatGroup {
  group: string;
  lines: StatLine[];
}

/** A phrase with `#` where the value goes; `!` in front marks a notable counter. */
type Phrases = Record<string, string>;

const IP: Phrases = {
  InReceives: "# total packets received",
  InHdrErrors: "!# with invalid headers",
  InAddrErrors: "!# with invalid addresses",
  ForwDatagrams: "# forwarded",
  OutForwDatagrams: "# forwarded",
  InUnknownProtos: "# with unknown protocol",
  InNoRoutes: "!# incoming packets without a route",
  InTooBigErrors: "!# incoming packets too big",
  InTruncatedPkts: "!# truncated packets received",
  InDiscards: "!# incoming packets discarded",
  InDelivers: "# incoming packets delivered",
  OutRequests: "# requests sent out",
  OutDiscards: "!# outgoing packets dropped",
  OutNoRoutes: "!# dropped because of missing route",
  ReasmReqds: "# fragments received for reassembly",
  ReasmOKs: "# packets reassembled ok",
  ReasmFails: "!# packet reassemblies failed",
  FragOKs: "# packets fragmented ok",
  FragFails: "!# packets that could not be fragmented",
  FragCreates: "# fragments created",
};

const ICMP: Phrases = {
  InMsgs: "# ICMP messages received",
  InErrors: "!# input ICMP message failed",
  InDestUnreachs: "# destination unreachable messages received",
  InEchos: "# echo requests received",
  InEchoReps: "# echo replies received",
  OutMsgs: "# ICMP messages sent",
  OutErrors: "!# ICMP messages failed",
  OutDestUnreachs: "# destination unreachable messages sent",
  OutEchos: "# echo requests sent",
  OutEchoReps: "# echo replies sent",
};

const TCP: Phrases = {
  ActiveOpens: "# active connection openings",
  PassiveOpens: "# passive connection openings",
  AttemptFails: "!# failed connection attempts",
  EstabResets: "!# connection resets received",
  CurrEstab: "# connections currently established",
  InSegs: "# segments received",
  OutSegs: "# segments sent out",
  RetransSegs: "!# segments retransmitted",
  InErrs: "!# bad segments received",
  OutRsts: "!# resets sent",
  InCsumErrors: "!# segments with bad checksums received",
};

const UDP: Phrases = {
  InDatagrams: "# packets received",
  NoPorts: "!# packets to unknown port received",
  InErrors: "!# packet receive errors",
  OutDatagrams: "# packets sent",
  RcvbufErrors: "!# receive buffer errors",
  SndbufErrors: "!# send buffer errors",
  InCsumErrors: "!# packets with bad checksums received",
  IgnoredMulti: "# multicast packets ignored",
};

const TCP_EXT: Phrases = {
  SyncookiesSent: "# SYN cookies sent",
  SyncookiesRecv: "# SYN cookies received",
  SyncookiesFailed: "!# invalid SYN cookies received",
  EmbryonicRsts: "# resets received for embryonic SYN_RECV sockets",
  PruneCalled: "!# packets pruned from receive queue because of socket buffer overrun",
  RcvPruned: "!# packets dropped from receive queue",
  OfoPruned: "!# packets dropped from out-of-order queue because of socket buffer overrun",
  TW: "# TCP sockets finished time wait in fast timer",
  DelayedACKs: "# delayed acks sent",
  ListenOverflows: "!# times the listen queue of a socket overflowed",
  ListenDrops: "!# SYNs to LISTEN sockets dropped",
  TCPTimeouts: "!# other TCP timeouts",
  TCPFastRetrans: "# fast retransmits",
  TCPSlowStartRetrans: "# retransmits in slow start",
  TCPLostRetransmit: "!# retransmits lost",
  TCPSynRetrans: "!# SYN retransmits",
  TCPRetransFail: "!# retransmits failed",
  TCPLossProbes: "# tail loss probes sent",
  TCPAbortOnData: "# connections reset due to unexpected data",
  TCPAbortOnClose: "# connections reset due to early user close",
  TCPAbortOnMemory: "!# connections aborted due to memory pressure",
  TCPAbortOnTimeout: "!# connections aborted due to timeout",
  TCPAbortOnLinger: "# connections aborted after user close in linger timeout",
  TCPAbortFailed: "!# times unable to send RST due to no memory",
  TCPMemoryPressures: "!# times TCP ran low on memory",
  TCPBacklogDrop: "!# packets dropped because the socket backlog was full",
  TCPReqQFullDrop: "!# SYNs dropped because the request queue was full",
  TCPReqQFullDoCookies: "# times SYN cookies were sent because the request queue was full",
  TCPDSACKOldSent: "# DSACKs sent for old packets",
  TCPDSACKRecv: "# DSACKs received",
};

const IP_EXT: Phrases = {
  InNoRoutes: "!# packets received without a route",
  InTruncatedPkts: "!# truncated packets received",
  InMcastPkts: "# multicast packets received",
  OutMcastPkts: "# multicast packets sent",
  InBcastPkts: "# broadcast packets received",
  OutBcastPkts: "# broadcast packets sent",
  InOctets: "# bytes received",
  OutOctets: "# bytes sent",
  InCsumErrors: "!# packets with bad checksums received",
};

const PHRASES: Record<string, Phrases> = {
  Ip: IP,
  Ip6: IP,
  Icmp: ICMP,
  Icmp6: ICMP,
  Tcp: TCP,
  Udp: UDP,
  Udp6: UDP,
  UdpLite: UDP,
  UdpLite6: UDP,
  TcpExt: TCP_EXT,
  IpExt: IP_EXT,
};

/** The kernel's group order (netstat -s), IPv4 before IPv6; other groups follow by name. */
const GROUP_ORDER = [
  "Ip",
  "Icmp",
  "IcmpMsg",
  "Tcp",
  "Udp",
  "UdpLite",
  "TcpExt",
  "IpExt",
  "MPTcpExt",
  "Ip6",
  "Icmp6",
  "Udp6",
  "UdpLite6",
  "Sockstat",
  "Sockstat6",
];

const TCP_GROUPS = ["Tcp", "TcpExt", "MPTcpExt"];
const UDP_GROUPS = ["Udp", "UdpLite", "Udp6", "UdpLite6"];

/** Which groups to show: `tcp` keeps the TCP groups, `udp` the UDP ones; neither or both: all. */
export interface StatsFilter {
  tcp?: boolean | undefined;
  udp?: boolean | undefined;
}

/** Selects and orders the counter groups a statistics view shows. */
export function selectCounterGroups(counters: Counters, filter: StatsFilter = {}): Counters {
  const only = filter.tcp === filter.udp
    ? undefined
    : new Set(filter.tcp ? TCP_GROUPS : UDP_GROUPS);
  const rank = (g: string) => {
    const i = GROUP_ORDER.indexOf(g);
    return i < 0 ? GROUP_ORDER.length : i;
  };
  const names = Object.keys(counters)
    .filter((g) => !only || only.has(g))
    .sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const out: Counters = dict();
  for (const g of names) out[g] = counters[g]!;
  return out;
}

/** Builds the plain-word statistics of the selected groups. */
export function protocolStatistics(counters: Counters, filter: StatsFilter = {}): StatGroup[] {
  const selected = selectCounterGroups(counters, filter);
  return Object.entries(selected).map(([group, values]) => {
    // Group and counter names are input text: look up own entries only ("toString" is a name).
    const phrases = own(PHRASES, group) ?? {};
    const lines: StatLine[] = [];
    for (const [name, phrase] of Object.entries(phrases)) {
      const value = own(values, name);
      if (value === undefined) continue;
      const notable = phrase.startsWith("!");
      let text = phrase.replace(/^!/, "").replace("#", value.toString());
      if (group === "Tcp" && name === "RetransSegs") {
        const sent = own(values, "OutSegs");
        if (sent !== undefined && sent > 0n) {
          text += ` (${formatPercent(value, sent)} of segments sent)`;
        }
      }
      lines.push({ text, name, value, notable });
    }
    for (const [name, value] of Object.entries(values)) {
      if (Object.hasOwn(phrases, name)) continue;
      lines.push({ text: `${name}: ${value}`, name, value, notable: false });
    }
    return { group, lines };
  });
}

/**
 * The names of nsnap/v1 and the order of its record fields, as plain data: what a capture needs
 * to normalise and write a snapshot, without building the zod schema (which costs a compiled
 * binary more start-up time than a whole idle capture). `schema.ts` defines the records with
 * these names in this order; tests/snapshot/schema_test.ts holds the two together.
 */

/** The schema identifier every snapshot carries. */
export const SCHEMA_ID = "nsnap/v1";

/** Smallest counter value accepted: -2^63, the floor of the kernel's signed 64-bit values. */
export const COUNTER_MIN = -(2n ** 63n);
/** Largest counter value accepted: 2^64-1, the ceiling of the kernel's unsigned 64-bit counters. */
export const COUNTER_MAX = 2n ** 64n - 1n;

/** The sections every snapshot reports a status for, in document order. */
export const SECTION_NAMES = [
  "connections",
  "processes",
  "routes",
  "interfaces",
  "counters",
] as const;
export type SectionName = typeof SECTION_NAMES[number];

/**
 * Sections added within v1: absent from snapshots written before them, from platforms that
 * cannot read them (macOS) and from imports no file speaks about. Absent is not empty: a diff
 * compares a section only when both snapshots have it.
 */
export const OPTIONAL_SECTION_NAMES = [
  "rules",
  "neighbours",
  "settings",
  "qdiscs",
  "firewall",
] as const;
export type OptionalSectionName = typeof OPTIONAL_SECTION_NAMES[number];

/** Any section of a snapshot. */
export type AnySectionName = SectionName | OptionalSectionName;

/** The kinds of network namespace, after what names it (precedence: src/net/namespaces.ts). */
export const NAMESPACE_KINDS = [
  "host",
  "pod",
  "docker",
  "podman",
  "container",
  "netns",
  "unknown",
] as const;

/** What a routing rule does with a packet it matches. */
export const RULE_ACTIONS = [
  "lookup",
  "goto",
  "nop",
  "blackhole",
  "unreachable",
  "prohibit",
] as const;

/** A qdisc's counters (`tc -s qdisc`), and its gauges (what is queued now). */
export const QDISC_COUNTER_NAMES = ["bytes", "packets", "drops", "overlimits", "requeues"] as const;
export const QDISC_GAUGE_NAMES = ["backlog", "qlen"] as const;
export type QdiscCounterName = typeof QDISC_COUNTER_NAMES[number];
export type QdiscGaugeName = typeof QDISC_GAUGE_NAMES[number];

/** The /proc/net/dev columns, in kernel order. */
export const INTERFACE_STAT_NAMES = [
  "rxBytes",
  "rxPackets",
  "rxErrors",
  "rxDropped",
  "rxFifo",
  "rxFrame",
  "rxCompressed",
  "rxMulticast",
  "txBytes",
  "txPackets",
  "txErrors",
  "txDropped",
  "txFifo",
  "txCollisions",
  "txCarrier",
  "txCompressed",
] as const;
export type InterfaceStatName = typeof INTERFACE_STAT_NAMES[number];

/** How a tcp_info field is written: an integer, a 64-bit counter (number or decimal string), a flag or a word. */
export type TcpInfoFieldKind = "uint" | "counter" | "bool" | "string";

/**
 * The summary every snapshot keeps per TCP connection (`connections[].tcpInfo`), µs for times:
 * smoothed RTT, its variation, segments retransmitted and not yet acknowledged, retransmitted
 * over the connection's life, and considered lost now.
 */
export const TCP_INFO_SUMMARY = ["rtt", "rttvar", "retrans", "totalRetrans", "lost"] as const;

/**
 * Every field `capture --tcp-info` keeps, in the order it writes them: the summary first, then
 * `struct tcp_info` (linux/tcp.h) in the kernel's order, then the congestion control algorithm.
 * Units are the kernel's (src/parse/netlink/tcp_info.ts documents each field).
 */
export const TCP_INFO_FIELDS = [
  ["rtt", "uint"],
  ["rttvar", "uint"],
  ["retrans", "uint"],
  ["totalRetrans", "uint"],
  ["lost", "uint"],
  ["caState", "uint"],
  ["retransmits", "uint"],
  ["probes", "uint"],
  ["backoff", "uint"],
  ["options", "uint"],
  ["sndWscale", "uint"],
  ["rcvWscale", "uint"],
  ["deliveryRateAppLimited", "bool"],
  ["fastopenClientFail", "uint"],
  ["rto", "uint"],
  ["ato", "uint"],
  ["sndMss", "uint"],
  ["rcvMss", "uint"],
  ["unacked", "uint"],
  ["sacked", "uint"],
  ["fackets", "uint"],
  ["lastDataSent", "uint"],
  ["lastAckSent", "uint"],
  ["lastDataRecv", "uint"],
  ["lastAckRecv", "uint"],
  ["pmtu", "uint"],
  ["rcvSsthresh", "uint"],
  ["sndSsthresh", "uint"],
  ["sndCwnd", "uint"],
  ["advmss", "uint"],
  ["reordering", "uint"],
  ["rcvRtt", "uint"],
  ["rcvSpace", "uint"],
  ["pacingRate", "counter"],
  ["maxPacingRate", "counter"],
  ["bytesAcked", "counter"],
  ["bytesReceived", "counter"],
  ["segsOut", "uint"],
  ["segsIn", "uint"],
  ["notsentBytes", "uint"],
  ["minRtt", "uint"],
  ["dataSegsIn", "uint"],
  ["dataSegsOut", "uint"],
  ["deliveryRate", "counter"],
  ["busyTime", "counter"],
  ["rwndLimited", "counter"],
  ["sndbufLimited", "counter"],
  ["delivered", "uint"],
  ["deliveredCe", "uint"],
  ["bytesSent", "counter"],
  ["bytesRetrans", "counter"],
  ["dsackDups", "uint"],
  ["reordSeen", "uint"],
  ["rcvOoopack", "uint"],
  ["sndWnd", "uint"],
  ["rcvWnd", "uint"],
  ["rehash", "uint"],
  ["totalRto", "uint"],
  ["totalRtoRecoveries", "uint"],
  ["totalRtoTime", "uint"],
  ["receivedCe", "uint"],
  ["deliveredE1Bytes", "uint"],
  ["deliveredE0Bytes", "uint"],
  ["deliveredCeBytes", "uint"],
  ["receivedE1Bytes", "uint"],
  ["receivedE0Bytes", "uint"],
  ["receivedCeBytes", "uint"],
  ["accecnFailMode", "uint"],
  ["accecnOptSeen", "uint"],
  ["congestion", "string"],
] as const satisfies ReadonlyArray<readonly [string, TcpInfoFieldKind]>;

/** The names of the summary fields. */
export type TcpInfoSummaryName = typeof TCP_INFO_SUMMARY[number];

/** The field order of each record (the schema's, which the writer follows). */
export const FIELDS = {
  connection: [
    "protocol",
    "family",
    "localAddress",
    "localPort",
    "remoteAddress",
    "remotePort",
    "state",
    "recvQ",
    "sendQ",
    "uid",
    "inode",
    "pid",
    "pids",
    "interface",
    "v6only",
    "backlog",
    "timer",
    "mark",
    "cgroupId",
    "tcpInfo",
    "namespace",
    "exposure",
  ],
  exposure: ["kind", "summary", "published", "container"],
  publishedPort: ["hostAddress", "hostPort", "via"],
  timer: ["name", "expiresMs", "retrans"],
  unixSocket: [
    "type",
    "state",
    "path",
    "abstract",
    "recvQ",
    "sendQ",
    "backlog",
    "uid",
    "inode",
    "peerInode",
    "pid",
    "pids",
    "namespace",
  ],
  rawSocket: [
    "family",
    "ipProtocol",
    "localAddress",
    "remoteAddress",
    "state",
    "recvQ",
    "sendQ",
    "uid",
    "inode",
    "interface",
    "v6only",
    "pid",
    "pids",
    "namespace",
  ],
  packetSocket: [
    "type",
    "protocol",
    "interface",
    "recvQ",
    "uid",
    "inode",
    "pid",
    "pids",
    "namespace",
  ],
  process: ["pid", "ppid", "name", "exe", "invokedAs", "user", "uid", "startTime", "cmdline"],
  nexthop: ["gateway", "interface", "weight"],
  route: [
    "family",
    "table",
    "type",
    "destination",
    "gateway",
    "interface",
    "metric",
    "protocol",
    "scope",
    "source",
    "flags",
    "nexthops",
    "mtu",
    "advmss",
    "hoplimit",
    "initcwnd",
    "initrwnd",
    "rtt",
    "rttvar",
    "ssthresh",
    "cwnd",
    "window",
    "reordering",
    "quickack",
    "congestion",
    "features",
    "rtoMin",
    "pref",
    "expires",
    "realms",
    "namespace",
  ],
  interfaceAddress: ["family", "address", "prefixLength", "scope", "broadcast"],
  netInterface: [
    "name",
    "index",
    "mac",
    "mtu",
    "flags",
    "operState",
    "speedMbps",
    "addresses",
    "stats",
    "namespace",
  ],
  rule: [
    "family",
    "priority",
    "not",
    "from",
    "to",
    "iif",
    "oif",
    "fwmark",
    "fwmask",
    "uidRange",
    "ipProto",
    "sport",
    "dport",
    "tos",
    "action",
    "table",
    "l3mdev",
    "goto",
    "suppressPrefixLength",
    "suppressIfgroup",
    "realms",
    "namespace",
  ],
  neighbour: ["family", "address", "interface", "mac", "state", "router", "proxy", "namespace"],
  qdisc: ["interface", "kind", "handle", "parent", "options", "stats", "namespace"],
  firewallTable: ["syntax", "family", "name", "chains"],
  firewallChain: ["name", "type", "hook", "priority", "policy", "device", "rules"],
  firewallRule: ["text", "handle", "counters"],
  namespace: [
    "id",
    "inode",
    "kind",
    "own",
    "name",
    "files",
    "labels",
    "containers",
    "processes",
    "pids",
    "sections",
    "counters",
    "settings",
    "firewall",
  ],
  namespaceContainer: [
    "runtime",
    "id",
    "name",
    "image",
    "pod",
    "podNamespace",
    "podUid",
    "compose",
    "networkMode",
    "ports",
    "addresses",
    "labels",
    "pid",
    "pids",
  ],
  portBinding: ["protocol", "containerPort", "hostAddress", "hostPort"],
  namespaceSection: ["status", "source", "warnings", "error"],
  forward: [
    "protocol",
    "hostAddress",
    "hostPort",
    "toAddress",
    "toPort",
    "via",
    "pid",
    "rule",
    "namespace",
  ],
  sectionStatus: ["status", "warnings", "error", "source"],
  meta: [
    "capturedAt",
    "durationMs",
    "host",
    "netns",
    "tool",
    "privileges",
    "labels",
    "source",
    "capture",
    "redacted",
    "periodic",
    "compact",
    "namespaces",
    "sections",
  ],
  host: ["hostname", "machineId", "os", "kernel", "arch", "bootTime"],
  netns: ["inode", "name", "id"],
  tool: ["name", "version", "runtime"],
  privileges: ["uid", "root"],
  metaSource: ["kind", "formats", "files"],
  capture: ["tcpInfo", "unixSockets", "socketLists"],
  metaNamespaces: ["status", "warnings", "error", "captured", "unreadable"],
  snapshot: [
    "schema",
    "meta",
    "connections",
    "unixSockets",
    "rawSockets",
    "packetSockets",
    "processes",
    "routes",
    "interfaces",
    "counters",
    "rules",
    "neighbours",
    "settings",
    "qdiscs",
    "firewall",
    "namespaces",
    "forwards",
  ],
} as const satisfies Record<string, readonly string[]>;

/**
 * The `nsnap/v1` snapshot schema, defined once: the TypeScript types, the loader's validation and
 * the published JSON Schema (`nsnap schema`) all come from these definitions.
 *
 * Counters are `bigint` in memory. On disk a counter is a JSON number while it is a safe integer
 * (|v| ≤ 2^53-1) and a decimal string beyond that; readers accept both.
 */
import { z } from "zod";
import {
  COUNTER_MAX,
  COUNTER_MIN,
  INTERFACE_STAT_NAMES,
  type InterfaceStatName,
  SCHEMA_ID,
  TCP_INFO_FIELDS,
  TCP_INFO_SUMMARY,
  type TcpInfoFieldKind,
  type TcpInfoSummaryName,
} from "./fields.ts";

export {
  COUNTER_MAX,
  COUNTER_MIN,
  INTERFACE_STAT_NAMES,
  OPTIONAL_SECTION_NAMES,
  SCHEMA_ID,
  SECTION_NAMES,
} from "./fields.ts";
export type { InterfaceStatName, OptionalSectionName, SectionName } from "./fields.ts";

/**
 * A lossless integer counter: a safe JSON integer or a decimal string, held as `bigint`, from
 * -2^63 (settings such as `Tcp.MaxConn` are signed: -1 means "no limit") to 2^64-1.
 */
export const CounterValue = z
  .union([z.int(), z.string().regex(/^-?[0-9]{1,20}$/, "expected a decimal integer string")])
  .transform((v) => BigInt(v))
  .pipe(z.bigint().min(COUNTER_MIN).max(COUNTER_MAX))
  .meta({
    description:
      "Integer counter from -2^63 to 2^64-1: a JSON number up to 2^53-1, a decimal string above that.",
  });

const uint = () => z.int().nonnegative();
const port = () => z.int().min(0).max(65535);

export const Protocol = z.enum(["tcp", "udp"]);

/** A socket's pending timer, as `ss -o` shows it: timer:(name,expires,retrans). */
export const SocketTimer = z.object({
  name: z.string().meta({
    description: "on (retransmit), keepalive, timewait, persist (zero-window probe), delack.",
  }),
  expiresMs: uint().meta({ description: "Time until it fires, ms (0 when due)." }),
  retrans: uint().meta({ description: "Retransmissions or probes sent so far." }),
});

/** The zod type of a tcp_info field of each kind. */
type TcpInfoZod<K extends TcpInfoFieldKind> = K extends "counter" ? typeof CounterValue
  : K extends "bool" ? z.ZodBoolean
  : K extends "string" ? z.ZodString
  : ReturnType<typeof uint>;
type TcpInfoEntry = typeof TCP_INFO_FIELDS[number];
type TcpInfoShape = {
  [E in TcpInfoEntry as E[0]]: E[0] extends TcpInfoSummaryName ? TcpInfoZod<E[1]>
    : z.ZodOptional<TcpInfoZod<E[1]>>;
};

function tcpInfoField(kind: TcpInfoFieldKind): z.ZodType {
  return kind === "counter"
    ? CounterValue
    : kind === "bool"
    ? z.boolean()
    : kind === "string"
    ? z.string()
    : uint();
}

const SUMMARY_NAMES: ReadonlySet<string> = new Set(TCP_INFO_SUMMARY);

/**
 * A TCP session's tcp_info (linux/tcp.h), times in µs: the five summary fields in every
 * snapshot, the others with `capture --tcp-info` (units as src/parse/netlink/tcp_info.ts lists).
 */
export const TcpInfo = z.object(
  Object.fromEntries(
    TCP_INFO_FIELDS.map(([name, kind]) => {
      const field = tcpInfoField(kind);
      return [name, SUMMARY_NAMES.has(name) ? field : field.optional()];
    }),
  ) as unknown as TcpInfoShape,
).meta({
  description: "rtt, rttvar (µs), retrans, totalRetrans and lost always; the rest of " +
    "struct tcp_info and congestion with capture --tcp-info.",
});
export const Family = z.enum(["inet", "inet6"]);

export const Connection = z.object({
  protocol: Protocol,
  family: Family,
  localAddress: z.string(),
  localPort: port(),
  remoteAddress: z.string(),
  remotePort: port(),
  state: z.string(),
  recvQ: uint(),
  sendQ: uint(),
  uid: uint().optional().meta({ description: "Absent where the source does not show it (macOS)." }),
  inode: uint().optional().meta({ description: "Absent where the source does not show it." }),
  pid: uint().optional().meta({ description: "The holder whose parent does not also hold it." }),
  pids: z.array(uint()).optional().meta({ description: "Every process holding the socket." }),
  interface: z.string().optional().meta({
    description: "The device the socket is bound to (SO_BINDTODEVICE), or the scope of an IPv6 " +
      "link-local address (fe80::1%eth0); the kernel keeps both in one field. Netlink only.",
  }),
  v6only: z.boolean().optional().meta({
    description: "IPv6 sockets: true with IPV6_V6ONLY (IPv6 only), false for a dual-stack " +
      "socket, which [::] makes reachable over IPv4 too. Netlink only.",
  }),
  backlog: uint().optional().meta({
    description: "TCP LISTEN: the accept queue's limit (recvQ is the queue now, sendQ 0, as " +
      "/proc shows them). Netlink only.",
  }),
  timer: SocketTimer.optional().meta({
    description: "The pending timer (ss -o); absent when none.",
  }),
  mark: uint().optional().meta({
    description: "SO_MARK, when not 0 (the kernel shows it to CAP_NET_ADMIN only).",
  }),
  cgroupId: uint().optional().meta({
    description: "cgroup v2 id of the socket's creator (ss --cgroup). Netlink only.",
  }),
  tcpInfo: TcpInfo.optional().meta({
    description: "TCP sessions (not LISTEN, TIME_WAIT or SYN_RECV): the tcp_info summary by " +
      "default, every field with capture --tcp-info. Netlink only.",
  }),
});

/** A UNIX socket (`ss -x`). */
export const UnixSocket = z.object({
  type: z.string().meta({ description: "stream, dgram, seqpacket (or type_N)." }),
  state: z.string().meta({
    description: "LISTEN, ESTABLISHED (connected), UNCONN (unconnected), SYN_SENT, …",
  }),
  path: z.string().optional().meta({
    description: "The bound name: a file path, or @name for an abstract one (every NUL as @); " +
      "absent when unbound.",
  }),
  abstract: z.literal(true).optional().meta({ description: "An abstract name (no file)." }),
  recvQ: uint().optional().meta({
    description: "Queued to read; LISTEN: connections waiting to be accepted. Netlink only.",
  }),
  sendQ: uint().optional().meta({ description: "Queued to send (0 for LISTEN). Netlink only." }),
  backlog: uint().optional().meta({
    description: "LISTEN: the accept queue's limit. Netlink only.",
  }),
  uid: uint().optional().meta({ description: "Owner uid. Netlink only." }),
  inode: uint(),
  peerInode: uint().optional().meta({
    description: "Inode of the connected peer socket. Netlink only.",
  }),
  pid: uint().optional(),
  pids: z.array(uint()).optional(),
});

/** A raw IP socket (`ss -w`: ping, routing daemons, anything sending its own IP packets). */
export const RawSocket = z.object({
  family: Family,
  ipProtocol: z.int().min(0).max(255).meta({
    description: "The IP protocol it was opened for: 1 ICMP, 58 ICMPv6, 255 any (IPPROTO_RAW), …",
  }),
  localAddress: z.string(),
  remoteAddress: z.string(),
  state: z.string().meta({ description: "UNCONN, or ESTABLISHED after connect()." }),
  recvQ: uint(),
  sendQ: uint(),
  uid: uint().optional(),
  inode: uint().optional(),
  interface: z.string().optional().meta({ description: "Bound device. Netlink only." }),
  v6only: z.boolean().optional().meta({ description: "IPv6 sockets: IPV6_V6ONLY. Netlink only." }),
  pid: uint().optional(),
  pids: z.array(uint()).optional(),
});

/** A packet socket (`ss -0`: tcpdump, DHCP clients, anything reading or writing whole frames). */
export const PacketSocket = z.object({
  type: z.string().meta({
    description: "raw (frames with their link-layer header) or dgram (cooked).",
  }),
  protocol: z.int().min(0).max(65535).meta({
    description: "Ethernet protocol it receives (ETH_P_*): 3 every protocol, 2048 IPv4, 2054 " +
      "ARP, 34525 IPv6, 0 none until bound.",
  }),
  interface: z.string().optional().meta({ description: "Bound device; absent for every device." }),
  recvQ: uint().optional().meta({ description: "Bytes waiting to be read." }),
  uid: uint().optional(),
  inode: uint(),
  pid: uint().optional(),
  pids: z.array(uint()).optional(),
});

export const ProcessInfo = z.object({
  pid: uint(),
  ppid: uint().optional(),
  name: z.string().meta({
    description: "Process name (comm, at most 15 bytes), or what the source tool calls it.",
  }),
  exe: z.string().optional(),
  invokedAs: z.string().optional().meta({
    description: "The name argv[0] gives the program (its file name, a title cut off), or the " +
      "applet of a multi-call binary (busybox httpd: httpd); recorded without --cmdline.",
  }),
  user: z.string().optional(),
  uid: uint().optional(),
  startTime: z.string().optional().meta({
    description: "ISO 8601 UTC; pid + startTime identify a process.",
  }),
  cmdline: z.array(z.string()).optional().meta({
    description: "Only with --cmdline; secrets masked.",
  }),
});

export const Nexthop = z.object({
  gateway: z.string().optional(),
  interface: z.string().optional(),
  weight: uint().optional(),
});

export const Route = z.object({
  family: Family,
  table: uint().meta({ description: "Kernel table id; 254 is main, 255 local." }),
  type: z.string(),
  destination: z.string().meta({ description: "CIDR" }),
  gateway: z.string().optional(),
  interface: z.string().optional(),
  metric: uint(),
  protocol: z.string().optional(),
  scope: z.string().optional(),
  source: z.string().optional(),
  flags: z.array(z.string()).optional(),
  nexthops: z.array(Nexthop).optional(),
});

export const InterfaceStats = z.object(
  Object.fromEntries(INTERFACE_STAT_NAMES.map((n) => [n, CounterValue.optional()])) as {
    [K in InterfaceStatName]: z.ZodOptional<typeof CounterValue>;
  },
);

export const InterfaceAddress = z.object({
  family: Family,
  address: z.string(),
  prefixLength: z.int().min(0).max(128),
  scope: z.string().optional(),
  broadcast: z.string().optional(),
});

export const NetInterface = z.object({
  name: z.string(),
  index: uint().optional(),
  mac: z.string().optional(),
  mtu: uint().optional(),
  flags: z.array(z.string()),
  operState: z.string().optional(),
  speedMbps: z.int().optional(),
  addresses: z.array(InterfaceAddress),
  stats: InterfaceStats.optional(),
});

export const Counters = z.record(z.string(), z.record(z.string(), CounterValue));

/**
 * Kernel settings that change network behaviour, keyed by sysctl name (`net.ipv4.ip_forward`),
 * each value as /proc/sys has it with its whitespace made one space ("32768 60999").
 */
export const Settings = z.record(z.string(), z.string()).meta({
  description: "Kernel settings by sysctl name; values as text, whitespace made one space.",
});

export const SectionStatus = z.object({
  status: z.enum(["ok", "partial", "error"]),
  warnings: z.array(z.string()).optional(),
  error: z.string().optional(),
  source: z.string().optional().meta({
    description: "What a capture read the section from: netlink, proc, sysfs, ip -j, or " +
      "'+'-joined (netlink+proc: raw sockets from /proc where the kernel lacks raw_diag); " +
      "macOS names its tools; imports leave it out (meta.source names their files).",
  }),
});

export const Meta = z.object({
  capturedAt: z.string().meta({ description: "ISO 8601 UTC with milliseconds" }),
  durationMs: z.number().nonnegative(),
  host: z.object({
    hostname: z.string(),
    machineId: z.string().optional().meta({
      description: "The host's unique id: /etc/machine-id on Linux (32 hex digits), the " +
        "IOPlatformUUID on macOS; absent when unreadable. Pairs a fleet's snapshots.",
    }),
    os: z.string(),
    kernel: z.string().optional(),
    arch: z.string().optional(),
    bootTime: z.string().optional(),
  }),
  netns: z.object({ inode: uint().optional(), name: z.string().optional() }).optional(),
  tool: z.object({ name: z.string(), version: z.string(), runtime: z.string() }),
  privileges: z.object({ uid: z.int().optional(), root: z.boolean() }),
  labels: z.record(z.string(), z.string()),
  source: z.object({
    kind: z.enum(["capture", "import"]),
    formats: z.array(z.string()).optional(),
    files: z.array(z.string()).optional(),
  }).optional(),
  capture: z.object({
    tcpInfo: z.enum(["off", "summary", "full"]).meta({
      description: "What connections[].tcpInfo holds: nothing (off: not asked, or no netlink), " +
        "the summary, or every field (--tcp-info).",
    }),
    unixSockets: z.enum(["listeners", "all"]).meta({
      description: "Which UNIX sockets unixSockets lists: listeners (LISTEN, and bound " +
        "unconnected datagram sockets) by default, all with --all-unix.",
    }),
  }).optional(),
  redacted: z.boolean().optional(),
  sections: z.object({
    connections: SectionStatus,
    processes: SectionStatus,
    routes: SectionStatus,
    interfaces: SectionStatus,
    counters: SectionStatus,
    settings: SectionStatus.optional(),
  }),
});

export const Snapshot = z.object({
  schema: z.literal(SCHEMA_ID),
  meta: Meta,
  connections: z.array(Connection),
  unixSockets: z.array(UnixSocket).optional().meta({
    description: "Linux captures; absent where not captured (macOS, imports, older snapshots).",
  }),
  rawSockets: z.array(RawSocket).optional().meta({ description: "As unixSockets." }),
  packetSockets: z.array(PacketSocket).optional().meta({ description: "As unixSockets." }),
  processes: z.record(z.string().regex(/^[0-9]+$/), ProcessInfo),
  routes: z.array(Route),
  interfaces: z.array(NetInterface),
  counters: Counters,
  settings: Settings.optional(),
});

/**
 * The JSON Schema (draft 2020-12) of a document nsnap writes, in its on-disk form (integers as
 * number|string), under its published id and title.
 */
export function publishedJsonSchema(
  schema: z.ZodType,
  id: string,
  title: string,
): Record<string, unknown> {
  const s = z.toJSONSchema(schema, { io: "input", target: "draft-2020-12" }) as Record<
    string,
    unknown
  >;
  return { $schema: s.$schema, $id: id, title, ...s };
}

/** Produces the published JSON Schema of `nsnap/v1` (the on-disk form, counters as number|string). */
export function snapshotJsonSchema(): Record<string, unknown> {
  return publishedJsonSchema(Snapshot, "urn:nsnap:schema:nsnap-v1", "nsnap snapshot (nsnap/v1)");
}

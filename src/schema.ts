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
  NAMESPACE_KINDS,
  SCHEMA_ID,
  TCP_INFO_FIELDS,
  TCP_INFO_SUMMARY,
  type TcpInfoFieldKind,
  type TcpInfoSummaryName,
} from "./fields.ts";

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

/**
 * The network namespace a record belongs to: the `id` of one of `namespaces[]`. Absent on the
 * records of the snapshot's own namespace (meta.netns) — every record of a single-namespace
 * snapshot, and the host's records of a capture across namespaces.
 */
const namespaceRef = () =>
  z.string().optional().meta({
    description:
      "The namespaces[].id this record belongs to; absent: the snapshot's own namespace.",
  });
export const Family = z.enum(["inet", "inet6"]);

/** A host address and port that leads to a listener in another network namespace. */
export const PublishedPort = z.object({
  hostAddress: z.string().meta({
    description: "The host's address: 0.0.0.0 or :: for every address of that family.",
  }),
  hostPort: port(),
  via: z.array(z.enum(["docker", "docker-proxy", "dnat"])).meta({
    description: "What says so: the runtime's port bindings (docker), a docker-proxy listener " +
      "on the host, a DNAT rule of the host's firewall.",
  }),
});

/** Who can reach a listener of another namespace (the rules: src/net/namespace_exposure.ts). */
export const NamespaceExposure = z.object({
  kind: z.enum(["published", "host-network", "internal"]).meta({
    description: "published: a host address and port lead to it; host-network: a container " +
      "sharing the host's namespace (the host's exposure applies); internal: nothing on the " +
      "host leads to it.",
  }),
  summary: z.string().meta({ description: "One line for people." }),
  published: z.array(PublishedPort).optional(),
  container: z.string().optional().meta({
    description: "host-network: the name of the container that holds the socket.",
  }),
});

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
  namespace: namespaceRef(),
  exposure: NamespaceExposure.optional().meta({
    description: "Listeners of a capture across namespaces: who can reach it from the host.",
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
  namespace: namespaceRef(),
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
  namespace: namespaceRef(),
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
  namespace: namespaceRef(),
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
  flags: z.array(z.string()).optional().meta({
    description: "Next-hop flags as ip prints them: onlink, linkdown, dead, pervasive …",
  }),
  nexthops: z.array(Nexthop).optional(),
  mtu: uint().optional().meta({ description: "Path MTU for this route (ip route … mtu N)." }),
  advmss: uint().optional().meta({ description: "MSS advertised on connections over it." }),
  hoplimit: uint().optional().meta({ description: "TTL / hop limit of packets sent over it." }),
  initcwnd: uint().optional().meta({ description: "Initial congestion window (segments)." }),
  initrwnd: uint().optional().meta({ description: "Initial receive window (segments)." }),
  rtt: z.number().nonnegative().optional().meta({ description: "Initial RTT estimate, ms." }),
  rttvar: z.number().nonnegative().optional().meta({
    description: "Initial RTT variance estimate, ms.",
  }),
  ssthresh: uint().optional().meta({ description: "Initial slow-start threshold." }),
  cwnd: uint().optional().meta({ description: "Clamp of the congestion window." }),
  window: uint().optional().meta({ description: "Clamp of the advertised window (bytes)." }),
  reordering: uint().optional().meta({ description: "Maximal reordering (packets)." }),
  quickack: uint().optional().meta({ description: "Quick ACK mode (1 on)." }),
  congestion: z.string().optional().meta({
    description: "Congestion control algorithm for connections over it (congctl).",
  }),
  features: z.array(z.string()).optional().meta({ description: 'Route features: "ecn".' }),
  rtoMin: z.number().nonnegative().optional().meta({
    description: "Lower bound of the retransmission timeout, ms (rto_min).",
  }),
  pref: z.string().optional().meta({
    description: "IPv6 router preference: low, medium or high.",
  }),
  expires: uint().optional().meta({
    description: "Seconds until the route expires (RA and cached routes). A timer: it counts " +
      "down between captures, so a diff does not compare it.",
  }),
  realms: z.string().optional().meta({
    description: 'Routing realms as ip prints them: "TO" or "FROM/TO".',
  }),
  namespace: namespaceRef(),
});

/** A port or number range as ip rule prints it (`80-90`, or a single value: start = end). */
export const NumberRange = z.object({ start: uint(), end: uint() }).meta({ id: "NumberRange" });

export const Rule = z.object({
  family: Family,
  priority: uint().meta({ description: "ip rule's pref: lower numbers are tried first." }),
  not: z.literal(true).optional().meta({
    description: "The selectors are inverted: the rule matches what they do not.",
  }),
  from: z.string().optional().meta({ description: "Source CIDR; absent: all." }),
  to: z.string().optional().meta({ description: "Destination CIDR; absent: all." }),
  iif: z.string().optional().meta({ description: "Incoming interface (lo: from this host)." }),
  oif: z.string().optional().meta({ description: "Outgoing interface (sockets bound to it)." }),
  fwmark: uint().optional().meta({ description: "Firewall mark the packet must carry." }),
  fwmask: uint().optional().meta({
    description: "Bits of fwmark compared; absent: all of them (0xffffffff).",
  }),
  uidRange: NumberRange.optional().meta({ description: "Uids of the sending socket." }),
  ipProto: z.string().optional().meta({ description: 'IP protocol: "tcp", "udp", or a number.' }),
  sport: NumberRange.optional(),
  dport: NumberRange.optional(),
  tos: z.string().optional().meta({ description: 'Type of service as ip prints it: "0x10".' }),
  action: z.string().meta({
    description: "lookup, goto, nop, blackhole, unreachable or prohibit.",
  }),
  table: uint().optional().meta({ description: "The table a lookup rule consults." }),
  l3mdev: z.literal(true).optional().meta({
    description: "Lookup in the table of the packet's L3 master device (VRF).",
  }),
  goto: uint().optional().meta({ description: "The priority a goto rule jumps to." }),
  suppressPrefixLength: z.int().optional().meta({
    description: "A lookup's answer is refused when its prefix is this long or shorter.",
  }),
  suppressIfgroup: z.int().optional().meta({
    description: "A lookup's answer is refused when its device is in this group.",
  }),
  realms: z.string().optional().meta({ description: 'Realms set on a match: "TO" or "FROM/TO".' }),
  namespace: namespaceRef(),
});

export const Neighbour = z.object({
  family: Family,
  address: z.string().meta({ description: "IPv4 (ARP) or IPv6 (NDP) address, canonical." }),
  interface: z.string(),
  mac: z.string().optional().meta({
    description: "Link-layer address, lower case; absent while unresolved (INCOMPLETE, " +
      "FAILED) and for proxy entries.",
  }),
  state: z.string().optional().meta({
    description: "NUD state as ip neigh prints it: REACHABLE, STALE, DELAY, PROBE, FAILED, " +
      "INCOMPLETE, PERMANENT, NOARP, NONE (several separated by a space); absent for proxy " +
      "entries.",
  }),
  router: z.literal(true).optional().meta({ description: "The neighbour is an IPv6 router." }),
  proxy: z.literal(true).optional().meta({
    description: "A proxy entry (ip neigh add proxy): this host answers for the address.",
  }),
  namespace: namespaceRef(),
});

export const Settings = z.record(z.string(), z.string()).meta({
  description: "Kernel settings that change network behaviour, by sysctl name in dotted form " +
    "(net.ipv4.ip_forward, net.ipv4.conf.eth0.rp_filter; a dot inside an interface name is " +
    "written as / as sysctl does) → the value as /proc/sys holds it, whitespace collapsed to " +
    "single spaces. The list and the reason for each: src/collect/linux/settings.ts.",
});

/** The counters tc keeps per qdisc (monotonic), then its two gauges. */

export const QdiscStats = z.object({
  bytes: CounterValue.optional(),
  packets: CounterValue.optional(),
  drops: CounterValue.optional(),
  overlimits: CounterValue.optional(),
  requeues: CounterValue.optional(),
  backlog: CounterValue.optional().meta({ description: "Bytes queued now (a gauge)." }),
  qlen: CounterValue.optional().meta({ description: "Packets queued now (a gauge)." }),
}).meta({ id: "QdiscStats" });

export const Qdisc = z.object({
  interface: z.string(),
  kind: z.string().meta({ description: "pfifo_fast, fq_codel, tbf, htb, noqueue, ingress …" }),
  handle: z.string().meta({ description: 'As tc prints it: "8001:", "0:".' }),
  parent: z.string().meta({
    description: '"root", or the parent\'s handle as tc prints it ("1:10", "ffff:fff1").',
  }),
  options: z.string().optional().meta({
    description: 'The options as tc qdisc prints them: "limit 3p", "rate 1Mbit burst 4Kb …".',
  }),
  stats: QdiscStats.optional(),
  namespace: namespaceRef(),
});

export const FirewallRule = z.object({
  text: z.string().meta({
    description: "The rule as nft list ruleset prints it (or iptables-save after -A CHAIN), " +
      "with counter values taken out (`counter` stays) and no handle.",
  }),
  handle: uint().optional().meta({ description: "nft's rule handle (not identity)." }),
  counters: z.object({ packets: CounterValue, bytes: CounterValue }).optional().meta({
    description: "The rule's counter (nft counter, iptables-save -c), kept apart from the text.",
  }),
});

export const FirewallChain = z.object({
  name: z.string(),
  type: z.string().optional().meta({ description: "filter, nat or route (base chains)." }),
  hook: z.string().optional().meta({
    description: "prerouting, input, forward, output, postrouting, ingress, egress (base chains).",
  }),
  priority: z.int().optional().meta({
    description: "Base chain priority as a number (filter 0, raw -300, mangle -150, dstnat " +
      "-100, srcnat 100, security 50).",
  }),
  policy: z.string().optional().meta({ description: "accept or drop (base chains)." }),
  device: z.string().optional().meta({ description: "The device of a netdev chain." }),
  rules: z.array(FirewallRule).meta({ description: "In evaluation order." }),
});

export const FirewallTable = z.object({
  syntax: z.enum(["nft", "iptables"]).meta({
    description: "How the rules are written: nft (nft list ruleset) or iptables (iptables-save: " +
      "legacy iptables, or where nft is not installed).",
  }),
  family: z.string().meta({ description: "ip, ip6, inet, arp, bridge or netdev." }),
  name: z.string(),
  chains: z.array(FirewallChain),
});

export const Firewall = z.object({
  tables: z.array(FirewallTable),
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
  namespace: namespaceRef(),
});

export const Counters = z.record(z.string(), z.record(z.string(), CounterValue));

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

/** A port a container runtime publishes on the host (`docker run -p 127.0.0.1:8080:80`). */
export const PortBinding = z.object({
  protocol: z.enum(["tcp", "udp", "sctp"]),
  containerPort: port(),
  hostAddress: z.string().meta({ description: '"" for every address (0.0.0.0 and ::).' }),
  hostPort: port(),
});

/** A container seen in a network namespace, from what the host can read without an API. */
export const NamespaceContainer = z.object({
  runtime: z.string().meta({
    description: "docker, podman, containerd, cri-o, lxc, or kubernetes when only the " +
      "kubelet's layout names it.",
  }),
  id: z.string().meta({ description: "The runtime's container id (64 hex digits)." }),
  name: z.string().optional(),
  image: z.string().optional(),
  pod: z.string().optional(),
  podNamespace: z.string().optional(),
  podUid: z.string().optional(),
  compose: z.object({
    project: z.string(),
    service: z.string(),
    number: uint().optional(),
  }).optional().meta({ description: "From the com.docker.compose.* labels." }),
  networkMode: z.string().optional().meta({
    description: "Docker's network mode: bridge, host, none, container:<id>, a network name.",
  }),
  ports: z.array(PortBinding).optional(),
  addresses: z.array(z.string()).optional().meta({
    description: "Its addresses on the runtime's networks (Docker's NetworkSettings).",
  }),
  labels: z.record(z.string(), z.string()).optional().meta({
    description: "The container's labels (Docker, Podman).",
  }),
  pid: uint().optional().meta({ description: "Its main process, as the host numbers it." }),
  pids: z.array(uint()).optional().meta({
    description: "Its processes in this namespace, as the host numbers them.",
  }),
});

/** The status of one section of one namespace, and what it was read from. */
export const NamespaceSection = z.object({
  status: z.enum(["ok", "partial", "error"]),
  source: z.string().optional(),
  warnings: z.array(z.string()).optional(),
  error: z.string().optional(),
});

/** One network namespace of a capture across namespaces. */
export const Namespace = z.object({
  id: z.string().meta({
    description: "Stable identity, the same across restarts: host, pod:NAMESPACE/POD, " +
      "compose:PROJECT/SERVICE[/N], docker:NAME, podman:NAME, container:RUNTIME/NAME, " +
      "netns:NAME, else inode:N.",
  }),
  inode: uint().optional().meta({
    description: "The namespace's nsfs inode: its identity while it lives (a restart changes it).",
  }),
  kind: z.enum(NAMESPACE_KINDS),
  own: z.literal(true).optional().meta({
    description: "The namespace nsnap ran in: its records carry no `namespace` field.",
  }),
  name: z.string().optional().meta({ description: "Its `ip netns` name (/run/netns/NAME)." }),
  files: z.array(z.string()).optional().meta({
    description: "Files that hold it besides processes: /run/netns/NAME, /var/run/docker/netns/ID.",
  }),
  labels: z.record(z.string(), z.string()).meta({
    description: "What names it, for people and globs: container, image, runtime, pod, " +
      "podNamespace, composeProject, composeService, netns.",
  }),
  containers: z.array(NamespaceContainer).optional().meta({
    description: "Every container seen in it: a pod's, several joined to one, the host's " +
      "host-network containers.",
  }),
  processes: uint().meta({ description: "How many processes are in it." }),
  pids: z.array(uint()).meta({ description: "The lowest pids among them (at most 16)." }),
  sections: z.record(z.string(), NamespaceSection).meta({
    description: "Each section read in this namespace: its status and source.",
  }),
  counters: Counters.optional().meta({
    description: "Its protocol counters (the own namespace's are the top-level counters).",
  }),
  settings: Settings.optional().meta({
    description: "Its kernel settings (the own namespace's are the top-level settings).",
  }),
  firewall: Firewall.optional().meta({
    description: "Its packet filter (the own namespace's is the top-level firewall).",
  }),
});

/** A forward on the host to an address inside a namespace: a DNAT rule or a docker-proxy. */
export const Forward = z.object({
  protocol: z.enum(["tcp", "udp", "sctp"]),
  hostAddress: z.string().meta({
    description: "The host address it takes: 0.0.0.0 or :: for every local address.",
  }),
  hostPort: port(),
  toAddress: z.string(),
  toPort: port(),
  via: z.enum(["dnat", "docker-proxy"]),
  pid: uint().optional().meta({ description: "The docker-proxy process." }),
  rule: z.string().optional().meta({
    description: "The DNAT rule as iptables-save or nft prints it.",
  }),
  namespace: z.string().optional().meta({
    description: "The namespaces[].id whose interface has toAddress, when one has it.",
  }),
});

/** Where a capture of a periodic run (`capture --every`, `watch --record`) sits in its run. */
export const Periodic = z.object({
  everyMs: z.int().positive().meta({ description: "The run's interval, in milliseconds." }),
  slot: uint().meta({
    description: "The slot of this capture: it started about runStartedAt + slot × everyMs. " +
      "A gap in the slots of consecutive files is a capture that overran its interval.",
  }),
  runStartedAt: z.string().meta({
    description: "When the run's first capture started (ISO 8601 UTC, ms): names the run.",
  }),
  overrunMs: uint().optional().meta({
    description: "How much longer than its interval this capture took (the next slot's " +
      "start had passed when it was ready to be written); absent when it did not overrun.",
  }),
}).meta({ description: "Set on the captures of a periodic run." });

/** What a compact capture (`capture --every --compact`) holds; the sections it left out. */
export const Compact = z.object({
  base: z.string().meta({
    description: "File name of the run's full capture this one abbreviates (in the same " +
      "folder), for what a compact file leaves out.",
  }),
  sections: z.array(z.string()).meta({
    description: "What this file holds: listeners (connections without sessions, and their " +
      "owners in processes), interfaces, counters, settings, and in a capture across network " +
      "namespaces, namespaces (with forwards). Every other section is left " +
      "out, and marked so in meta.sections (status error, 'not captured: compact mode'); " +
      "a diff never compares what either side left out.",
  }),
}).meta({ description: "Set on a compact capture; absent on a full one." });
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
  netns: z.object({
    inode: uint().optional(),
    name: z.string().optional(),
    id: z.string().optional().meta({
      description: "Its namespaces[].id, in a capture across them.",
    }),
  }).optional(),
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
    socketLists: z.literal("every-namespace").optional().meta({
      description: "A capture across namespaces whose unixSockets, rawSockets and " +
        "packetSockets hold every captured namespace's (each record with its namespace); " +
        "absent: the own namespace's only (nsnap before 0.1.1 read no other).",
    }),
  }).optional(),
  redacted: z.boolean().optional(),
  periodic: Periodic.optional(),
  compact: Compact.optional(),
  namespaces: z.object({
    status: z.enum(["ok", "partial", "error"]),
    warnings: z.array(z.string()).optional(),
    error: z.string().optional(),
    captured: uint().meta({ description: "How many namespaces the snapshot holds." }),
    unreadable: uint().optional().meta({
      description: "Processes whose namespace could not be read (not root).",
    }),
  }).optional().meta({
    description: "The discovery of network namespaces, in a capture across them: what it found " +
      "and what it could not read.",
  }),
  sections: z.object({
    connections: SectionStatus,
    processes: SectionStatus,
    routes: SectionStatus,
    interfaces: SectionStatus,
    counters: SectionStatus,
    rules: SectionStatus.optional(),
    neighbours: SectionStatus.optional(),
    settings: SectionStatus.optional(),
    qdiscs: SectionStatus.optional(),
    firewall: SectionStatus.optional(),
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
  rules: z.array(Rule).optional().meta({
    description: "Policy-routing rules (ip rule) of both families, by family and priority.",
  }),
  neighbours: z.array(Neighbour).optional().meta({
    description: "ARP and NDP entries (ip neigh), proxy entries included.",
  }),
  settings: Settings.optional(),
  qdiscs: z.array(Qdisc).optional().meta({ description: "Queueing disciplines per interface." }),
  firewall: Firewall.optional().meta({
    description: "The packet filter: nftables tables, or iptables-save tables.",
  }),
  namespaces: z.array(Namespace).optional().meta({
    description: "Every network namespace captured (absent: the snapshot is of one namespace).",
  }),
  forwards: z.array(Forward).optional().meta({
    description: "Forwards on the host into namespaces: DNAT rules and docker-proxy listeners.",
  }),
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

/**
 * The `nsnap-diff/v1` document, defined once: the TypeScript types (`types.ts`), the kind
 * vocabulary (`kinds.ts`), reading a document back (`parseDiffDocument`) and the published JSON
 * Schema (`nsnap schema --diff`) all come from these definitions.
 *
 * A change is a union keyed by `kind`. Every kind is one entry of `CHANGES`, made by `change()`:
 * its name, its section, its one-line meaning and the fields it carries beyond the common ones
 * (`kind`, `section`, `summary`, `notable`); `key` is required. To add a kind:
 *   1. add its `change(…)` entry to `CHANGES`, among its section's kinds (a new section also goes
 *      into `DiffSection`, `SOURCE` in mod.ts and `SECTION_TITLES` in render/diff_common.ts);
 *   2. build it in its section's file: the object literal is checked against the entry;
 *   3. give it a row in docs/diff.md and regenerate schema/nsnap-diff-v1.schema.json
 *      (`nsnap schema --diff`); tests/diff/schema_test.ts wants a real document that has it.
 * `--fail-on`, the kind list in `diff --help`, `ALL_KINDS` and `CHANGE_KINDS` follow by themselves;
 * a kind that another kind's `--fail-on` should also catch goes into `GATED_WITH`.
 *
 * Exact integers (counter values, deltas) are `bigint` in memory. On disk they are a JSON number
 * while |v| ≤ 2^53-1 and a decimal string beyond, like snapshot counters; readers accept both.
 * Objects are open (more fields may follow in later versions); the tests hold the definitions
 * to what the engine writes by a round trip that would lose any undeclared field.
 */
import { z } from "zod";
import * as S from "../schema.ts";
import { INTERFACE_STAT_NAMES, type InterfaceStatName, NAMESPACE_KINDS } from "../fields.ts";
import { RULE_ACTION_FIELDS } from "../net/rules.ts";

/** The schema identifier of a diff document. */
export const DIFF_SCHEMA_ID = "nsnap-diff/v1";

/** The sections of a diff, in report order. */
export const DiffSection = z.enum([
  "namespaces",
  "listeners",
  "sessions",
  "sockets",
  "routes",
  "rules",
  "neighbours",
  "interfaces",
  "qdiscs",
  "firewall",
  "settings",
  "counters",
]);

/** An exact integer: a JSON number while safe, a decimal string beyond; `bigint` in memory. */
export const Exact = S.CounterValue.meta({
  id: "Exact",
  description: "Exact integer: a JSON number while |v| ≤ 2^53-1, a decimal string beyond that.",
});

const uint = () => z.int().nonnegative();
const count = () => z.int().positive();

// ---- What the kinds carry -----------------------------------------------------------------

/** A listening address and port: the key of most listener kinds. */
const ListenerKey = z.object({
  protocol: S.Protocol,
  family: S.Family,
  address: z.string(),
  port: S.Connection.shape.localPort,
}).meta({ id: "ListenerKey" });

/** One listening address and port with the process holding it. */
export const ListenerSide = ListenerKey.extend({
  program: z.string().optional().meta({
    description: "Executable name of the master holder (process name without one), when known.",
  }),
  pid: uint().optional(),
  startTime: z.string().optional(),
  exe: z.string().optional(),
  pids: z.array(uint()).optional().meta({
    description: "Every master pid holding a socket on this address (SO_REUSEPORT).",
  }),
  instances: z.int().min(2).optional().meta({
    description: "How many sockets listen on this address (SO_REUSEPORT), when more than one.",
  }),
  firewall: z.enum(["filtered", "open"]).optional().meta({
    description: "What the firewall's input hook does to new connections from other hosts " +
      "(docs/firewall.md); absent where the snapshot has no firewall or the rules were not " +
      "evaluated.",
  }),
  firewallReason: z.string().optional().meta({
    description: "The chain and rule that decided `firewall`.",
  }),
}).meta({ id: "ListenerSide" });

/** One socket (instance) of a listening address, with its owner where known. */
export const InstanceSide = z.object({
  program: z.string().optional(),
  pid: uint().optional(),
  startTime: z.string().optional(),
  exe: z.string().optional(),
  inode: uint().optional(),
}).meta({ id: "InstanceSide" });

/** How the reach of a listener changed: loopback < one address < every address. */
export const Exposure = z.enum(["widened", "narrowed", "moved"]);

/** Sessions grouped by service port and remote address (the default view). */
const InboundGroupKey = z.object({
  direction: z.literal("inbound"),
  protocol: S.Protocol,
  localPort: S.Connection.shape.localPort,
  remoteAddress: z.string(),
});

/** Sessions grouped by remote address and port (the default view). */
const OutboundGroupKey = z.object({
  direction: z.literal("outbound"),
  protocol: S.Protocol,
  remoteAddress: z.string(),
  remotePort: S.Connection.shape.remotePort,
});

/** One 5-tuple (`--detail`). */
const TupleKey = z.object({
  protocol: S.Protocol,
  localAddress: z.string(),
  localPort: S.Connection.shape.localPort,
  remoteAddress: z.string(),
  remotePort: S.Connection.shape.remotePort,
});

const SessionKey = z.union([InboundGroupKey, OutboundGroupKey, TupleKey]).meta({
  id: "SessionKey",
});

/** A group's total on one side. */
const Tally = z.object({ count: uint() }).meta({ id: "Tally" });

/** One 5-tuple's socket on one side (`--detail`). */
export const SessionSide = z.object({
  state: z.string(),
  pid: uint().optional(),
  program: z.string().optional(),
}).meta({ id: "SessionSide" });

const SessionEnd = z.union([Tally, SessionSide]);

/** How many sockets are in each state (half-closed sessions). */
const StateCounts = z.record(z.string(), count()).meta({ id: "StateCounts" });

/** The route fields whose change makes a `route-changed` (`expires` counts down: never). */
export const RouteField = z.enum([
  "gateway",
  "interface",
  "source",
  "protocol",
  "scope",
  "nexthops",
  "onlink",
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
  "realms",
]);

const RouteKey = z.object({
  family: S.Family,
  table: S.Route.shape.table,
  type: z.string(),
  destination: z.string(),
  metric: uint(),
  interface: z.string().optional().meta({
    description: "Present when several routes share the rest of the key, and for IPv6 " +
      "link-local and multicast routes.",
  }),
}).meta({ id: "RouteKey" });

/** A route as the snapshot has it. */
const Route = S.Route.meta({ id: "Route" });

/** A policy-routing rule's identity: family, priority and what it matches. */
const RuleKey = z.object({
  family: S.Family,
  priority: uint(),
  match: z.string().meta({
    description: 'The selectors as ip rule prints them: "from 10.0.0.0/8".',
  }),
}).meta({ id: "RuleKey" });

/** A rule as the snapshot has it. */
const Rule = S.Rule.meta({ id: "Rule" });

/** The rule fields whose change makes a `rule-changed`. */
export const RuleField = z.enum(RULE_ACTION_FIELDS);

const NeighbourKey = z.object({
  family: S.Family,
  interface: z.string(),
  address: z.string(),
  proxy: z.literal(true).optional(),
}).meta({ id: "NeighbourKey" });

/** A neighbour entry as the snapshot has it. */
const Neighbour = S.Neighbour.meta({ id: "Neighbour" });

/** The neighbour fields whose change makes a `neighbour-changed`. */
export const NeighbourField = z.enum(["mac", "state", "router"]);

const gateway = () =>
  z.literal(true).optional().meta({
    description: "The address is the gateway of a route (in either snapshot).",
  });

const QdiscKey = z.object({
  interface: z.string(),
  parent: z.string(),
}).meta({ id: "QdiscKey" });

/** A qdisc without its counters. */
const QdiscSide = S.Qdisc.omit({ stats: true }).meta({ id: "QdiscSide" });

/** The qdisc fields whose change makes a `qdisc-changed`. */
export const QdiscField = z.enum(["kind", "handle", "options"]);

/** A qdisc's counters (values, or deltas), as exact integers. */
const QdiscCounters = S.QdiscStats.meta({ id: "QdiscCounters" });

const SettingKey = z.object({ name: z.string() }).meta({ id: "SettingKey" });

const FirewallChainKey = z.object({
  syntax: S.FirewallTable.shape.syntax,
  family: z.string(),
  table: z.string(),
  chain: z.string(),
}).meta({ id: "FirewallChainKey" });

const FirewallRuleKey = FirewallChainKey.extend({
  rule: z.string().meta({ description: "The rule's text (counters and handle left out)." }),
}).meta({ id: "FirewallRuleKey" });

/** A firewall rule with where it takes effect. */
export const FirewallRuleSide = z.object({
  text: z.string(),
  hooks: z.array(z.string()).optional().meta({
    description: "The hooks whose traffic reaches the rule: its chain's, or those of the base " +
      "chains that jump to it.",
  }),
  handle: uint().optional(),
}).meta({ id: "FirewallRuleSide" });

/** A chain's head: what it hooks and its policy, and how many rules it has. */
export const FirewallChainSide = z.object({
  type: z.string().optional(),
  hook: z.string().optional(),
  priority: z.int().optional(),
  policy: z.string().optional(),
  device: z.string().optional(),
  rules: uint().meta({ description: "How many rules the chain has." }),
}).meta({ id: "FirewallChainSide" });

/** The chain fields whose change makes a `firewall-chain-changed` (`order`: rules reordered). */
export const FirewallChainField = z.enum(["type", "hook", "priority", "policy", "device", "order"]);

const InterfaceKey = z.object({ interface: z.string() }).meta({ id: "InterfaceKey" });

/** An interface as an added or removed one is reported. */
export const InterfaceSide = z.object({
  name: z.string(),
  mtu: uint().optional(),
  operState: z.string().optional(),
  mac: z.string().optional(),
  flags: z.array(z.string()),
  addresses: z.array(z.string()).meta({ description: "address/prefix, sorted" }),
}).meta({ id: "InterfaceSide" });

/** The settings of an interface that changed, on one side. */
export const InterfaceSettings = z.object({
  mtu: uint().optional(),
  operState: z.string().optional(),
  mac: z.string().optional(),
  speedMbps: z.int().optional(),
  flags: z.array(z.string()).optional(),
}).meta({ id: "InterfaceSettings" });

/** /proc/net/dev counters (values, or deltas), as exact integers. */
const InterfaceCounters = S.InterfaceStats.meta({ id: "InterfaceCounters" });

/** Per-second rates of the /proc/net/dev counters that moved. */
const InterfaceRates = z.object(
  Object.fromEntries(INTERFACE_STAT_NAMES.map((n) => [n, z.number().optional()])) as {
    [K in InterfaceStatName]: z.ZodOptional<z.ZodNumber>;
  },
).meta({ id: "InterfaceRates" });

const CounterKey = z.object({
  group: z.string(),
  name: z.string().meta({ description: '"*" with group "*": every counter (a reboot).' }),
}).meta({ id: "CounterKey" });

const BootTime = z.object({ bootTime: z.string() });

const rate = () =>
  z.number().meta({ description: "Increase per second between the captures, 3 decimals." });

const NamespaceKey = z.object({ namespace: z.string() }).meta({ id: "NamespaceKey" });

/** A listener of a namespace that appeared or went, with who reaches it. */
const NamespaceListener = z.object({
  protocol: S.Protocol,
  family: S.Family,
  address: z.string(),
  port: S.Connection.shape.localPort,
  program: z.string().optional(),
  pid: uint().optional(),
  exposure: S.NamespaceExposure.shape.kind.optional(),
  published: z.array(z.string()).optional().meta({
    description: "The host endpoints it is published on (127.0.0.1:8080, [::]:8080).",
  }),
}).meta({ id: "NamespaceListener" });

/** A namespace as a namespace change reports it. */
const NamespaceSide = z.object({
  id: z.string(),
  kind: z.enum(NAMESPACE_KINDS),
  title: z.string().meta({ description: "What people call it: container web, pod shop/web-0." }),
  inode: uint().optional(),
  image: z.string().optional(),
  listeners: z.array(NamespaceListener),
}).meta({ id: "NamespaceSide" });

/** What can change about a namespace that keeps its identity. */
export const NamespaceField = z.enum(["inode", "container", "image", "containers"]);

/** What a listener's exposure across namespaces is, on one side. */
const PublishSide = z.object({
  exposure: S.NamespaceExposure.shape.kind,
  published: z.array(z.string()).optional(),
}).meta({ id: "PublishSide" });

/** A UNIX listener: its type and name (a path, or `@name` for an abstract one). */
const UnixListenerKey = z.object({
  type: z.string().meta({ description: "stream, dgram or seqpacket." }),
  path: z.string().meta({ description: "The bound name; @name for an abstract one." }),
}).meta({ id: "UnixListenerKey" });

/** A UNIX listener with the process holding it. */
export const UnixListenerSide = UnixListenerKey.extend({
  program: z.string().optional(),
  pid: uint().optional(),
  startTime: z.string().optional(),
  exe: z.string().optional(),
  pids: z.array(uint()).optional().meta({ description: "Every process holding it, when several." }),
}).meta({ id: "UnixListenerSide" });

/** Raw sockets of one program for one IP protocol (and device). */
const RawSocketKey = z.object({
  family: S.Family,
  ipProtocol: S.RawSocket.shape.ipProtocol,
  interface: z.string().optional(),
  program: z.string().meta({ description: "Empty when the owner is unknown." }),
}).meta({ id: "RawSocketKey" });

/** Packet sockets of one program for one Ethernet protocol (and device). */
const PacketSocketKey = z.object({
  type: S.PacketSocket.shape.type,
  protocol: S.PacketSocket.shape.protocol,
  interface: z.string().optional().meta({ description: "Absent: every device." }),
  program: z.string().meta({ description: "Empty when the owner is unknown." }),
}).meta({ id: "PacketSocketKey" });

/** How many sockets of a raw or packet key there are on one side, and who holds them. */
export const SocketTally = z.object({
  count: uint(),
  pids: z.array(uint()).optional(),
}).meta({ id: "SocketTally" });

/** A group of sessions (the default view's key): inbound by service port, outbound by peer. */
const SessionGroupKey = z.union([InboundGroupKey, OutboundGroupKey]).meta({
  id: "SessionGroupKey",
});

/** The round-trip time of a peer's sessions on one side (the median, µs). */
const RttSide = z.object({
  rttUs: uint().meta({ description: "Median smoothed RTT of the sessions, µs." }),
}).meta({ id: "RttSide" });

// ---- The kinds ----------------------------------------------------------------------------

/** The fields every change has; `fields` add to them or narrow them. */
function change<
  const K extends string,
  const Sec extends z.output<typeof DiffSection>,
  const F extends z.ZodRawShape & { key: z.ZodType },
>(kind: K, section: Sec, description: string, fields: F) {
  return z.object({
    kind: z.literal(kind),
    section: z.literal(section),
    summary: z.string().meta({ description: "One line in plain words." }),
    notable: z.literal(true).optional().meta({
      description: "Set on the changes an operator should look at first.",
    }),
    namespace: z.string().optional().meta({
      description: "The namespace (its stable id: docker:web, pod:shop/web-0 …) the change is " +
        "in, in a diff of captures across namespaces; absent for the snapshots' own.",
    }),
  }).extend(fields).meta({ id: kind, description });
}

/** Every kind of change, grouped by section in report order: the one place a kind is declared. */
export const CHANGES = [
  change(
    "namespace-added",
    "namespaces",
    "a network namespace appeared: a container or pod started (with its listeners)",
    { key: NamespaceKey, after: NamespaceSide },
  ),
  change(
    "namespace-removed",
    "namespaces",
    "a network namespace went away: a container or pod stopped (with its listeners)",
    { key: NamespaceKey, before: NamespaceSide },
  ),
  change(
    "namespace-changed",
    "namespaces",
    "a namespace of the same identity was re-created (a new inode or container id: a container " +
      "replaced), runs another image, or holds other containers",
    {
      key: NamespaceKey,
      before: NamespaceSide,
      after: NamespaceSide,
      changed: z.array(NamespaceField).min(1),
    },
  ),
  change("listener-opened", "listeners", "a new listening socket (TCP LISTEN or bound UDP)", {
    key: ListenerKey,
    after: ListenerSide,
  }),
  change("listener-closed", "listeners", "a listening socket went away", {
    key: ListenerKey,
    before: ListenerSide,
  }),
  change(
    "listener-owner-changed",
    "listeners",
    "another program now holds the listening address and port",
    { key: ListenerKey, before: ListenerSide, after: ListenerSide },
  ),
  change(
    "listener-restarted",
    "listeners",
    "same program, new pid or start time (what a deploy does)",
    { key: ListenerKey, before: ListenerSide, after: ListenerSide },
  ),
  change(
    "listener-instance-added",
    "listeners",
    "another socket listens on an address that already had one (SO_REUSEPORT)",
    {
      key: ListenerKey,
      before: ListenerSide,
      after: ListenerSide,
      count: count().meta({ description: "How many sockets appeared." }),
      added: z.array(InstanceSide),
    },
  ),
  change(
    "listener-instance-removed",
    "listeners",
    "one of several sockets on a listening address went away; the others remain",
    {
      key: ListenerKey,
      before: ListenerSide,
      after: ListenerSide,
      count: count().meta({ description: "How many sockets went away." }),
      removed: z.array(InstanceSide),
    },
  ),
  change(
    "listener-exposure-changed",
    "listeners",
    "same port and program, address widened or narrowed",
    {
      key: z.object({
        protocol: S.Protocol,
        port: S.Connection.shape.localPort,
        program: z.string().meta({ description: "Empty when the owner is unknown." }),
      }),
      before: ListenerSide,
      after: ListenerSide,
      exposure: Exposure,
    },
  ),
  change(
    "listener-publish-changed",
    "listeners",
    "a container's listener is published on other host ports, or no longer (or now) at all",
    { key: ListenerKey, before: PublishSide, after: PublishSide },
  ),
  change(
    "listener-firewall-changed",
    "listeners",
    "the firewall now filters a listener it let through, or lets through one it filtered",
    { key: ListenerKey, before: ListenerSide, after: ListenerSide },
  ),
  change(
    "listener-queue-full",
    "listeners",
    "a TCP listener's accept queue is at least 90% of its limit (new connections wait or drop)",
    {
      key: ListenerKey,
      after: ListenerSide,
      queue: uint().meta({ description: "Connections waiting to be accepted, after." }),
      limit: count().meta({ description: "The accept queue's limit (the listen backlog)." }),
      queueBefore: uint().optional().meta({ description: "The queue before, when it listened." }),
      overflows: Exact.optional().meta({
        description: "TcpExt.ListenOverflows between the snapshots (host-wide), when both have it.",
      }),
      drops: Exact.optional().meta({
        description: "TcpExt.ListenDrops between the snapshots (host-wide), when both have it.",
      }),
      notable: z.literal(true),
    },
  ),
  change("unix-listener-opened", "listeners", "a new UNIX listener (a named socket)", {
    key: UnixListenerKey,
    after: UnixListenerSide,
  }),
  change("unix-listener-closed", "listeners", "a UNIX listener went away", {
    key: UnixListenerKey,
    before: UnixListenerSide,
  }),
  change(
    "unix-listener-owner-changed",
    "listeners",
    "another program now holds the UNIX socket's name",
    { key: UnixListenerKey, before: UnixListenerSide, after: UnixListenerSide },
  ),
  change(
    "unix-listener-restarted",
    "listeners",
    "the same program holds the UNIX socket's name with a new pid or start time",
    { key: UnixListenerKey, before: UnixListenerSide, after: UnixListenerSide },
  ),
  change(
    "session-opened",
    "sessions",
    "connected sockets that appeared (grouped unless --detail)",
    {
      key: SessionKey,
      count: count().meta({ description: "How many sockets opened." }),
      before: Tally.optional(),
      after: SessionEnd,
    },
  ),
  change(
    "session-closed",
    "sessions",
    "connected sockets that went away (grouped unless --detail)",
    {
      key: SessionKey,
      count: count().meta({ description: "How many sockets closed." }),
      before: SessionEnd,
      after: Tally.optional(),
    },
  ),
  change(
    "session-half-closed",
    "sessions",
    "established sessions left half-closed: CLOSE_WAIT, FIN_WAIT2 … (grouped unless --detail)",
    {
      key: SessionKey,
      count: count().meta({ description: "How many sessions were left half-closed." }),
      before: SessionEnd,
      after: SessionEnd,
      states: StateCounts.meta({ description: "The states they are in now, with counts." }),
      orphaned: count().optional().meta({
        description: "How many no process holds any more (its owner exited or was killed).",
      }),
    },
  ),
  change(
    "session-unanswered",
    "sessions",
    "connection attempts to one peer pile up in SYN_SENT: the peer does not answer",
    { key: OutboundGroupKey, before: Tally, after: Tally, notable: z.literal(true) },
  ),
  change(
    "session-state-buildup",
    "sessions",
    "TIME_WAIT, CLOSE_WAIT or SYN_RECV sockets piled up",
    { key: z.object({ state: z.string() }), before: Tally, after: Tally, notable: z.literal(true) },
  ),
  change(
    "session-retransmits",
    "sessions",
    "TCP sessions present in both snapshots retransmitted: the deltas grouped by peer, with " +
      "their share of all retransmits",
    {
      key: SessionGroupKey,
      sessions: count().meta({ description: "Sessions of the group present in both snapshots." }),
      retransmits: count().meta({ description: "Segments they retransmitted in between." }),
      total: count().meta({
        description: "Segments every session present in both retransmitted in between.",
      }),
      lost: uint().meta({ description: "Segments they count as lost now (tcp_info lost)." }),
      service: z.string().optional().meta({ description: "The peer port's service name." }),
      program: z.string().optional().meta({ description: "The program here holding them." }),
      before: RttSide,
      after: RttSide,
    },
  ),
  change(
    "session-rtt-changed",
    "sessions",
    "the round-trip time to a peer moved: its sessions' median RTT doubled or halved",
    {
      key: SessionGroupKey,
      sessions: count().meta({ description: "Sessions of the group present in both snapshots." }),
      service: z.string().optional(),
      program: z.string().optional(),
      before: RttSide,
      after: RttSide,
    },
  ),
  change(
    "raw-socket-opened",
    "sockets",
    "a program opened raw IP sockets (it sends or reads IP packets of its own making)",
    { key: RawSocketKey, after: SocketTally, before: SocketTally.optional(), count: count() },
  ),
  change("raw-socket-closed", "sockets", "raw IP sockets went away", {
    key: RawSocketKey,
    before: SocketTally,
    after: SocketTally.optional(),
    count: count(),
  }),
  change(
    "packet-socket-opened",
    "sockets",
    "a program opened packet sockets (it captures or writes whole frames: tcpdump, a DHCP client)",
    { key: PacketSocketKey, after: SocketTally, before: SocketTally.optional(), count: count() },
  ),
  change("packet-socket-closed", "sockets", "packet sockets went away", {
    key: PacketSocketKey,
    before: SocketTally,
    after: SocketTally.optional(),
    count: count(),
  }),
  change("route-added", "routes", "a route appeared", { key: RouteKey, after: Route }),
  change("route-removed", "routes", "a route went away", { key: RouteKey, before: Route }),
  change(
    "route-changed",
    "routes",
    "gateway, interface, source, protocol or scope of a route changed",
    { key: RouteKey, before: Route, after: Route, changed: z.array(RouteField).min(1) },
  ),
  change("rule-added", "rules", "a policy-routing rule appeared", { key: RuleKey, after: Rule }),
  change("rule-removed", "rules", "a policy-routing rule went away", {
    key: RuleKey,
    before: Rule,
  }),
  change(
    "rule-changed",
    "rules",
    "a rule matching the same packets at the same priority does something else",
    { key: RuleKey, before: Rule, after: Rule, changed: z.array(RuleField).min(1) },
  ),
  change(
    "neighbour-added",
    "neighbours",
    "a static (PERMANENT, NOARP) or proxy neighbour entry appeared",
    { key: NeighbourKey, after: Neighbour },
  ),
  change(
    "neighbour-removed",
    "neighbours",
    "a static (PERMANENT, NOARP) or proxy neighbour entry went away",
    { key: NeighbourKey, before: Neighbour },
  ),
  change(
    "neighbour-changed",
    "neighbours",
    "another link-layer address for the IP, or the entry became (or stopped being) static, a " +
      "router, or resolved again",
    {
      key: NeighbourKey,
      before: Neighbour,
      after: Neighbour,
      changed: z.array(NeighbourField).min(1),
      gateway: gateway(),
    },
  ),
  change(
    "neighbour-failed",
    "neighbours",
    "a neighbour could not be resolved: it went FAILED or INCOMPLETE",
    { key: NeighbourKey, before: Neighbour.optional(), after: Neighbour, gateway: gateway() },
  ),
  change("interface-added", "interfaces", "an interface appeared", {
    key: InterfaceKey,
    after: InterfaceSide,
  }),
  change("interface-removed", "interfaces", "an interface went away", {
    key: InterfaceKey,
    before: InterfaceSide,
  }),
  change(
    "interface-renamed",
    "interfaces",
    "an interface has another name (same index and MAC); the key names it as it was",
    {
      key: InterfaceKey,
      before: InterfaceSide,
      after: InterfaceSide,
    },
  ),
  change(
    "interface-changed",
    "interfaces",
    "MTU, state, flags, MAC or addresses of an interface changed",
    {
      key: InterfaceKey,
      before: InterfaceSettings,
      after: InterfaceSettings,
      addressesAdded: z.array(z.string()).optional(),
      addressesRemoved: z.array(z.string()).optional(),
    },
  ),
  change(
    "interface-traffic",
    "interfaces",
    "bytes, packets, errors or drops counted by an interface, with rates",
    {
      key: InterfaceKey,
      before: InterfaceCounters,
      after: InterfaceCounters,
      delta: InterfaceCounters.optional().meta({ description: "Absent with reset." }),
      perSecond: InterfaceRates.optional(),
      reset: z.literal(true).optional().meta({
        description: "A counter went backwards or the host rebooted: no deltas.",
      }),
    },
  ),
  change("qdisc-added", "qdiscs", "a queueing discipline appeared", {
    key: QdiscKey,
    after: QdiscSide,
  }),
  change("qdisc-removed", "qdiscs", "a queueing discipline went away", {
    key: QdiscKey,
    before: QdiscSide,
  }),
  change(
    "qdisc-changed",
    "qdiscs",
    "another kind, handle or options for the qdisc at the same place",
    { key: QdiscKey, before: QdiscSide, after: QdiscSide, changed: z.array(QdiscField).min(1) },
  ),
  change(
    "qdisc-drops",
    "qdiscs",
    "a qdisc dropped packets: counter deltas and per-second rates",
    {
      key: QdiscKey,
      qdisc: QdiscSide,
      before: QdiscCounters,
      after: QdiscCounters,
      delta: QdiscCounters,
      perSecond: z.record(z.string(), z.number()).optional(),
      notable: z.literal(true),
    },
  ),
  change(
    "firewall-rule-added",
    "firewall",
    "a firewall rule appeared (shown as nft or iptables-save prints it)",
    { key: FirewallRuleKey, after: FirewallRuleSide },
  ),
  change("firewall-rule-removed", "firewall", "a firewall rule went away", {
    key: FirewallRuleKey,
    before: FirewallRuleSide,
  }),
  change("firewall-chain-added", "firewall", "a firewall chain appeared", {
    key: FirewallChainKey,
    after: FirewallChainSide,
  }),
  change("firewall-chain-removed", "firewall", "a firewall chain went away", {
    key: FirewallChainKey,
    before: FirewallChainSide,
  }),
  change(
    "firewall-chain-changed",
    "firewall",
    "a chain's policy, hook, priority or type changed, or its rules were reordered",
    {
      key: FirewallChainKey,
      before: FirewallChainSide,
      after: FirewallChainSide,
      changed: z.array(FirewallChainField).min(1),
    },
  ),
  change(
    "sysctl-changed",
    "settings",
    "a kernel network setting (sysctl) has another value",
    { key: SettingKey, before: z.string(), after: z.string() },
  ),
  change(
    "conntrack-near-limit",
    "settings",
    "the connection tracking table is at least 90% full and filling",
    {
      key: SettingKey,
      before: z.string().optional(),
      after: z.string(),
      max: z.string().meta({ description: "net.netfilter.nf_conntrack_max after." }),
      notable: z.literal(true),
    },
  ),
  change(
    "counter-increased",
    "counters",
    "a protocol counter moved (delta and per-second rate)",
    { key: CounterKey, before: Exact, after: Exact, delta: Exact, perSecond: rate().optional() },
  ),
  change(
    "counter-reset",
    "counters",
    "a counter went backwards, or the host rebooted between snapshots",
    {
      key: CounterKey,
      before: z.union([Exact, BootTime]),
      after: z.union([Exact, BootTime]),
    },
  ),
  change(
    "gauge-changed",
    "counters",
    "a gauge (Tcp.CurrEstab, sockstat) has another value",
    { key: CounterKey, before: Exact, after: Exact },
  ),
  change(
    "setting-changed",
    "counters",
    "a protocol setting (Ip.Forwarding, Tcp.RtoMin …) has another value",
    { key: CounterKey, before: Exact, after: Exact },
  ),
] as const;

/**
 * Kinds that a `--fail-on` of another kind also gates: a new socket on a listening address is a
 * listener opened to whoever gates on new listeners, one gone is a listener closed.
 */
export const GATED_WITH = {
  "listener-instance-added": "listener-opened",
  "listener-instance-removed": "listener-closed",
} as const satisfies Partial<Record<typeof CHANGES[number]["shape"]["kind"]["value"], string>>;

/** One change between the two snapshots, any kind. */
export const Change = z.discriminatedUnion("kind", CHANGES);

// ---- The document -------------------------------------------------------------------------

/** Where one side of the diff came from. */
export const DiffSide = z.object({
  host: z.string(),
  capturedAt: z.string(),
  file: z.string().optional(),
  bootTime: z.string().optional(),
}).meta({ id: "DiffSide" });

const ChangeKind = z.enum(CHANGES.map((c) => c.shape.kind.value) as [
  typeof CHANGES[number]["shape"]["kind"]["value"],
]);

/** Counts by kind and section, and how many changes are notable. */
export const DiffSummary = z.object({
  total: uint(),
  notable: uint(),
  byKind: z.partialRecord(ChangeKind, count()),
  bySection: z.partialRecord(DiffSection, count()),
});

/** The TCP socket-state census before and after (every state seen on either side). */
export const TcpStateTable = z.record(z.string(), z.object({ before: uint(), after: uint() }));

/** The whole diff. */
export const DiffDocument = z.object({
  schema: z.literal(DIFF_SCHEMA_ID),
  before: DiffSide,
  after: DiffSide,
  intervalSeconds: z.number().positive().optional().meta({
    description: "Seconds between the captures; absent when a capture time cannot be read.",
  }),
  sections: z.array(DiffSection).meta({
    description: "The sections compared (after --only and unusable sections are taken out).",
  }),
  warnings: z.array(z.string()),
  tcpStates: TcpStateTable.optional().meta({ description: "Present when sessions were compared." }),
  changes: z.array(Change),
  summary: DiffSummary,
});

/**
 * Reads a diff document from its JSON (or YAML) value, integers back to `bigint`.
 *
 * @example
 * ```ts
 * import { parseDiffDocument } from "./schema.ts";
 * const doc = parseDiffDocument(JSON.parse('{"schema":"nsnap-diff/v1","before":{"host":"a",' +
 *   '"capturedAt":"2026-01-01T00:00:00.000Z"},"after":{"host":"a","capturedAt":' +
 *   '"2026-01-01T00:01:00.000Z"},"sections":[],"warnings":[],"changes":[],' +
 *   '"summary":{"total":0,"notable":0,"byKind":{},"bySection":{}}}'));
 * console.log(doc.changes.length); // 0
 * ```
 */
export function parseDiffDocument(value: unknown): z.output<typeof DiffDocument> {
  return DiffDocument.parse(value);
}

/** Produces the published JSON Schema of `nsnap-diff/v1` (the on-disk form). */
export function diffJsonSchema(): Record<string, unknown> {
  return S.publishedJsonSchema(
    DiffDocument,
    "urn:nsnap:schema:nsnap-diff-v1",
    "nsnap diff document (nsnap-diff/v1)",
  );
}

/**
 * The collector contract: what every platform's collector is given and what it hands back.
 * `collect/mod.ts` picks one collector per capture, gives it a `Place` and `CollectOptions`, and
 * alone turns the `Collected` value into a snapshot (meta, normalisation).
 *
 * Where later work plugs in:
 * - A new section (rules, neighbours, settings, qdiscs, firewall) is one more `Section` in
 *   `Sections`, one file under `collect/linux/` that returns it, and one line in
 *   `collect/linux/mod.ts` (plus its place in the schema).
 * - A new source for a section (netlink for sockets, links, addresses and routes) is one more
 *   reader in that section's file, tried before the /proc and `ip -j` ones; the section records
 *   in `source` which one answered.
 * - Several network namespaces: a `Place` names where to read, so capturing another namespace is
 *   the same collector called with another `Place` (a `/proc/<pid>` root now, a netns handle for
 *   netlink later).
 */
import type {
  Connection,
  Counters,
  Firewall,
  Forward,
  Meta,
  Namespace,
  Neighbour,
  NetInterface,
  PacketSocket,
  ProcessInfo,
  Qdisc,
  RawSocket,
  Route,
  Rule,
  SectionName,
  Settings,
  UnixSocket,
} from "../model.ts";
import type { CommandRunner } from "../runtime/command.ts";
import type { Section } from "./section.ts";

/** Where a collector reads. */
export interface Place {
  /** Root of the /proc, /sys and /etc trees ("/" on a real host; tests point it at a fixture tree). */
  root: string;
  /** Runs external commands (`ip -j`, macOS tools); tests pass recorded outputs. */
  runner: CommandRunner;
  /**
   * The network namespace to read over netlink: a namespace file (`/proc/PID/ns/net`,
   * `/run/netns/NAME`); absent for this process's own. /sys is read only in the own namespace.
   */
  netns?: string;
  /** The uid the capture runs as, where a refusal's wording depends on it (root lacking a capability). */
  uid?: number | undefined;
}

/** How much of tcp_info a capture keeps per TCP session (connections[].tcpInfo). */
export type TcpInfoDetail = "off" | "summary" | "full";
/**
 * Parts of a capture a caller may leave out to make it cheaper (`nsnap watch`, once a second):
 * `owners` the descriptor scan (no pids, no processes), `routes` the routing tables (of every
 * namespace), `addresses` the interface addresses (`ip -j addr`; and those of the other
 * namespaces), and the sections each read by running a tool: `rules` (`ip rule`), `neighbours`
 * (`ip neigh`), `qdiscs` (`tc`) and `firewall` (`nft`, `iptables-save`). A section left out says so
 * in its status.
 */
export type SkippedPart =
  | "owners"
  | "routes"
  | "addresses"
  | "rules"
  | "neighbours"
  | "qdiscs"
  | "firewall";

/** What the caller asks of a collector. */
export interface CollectOptions {
  /** Record command lines (secrets masked). */
  cmdline: boolean;
  /** The uid the capture runs as: decides whether unreadable entries mean "not root". */
  uid: number | undefined;
  /** Read over netlink where it can be used (else /proc, /sys and `ip -j`). */
  netlink: boolean;
  /** tcp_info per TCP session: the summary by default, every field, or none. */
  tcpInfo: TcpInfoDetail;
  /** Every UNIX socket, connected ones too (default: listeners and bound datagram sockets). */
  allUnix: boolean;
  /** Parts to leave out (Linux; other collectors capture everything). */
  skip?: ReadonlySet<SkippedPart>;
  /** Which network namespaces to capture (Linux): `auto` unless given. */
  netns?: "auto" | "all" | "current" | readonly string[];
  /** This process's pid, left out of the namespaces' pid lists. */
  selfPid?: number;
}

/** Every section of a snapshot, each with its status and the source it was read from. */
export interface Sections extends Record<SectionName, Section<unknown>> {
  connections: Section<Connection[]>;
  processes: Section<Record<string, ProcessInfo>>;
  routes: Section<Route[]>;
  interfaces: Section<NetInterface[]>;
  counters: Section<Counters>;
  /** Kernel settings by sysctl name (a platform without them reports the section's error). */
  settings: Section<Settings>;
  /** The sections added within v1 that a platform may not read (macOS): left out there. */
  rules?: Section<Rule[]>;
  neighbours?: Section<Neighbour[]>;
  qdiscs?: Section<Qdisc[]>;
  firewall?: Section<Firewall>;
}

/** What a collector hands back: the sections, and the host facts only it can read. */
export interface Collected {
  sections: Sections;
  /** When the host booted (ISO 8601), where the platform says. */
  bootTime?: string;
  /** Identity of the network namespace the sections were read in, where the platform has one. */
  netnsInode?: number;
  /** UNIX, raw and packet sockets (Linux; their status is the connections section's). */
  unixSockets?: UnixSocket[];
  rawSockets?: RawSocket[];
  packetSockets?: PacketSocket[];
  /** What connections[].tcpInfo holds, and which UNIX sockets are listed (meta.capture). */
  capture?: {
    tcpInfo: TcpInfoDetail;
    unixSockets: "listeners" | "all";
    socketLists?: "every-namespace";
  };
  /** The host's unique id (machine_id.ts), where it can be read. */
  machineId?: string;
  /**
   * A capture across namespaces: every namespace (the own one's sections filled in), the forwards
   * into them, the discovery's status and the own namespace's id. The other namespaces' records
   * are in the sections, each with its `namespace`.
   */
  namespaces?: {
    list: Namespace[];
    forwards: Forward[];
    status: NonNullable<Meta["namespaces"]>;
    ownId: string;
  };
}

/** A platform's collector (Linux's awaits the descriptor scan it may run in a worker). */
export type Collector = (place: Place, opts: CollectOptions) => Collected | Promise<Collected>;

/**
 * Which sockets a view shows, with netstat's meaning of the flags: without `-a`/`-l` only the
 * connected (non-listening) sockets, `-l` only listeners, `-a` both; `-t`/`-u` pick protocols.
 * "Listener" is the one definition in net/sockets.ts, shared with diff.
 */
import type { Connection, ProcessInfo, Snapshot } from "../model.ts";
import {
  isListener,
  listenerKey,
  type PortRange,
  type SocketRole,
  socketRole,
  type SocketRules,
  socketRules,
} from "../net/sockets.ts";
import { exeName, programName } from "../net/programs.ts";
import type { FilterVerdict } from "../net/filtered.ts";
import { type Cidr, cidrContains, parseCidr } from "../net/address.ts";
import { UsageError } from "../errors.ts";
import { canonicalState, SOCKET_STATES } from "../net/states.ts";

/** What to select; every field is optional and narrows the selection. */
export interface ConnectionFilter {
  tcp?: boolean | undefined;
  udp?: boolean | undefined;
  /** IPv4 sockets (`-4`); with neither or both of `inet4`/`inet6`, both families. */
  inet4?: boolean | undefined;
  /** IPv6 sockets (`-6`), IPv4-mapped ones and dual-stack `[::]` listeners included. */
  inet6?: boolean | undefined;
  /** Listeners only (`-l`). */
  listening?: boolean | undefined;
  /** Listeners and everything else (`-a`). */
  all?: boolean | undefined;
  /** Local or remote port. */
  port?: number | undefined;
  /** Socket states (netstat names, already normalised with `normalizeState`); implies `all`. */
  state?: readonly string[] | undefined;
  /** A process holding the socket (the owner or any other holder). */
  pid?: number | undefined;
  /** Program of a holder: case-insensitive substring of its program, process or executable name. */
  program?: string | undefined;
  /** Local or remote address inside this CIDR (a bare address is a /32 or /128). */
  address?: string | undefined;
  /** UDP ports that are services even in the ephemeral range (`--udp-service`). */
  udpServices?: readonly PortRange[] | undefined;
}

/** The rules that tell a snapshot's UDP clients from its UDP listeners. */
export function viewRules(snapshot: Snapshot, udpServices?: readonly PortRange[]): SocketRules {
  return socketRules(snapshot, { udpServices });
}

export { SOCKET_STATES };

/**
 * Turns a state as a user types it (`established`, `time-wait`, `estab`, BSD's `syn_rcvd`) into
 * nsnap's name.
 * @throws UsageError for a name that is no socket state.
 */
export function normalizeState(text: string): string {
  const name = canonicalState(text);
  if (name === undefined) {
    throw new UsageError(
      `Cannot filter by state ${JSON.stringify(text)}: not a socket state (one of ${
        SOCKET_STATES.join(", ")
      })`,
    );
  }
  return name;
}

/** Every pid holding a socket (of any kind): `pids` when recorded, else the owner. */
export function holders(c: Pick<Connection, "pid" | "pids">): number[] {
  if (c.pids && c.pids.length > 0) return c.pids;
  return c.pid === undefined ? [] : [c.pid];
}

/** The process record of a pid, when the snapshot has one. */
export function processOf(snapshot: Snapshot, pid: number | undefined): ProcessInfo | undefined {
  return pid === undefined ? undefined : snapshot.processes[String(pid)];
}

/**
 * Selects the connections a view shows, in snapshot order.
 * @throws UsageError when `address` is neither an address nor a CIDR block.
 */
export function selectConnections(snapshot: Snapshot, filter: ConnectionFilter): Connection[] {
  const protocols = new Set<string>();
  if (filter.tcp) protocols.add("tcp");
  if (filter.udp) protocols.add("udp");
  if (protocols.size === 0) protocols.add("tcp").add("udp");
  const family = filter.inet4 === filter.inet6 ? undefined : filter.inet4 ? "inet" : "inet6";
  const states = filter.state && filter.state.length > 0 ? new Set(filter.state) : undefined;
  const every = filter.all || states !== undefined;
  let cidr: Cidr | undefined;
  if (filter.address !== undefined) {
    cidr = parseCidr(filter.address);
    if (!cidr) {
      throw new UsageError(
        `Cannot filter by address ${JSON.stringify(filter.address)}: not an address or CIDR block`,
      );
    }
  }
  const program = filter.program?.toLowerCase();
  const rules = viewRules(snapshot, filter.udpServices);
  return snapshot.connections.filter((c) => {
    if (!protocols.has(c.protocol)) return false;
    if (family !== undefined && c.family !== family) return false;
    if (!every && isListener(c, rules) !== Boolean(filter.listening)) return false;
    if (states && !states.has(c.state)) return false;
    if (filter.port !== undefined && c.localPort !== filter.port && c.remotePort !== filter.port) {
      return false;
    }
    if (cidr && !cidrContains(cidr, c.localAddress) && !cidrContains(cidr, c.remoteAddress)) {
      return false;
    }
    const pids = holders(c);
    if (filter.pid !== undefined && !pids.includes(filter.pid)) return false;
    if (program !== undefined) {
      const match = pids.some((pid) => {
        const p = processOf(snapshot, pid);
        if (!p) return false;
        return [programName(p), p.name, exeName(p.exe)].some((n) =>
          n !== undefined && n.toLowerCase().includes(program)
        );
      });
      if (!match) return false;
    }
    return true;
  });
}

/** A connection as the views print it in JSON: the snapshot record plus its owner's names. */
export interface ConnectionRecord extends Connection {
  /** What the socket is: a listener, a session, a UDP client, or none of these. */
  role: SocketRole;
  /** The owner's program (the one rule of net/programs.ts), when known. */
  program?: string;
  /** Name of the socket's uid (or the owning process's user), when known. */
  user?: string;
  /** For a listener: what the firewall does to new connections from other hosts. */
  firewall?: FilterVerdict["verdict"];
  /** The chain and rule that decided `firewall`, or why it was not evaluated. */
  firewallReason?: string;
}

/** Finds a user name for a uid from the processes the snapshot recorded. */
export function userOfUid(snapshot: Snapshot, uid: number | undefined): string | undefined {
  if (uid === undefined) return undefined;
  for (const p of Object.values(snapshot.processes)) {
    if (p.uid === uid && p.user !== undefined) return p.user;
  }
  return undefined;
}

/**
 * Adds the socket's role and the owner's program and user to a connection, for output, and for
 * a listener the firewall's verdict when `verdicts` (net/filtered.ts `listenerVerdicts`) has one.
 */
export function connectionRecord(
  snapshot: Snapshot,
  c: Connection,
  rules: SocketRules = viewRules(snapshot),
  verdicts?: ReadonlyMap<string, FilterVerdict>,
): ConnectionRecord {
  const p = processOf(snapshot, c.pid ?? holders(c)[0]);
  const rec: ConnectionRecord = { ...c, role: socketRole(c, rules) };
  if (p) rec.program = programName(p);
  const user = (p && p.uid === c.uid ? p.user : undefined) ?? userOfUid(snapshot, c.uid) ??
    (c.uid === undefined ? p?.user : undefined);
  if (user !== undefined) rec.user = user;
  const v = verdicts && isListener(c, rules) ? verdicts.get(listenerKey(c)) : undefined;
  if (v) {
    rec.firewall = v.verdict;
    rec.firewallReason = v.reason;
  }
  return rec;
}

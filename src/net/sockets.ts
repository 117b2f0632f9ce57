/**
 * What a socket is to nsnap: a listener or a session, the keys that identify one across snapshots
 * and across sources, and which of its holders owns it. Defined once here and used by capture,
 * import, diff, show and port alike.
 */
import type { Connection, Settings } from "../model.ts";
import { namespacedKey } from "./namespaces.ts";

/** An inclusive range of ports. */
export type PortRange = readonly [number, number];

/**
 * What decides whether an unconnected UDP socket is a service or a client: the ephemeral port
 * range the kernel hands out to sockets that did not choose a port, and the ports that are
 * services even inside it.
 */
export interface SocketRules {
  /** The ephemeral range (`net.ipv4.ip_local_port_range`, or the platform's default). */
  ephemeral: PortRange;
  /** Ports that are services whatever the range says: reserved ports and `--udp-service`. */
  services: readonly PortRange[];
  /** Ports a TCP socket listens on: a UDP socket on the same port is that service's too. */
  tcpPorts: ReadonlySet<number>;
}

/** What may change the rules of a snapshot: named services, a range given by a policy. */
export interface RuleOptions {
  /** UDP ports that are services even inside the ephemeral range. */
  udpServices?: readonly PortRange[] | undefined;
  /** An ephemeral range that overrides the snapshot's (a policy's `ephemeral-ports`). */
  ephemeral?: PortRange | undefined;
}

/** Linux's default ephemeral range, for a snapshot that does not record its own. */
export const LINUX_EPHEMERAL: PortRange = [32768, 60999];
/** The default of macOS and FreeBSD (`net.inet.ip.portrange.first` … `last`, IANA's range). */
export const BSD_EPHEMERAL: PortRange = [49152, 65535];

/**
 * Reads one port or a range as people write them: `53`, `"8000-8100"`; a comma list in
 * `net.ipv4.ip_local_reserved_ports` form (`"8080,9000-9010"`) with `parsePortList`.
 */
export function parsePortRange(text: string | number): PortRange | undefined {
  const m = /^\s*([0-9]{1,5})(?:\s*-\s*([0-9]{1,5}))?\s*$/.exec(String(text));
  if (!m) return undefined;
  const lo = Number(m[1]), hi = m[2] === undefined ? lo : Number(m[2]);
  return lo <= hi && hi <= 65535 ? [lo, hi] : undefined;
}

/** Reads a comma list of ports and ranges; undefined when any item is not one. */
export function parsePortList(text: string): PortRange[] | undefined {
  const out: PortRange[] = [];
  for (const item of text.split(",")) {
    if (item.trim() === "") continue;
    const r = parsePortRange(item);
    if (r === undefined) return undefined;
    out.push(r);
  }
  return out;
}

/** True when a port lies in one of the ranges. */
export function inRanges(port: number, ranges: readonly PortRange[]): boolean {
  return ranges.some(([lo, hi]) => port >= lo && port <= hi);
}

/**
 * The rules of one snapshot: its recorded ephemeral range and reserved ports (else the default of
 * its platform), the ports its TCP sockets listen on, plus UDP ports the user names as services.
 *
 * @example
 * ```ts
 * import { socketRules } from "./sockets.ts";
 * const rules = socketRules({ meta: { host: { os: "linux" } }, connections: [], settings: {
 *   "net.ipv4.ip_local_port_range": "32768 60999" } }, { udpServices: [[51820, 51820]] });
 * rules.ephemeral; // [32768, 60999]
 * ```
 */
export function socketRules(
  snap: {
    meta: { host: { os: string } };
    connections: readonly Connection[];
    settings?: Settings | undefined;
  },
  opts: RuleOptions = {},
): SocketRules {
  const set = snap.settings ?? {};
  const linux = Object.hasOwn(set, "net.ipv4.ip_local_port_range")
    ? /^([0-9]+) ([0-9]+)$/.exec(set["net.ipv4.ip_local_port_range"]!)
    : null;
  const bsdFirst = Object.hasOwn(set, "net.inet.ip.portrange.first")
    ? Number(set["net.inet.ip.portrange.first"])
    : NaN;
  const bsdLast = Object.hasOwn(set, "net.inet.ip.portrange.last")
    ? Number(set["net.inet.ip.portrange.last"])
    : NaN;
  let ephemeral = snap.meta.host.os === "linux" ? LINUX_EPHEMERAL : BSD_EPHEMERAL;
  if (linux && Number(linux[1]) <= Number(linux[2])) {
    ephemeral = [Number(linux[1]), Number(linux[2])];
  } else if (bsdFirst >= 0 && bsdLast >= bsdFirst) ephemeral = [bsdFirst, bsdLast];
  const reserved = Object.hasOwn(set, "net.ipv4.ip_local_reserved_ports")
    ? parsePortList(set["net.ipv4.ip_local_reserved_ports"]!) ?? []
    : [];
  const tcpPorts = new Set<number>();
  for (const c of snap.connections) {
    if (c.protocol === "tcp" && c.state === "LISTEN") tcpPorts.add(c.localPort);
  }
  return {
    ephemeral: opts.ephemeral ?? ephemeral,
    services: [...reserved, ...(opts.udpServices ?? [])],
    tcpPorts,
  };
}

/**
 * True for a UDP client socket: unconnected (`UNCONN`), on a port of the ephemeral range that no
 * rule names a service, with no TCP listener on the same port, and held by a process (a socket
 * of the kernel's own, such as a VXLAN or WireGuard port, has no inode and is a service).
 * Resolvers, NTP and statsd clients hold these.
 */
export function isUdpClient(c: Connection, rules: SocketRules): boolean {
  if (c.protocol !== "udp" || c.state !== "UNCONN" || c.localPort === 0) return false;
  if (c.inode === 0 || rules.tcpPorts.has(c.localPort)) return false;
  const [lo, hi] = rules.ephemeral;
  return c.localPort >= lo && c.localPort <= hi && !inRanges(c.localPort, rules.services);
}

/**
 * True for a socket that accepts: TCP `LISTEN`, or an unconnected UDP socket bound to a port
 * that is not a UDP client's (`isUdpClient`).
 */
export function isListener(c: Connection, rules: SocketRules): boolean {
  if (c.protocol === "tcp") return c.state === "LISTEN";
  return c.state === "UNCONN" && c.localPort !== 0 && !isUdpClient(c, rules);
}

/** True for a connected socket (a session): anything with a remote end that is not a listener. */
export function isSession(c: Connection): boolean {
  return c.remotePort !== 0 && !(c.protocol === "tcp" && c.state === "LISTEN") &&
    c.state !== "UNCONN";
}

/** What a socket is to nsnap: a listener, a session, a UDP client, or none (unbound, closed). */
export type SocketRole = "listener" | "session" | "client" | "other";

/** The role of a socket under a snapshot's rules. */
export function socketRole(c: Connection, rules: SocketRules): SocketRole {
  if (isListener(c, rules)) return "listener";
  if (isUdpClient(c, rules)) return "client";
  return isSession(c) ? "session" : "other";
}

/**
 * Identity of a listener: protocol, address and port (`tcp 0.0.0.0:22`), and its namespace in a
 * capture across namespaces (every container may listen on its own 0.0.0.0:80).
 */
export function listenerKey(c: Connection): string {
  return namespacedKey(c, `${c.protocol} ${c.family} ${c.localAddress} ${c.localPort}`);
}

/** Identity of a session: the full 5-tuple, in its namespace. */
export function sessionKey(c: Connection): string {
  return namespacedKey(
    c,
    `${c.protocol} ${c.localAddress} ${c.localPort} ${c.remoteAddress} ${c.remotePort}`,
  );
}

/** Identity of a listening port, whatever the address: what makes a session inbound. */
export function listenPortKey(c: Pick<Connection, "protocol" | "localPort">): string {
  return `${c.protocol} ${c.localPort}`;
}

/**
 * Identity of a group of sessions (the diff's default view): inbound ones by service port and
 * remote address, outbound ones by remote address and port.
 */
export function sessionGroupKey(c: Connection, inbound: boolean): string {
  return namespacedKey(
    c,
    inbound
      ? `in ${c.protocol} ${c.localPort} ${c.remoteAddress}`
      : `out ${c.protocol} ${c.remoteAddress} ${c.remotePort}`,
  );
}

/**
 * What a listener that moved to another address keeps: protocol, port and the programs holding
 * it (`127.0.0.1:9100` → `0.0.0.0:9100` of one program is one exposure change).
 */
export function exposureKey(
  s: { protocol: string; port: number },
  programs: readonly string[],
): string {
  return `${s.protocol} ${s.port} ${programs.join(",")}`;
}

/** The endpoints of a socket as any source states them (a connection, an lsof line …). */
export interface SocketEnds {
  protocol: string;
  family: string;
  localAddress: string;
  localPort: number;
  remoteAddress?: string | undefined;
  remotePort?: number | undefined;
}

/**
 * Identity of a socket across sources that print it differently (netstat, lsof, ss): protocol,
 * family and both endpoints, an absent remote end being the any-address and port 0.
 */
export function socketTupleKey(s: SocketEnds): string {
  const any = s.family === "inet6" ? "::" : "0.0.0.0";
  return `${s.protocol} ${s.family} ${s.localAddress} ${s.localPort} ${s.remoteAddress ?? any} ${
    s.remotePort ?? 0
  }`;
}

/**
 * The owner among the processes holding one socket: the holder whose parent does not also hold
 * it (a pre-fork server's master, so a reload that replaces workers is no change of owner);
 * where parents are unknown, the lowest pid. `pids` must be sorted and not empty.
 *
 * @example
 * ```ts
 * import { masterPid } from "./sockets.ts";
 * const parents = new Map([[501, 500], [500, 1]]);
 * masterPid([500, 501], (pid) => parents.get(pid)); // 500
 * ```
 */
export function masterPid(
  pids: readonly number[],
  ppidOf: (pid: number) => number | undefined,
): number {
  if (pids.length === 1) return pids[0]!;
  const held = new Set(pids);
  for (const p of pids) {
    const parent = ppidOf(p);
    if (parent === undefined || !held.has(parent)) return p;
  }
  return pids[0]!;
}

/** Formats an endpoint as `addr:port`, with IPv6 in brackets. */
export function endpoint(address: string, port: number): string {
  return address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
}

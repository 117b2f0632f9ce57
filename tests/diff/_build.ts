/** Hand-built snapshots for the diff tests: a minimal valid snapshot and small constructors. */
import type {
  Connection,
  FirewallChain,
  FirewallTable,
  Neighbour,
  NetInterface,
  ProcessInfo,
  Qdisc,
  Route,
  Rule,
  Snapshot,
} from "../../src/model.ts";
import {
  type ChangeKind,
  type ChangeOf,
  type DiffDocument,
  diffSnapshots,
  isKind,
} from "../../src/diff/mod.ts";

const OK = { status: "ok" as const };

/** A valid, empty snapshot of host `web-1` captured at `at`. */
export function snap(at = "2026-01-01T00:00:00.000Z", over: Partial<Snapshot> = {}): Snapshot {
  return {
    schema: "nsnap/v1",
    meta: {
      capturedAt: at,
      durationMs: 10,
      host: { hostname: "web-1", os: "linux", bootTime: "2025-12-01T00:00:00.000Z" },
      tool: { name: "nsnap", version: "0.1.0", runtime: "deno 2.9.6" },
      privileges: { uid: 0, root: true },
      labels: {},
      sections: { connections: OK, processes: OK, routes: OK, interfaces: OK, counters: OK },
    },
    connections: [],
    processes: {},
    routes: [],
    interfaces: [],
    counters: {},
    ...over,
  };
}

/**
 * A TCP listener on address:port owned by pid. Its inode follows the pid, as on a real host: a
 * process keeps its socket, a new process opens a new one.
 */
export function listen(address: string, port: number, pid?: number): Connection {
  const c: Connection = {
    protocol: "tcp",
    family: address.includes(":") ? "inet6" : "inet",
    localAddress: address,
    localPort: port,
    remoteAddress: address.includes(":") ? "::" : "0.0.0.0",
    remotePort: 0,
    state: "LISTEN",
    recvQ: 0,
    sendQ: 0,
    uid: 0,
    inode: (pid ?? 0) * 100_000 + 1000 + port,
  };
  if (pid !== undefined) c.pid = pid;
  return c;
}

/** A connected TCP socket. */
export function conn(
  local: string,
  lport: number,
  remote: string,
  rport: number,
  state = "ESTABLISHED",
  pid?: number,
): Connection {
  const c: Connection = {
    protocol: "tcp",
    family: local.includes(":") ? "inet6" : "inet",
    localAddress: local,
    localPort: lport,
    remoteAddress: remote,
    remotePort: rport,
    state,
    recvQ: 0,
    sendQ: 0,
    uid: 0,
    inode: 5000 + lport,
  };
  if (pid !== undefined) c.pid = pid;
  return c;
}

/** A process record. */
export function proc(
  pid: number,
  name: string,
  startTime = "2026-01-01T00:00:00.000Z",
): ProcessInfo {
  return { pid, name, exe: `/usr/bin/${name}`, startTime };
}

/** Processes keyed by pid. */
export function procs(...ps: ProcessInfo[]): Record<string, ProcessInfo> {
  return Object.fromEntries(ps.map((p) => [String(p.pid), p]));
}

/** A main-table IPv4 unicast route. */
export function route(destination: string, over: Partial<Route> = {}): Route {
  return {
    family: destination.includes(":") ? "inet6" : "inet",
    table: 254,
    type: "unicast",
    destination,
    metric: 0,
    interface: "eth0",
    protocol: "kernel",
    scope: "link",
    ...over,
  };
}

/** An interface that is up. */
export function iface(name: string, over: Partial<NetInterface> = {}): NetInterface {
  return {
    name,
    index: 2,
    mac: "52:54:00:12:34:56",
    mtu: 1500,
    flags: ["BROADCAST", "LOWER_UP", "MULTICAST", "UP"],
    operState: "up",
    addresses: [{ family: "inet", address: "10.0.0.5", prefixLength: 24 }],
    ...over,
  };
}

/** The kinds of a diff as `section:kind`, sorted: compares two diffs that name different things. */
export function changeKinds(a: Snapshot, b: Snapshot): string[] {
  return diffSnapshots(a, b).changes.map((c) => `${c.section}:${c.kind}`).sort();
}

/** The change at `index` of a document, which must be of `kind`, typed as that kind. */
export function changeAt<K extends ChangeKind>(
  doc: DiffDocument,
  kind: K,
  index = 0,
): ChangeOf<K> {
  const c = doc.changes[index];
  if (c === undefined || !isKind(kind)(c)) {
    throw new Error(`change ${index} is ${c?.kind ?? "missing"}, not ${kind}`);
  }
  return c;
}

/**
 * A snapshot with the sections added within v1 (rules, neighbours, settings, qdiscs, firewall),
 * empty unless given, all `ok`.
 */
export function fullSnap(at = "2026-01-01T00:00:00.000Z", over: Partial<Snapshot> = {}): Snapshot {
  const s = snap(at, {
    rules: [],
    neighbours: [],
    settings: {},
    qdiscs: [],
    firewall: { tables: [] },
    ...over,
  });
  for (const n of ["rules", "neighbours", "settings", "qdiscs", "firewall"] as const) {
    s.meta.sections[n] = OK;
  }
  return s;
}

/** An IPv4 lookup rule. */
export function rule(priority: number, over: Partial<Rule> = {}): Rule {
  return { family: "inet", priority, action: "lookup", table: 254, ...over };
}

/** A resolved IPv4 neighbour on eth0. */
export function neigh(address: string, over: Partial<Neighbour> = {}): Neighbour {
  return {
    family: address.includes(":") ? "inet6" : "inet",
    address,
    interface: "eth0",
    mac: "52:54:00:00:00:01",
    state: "REACHABLE",
    ...over,
  };
}

/** A root qdisc on eth0 with counters. */
export function qdisc(over: Partial<Qdisc> = {}): Qdisc {
  return {
    interface: "eth0",
    kind: "fq_codel",
    handle: "0:",
    parent: "root",
    options: "limit 10240p flows 1024",
    stats: {
      bytes: 1000n,
      packets: 10n,
      drops: 0n,
      overlimits: 0n,
      requeues: 0n,
      backlog: 0n,
      qlen: 0n,
    },
    ...over,
  };
}

/** An nft `inet filter` table with an input chain (policy given) holding these rules. */
export function nftTable(
  rules: string[],
  policy = "accept",
  more: FirewallChain[] = [],
): FirewallTable {
  return {
    syntax: "nft",
    family: "inet",
    name: "filter",
    chains: [
      {
        name: "input",
        type: "filter",
        hook: "input",
        priority: 0,
        policy,
        rules: rules.map((text) => ({ text })),
      },
      ...more,
    ],
  };
}

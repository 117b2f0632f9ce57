/** Hand-built snapshots for the diff tests: a minimal valid snapshot and small constructors. */
import type { Connection, NetInterface, ProcessInfo, Route, Snapshot } from "../../src/model.ts";
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

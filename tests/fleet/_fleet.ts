/**
 * Generated fleets for the fleet tests: hosts whose before and after snapshots are drawn from a
 * small shared vocabulary (so that identical changes happen on several hosts, as in a deploy),
 * each host with its own address, and helpers that run the engine on them in memory.
 */
import fc from "fast-check";
import type { Connection, NetInterface, Snapshot } from "../../src/model.ts";
import {
  diffFleet,
  type FleetReport,
  type HostEntry,
  type Member,
  pairMembers,
} from "../../src/fleet/mod.ts";
import type { FleetDiffOptions } from "../../src/fleet/mod.ts";
import { conn, iface, listen, proc, procs, route, snap } from "../diff/_build.ts";

const T0 = "2026-01-01T00:00:00.000Z", T1 = "2026-01-01T00:05:00.000Z";

/** One host's state on one side: which vocabulary items it has. */
export interface HostState {
  listeners: number[];
  sessions: number[];
  routes: number[];
  mtu: number;
  inSegs: bigint;
  pidBase: number;
}

/** A host of a generated fleet. */
export interface GenHost {
  name: string;
  machineId: string | undefined;
  /** Host index, used for its own address 10.0.<i>.5. */
  index: number;
  before: HostState;
  after: HostState;
}

/** Listeners: port, where (wildcard, loopback, the host's own address), program. */
const LISTENERS: Array<[number, "any" | "lo" | "own", string]> = [
  [22, "any", "sshd"],
  [80, "any", "nginx"],
  [9100, "any", "node_exporter"],
  [5432, "lo", "postgres"],
  [8080, "own", "app"],
  [53, "own", "dnsmasq"],
];
const SESSIONS: Array<[string, number]> = [["10.9.0.1", 5432], ["10.9.0.2", 6379], [
  "192.0.2.7",
  443,
]];
const ROUTES = ["10.40.0.0/16", "10.50.0.0/16", "0.0.0.0/0"];

const subset = (n: number) => fc.subarray(Array.from({ length: n }, (_, i) => i));

const arbState: fc.Arbitrary<HostState> = fc.record({
  listeners: subset(LISTENERS.length),
  sessions: subset(SESSIONS.length),
  routes: subset(ROUTES.length),
  mtu: fc.constantFrom(1500, 9000),
  inSegs: fc.bigInt({ min: 0n, max: 10_000n }),
  pidBase: fc.integer({ min: 100, max: 200 }),
});

/** A quiet state: no listener, session or route; MTU 1500. */
const QUIET: HostState = {
  listeners: [],
  sessions: [],
  routes: [],
  mtu: 1500,
  inSegs: 1n,
  pidBase: 100,
};

/** Host `i` of a hand-made fleet: quiet before, and after as `after` says (quiet otherwise). */
export function plainHost(i: number, name: string, after: Partial<HostState> = {}): GenHost {
  return { name, machineId: undefined, index: i, before: QUIET, after: { ...QUIET, ...after } };
}

/** A fleet of 1–12 hosts, every one with a machine id or not. */
export const arbFleet: fc.Arbitrary<GenHost[]> = fc.array(
  fc.record({ before: arbState, after: arbState, withId: fc.boolean() }),
  { minLength: 1, maxLength: 12 },
).map((hosts) =>
  hosts.map((h, i) => ({
    name: `web-${i + 1}`,
    machineId: h.withId ? (i + 1).toString(16).padStart(32, "0") : undefined,
    index: i,
    before: h.before,
    after: { ...h.after, inSegs: h.before.inSegs + h.after.inSegs },
  }))
);

function ownAddress(h: GenHost): string {
  return `10.0.${h.index}.5`;
}

/** The snapshot of one side of a generated host. */
export function hostSnapshot(h: GenHost, side: "before" | "after"): Snapshot {
  const st = h[side];
  const own = ownAddress(h);
  const connections: Connection[] = [];
  const processes = [];
  for (const i of st.listeners) {
    const [port, where, program] = LISTENERS[i]!;
    const address = where === "any" ? "0.0.0.0" : where === "lo" ? "127.0.0.1" : own;
    const pid = st.pidBase + i;
    connections.push(listen(address, port, pid));
    processes.push(proc(pid, program));
  }
  st.sessions.forEach((i, k) => {
    const [addr, port] = SESSIONS[i]!;
    connections.push(conn(own, 40000 + k, addr, port, "ESTABLISHED"));
  });
  const ifaces: NetInterface[] = [
    iface("eth0", { mtu: st.mtu, addresses: [{ family: "inet", address: own, prefixLength: 24 }] }),
  ];
  const s = snap(side === "before" ? T0 : T1, {
    connections,
    processes: procs(...processes),
    routes: st.routes.map((i) =>
      route(ROUTES[i]!, { gateway: "10.0.0.1", protocol: "static", scope: "universe" })
    ),
    interfaces: ifaces,
    counters: { Tcp: { InSegs: st.inSegs } },
  });
  s.meta.host.hostname = h.name;
  if (h.machineId !== undefined) s.meta.host.machineId = h.machineId;
  return s;
}

/** A member for a snapshot at a relative path. */
export function memberOf(s: Snapshot, rel: string, folder = "f"): Member {
  return {
    rel,
    file: `${folder}/${rel}`,
    hostname: s.meta.host.hostname,
    machineId: s.meta.host.machineId,
    labels: s.meta.labels,
    capturedAt: s.meta.capturedAt,
  };
}

/** An in-memory fleet: members of both folders and the snapshots behind them. */
export interface MemoryFleet {
  before: Member[];
  after: Member[];
  files: Map<string, Snapshot>;
}

/** Lays out a generated fleet as two folders, `layout` choosing each file's path. */
export function memoryFleet(
  hosts: readonly GenHost[],
  layout: (h: GenHost, side: "before" | "after") => string = (h) => `${h.name}.json`,
  present: (h: GenHost, side: "before" | "after") => boolean = () => true,
): MemoryFleet {
  const fleet: MemoryFleet = { before: [], after: [], files: new Map() };
  for (const h of hosts) {
    for (const side of ["before", "after"] as const) {
      if (!present(h, side)) continue;
      const s = hostSnapshot(h, side);
      const m = memberOf(s, layout(h, side), side);
      fleet[side].push(m);
      fleet.files.set(m.file, s);
    }
  }
  return fleet;
}

/** Runs the fleet diff on an in-memory fleet, keeping every host's entry. */
export async function runMemoryFleet(
  fleet: MemoryFleet,
  opts: FleetDiffOptions = {},
): Promise<{ report: FleetReport; entries: HostEntry[] }> {
  const pairing = pairMembers(fleet.before, fleet.after, opts.pairBy ?? "auto");
  const entries: HostEntry[] = [];
  const report = await diffFleet(
    { folder: "before", members: fleet.before },
    { folder: "after", members: fleet.after },
    pairing,
    (m) => Promise.resolve(fleet.files.get(m.file)!),
    opts,
    (e) => void entries.push(e),
  );
  return { report, entries };
}

/**
 * `nsnap port N`: every socket with N as its local or remote port, with the processes holding them.
 */
import type { Connection, ProcessInfo, Snapshot } from "../model.ts";
import { reaches } from "../net/namespace_exposure.ts";
import { isListener } from "../net/sockets.ts";
import { UsageError } from "../errors.ts";
import type { PortRange } from "../net/sockets.ts";
import {
  type ConnectionRecord,
  connectionRecord,
  holders,
  selectConnections,
  viewRules,
} from "./select.ts";
import { listenerVerdicts } from "../net/filtered.ts";

/**
 * Reads a port operand: a whole number from 1 to 65535.
 * @throws UsageError for anything else.
 */
export function parsePort(text: string): number {
  const t = text.trim();
  const n = /^[0-9]{1,5}$/.test(t) ? Number(t) : NaN;
  if (!(n >= 1 && n <= 65535)) {
    throw new UsageError(
      `Cannot use port ${JSON.stringify(text)}: expected a number from 1 to 65535`,
    );
  }
  return n;
}

/** A socket on the port, with every process that holds it. */
export interface PortSocket extends ConnectionRecord {
  processes: ProcessInfo[];
}

/** Protocols to look at (neither or both: TCP and UDP), and the UDP services rule. */
export interface PortFilter {
  tcp?: boolean | undefined;
  udp?: boolean | undefined;
  /** One address family only (`-4`, `-6`); neither or both: both. */
  inet4?: boolean | undefined;
  inet6?: boolean | undefined;
  udpServices?: readonly PortRange[] | undefined;
}

/** Every socket (any state) whose local or remote port is `port`, in snapshot order. */
export function socketsOnPort(
  snapshot: Snapshot,
  port: number,
  filter: PortFilter = {},
): PortSocket[] {
  const rules = viewRules(snapshot, filter.udpServices);
  const verdicts = listenerVerdicts(snapshot);
  return selectConnections(snapshot, {
    all: true,
    port,
    tcp: filter.tcp,
    udp: filter.udp,
    inet4: filter.inet4,
    inet6: filter.inet6,
  }).map(
    (c) => ({
      ...connectionRecord(snapshot, c, rules, verdicts),
      processes: holders(c)
        .map((pid) => snapshot.processes[String(pid)])
        .filter((p): p is ProcessInfo => p !== undefined),
    }),
  );
}

/** The distinct processes holding any of the sockets, by pid. */
export function processesOf(sockets: readonly PortSocket[]): ProcessInfo[] {
  const seen = new Map<number, ProcessInfo>();
  for (const s of sockets) for (const p of s.processes) seen.set(p.pid, p);
  return [...seen.values()].sort((a, b) => a.pid - b.pid);
}

/** A way from a host port into a namespace: a forward, or a runtime's port binding. */
export interface PortPath {
  protocol: string;
  hostAddress: string;
  hostPort: number;
  /** What carries it: `docker-proxy`, a `dnat` rule, or the runtime's binding (`docker`). */
  via: "docker-proxy" | "dnat" | "docker";
  /** The docker-proxy process. */
  pid?: number;
  /** The namespace it leads to (its id), when known. */
  namespace?: string;
  toAddress?: string;
  toPort: number;
  /** The sockets listening at its end, in that namespace. */
  listeners: Connection[];
}

/**
 * The ways from host port `port` into other namespaces (forwards and Docker's bindings), each
 * with the listeners at its end; a binding a forward already shows is not repeated.
 */
export function portPaths(snapshot: Snapshot, port: number, filter: PortFilter = {}): PortPath[] {
  const rules = viewRules(snapshot, filter.udpServices);
  const protocols = filter.tcp === filter.udp ? undefined : filter.tcp ? "tcp" : "udp";
  const out: PortPath[] = [];
  const at = (ns: string | undefined, proto: string, toPort: number, toAddress?: string) =>
    snapshot.connections.filter((c) =>
      isListener(c, rules) && c.namespace !== undefined && c.namespace === ns &&
      c.protocol === proto &&
      c.localPort === toPort &&
      (toAddress === undefined || reaches(c.localAddress, toAddress))
    );
  for (const f of snapshot.forwards ?? []) {
    if (f.hostPort !== port || (protocols && f.protocol !== protocols)) continue;
    const p: PortPath = {
      protocol: f.protocol,
      hostAddress: f.hostAddress,
      hostPort: f.hostPort,
      via: f.via,
      toAddress: f.toAddress,
      toPort: f.toPort,
      listeners: at(f.namespace, f.protocol, f.toPort, f.toAddress),
    };
    if (f.pid !== undefined) p.pid = f.pid;
    if (f.namespace !== undefined) p.namespace = f.namespace;
    out.push(p);
  }
  for (const ns of snapshot.namespaces ?? []) {
    for (const ct of ns.containers ?? []) {
      for (const b of ct.ports ?? []) {
        if (b.hostPort !== port || (protocols && b.protocol !== protocols)) continue;
        if (out.some((p) => p.namespace === ns.id && p.toPort === b.containerPort)) continue;
        out.push({
          protocol: b.protocol,
          hostAddress: b.hostAddress === "" ? "0.0.0.0" : b.hostAddress,
          hostPort: b.hostPort,
          via: "docker",
          namespace: ns.id,
          toPort: b.containerPort,
          listeners: at(ns.id, b.protocol, b.containerPort),
        });
      }
    }
  }
  return out;
}

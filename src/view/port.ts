/**
 * `nsnap port N`: every socket with N as its local or remote port, with the processes holding them.
 */
import type { ProcessInfo, Snapshot } from "../model.ts";
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
  return selectConnections(snapshot, { all: true, port, tcp: filter.tcp, udp: filter.udp }).map(
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

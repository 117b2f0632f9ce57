/**
 * Which UNIX, raw and packet sockets `nsnap show -x`, `-w` and `-0` print. UNIX sockets follow
 * netstat's flags as TCP ones do: a listener is a LISTEN socket or a bound, unconnected datagram
 * socket (a syslog or journald socket, what the capture lists by default); without `-a` or `-l`
 * only the others. Raw and packet sockets have no listeners: every one is shown. `--pid` and
 * `--program` narrow all three.
 */
import type { PacketSocket, RawSocket, Snapshot, UnixSocket } from "../model.ts";
import { exeName, programName } from "../net/programs.ts";
import { holders, processOf } from "./select.ts";

/** What to select. */
export interface SocketFilter {
  /** Listeners only (`-l`). */
  listening?: boolean | undefined;
  /** Listeners and everything else (`-a`). */
  all?: boolean | undefined;
  /** A process holding the socket. */
  pid?: number | undefined;
  /** Program of a holder: case-insensitive substring of its program, process or executable name. */
  program?: string | undefined;
}

/** A UNIX socket that waits for others: LISTEN, or a bound unconnected datagram socket. */
export function isUnixListener(u: UnixSocket): boolean {
  return u.state === "LISTEN" || (u.state === "UNCONN" && u.path !== undefined);
}

/** True when a holder of the socket is the pid and program the filter names. */
function heldAsAsked(
  snapshot: Snapshot,
  s: { pid?: number | undefined; pids?: number[] | undefined },
  filter: SocketFilter,
): boolean {
  const pids = holders(s);
  if (filter.pid !== undefined && !pids.includes(filter.pid)) return false;
  const want = filter.program?.toLowerCase();
  if (want === undefined) return true;
  return pids.some((pid) => {
    const p = processOf(snapshot, pid);
    return p !== undefined &&
      [programName(p), p.name, exeName(p.exe)].some((n) =>
        n !== undefined && n.toLowerCase().includes(want)
      );
  });
}

/** The UNIX sockets a view shows, in snapshot order. */
export function selectUnixSockets(snapshot: Snapshot, filter: SocketFilter = {}): UnixSocket[] {
  return (snapshot.unixSockets ?? []).filter((u) =>
    (filter.all || isUnixListener(u) === Boolean(filter.listening)) &&
    heldAsAsked(snapshot, u, filter)
  );
}

/** The raw sockets a view shows (all of them, narrowed by pid and program). */
export function selectRawSockets(snapshot: Snapshot, filter: SocketFilter = {}): RawSocket[] {
  return (snapshot.rawSockets ?? []).filter((r) => heldAsAsked(snapshot, r, filter));
}

/** The packet sockets a view shows (all of them, narrowed by pid and program). */
export function selectPacketSockets(
  snapshot: Snapshot,
  filter: SocketFilter = {},
): PacketSocket[] {
  return (snapshot.packetSockets ?? []).filter((p) => heldAsAsked(snapshot, p, filter));
}

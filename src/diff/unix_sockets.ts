/**
 * UNIX listeners (`/run/php/php-fpm.sock`, `/var/run/docker.sock`, abstract `@names`), keyed by
 * type and name: opened, closed, another owner, or the same owner restarted — like TCP
 * listeners. A UNIX listener is a LISTEN socket or a bound unconnected datagram socket (what a
 * capture lists by default); two sockets with one name (a stale one and its replacement) are one
 * listener, held by their holders together.
 *
 * Evidence, as for TCP listeners (docs/diff.md, "Identity"): the same socket (inode, within one
 * boot) or a process holding it on both sides is no change; an owner changed, or restarted, only
 * when both sides know every owner; an unknown owner never reads as a change.
 */
import type { ProcessInfo, Snapshot, UnixSocket } from "../model.ts";
import { programName } from "../net/programs.ts";
import type { Change, ChangeOf } from "./types.ts";
import { rebooted, sortByKey } from "./util.ts";

type Side = ChangeOf<"unix-listener-opened">["after"];

/** One UNIX listener name on one side. */
interface Listener {
  side: Side;
  inodes: Set<number>;
  /** pid → start time (or "") of every holder. */
  holders: Map<number, string>;
  /** Whether every socket's owner is known. */
  complete: boolean;
  programs: string[];
}

/** A UNIX socket that waits for others: LISTEN, or a bound unconnected datagram socket. */
export function isUnixListener(u: UnixSocket): boolean {
  return u.path !== undefined && (u.state === "LISTEN" || u.state === "UNCONN");
}

function ownerOf(snap: Snapshot, u: UnixSocket): ProcessInfo | undefined {
  const pid = u.pid ?? u.pids?.[0];
  return pid === undefined ? undefined : snap.processes[String(pid)];
}

function listenersOf(snap: Snapshot): Map<string, Listener> {
  const out = new Map<string, Listener>();
  for (const u of snap.unixSockets ?? []) {
    if (!isUnixListener(u)) continue;
    const k = `${u.path} ${u.type}`;
    let l = out.get(k);
    if (!l) {
      l = {
        side: { type: u.type, path: u.path! },
        inodes: new Set(),
        holders: new Map(),
        complete: true,
        programs: [],
      };
      out.set(k, l);
    }
    if (u.inode !== 0) l.inodes.add(u.inode);
    const pids = u.pids && u.pids.length ? u.pids : u.pid === undefined ? [] : [u.pid];
    for (const pid of pids) l.holders.set(pid, snap.processes[String(pid)]?.startTime ?? "");
    const p = ownerOf(snap, u);
    if (!p) {
      l.complete = false;
      continue;
    }
    const program = programName(p);
    if (!l.programs.includes(program)) l.programs.push(program);
    // The owner with the lowest pid speaks for the listener.
    if (l.side.pid === undefined || p.pid < l.side.pid) {
      Object.assign(l.side, { program, pid: p.pid });
      if (p.startTime !== undefined) l.side.startTime = p.startTime;
      else delete l.side.startTime;
      if (p.exe !== undefined) l.side.exe = p.exe;
      else delete l.side.exe;
    }
  }
  for (const l of out.values()) {
    l.programs.sort();
    const pids = [...l.holders.keys()].sort((a, b) => a - b);
    if (pids.length > 1) l.side.pids = pids;
  }
  return out;
}

/** True when some process holds the name on both sides (same pid and, where known, start). */
function shareHolder(a: Listener, b: Listener): boolean {
  for (const [pid, start] of a.holders) {
    const other = b.holders.get(pid);
    if (other !== undefined && (other === "" || start === "" || other === start)) return true;
  }
  return false;
}

function named(s: Side): string {
  return `unix ${s.type} ${s.path}`;
}

function held(s: Side): string {
  return s.program === undefined ? "an unknown program" : `${s.program} (pid ${s.pid})`;
}

/** The UNIX listener changes between two snapshots (both must list their UNIX sockets). */
export function diffUnixListeners(before: Snapshot, after: Snapshot): Change[] {
  const a = listenersOf(before), b = listenersOf(after);
  // An inode means the same socket only within one boot.
  const inodes = before.meta.host.bootTime !== undefined &&
    after.meta.host.bootTime !== undefined && !rebooted(before, after);
  const items: Array<[string, Change]> = [];
  for (const [k, la] of a) {
    const lb = b.get(k);
    if (!lb) {
      items.push([k, {
        kind: "unix-listener-closed",
        section: "listeners",
        key: { type: la.side.type, path: la.side.path },
        before: la.side,
        summary: `${named(la.side)} closed (was ${held(la.side)})`,
      }]);
      continue;
    }
    const same = (inodes && [...la.inodes].some((i) => lb.inodes.has(i))) || shareHolder(la, lb);
    if (same || !la.complete || !lb.complete || la.holders.size === 0 || lb.holders.size === 0) {
      continue;
    }
    const key = { type: la.side.type, path: la.side.path };
    if (la.programs.join(",") !== lb.programs.join(",")) {
      items.push([k, {
        kind: "unix-listener-owner-changed",
        section: "listeners",
        key,
        before: la.side,
        after: lb.side,
        summary: `${named(lb.side)}: now held by ${held(lb.side)} (was ${held(la.side)})`,
        notable: true,
      }]);
    } else {
      items.push([k, {
        kind: "unix-listener-restarted",
        section: "listeners",
        key,
        before: la.side,
        after: lb.side,
        summary: `${
          named(lb.side)
        }: ${lb.side.program} restarted (pid ${la.side.pid} → ${lb.side.pid})`,
      }]);
    }
  }
  for (const [k, lb] of b) {
    if (a.has(k)) continue;
    items.push([k, {
      kind: "unix-listener-opened",
      section: "listeners",
      key: { type: lb.side.type, path: lb.side.path },
      after: lb.side,
      summary: `${named(lb.side)} opened by ${held(lb.side)}`,
    }]);
  }
  return sortByKey(items);
}

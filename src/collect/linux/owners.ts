/**
 * Who holds each socket: every /proc/[pid]/fd is scanned for socket inodes, the holders' process
 * records are read, and each socket gets its holders (`pids`) and its owner (`pid`, the master
 * among them). The owner gap is a fault of both sections: sockets without pids, processes unseen.
 */
import { readdirSync } from "node:fs";
import type { ProcessInfo } from "../../model.ts";
import { masterPid } from "../../net/sockets.ts";
import { listSocketInodes } from "../../runtime/proc_fd.ts";
import { pid } from "../../runtime/process.ts";
import type { CollectOptions, Place } from "../contract.ts";
import { mergeStatus, noteStatus, type Section, section } from "../section.ts";
import { under } from "./files.ts";
import { readProcesses } from "./processes.ts";
import type { SocketLists } from "./sockets.ts";

/** A socket record of any kind: its inode, and the owners this file adds. */
interface OwnedSocket {
  inode?: number | undefined;
  pid?: number | undefined;
  pids?: number[] | undefined;
}

/** Socket inode → pids holding it, from every /proc/[pid]/fd; counts what could not be read. */
interface OwnerScan {
  owners: Map<number, number[]>;
  /** Sockets the capturing process holds itself (its runtime's socketpairs): not the host's. */
  own: Set<number>;
  /** Processes whose fd folder we may not read (another user's, without root). */
  denied: number;
  /** Processes that exited while we looked at them. */
  vanished: number;
}

function scanSocketOwners(
  proc: string,
  wanted: ReadonlySet<number>,
  self: number | undefined,
): OwnerScan {
  const owners = new Map<number, number[]>();
  const own = new Set<number>();
  const selfName = self === undefined ? undefined : String(self);
  let denied = 0, vanished = 0;
  let pids: string[];
  try {
    pids = readdirSync(proc);
  } catch {
    return { owners, own, denied: 0, vanished: 0 };
  }
  for (const name of pids) {
    const c0 = name.charCodeAt(0);
    if (c0 < 48 || c0 > 57) continue;
    let inodes: number[];
    try {
      inodes = listSocketInodes(`${proc}/${name}/fd`);
    } catch (err) {
      if ((err as { code?: string }).code === "ENOENT") vanished++;
      else denied++;
      continue;
    }
    if (name === selfName) {
      for (const inode of inodes) if (wanted.has(inode)) own.add(inode);
      continue;
    }
    const pid = Number(name);
    for (const inode of inodes) {
      if (!wanted.has(inode)) continue;
      const list = owners.get(inode);
      if (list === undefined) owners.set(inode, [pid]);
      else if (list[list.length - 1] !== pid) list.push(pid);
    }
  }
  return { owners, own, denied, vanished };
}

/** Removes the sockets only the capturing process holds (in place: the lists are the capture's). */
function dropOwn(v: SocketLists, own: ReadonlySet<number>, owners: ReadonlyMap<number, number[]>) {
  const keep = (c: OwnedSocket) => !(c.inode && own.has(c.inode) && !owners.has(c.inode));
  v.connections = v.connections.filter(keep);
  v.unix = v.unix.filter(keep);
  v.raw = v.raw.filter(keep);
  v.packet = v.packet.filter(keep);
}

/** The sockets with their owners, and the processes section. */
export interface Owned {
  sockets: Section<SocketLists>;
  processes: Section<Record<string, ProcessInfo>>;
}

/**
 * Gives each socket its holders and reads the holders' processes. The sockets' records are
 * completed in place (a busy host has 100k of them).
 */
export function assignOwners(
  place: Place,
  opts: CollectOptions,
  sockets: Section<SocketLists>,
  bootMs: number | undefined,
): Owned {
  const v = sockets.value;
  const lists: OwnedSocket[][] = [v.connections, v.unix, v.raw, v.packet];
  const gaps: string[] = [];
  let exited = 0;
  const processes = section<Record<string, ProcessInfo>>("proc", {}, (warnings) => {
    const wanted = new Set<number>();
    for (const list of lists) for (const c of list) if (c.inode) wanted.add(c.inode);
    const self = place.root === "/" ? pid() : undefined;
    const scan = scanSocketOwners(under(place.root, "/proc"), wanted, self);
    const pidSet = new Set<number>();
    for (const pids of scan.owners.values()) for (const p of pids) pidSet.add(p);
    const infos = readProcesses(
      place.root,
      [...pidSet].sort((a, b) => a - b),
      { bootMs, cmdline: opts.cmdline },
      warnings,
    );
    const ppidOf = (p: number) => infos.get(p)?.ppid;
    let unknown = 0, mine = 0;
    for (const list of lists) {
      for (const c of list) {
        const pids = c.inode ? scan.owners.get(c.inode) : undefined;
        if (pids === undefined) {
          if (scan.own.has(c.inode!)) mine++;
          else if (c.inode) unknown++;
          continue;
        }
        if (pids.length > 1) pids.sort((a, b) => a - b);
        c.pid = masterPid(pids, ppidOf);
        c.pids = pids;
      }
    }
    if (scan.denied > 0) {
      const why = opts.uid === 0 ? "permission denied" : "not root";
      gaps.push(
        `owner of ${unknown} sockets unknown: ${why} (${scan.denied} processes' descriptors unreadable)`,
      );
    } else if (unknown > 0) {
      // Listed in /proc/net but in no visible descriptor table: closed (or its owner exited)
      // before the descriptor scan, or held by a process this PID namespace does not show.
      gaps.push(
        `owner of ${unknown} sockets unknown: no visible process holds them (closed during the scan, or owned outside this PID namespace)`,
      );
    }
    if (mine > 0) dropOwn(v, scan.own, scan.owners);
    exited = scan.vanished;
    return Object.fromEntries([...infos].map(([pid, info]) => [String(pid), info]));
  });
  // A process gone before its descriptors were read took its sockets along, and any socket left
  // ownerless is counted above: noted, but no gap. A busy host has such exits on every capture;
  // they must not make every snapshot "partial".
  const notes = exited > 0 ? [`${exited} processes exited during the scan`] : [];
  return {
    sockets: { ...sockets, status: mergeStatus(sockets.status, gaps) },
    processes: {
      ...processes,
      status: noteStatus(mergeStatus(processes.status, gaps), notes),
    },
  };
}

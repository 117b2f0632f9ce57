/**
 * Who holds each socket: every /proc/[pid]/fd is scanned for socket inodes, the holders' process
 * records are read, and each socket gets its holders (`pids`) and its owner (`pid`, the master
 * among them). The owner gap is a fault of both sections: sockets without pids, processes unseen.
 */
import { readdirSync } from "node:fs";
import type { Connection, ProcessInfo } from "../../model.ts";
import { masterPid } from "../../net/sockets.ts";
import { listSocketInodes } from "../../runtime/proc_fd.ts";
import type { CollectOptions, Place } from "../contract.ts";
import { mergeStatus, noteStatus, type Section, section } from "../section.ts";
import { parseMountinfo, procHiding } from "../../parse/linux/proc_self_mountinfo.ts";
import { readText, under } from "./files.ts";
import { readProcesses } from "./processes.ts";

/** Socket inode → pids holding it, from every /proc/[pid]/fd; counts what could not be read. */
interface OwnerScan {
  owners: Map<number, number[]>;
  /** Processes whose fd folder we may not read (another user's, without root). */
  denied: number;
  /** Processes that exited while we looked at them. */
  vanished: number;
}

function scanSocketOwners(proc: string, wanted: ReadonlySet<number>): OwnerScan {
  const owners = new Map<number, number[]>();
  let denied = 0, vanished = 0;
  let pids: string[];
  try {
    pids = readdirSync(proc);
  } catch {
    return { owners, denied: 0, vanished: 0 };
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
    const pid = Number(name);
    for (const inode of inodes) {
      if (!wanted.has(inode)) continue;
      const list = owners.get(inode);
      if (list === undefined) owners.set(inode, [pid]);
      else if (list[list.length - 1] !== pid) list.push(pid);
    }
  }
  return { owners, denied, vanished };
}

/**
 * The `hidepid` option of /proc when it hides other users' processes from this capture (not
 * root, not in the option's `gid=` group), e.g. "hidepid=2"; undefined otherwise.
 */
function procHidesOthers(root: string, uid: number | undefined): string | undefined {
  if (uid === 0) return undefined;
  const mountinfo = readText(under(root, "/proc/self/mountinfo"));
  const hiding = mountinfo === undefined ? undefined : procHiding(parseMountinfo(mountinfo).value);
  if (hiding === undefined) return undefined;
  if (hiding.gid !== undefined) {
    // Members of that group (by the file-system gid or a supplementary group) see everything.
    const status = readText(under(root, "/proc/self/status")) ?? "";
    const fsGid = /^Gid:\s+(?:[0-9]+\s+){3}([0-9]+)/m.exec(status)?.[1];
    const groups = /^Groups:[ \t]*(.*)$/m.exec(status)?.[1]?.trim().split(/\s+/) ?? [];
    if ([fsGid, ...groups].includes(String(hiding.gid))) return undefined;
  }
  return hiding.option;
}

/** The sockets with their owners, and the processes section. */
export interface Owned {
  connections: Section<Connection[]>;
  processes: Section<Record<string, ProcessInfo>>;
}

/**
 * Gives each socket its holders and reads the holders' processes. The sockets' records are
 * completed in place (a busy host has 100k of them).
 */
export function assignOwners(
  place: Place,
  opts: CollectOptions,
  sockets: Section<Connection[]>,
  bootMs: number | undefined,
): Owned {
  const gaps: string[] = [];
  let exited = 0;
  const processes = section<Record<string, ProcessInfo>>("/proc/[pid]", {}, (warnings) => {
    const wanted = new Set<number>();
    for (const c of sockets.value) if (c.inode) wanted.add(c.inode);
    const scan = scanSocketOwners(under(place.root, "/proc"), wanted);
    const pidSet = new Set<number>();
    for (const pids of scan.owners.values()) for (const p of pids) pidSet.add(p);
    const infos = readProcesses(
      place.root,
      [...pidSet].sort((a, b) => a - b),
      { bootMs, cmdline: opts.cmdline },
      warnings,
    );
    const ppidOf = (p: number) => infos.get(p)?.ppid;
    let unknown = 0;
    for (const c of sockets.value) {
      const pids = c.inode ? scan.owners.get(c.inode) : undefined;
      if (pids === undefined) {
        if (c.inode) unknown++;
        continue;
      }
      pids.sort((a, b) => a - b);
      c.pid = masterPid(pids, ppidOf);
      c.pids = pids;
    }
    if (scan.denied > 0) {
      const why = opts.uid === 0 ? "permission denied" : "not root";
      gaps.push(
        `owner of ${unknown} sockets unknown: ${why} (${scan.denied} processes' descriptors unreadable)`,
      );
    } else if (unknown > 0) {
      const hidden = procHidesOthers(place.root, opts.uid);
      // Listed in /proc/net but in no visible descriptor table: held by a process /proc does
      // not list to this user (hidepid), closed (or its owner exited) before the descriptor
      // scan, or held by a process this PID namespace does not show.
      gaps.push(
        hidden !== undefined
          ? `owner of ${unknown} sockets unknown: /proc hides other users' processes (${hidden})`
          : `owner of ${unknown} sockets unknown: no visible process holds them (closed during the scan, or owned outside this PID namespace)`,
      );
    }
    exited = scan.vanished;
    return Object.fromEntries([...infos].map(([pid, info]) => [String(pid), info]));
  });
  // A process gone before its descriptors were read took its sockets along, and any socket left
  // ownerless is counted above: noted, but no gap. A busy host has such exits on every capture;
  // they must not make every snapshot "partial".
  const notes = exited > 0 ? [`${exited} processes exited during the scan`] : [];
  return {
    connections: { ...sockets, status: mergeStatus(sockets.status, gaps) },
    processes: {
      ...processes,
      status: noteStatus(mergeStatus(processes.status, gaps), notes),
    },
  };
}

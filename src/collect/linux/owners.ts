/**
 * Who holds each socket: every /proc/[pid]/fd is scanned for socket inodes, the holders' process
 * records are read, and each socket gets its holders (`pids`) and its owner (`pid`, the master
 * among them). The owner gap is a fault of both sections: sockets without pids, processes unseen.
 */
import type { ProcessInfo } from "../../model.ts";
import { masterPid } from "../../net/sockets.ts";
import { pid } from "../../runtime/process.ts";
import { runInWorker } from "../../runtime/worker.ts";
import type { CollectOptions, Place } from "../contract.ts";
import { mergeStatus, noteStatus, type Section, section } from "../section.ts";
import { parseMountinfo, procHiding } from "../../parse/linux/proc_self_mountinfo.ts";
import { readText, under } from "./files.ts";
import {
  BPF_FAILED,
  type FdScan,
  type FdScanRequest,
  noteBpfFailure,
  processNames,
  scanFds,
  scanWithBpf,
} from "./fd_scan.ts";
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
  /** How the descriptors were read: one BPF iterator pass, or the /proc walk. */
  via: "bpf" | "proc";
  /** Why the BPF iterator was asked for and could not be used. */
  bpfFailed?: string;
}

/** The owners of the wanted inodes in one scan, or in the parts of a shared one. */
function ownersIn(scans: FdScan | FdScan[], wanted: ReadonlySet<number>): OwnerScan {
  const parts = Array.isArray(scans) ? scans : [scans];
  const owners = new Map<number, number[]>();
  // Most sockets have one holder: they share one [pid] list per process (80k sockets, a handful
  // of holders), never changed in place; a second holder makes the socket a list of its own.
  const single = new Map<number, number[]>();
  let denied = 0, vanished = 0;
  let bpfFailed: string | undefined;
  const own = new Set<number>();
  for (const scan of parts) {
    denied += scan.denied;
    vanished += scan.vanished;
    bpfFailed ??= scan.bpfFailed;
    for (const i of scan.own) if (wanted.has(i)) own.add(i);
    addOwners(scan, wanted, owners, single);
  }
  const via = parts.every((p) => p.via === "bpf") ? "bpf" : "proc";
  if (bpfFailed !== undefined) noteBpfFailure(bpfFailed);
  return { owners, own, denied, vanished, via, ...(bpfFailed ? { bpfFailed } : {}) };
}

function addOwners(
  scan: FdScan,
  wanted: ReadonlySet<number>,
  owners: Map<number, number[]>,
  single: Map<number, number[]>,
): void {
  const { pairs, length } = scan;
  for (let i = 0; i < length; i += 2) {
    const inode = pairs[i]!;
    if (!wanted.has(inode)) continue;
    const pid = pairs[i + 1]!;
    const list = owners.get(inode);
    if (list === undefined) {
      let one = single.get(pid);
      if (one === undefined) single.set(pid, one = [pid]);
      owners.set(inode, one);
    } else if (!list.includes(pid)) {
      // (A thread with its own descriptor table is seen beside its process: the same pid again.)
      owners.set(inode, list.length === 1 ? [list[0]!, pid] : (list.push(pid), list));
    }
  }
}

/** Sockets at or above which the descriptor scan runs in a worker, beside the socket dump. */
export const PARALLEL_SCAN_SOCKETS = 4000;

/** A descriptor scan under way (in a worker) or to be made (here) once the sockets are known. */
export interface OwnerScanner {
  /** The owners of the wanted sockets. */
  owners(wanted: ReadonlySet<number>): Promise<OwnerScan>;
  /** True when the scan ran in a worker. */
  readonly parallel: boolean;
  /** Why the BPF iterator was not even tried (it failed in an earlier capture), if so. */
  readonly notTried?: string;
}

/**
 * Starts the descriptor scan: in a worker right away when `parallel` (a namespace with many
 * sockets: it then overlaps the socket dump, and this thread takes its share of the processes
 * once the sockets are read), else on this thread when the sockets are known — and not at all
 * when there are none. A worker that cannot start or fails means a scan on this thread.
 *
 * With `bpf` the scan is one pass of the BPF iterator (runtime/bpf_fds.ts) made by whichever
 * thread scans, alone; where the iterator fails, the /proc walk is made instead and the reason
 * is kept (`bpfFailed`).
 */
export function startOwnerScan(
  place: Place,
  parallel: boolean,
  bpf = false,
  notTried?: string,
): OwnerScanner {
  const why = notTried === undefined ? {} : { notTried };
  const proc = under(place.root, "/proc");
  const self = place.root === "/" ? pid() : undefined;
  const here = (wanted: ReadonlySet<number>): OwnerScan => {
    let bpfFailed: string | undefined;
    const fast = bpf ? scanWithBpf(self, (why) => bpfFailed = why) : undefined;
    const scan = fast ?? scanFds(proc, self, wanted);
    if (bpfFailed !== undefined) scan.bpfFailed = bpfFailed;
    return ownersIn(scan, wanted);
  };
  if (!parallel) {
    return {
      parallel: false,
      ...why,
      owners: (wanted) =>
        // No socket to find an owner for (an idle namespace): no descriptor to read either.
        Promise.resolve(
          wanted.size === 0
            ? { owners: new Map(), own: new Set(), denied: 0, vanished: 0, via: "proc" }
            : here(wanted),
        ),
    };
  }
  const names = processNames(proc);
  const next = new SharedArrayBuffer(12);
  const request: FdScanRequest = { proc, self, names, next, ...(bpf ? { bpf } : {}) };
  const pending = runInWorker<FdScanRequest, FdScan>("collect/linux/fd_scan_worker.ts", request);
  const scanner = {
    parallel: true,
    ...why,
    async owners(wanted: ReadonlySet<number>): Promise<OwnerScan> {
      const shared = new Int32Array(next);
      // The worker makes the iterator's one pass alone; once it says the iterator failed
      // (next[2] = BPF_FAILED) it walks /proc, and this thread takes its share as below.
      if (bpf && Atomics.load(shared, 2) !== BPF_FAILED) {
        const theirs = await pending;
        if (theirs !== undefined) return ownersIn(theirs, wanted);
        scanner.parallel = false;
        return here(wanted);
      }
      // This thread's share: whatever processes the worker has not taken yet.
      const mine = scanFds(proc, self, wanted, { names, next: shared });
      const theirs = await pending;
      if (theirs === undefined) {
        scanner.parallel = false;
        // No worker: this thread read every process. One that failed midway: read them again.
        return Atomics.load(shared, 1) === 0 ? ownersIn(mine, wanted) : here(wanted);
      }
      return ownersIn([theirs, mine], wanted);
    },
  };
  return scanner;
}

/** Open files on the host (the first number of /proc/sys/fs/file-nr); 0 when unknown. */
export function openFilesOnHost(root: string): number {
  const first = /^\d+/.exec(readText(under(root, "/proc/sys/fs/file-nr")) ?? "");
  return first ? Number(first[0]) : 0;
}

/**
 * Open files on the host from which the BPF iterator is worth its fixed cost (mapping the
 * kernel's BTF and finding its types, about 6 ms): the /proc walk takes about 2 µs a descriptor,
 * the iterator a quarter of that. Measured with the BTF mapped, a namespace of 10 sockets: the
 * two tie at 3500 open files (41 ms against 39), the iterator is 4 ms faster at 6500 and 12 ms
 * at 9500 (medians of 7).
 */
export const BPF_SCAN_FILES = 5_000;

/** How many sockets the namespace holds, from /proc/net/sockstat{,6} (TCP and UDP in use). */
export function socketsInUse(procNet: string): number {
  let n = 0;
  for (const file of ["sockstat", "sockstat6"]) {
    const text = readText(`${procNet}/${file}`) ?? "";
    for (const m of text.matchAll(/^(?:TCP6?|UDP6?): inuse (\d+)(?: orphan \d+ tw (\d+))?/gm)) {
      n += Number(m[1]) + Number(m[2] ?? 0);
    }
  }
  return n;
}

/** Removes the sockets only the capturing process holds (in place: the lists are the capture's). */
function dropOwn(v: SocketLists, own: ReadonlySet<number>, owners: ReadonlyMap<number, number[]>) {
  const keep = (c: OwnedSocket) => !(c.inode && own.has(c.inode) && !owners.has(c.inode));
  v.connections = v.connections.filter(keep);
  v.unix = v.unix.filter(keep);
  v.raw = v.raw.filter(keep);
  v.packet = v.packet.filter(keep);
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
  sockets: Section<SocketLists>;
  processes: Section<Record<string, ProcessInfo>>;
}

/**
 * Gives each socket its holders and reads the holders' processes. The sockets' records are
 * completed in place (a busy host has 100k of them).
 */
export async function assignOwners(
  place: Place,
  opts: CollectOptions,
  sockets: Section<SocketLists>,
  bootMs: number | undefined,
  scanner: OwnerScanner = startOwnerScan(place, false),
): Promise<Owned> {
  const v = sockets.value;
  const lists: OwnedSocket[][] = [v.connections, v.unix, v.raw, v.packet];
  const gaps: string[] = [];
  let exited = 0;
  const wanted = new Set<number>();
  for (const list of lists) for (const c of list) if (c.inode) wanted.add(c.inode);
  let scan: OwnerScan | undefined, scanError: unknown;
  try {
    scan = await scanner.owners(wanted);
  } catch (err) {
    scanError = err;
  }
  // The BPF iterator read the descriptors; /proc, as always, the processes.
  const source = scan?.via === "bpf" ? "bpf+proc" : "proc";
  const processes = section<Record<string, ProcessInfo>>(source, {}, (warnings) => {
    if (scan === undefined) throw scanError;
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
        if (pids.length > 1) pids.sort((a, b) => a - b); // a list of its own (see ownersIn)
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
      const hidden = procHidesOthers(place.root, opts.uid);
      // Listed in /proc/net but in no visible descriptor table: held by a process /proc does
      // not list to this user (hidepid), closed (or its owner exited) before the descriptor
      // scan, or held by a process this PID namespace does not show.
      gaps.push(
        hidden !== undefined
          ? `owner of ${unknown} sockets unknown: /proc hides other users' processes (${hidden})`
          : `owner of ${unknown} sockets unknown: no visible process holds them (${
            scanner.parallel ? "opened or closed" : "closed"
          } during the scan, or owned outside this PID namespace)`,
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
  // Why the iterator did not read the descriptors: it failed now, or it failed before.
  const bpfWhy = scan?.bpfFailed ?? scanner.notTried;
  if (bpfWhy !== undefined) {
    notes.push(`BPF descriptor iterator unavailable (${bpfWhy}): read /proc/PID/fd`);
  }
  return {
    sockets: { ...sockets, status: mergeStatus(sockets.status, gaps) },
    processes: {
      ...processes,
      status: noteStatus(mergeStatus(processes.status, gaps), notes),
    },
  };
}

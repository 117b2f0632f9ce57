/**
 * The descriptor scan behind socket owners: every /proc/[pid]/fd listed for socket inodes (one
 * link read per descriptor, the capture's hot loop on a busy host). It runs on the capture's
 * thread, or — when the namespace holds many sockets — in a worker (fd_scan_worker.ts) while
 * the capture's thread reads the sockets over netlink, so that the two kernel-bound halves of a
 * large capture overlap on a second core.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import {
  bpfHindrance,
  bpfSocketPairs,
  mapFile,
  type TaskFileLayout,
} from "../../runtime/bpf_fds.ts";
import { iteratorTypes } from "../../parse/linux/sys_kernel_btf.ts";
import { listSocketInodes } from "../../runtime/proc_fd.ts";
import { env } from "../../runtime/process.ts";

/** What one scan saw: each (socket inode, pid) it read, and what it could not read. */
export interface FdScan {
  /** inode, pid, inode, pid, … for every socket descriptor of another process. */
  pairs: Float64Array;
  /** How many numbers of `pairs` are filled. */
  length: number;
  /** Socket inodes the scanning process holds itself (its runtime's socketpairs). */
  own: number[];
  /** Processes whose fd folder may not be read (another user's, without root). */
  denied: number;
  /** Processes that exited while they were looked at. */
  vanished: number;
  /** "bpf" when the BPF iterator made the scan (bpf_fds.ts); absent for the /proc walk. */
  via?: "bpf";
  /** Why the BPF iterator was asked for and could not be used (the /proc walk was made). */
  bpfFailed?: string;
}

/**
 * A scan shared by two threads: the process folders to read, and the index of the next one to
 * take (an Int32Array over a SharedArrayBuffer), so that the thread that is free takes the next
 * process until none is left.
 */
export interface SharedScan {
  names: readonly string[];
  /**
   * [0]: the next index to take; [1]: how many the worker took (its own count, see below);
   * [2]: BPF_FAILED once a worker asked for the iterator found it failing (the walk is shared).
   */
  next: Int32Array;
  /** Count each process taken in next[1] (the worker does, so that a failed one is known). */
  count?: boolean;
}

/** The process folders (numeric names) below `proc`; empty when it cannot be listed. */
export function processNames(proc: string): string[] {
  try {
    return readdirSync(proc).filter((n) => {
      const c0 = n.charCodeAt(0);
      return c0 >= 48 && c0 <= 57;
    });
  } catch {
    return [];
  }
}

/**
 * Scans /proc/[pid]/fd below `proc`: every process, or those of `share` this thread takes.
 * `self` is the scanning process's pid (its own sockets are set apart); `wanted`, when given,
 * keeps only those inodes.
 */
export function scanFds(
  proc: string,
  self: number | undefined,
  wanted?: ReadonlySet<number>,
  share?: SharedScan,
): FdScan {
  let pairs = new Float64Array(wanted ? Math.max(16, wanted.size * 2) : 4096);
  let length = 0;
  const own: number[] = [];
  const selfName = self === undefined ? undefined : String(self);
  let denied = 0, vanished = 0;
  const names = share?.names ?? processNames(proc);
  for (let k = 0;; k++) {
    const at = share ? Atomics.add(share.next, 0, 1) : k;
    if (at >= names.length) break;
    if (share?.count) Atomics.add(share.next, 1, 1);
    const name = names[at]!;
    let inodes: number[];
    try {
      inodes = listSocketInodes(`${proc}/${name}/fd`);
    } catch (err) {
      if ((err as { code?: string }).code === "ENOENT") vanished++;
      else denied++;
      continue;
    }
    if (name === selfName) {
      for (const inode of inodes) own.push(inode);
      continue;
    }
    const pid = Number(name);
    if (length + inodes.length * 2 > pairs.length) {
      const bigger = new Float64Array(Math.max(pairs.length * 2, length + inodes.length * 2));
      bigger.set(pairs.subarray(0, length));
      pairs = bigger;
    }
    for (const inode of inodes) {
      if (wanted !== undefined && !wanted.has(inode)) continue;
      pairs[length++] = inode;
      pairs[length++] = pid;
    }
  }
  return { pairs, length, own, denied, vanished };
}

const KERNEL_BTF = "/sys/kernel/btf/vmlinux";

/** The running kernel's type information (BTF); `NSNAP_BTF` names another file (tests). */
function btfPath(): string {
  return env("NSNAP_BTF") || KERNEL_BTF;
}

/** Why the iterator failed in this process before (a periodic capture does not try again). */
let failedBefore: string | undefined;

/** Remembers that the iterator failed, so that the next capture of this process walks /proc. */
export function noteBpfFailure(why: string): void {
  failedBefore ??= why;
}

/** Why the iterator failed in an earlier capture of this process, if it did. */
export function bpfFailedBefore(): string | undefined {
  return failedBefore;
}

/**
 * Why the BPF iterator cannot be used by this process, from cheap checks (no BTF read, no FFI
 * opened), or undefined when it may be tried.
 */
export function bpfScanHindrance(): string | undefined {
  const path = btfPath();
  return bpfHindrance() ?? (existsSync(path) ? undefined : `no ${path}`);
}

let layout: TaskFileLayout | undefined;

/** What the iterator needs of the running kernel, read once per process; a string says why not. */
function kernelLayout(): TaskFileLayout | string {
  if (layout !== undefined) return layout;
  const path = btfPath();
  // The kernel's own BTF is mapped (it never changes while mapped); any other file is read.
  const mapped = path === KERNEL_BTF ? mapFile(path) : undefined;
  try {
    return layout = iteratorTypes(mapped?.bytes ?? readFileSync(path));
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return e.code === "ENOENT" ? `no ${path}` : `${path}: ${e.message}`;
  } finally {
    mapped?.release();
  }
}

/**
 * The whole scan from one BPF iterator pass, or undefined (with the reason in `failed`) when the
 * iterator cannot be used here.
 */
export function scanWithBpf(
  self: number | undefined,
  failed: (why: string) => void,
): FdScan | undefined {
  const k = kernelLayout();
  const r = typeof k === "string" ? { ok: false as const, reason: k } : bpfSocketPairs(k);
  if (!r.ok) {
    failed(r.reason);
    return undefined;
  }
  // The scanning process's own sockets set apart, in place.
  const { pairs } = r;
  const own: number[] = [];
  let length = 0;
  for (let i = 0; i < r.length; i += 2) {
    if (pairs[i + 1] === self) own.push(pairs[i]!);
    else {
      pairs[length++] = pairs[i]!;
      pairs[length++] = pairs[i + 1]!;
    }
  }
  return { pairs, length, own, denied: 0, vanished: 0, via: "bpf" };
}

/** next[2] of a shared scan when the worker's iterator failed and the /proc walk is shared. */
export const BPF_FAILED = 2;

/** The request a scan worker answers with an FdScan: its share of the scan. */
export interface FdScanRequest {
  proc: string;
  self: number | undefined;
  names: string[];
  /** The SharedArrayBuffer of SharedScan.next. */
  next: SharedArrayBuffer;
  /**
   * Try the BPF iterator first: the worker then makes the whole scan (the other thread takes no
   * share), by /proc when the iterator fails.
   */
  bpf?: boolean;
}

/**
 * The descriptor scan behind socket owners: every /proc/[pid]/fd listed for socket inodes (one
 * link read per descriptor, the capture's hot loop on a busy host). It runs on the capture's
 * thread, or — when the namespace holds many sockets — in a worker (fd_scan_worker.ts) while
 * the capture's thread reads the sockets over netlink, so that the two kernel-bound halves of a
 * large capture overlap on a second core.
 */
import { readdirSync } from "node:fs";
import { listSocketInodes } from "../../runtime/proc_fd.ts";

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
}

/**
 * Scans every /proc/[pid]/fd below `proc`. `self` is the scanning process's pid (its own sockets
 * are set apart); `wanted`, when given, keeps only those inodes.
 */
export function scanFds(
  proc: string,
  self: number | undefined,
  wanted?: ReadonlySet<number>,
): FdScan {
  let pairs = new Float64Array(wanted ? Math.max(16, wanted.size * 2) : 4096);
  let length = 0;
  const own: number[] = [];
  const selfName = self === undefined ? undefined : String(self);
  let denied = 0, vanished = 0;
  let names: string[];
  try {
    names = readdirSync(proc);
  } catch {
    return { pairs, length, own, denied, vanished };
  }
  for (const name of names) {
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

/** The request a scan worker answers with an FdScan. */
export interface FdScanRequest {
  proc: string;
  self: number | undefined;
}

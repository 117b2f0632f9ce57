/**
 * Finding every network namespace of the host, below a capture root (a fixture tree under
 * `--root` works the same way):
 * - those of running processes: the `net:[INODE]` link of every /proc/[pid]/ns/net, with the
 *   pids in each;
 * - named ones: /run/netns/NAME, as `ip netns` makes them (bind mounts of a namespace file);
 * - those a runtime holds: /var/run/docker/netns/ID (dockerd's sandboxes).
 * One namespace seen several ways is one entry (by inode), with every pid and file that holds it.
 *
 * Decisions:
 * - A namespace file's inode is read from its link text where it is a link (`net:[N]`: /proc
 *   and fixture trees), else with stat(); a file under /run/netns that is not a mount of a
 *   namespace (left behind after a crash: its device is not nsfs) is a warning, never a
 *   namespace.
 * - The host's namespace is init's (/proc/1/ns/net); where that cannot be read (a sandbox that
 *   hides pid 1), the kernel's fixed inode of the initial namespace.
 * - A process whose link cannot be read is counted: EACCES/EPERM make the discovery partial
 *   ("not root"), ENOENT (it exited) is not a gap.
 */
import { readdirSync, readlinkSync, statSync } from "node:fs";
import { errnoText } from "../../../errors.ts";
import { INIT_NETNS_INODE, parseNetnsLink } from "../../../parse/linux/proc_pid_ns.ts";
import { under, unreadable } from "../files.ts";

/** One namespace as discovery found it. */
export interface FoundNamespace {
  inode: number;
  /** Processes in it, ascending (the host numbers them). */
  pids: number[];
  /** `ip netns` names (/run/netns/NAME), sorted. */
  names: string[];
  /** Files that hold it besides processes (paths as seen from the host, not under the root). */
  files: string[];
}

/** What discovery found. */
export interface Discovery {
  /** By inode, ascending. */
  namespaces: FoundNamespace[];
  /** The inode of the namespace this process runs in. */
  ownInode?: number;
  /** The inode of the host's (initial) namespace. */
  hostInode: number;
  /** Processes whose namespace could not be read (permission). */
  denied: number;
  warnings: string[];
}

/** The namespace folders runtimes and `ip netns` keep, and whether their files are names. */
const HOLDERS: readonly { dir: string; named: boolean }[] = [
  { dir: "/run/netns", named: true },
  { dir: "/var/run/docker/netns", named: false },
];

/** The inode of a namespace file: from its link text (`net:[N]`), else its nsfs inode. */
export function namespaceFileInode(
  path: string,
  nsfsDevice: number | undefined,
): number | string {
  try {
    const inode = parseNetnsLink(readlinkSync(path));
    return inode ?? "not a network namespace link";
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== "EINVAL") return errnoText(err); // EINVAL: not a link, a bind mount
  }
  try {
    const st = statSync(path);
    if (nsfsDevice === undefined) return "not a namespace link (and nsfs cannot be told here)";
    if (st.dev !== nsfsDevice) {
      return "not a mounted namespace (left behind?)";
    }
    return st.ino;
  } catch (err) {
    return errnoText(err);
  }
}

/**
 * The inodes of this process's network namespace (undefined when its link cannot be read) and of
 * the host's: pid 1's, else the kernel's fixed inode of the initial namespace.
 */
function ownAndHost(proc: string): { own: number | undefined; host: number } {
  let own: number | undefined;
  try {
    own = parseNetnsLink(readlinkSync(`${proc}/self/ns/net`));
  } catch { /* no /proc/self: a fixture tree without it */ }
  let host = INIT_NETNS_INODE;
  try {
    host = parseNetnsLink(readlinkSync(`${proc}/1/ns/net`)) ?? host;
  } catch { /* pid 1 hidden: the kernel's fixed inode */ }
  return { own, host };
}

/**
 * Whether this process runs in the host's network namespace, undefined when its own link cannot
 * be read: two readlinks, for a capture that only needs to know before discovering.
 */
export function inHostNamespace(root: string): boolean | undefined {
  const { own, host } = ownAndHost(under(root, "/proc"));
  return own === undefined ? undefined : own === host;
}

/**
 * Finds the namespaces below `root` ("/" on a real host).
 *
 * @example
 * ```ts
 * import { discoverNamespaces } from "./discover.ts";
 * const d = discoverNamespaces("/");
 * console.log(d.namespaces.length, "namespaces; host", d.hostInode);
 * ```
 */
export function discoverNamespaces(root: string): Discovery {
  const warnings: string[] = [];
  const byInode = new Map<number, FoundNamespace>();
  const entry = (inode: number) => {
    let ns = byInode.get(inode);
    if (!ns) byInode.set(inode, ns = { inode, pids: [], names: [], files: [] });
    return ns;
  };
  const proc = under(root, "/proc");
  let denied = 0;
  let names: string[] = [];
  try {
    names = readdirSync(proc);
  } catch (err) {
    warnings.push(unreadable(proc, err));
  }
  for (const name of names) {
    const c0 = name.charCodeAt(0);
    if (c0 < 48 || c0 > 57) continue;
    let text: string;
    try {
      text = readlinkSync(`${proc}/${name}/ns/net`);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === "EACCES" || code === "EPERM") denied++;
      continue;
    }
    const inode = parseNetnsLink(text);
    if (inode !== undefined) entry(inode).pids.push(Number(name));
  }
  const { own: ownInode, host: hostInode } = ownAndHost(proc);
  let nsfsDevice: number | undefined;
  try {
    nsfsDevice = statSync(`${proc}/self/ns/net`).dev;
  } catch { /* a fixture's dangling link: namespace files there are links too */ }
  for (const { dir, named } of HOLDERS) {
    const at = under(root, dir);
    let files: string[];
    try {
      files = readdirSync(at).sort();
    } catch (err) {
      if ((err as { code?: string }).code !== "ENOENT") warnings.push(unreadable(at, err));
      continue;
    }
    for (const f of files) {
      const inode = namespaceFileInode(`${at}/${f}`, nsfsDevice);
      if (typeof inode === "string") {
        warnings.push(`${dir}/${f}: ${inode}`);
        continue;
      }
      const ns = entry(inode);
      ns.files.push(`${dir}/${f}`);
      if (named) ns.names.push(f);
    }
  }
  const namespaces = [...byInode.values()].sort((a, b) => a.inode - b.inode);
  for (const ns of namespaces) {
    ns.pids.sort((a, b) => a - b);
    ns.names.sort();
  }
  const out: Discovery = { namespaces, hostInode, denied, warnings };
  if (ownInode !== undefined) out.ownInode = ownInode;
  return out;
}

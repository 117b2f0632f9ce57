/**
 * /proc/[pid]/ns/net: a symbolic link whose text names the network namespace, `net:[4026532184]`.
 * The number is the namespace's inode on nsfs: its identity for as long as it lives, shared by
 * every file that holds it (`/run/netns/NAME`, `/var/run/docker/netns/ID` are bind mounts of it).
 */

/** The inode of the initial network namespace (the kernel's `init_net`, fixed since Linux 3.8). */
export const INIT_NETNS_INODE = 4026531833;

/**
 * Reads the text of a namespace link (`net:[4026532184]`) into the inode; undefined for any
 * other text (another namespace type, a plain path).
 *
 * @example
 * ```ts
 * import { parseNetnsLink } from "./proc_pid_ns.ts";
 * parseNetnsLink("net:[4026532184]"); // 4026532184
 * parseNetnsLink("mnt:[4026531841]"); // undefined
 * ```
 */
export function parseNetnsLink(text: string): number | undefined {
  const m = /^net:\[([0-9]{1,15})\]$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/**
 * /proc/sys: the kernel's settings, one file per setting. What is pure about reading them: the
 * sysctl name of a file (as `sysctl` names it) and the value as nsnap keeps it.
 */

/**
 * The dotted sysctl name of a path below /proc/sys (`net/ipv4/conf/eth0.100/rp_filter` →
 * `net.ipv4.conf.eth0/100.rp_filter`): a dot inside one component becomes a slash, as sysctl
 * writes it, so the name reads back to one path.
 *
 * @example
 * ```ts
 * import { sysctlName } from "./proc_sys.ts";
 * sysctlName("net/ipv4/ip_forward"); // "net.ipv4.ip_forward"
 * ```
 */
export function sysctlName(relativePath: string): string {
  return relativePath.split("/").filter((p) => p !== "").map((p) => p.replaceAll(".", "/"))
    .join(".");
}

/** The path below /proc/sys of a dotted sysctl name (the inverse of `sysctlName`). */
export function sysctlPath(name: string): string {
  return name.split(".").map((p) => p.replaceAll("/", ".")).join("/");
}

/** A setting's value as nsnap keeps it: trimmed, runs of whitespace (tabs) as one space. */
export function settingValue(text: string): string {
  return text.trim().split(/\s+/).join(" ");
}

/**
 * /sys/class/net/<iface>/flags: the interface's IFF_* flags as one hex number ("0x1003").
 */

/** Interface flags by bit, as in include/uapi/linux/if.h. */
const IFF_NAMES: readonly [number, string][] = [
  [0x1, "UP"],
  [0x2, "BROADCAST"],
  [0x4, "DEBUG"],
  [0x8, "LOOPBACK"],
  [0x10, "POINTOPOINT"],
  [0x20, "NOTRAILERS"],
  [0x40, "RUNNING"],
  [0x80, "NOARP"],
  [0x100, "PROMISC"],
  [0x200, "ALLMULTI"],
  [0x400, "MASTER"],
  [0x800, "SLAVE"],
  [0x1000, "MULTICAST"],
  [0x2000, "PORTSEL"],
  [0x4000, "AUTOMEDIA"],
  [0x8000, "DYNAMIC"],
  [0x10000, "LOWER_UP"],
  [0x20000, "DORMANT"],
  [0x40000, "ECHO"],
];

/**
 * Parses the flags attribute into flag names, in bit order; undefined when the text is not one
 * hex number. Bits without a name in if.h are left out.
 *
 * @example
 * ```ts
 * import { parseSysClassNetFlags } from "./sys_class_net_flags.ts";
 * parseSysClassNetFlags("0x1003\n"); // ["UP", "BROADCAST", "MULTICAST"]
 * ```
 */
export function parseSysClassNetFlags(text: string): string[] | undefined {
  const t = text.trim();
  if (!/^(0x)?[0-9a-fA-F]{1,8}$/.test(t)) return undefined;
  const flags = parseInt(t, 16);
  return IFF_NAMES.filter(([bit]) => (flags & bit) !== 0).map(([, name]) => name);
}

/**
 * Flag names as another source lists them (`ip -j`: ["BROADCAST", "UP", "LOWER_UP",
 * "NO-CARRIER"]) in the kernel's bit order, as parseSysClassNetFlags() gives them; names that are
 * no IFF_* bit (ip's NO-CARRIER and M-DOWN, which it derives) are left out.
 *
 * @example
 * ```ts
 * import { orderIffNames } from "./sys_class_net_flags.ts";
 * orderIffNames(["MULTICAST", "UP", "NO-CARRIER", "BROADCAST"]); // ["UP", "BROADCAST", "MULTICAST"]
 * ```
 */
export function orderIffNames(names: readonly string[]): string[] {
  const have = new Set(names);
  return IFF_NAMES.filter(([, name]) => have.has(name)).map(([, name]) => name);
}

/**
 * The kernel settings a snapshot records (`settings`), read from /proc/sys: one table, each entry
 * with the reason nsnap needs it. A setting this kernel does not have is left out, without a
 * warning (absent is not empty, and old kernels lack some); one that exists but cannot be read
 * is a warning.
 */
import { existsSync } from "node:fs";
import type { Settings } from "../../model.ts";
import type { Place } from "../contract.ts";
import { type Section, section } from "../section.ts";
import { readText, under } from "./files.ts";
import { dict } from "../../util/record.ts";

/** One setting: its sysctl name and why a snapshot holds it. */
export interface SettingEntry {
  name: string;
  reason: string;
}

/** Every setting the Linux collector reads, by sysctl name. */
export const SETTINGS: readonly SettingEntry[] = [
  {
    name: "net.ipv4.ip_local_port_range",
    reason: "the ephemeral ports: an unconnected UDP socket on one is a client, not a listener",
  },
  {
    name: "net.ipv4.ip_local_reserved_ports",
    reason: "ports never handed out as ephemeral: a UDP socket on one is a service",
  },
];

/** The /proc/sys path of a sysctl name (`net.ipv4.ip_forward` → /proc/sys/net/ipv4/ip_forward). */
export function sysctlPath(name: string): string {
  return `/proc/sys/${name.replaceAll(".", "/")}`;
}

/** A sysctl value as recorded: trimmed, every run of whitespace made one space. */
export function settingValue(text: string): string {
  return text.trim().replace(/\s+/g, " ");
}

/** Reads every setting of the table that this kernel has. */
export function collectSettings(place: Place): Section<Settings> {
  return section("/proc/sys", {}, (warnings) => {
    const out: Settings = dict();
    for (const { name } of SETTINGS) {
      const path = under(place.root, sysctlPath(name));
      if (!existsSync(path)) continue;
      const text = readText(path, warnings);
      if (text !== undefined) out[name] = settingValue(text);
    }
    return out;
  });
}

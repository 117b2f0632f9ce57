/**
 * The Linux collector's settings: the sysctls that change how this host's network behaves, read
 * from /proc/sys below the capture root, in one table with the reason each is there.
 *
 * Decisions:
 * - A `*` in a name stands for every entry of that /proc/sys folder: for `conf.*` that is `all`,
 *   `default` and one per interface, so `net.ipv4.conf.*.rp_filter` gives
 *   `net.ipv4.conf.all.rp_filter`, `….default.…` and `….eth0.…`. Names are written as sysctl
 *   writes them (a dot in an interface name as `/`); values with their whitespace collapsed.
 * - A setting this kernel or this network namespace does not have is left out: absent is not
 *   empty, and old kernels lack some. Where its absence says something (the conntrack ones exist
 *   only while nf_conntrack is loaded) a note says why; netdev_max_backlog, which only the
 *   initial network namespace has, is left out silently; one that exists but cannot be read makes the section partial.
 * - Reading /proc/sys needs no privilege and spawns nothing.
 */
import { readdirSync } from "node:fs";
import type { Settings } from "../../model.ts";
import { errnoText } from "../../errors.ts";
import { settingValue, sysctlName, sysctlPath } from "../../parse/linux/proc_sys.ts";
import type { Place } from "../contract.ts";
import { noteStatus, type Section, section } from "../section.ts";
import { readHostFile, under, unreadableReason } from "./files.ts";
import { hostText } from "../../util/host_text.ts";
import { dict } from "../../util/record.ts";

/** One setting of the table. */
export interface SettingEntry {
  /** The sysctl name, dotted; `*` for every entry of that folder (all, default, each interface). */
  name: string;
  /** Why it is captured: what it changes. */
  reason: string;
  /** Why it may be absent without anything being wrong. */
  absent?: string;
}

/** The settings a snapshot holds, and why each one matters. */
export const SETTINGS: readonly SettingEntry[] = [
  { name: "net.ipv4.ip_forward", reason: "whether the host routes IPv4 between its interfaces" },
  {
    name: "net.ipv4.conf.*.forwarding",
    reason: "IPv4 forwarding per interface (all, default, each interface)",
  },
  {
    name: "net.ipv6.conf.*.forwarding",
    reason: "IPv6 forwarding per interface; a forwarding interface also ignores router adverts",
  },
  {
    name: "net.ipv4.conf.*.rp_filter",
    reason: "reverse-path filter: 1 drops packets that arrive where their reply would not leave",
  },
  { name: "net.core.somaxconn", reason: "the most a listen() backlog (accept queue) may hold" },
  {
    name: "net.ipv4.tcp_syncookies",
    reason: "SYN cookies answer a SYN flood once the half-open queue is full",
  },
  {
    name: "net.ipv4.tcp_max_syn_backlog",
    reason: "how many half-open (SYN_RECV) connections a listener may have",
  },
  {
    name: "net.core.netdev_max_backlog",
    // Only the initial network namespace has it: absent in every other, which is no news.
    reason: "packets queued per CPU on receive before the kernel drops them",
  },
  {
    name: "net.ipv4.ip_local_port_range",
    reason: "the ephemeral ports: an unconnected UDP socket on one is a client, not a listener",
  },
  {
    name: "net.ipv4.ip_local_reserved_ports",
    reason: "ports never handed out as ephemeral: a UDP socket on one is a service",
  },
  {
    name: "net.ipv4.tcp_tw_reuse",
    reason: "whether new outgoing connections may reuse TIME_WAIT sockets",
  },
  {
    name: "net.ipv4.tcp_fin_timeout",
    reason: "seconds an orphaned connection stays in FIN_WAIT_2",
  },
  { name: "net.ipv4.tcp_keepalive_time", reason: "idle seconds before TCP keepalive probes" },
  { name: "net.ipv4.tcp_keepalive_intvl", reason: "seconds between TCP keepalive probes" },
  {
    name: "net.ipv4.tcp_keepalive_probes",
    reason: "unanswered keepalive probes before a connection is dropped",
  },
  { name: "net.ipv4.tcp_rmem", reason: "TCP receive buffer: min, default and max bytes" },
  { name: "net.ipv4.tcp_wmem", reason: "TCP send buffer: min, default and max bytes" },
  { name: "net.core.rmem_max", reason: "the largest receive buffer SO_RCVBUF may ask for" },
  { name: "net.core.wmem_max", reason: "the largest send buffer SO_SNDBUF may ask for" },
  {
    name: "net.ipv4.tcp_congestion_control",
    reason: "the congestion control new TCP connections use",
  },
  { name: "net.ipv4.tcp_ecn", reason: "whether TCP asks for (1) or accepts (2) ECN" },
  {
    name: "net.ipv6.conf.*.disable_ipv6",
    reason: "IPv6 switched off, host-wide or per interface",
  },
  {
    name: "net.ipv6.conf.*.accept_ra",
    reason: "whether router advertisements set addresses and default routes",
  },
  {
    name: "net.netfilter.nf_conntrack_max",
    reason: "the size of the connection tracking table: beyond it new flows are dropped",
    absent: "the nf_conntrack module is not loaded",
  },
  {
    name: "net.netfilter.nf_conntrack_count",
    reason: "flows tracked now (a gauge, compared with nf_conntrack_max)",
    absent: "the nf_conntrack module is not loaded",
  },
];

/** The concrete names of an entry: its own, or one per folder entry where it has a `*`. */
function expand(root: string, name: string): { names: string[]; missing?: string } {
  const star = name.split(".").indexOf("*");
  if (star < 0) return { names: [name] };
  const parts = name.split(".");
  const dir = under(root, `/proc/sys/${sysctlPath(parts.slice(0, star).join("."))}`);
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch (err) {
    // No such folder (a kernel without IPv6): nothing to read, and nothing lost.
    if ((err as { code?: string }).code === "ENOENT") return { names: [] };
    return { names: [], missing: errnoText(err) };
  }
  const head = parts.slice(0, star).join(".");
  const tail = parts.slice(star + 1).join(".");
  return { names: entries.map((e) => `${head}.${sysctlName(e)}.${tail}`) };
}

/** Reads the settings of the table from /proc/sys. */
export function collectSettings(place: Place): Section<Settings> {
  const notes: string[] = [];
  const s = section("/proc/sys", {} as Settings, (warnings) => {
    const out: Settings = dict();
    for (const entry of SETTINGS) {
      const { names, missing } = expand(place.root, entry.name);
      if (missing !== undefined) {
        warnings.push(`cannot list ${entry.name}: ${missing}`);
        continue;
      }
      for (const name of names) {
        const path = under(place.root, `/proc/sys/${sysctlPath(name)}`);
        try {
          out[name] = settingValue(hostText(readHostFile(path)));
        } catch (err) {
          const code = (err as { code?: string }).code;
          if (code === "ENOENT") {
            // Not on this kernel, or a folder entry that vanished between listing and reading
            // (an interface went away): no loss.
            if (entry.absent !== undefined && !entry.name.includes("*")) {
              notes.push(`${name} absent: ${entry.absent}`);
            }
          } else {
            warnings.push(`cannot read ${name}: ${unreadableReason(err)}`);
          }
        }
      }
    }
    return out;
  });
  return { ...s, status: noteStatus(s.status, notes) };
}

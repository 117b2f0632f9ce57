/**
 * Settings (sysctls), by name: `sysctl-changed` for each one whose value changed. A setting only
 * one snapshot has (an interface that came or went, a module loaded) is not compared: absent is
 * not zero.
 *
 * Decisions:
 * - This is its own section and kind, not the counters' `setting-changed`: that one is for the
 *   kernel's protocol constants in /proc/net/snmp (Ip.Forwarding, Tcp.RtoMin), keyed by counter
 *   group and name; these are /proc/sys settings keyed by sysctl name.
 * - Notable: forwarding (ip_forward and every conf.*.forwarding), rp_filter, tcp_syncookies and
 *   somaxconn — each decides whether traffic flows at all, or what a listener can queue.
 * - nf_conntrack_count is a gauge, not a setting: it is never a `sysctl-changed`; once it
 *   reaches 90% of nf_conntrack_max and is still rising it is a `conntrack-near-limit`.
 */
import type { Settings, Snapshot } from "../model.ts";
import { formatCount, formatPercent } from "../format.ts";
import type { Change, ChangeOf } from "./types.ts";
import { sortByKey } from "./util.ts";

const COUNT = "net.netfilter.nf_conntrack_count";
const MAX = "net.netfilter.nf_conntrack_max";

/** Settings that decide whether traffic flows, and how much a listener can queue. */
const NOTABLE = [
  /^net\.ipv4\.ip_forward$/,
  /^net\.ipv[46]\.conf\.[^.]+\.forwarding$/,
  /^net\.ipv4\.conf\.[^.]+\.rp_filter$/,
  /^net\.ipv4\.tcp_syncookies$/,
  /^net\.core\.somaxconn$/,
];

/** What a notable setting's new value means, in a few words. */
function meaning(name: string, value: string): string {
  if (/forward/.test(name)) {
    return value === "0" ? "forwarding off" : "forwarding on: the host routes packets";
  }
  if (/rp_filter$/.test(name)) {
    return value === "1"
      ? "strict reverse-path filter: asymmetric traffic is dropped"
      : value === "2"
      ? "loose reverse-path filter"
      : "no reverse-path filter";
  }
  if (/syncookies$/.test(name)) {
    return value === "0" ? "no SYN cookies: a SYN flood fills the queue" : "SYN cookies on";
  }
  if (/somaxconn$/.test(name)) return `accept queues capped at ${value}`;
  return "";
}

function get(s: Settings, name: string): string | undefined {
  return Object.hasOwn(s, name) ? s[name] : undefined;
}

function count(text: string | undefined): bigint | undefined {
  return text !== undefined && /^[0-9]{1,20}$/.test(text) ? BigInt(text) : undefined;
}

/** The conntrack table filling up: at least 90% full and more flows than before. */
function conntrack(a: Settings, b: Settings): ChangeOf<"conntrack-near-limit"> | undefined {
  const now = count(get(b, COUNT)), max = count(get(b, MAX));
  if (now === undefined || max === undefined || max === 0n || now * 10n < max * 9n) {
    return undefined;
  }
  const was = count(get(a, COUNT));
  if (was !== undefined && was >= now) return undefined;
  const c: ChangeOf<"conntrack-near-limit"> = {
    kind: "conntrack-near-limit",
    section: "settings",
    key: { name: COUNT },
    after: String(now),
    max: String(max),
    notable: true,
    summary: `conntrack table ${formatPercent(now, max)} full: ${formatCount(now)} of ${
      formatCount(max)
    } flows${
      was !== undefined ? ` (was ${formatCount(was)})` : ""
    }; at the limit new flows are dropped`,
  };
  if (was !== undefined) c.before = String(was);
  return c;
}

/** Compares the settings of two snapshots (both must have them). */
export function diffSettings(before: Snapshot, after: Snapshot): Change[] {
  const a = before.settings ?? {}, b = after.settings ?? {};
  const items: Array<[string, Change]> = [];
  for (const name of Object.keys(b)) {
    if (name === COUNT) continue;
    const x = get(a, name), y = get(b, name);
    if (x === undefined || y === undefined || x === y) continue;
    const notable = NOTABLE.some((re) => re.test(name));
    const note = notable ? meaning(name, y) : "";
    const c: ChangeOf<"sysctl-changed"> = {
      kind: "sysctl-changed",
      section: "settings",
      key: { name },
      before: x,
      after: y,
      summary: `${name} ${x} → ${y}${note ? `: ${note}` : ""}`,
    };
    if (notable) c.notable = true;
    items.push([name, c]);
  }
  const full = conntrack(a, b);
  if (full) items.push([COUNT, full]);
  return sortByKey(items);
}

/**
 * Protocol counters (`Tcp.RetransSegs`, `TcpExt.ListenOverflows` …): the exact delta and
 * per-second rate of each counter that moved, gauges and settings as before → after, and a
 * reset — never a negative delta — when a counter went backwards or the host rebooted.
 * The counters an operator should look at first are marked notable with a plain sentence.
 */
import type { Snapshot } from "../model.ts";
import type { Change, ChangeOf } from "./types.ts";
import { bootTimes, rate, secondsBetween, sortByKey } from "./util.ts";
import { decimalText, formatCount, formatPercent } from "../format.ts";
import { own } from "../util/record.ts";

/** Values that are configuration, not activity. */
const SETTINGS = new Set([
  "Ip.Forwarding",
  "Ip.DefaultTTL",
  "Tcp.RtoAlgorithm",
  "Tcp.RtoMin",
  "Tcp.RtoMax",
  "Tcp.MaxConn",
]);

/** Values that go up and down with the current state. */
const GAUGES = new Set(["Tcp.CurrEstab"]);

/** True for gauges: Tcp.CurrEstab and every socket statistic from /proc/net/sockstat{,6}. */
export function isGauge(group: string, name: string): boolean {
  return GAUGES.has(`${group}.${name}`) || /sockstat/i.test(group);
}

/** True for settings such as Ip.Forwarding and Tcp.RtoMin. */
export function isSetting(group: string, name: string): boolean {
  return SETTINGS.has(`${group}.${name}`);
}

type Sentence = (
  delta: bigint,
  after: Snapshot["counters"],
  before: Snapshot["counters"],
) => string;

const times = (d: bigint, one: string, many: string) =>
  `${formatCount(d)} ${d === 1n ? one : many}`;

function retrans(outGroup: string): Sentence {
  return (d, after, before) => {
    const sent = delta(
      own(own(before, outGroup), "OutSegs"),
      own(own(after, outGroup), "OutSegs"),
    );
    const pct = sent !== undefined ? formatPercent(d, sent) : "";
    return `${times(d, "segment", "segments")} retransmitted${
      pct ? `: ${pct} of the ${formatCount(sent!)} segments sent` : ""
    }`;
  };
}

/** The notable counters and the sentence each one gets. */
const NOTABLE: Record<string, Sentence> = {
  "Tcp.RetransSegs": retrans("Tcp"),
  "Tcp.EstabResets": (d) =>
    `${times(d, "established connection was", "established connections were")} reset`,
  "Tcp.OutRsts": (d) => `${times(d, "TCP reset", "TCP resets")} sent`,
  "Tcp.AttemptFails": (d) => `${times(d, "connection attempt", "connection attempts")} failed`,
  "TcpExt.ListenOverflows": (d) =>
    `listen queues overflowed ${
      times(d, "time", "times")
    }: a server is not accepting connections fast enough`,
  "TcpExt.ListenDrops": (d) =>
    `${
      times(d, "incoming connection was", "incoming connections were")
    } dropped at a listening socket`,
  "Udp.InErrors": (d) =>
    `${times(d, "UDP datagram", "UDP datagrams")} could not be received (errors)`,
  "Udp.RcvbufErrors": (d) =>
    `${times(d, "UDP datagram", "UDP datagrams")} dropped: a receive buffer was full`,
  "Udp.NoPorts": (d) =>
    `${times(d, "UDP datagram", "UDP datagrams")} arrived for a port nobody listens on`,
  "Udp6.Udp6InErrors": (d) =>
    `${times(d, "UDP/IPv6 datagram", "UDP/IPv6 datagrams")} could not be received (errors)`,
  "Udp6.Udp6RcvbufErrors": (d) =>
    `${times(d, "UDP/IPv6 datagram", "UDP/IPv6 datagrams")} dropped: a receive buffer was full`,
  "Udp6.Udp6NoPorts": (d) =>
    `${times(d, "UDP/IPv6 datagram", "UDP/IPv6 datagrams")} arrived for a port nobody listens on`,
  "Ip.InDiscards": (d) => `${times(d, "incoming IPv4 packet", "incoming IPv4 packets")} discarded`,
  "Ip.OutDiscards": (d) => `${times(d, "outgoing IPv4 packet", "outgoing IPv4 packets")} discarded`,
  "Ip6.Ip6InDiscards": (d) =>
    `${times(d, "incoming IPv6 packet", "incoming IPv6 packets")} discarded`,
  "Ip6.Ip6OutDiscards": (d) =>
    `${times(d, "outgoing IPv6 packet", "outgoing IPv6 packets")} discarded`,
};

/** Names in /proc/net/snmp6 carry their group as a prefix (Ip6InDiscards); accept both spellings. */
function notableOf(group: string, name: string): Sentence | undefined {
  return own(NOTABLE, `${group}.${name}`) ??
    (name.startsWith(group) ? undefined : own(NOTABLE, `${group}.${group}${name}`));
}

/** True for the counters a diff calls out as notable (Tcp.RetransSegs, TcpExt.ListenOverflows …). */
export function isNotableCounter(group: string, name: string): boolean {
  return notableOf(group, name) !== undefined;
}

function delta(a: bigint | undefined, b: bigint | undefined): bigint | undefined {
  return a === undefined || b === undefined || b < a ? undefined : b - a;
}

function sortKey(kindRank: number, group: string, name: string): string {
  return `${kindRank} ${group}.${name}`;
}

const IP_FORWARD = "net.ipv4.ip_forward";

/** Whether both snapshots hold the net.ipv4.ip_forward sysctl and it differs. */
function forwardingSysctlChanged(before: Snapshot, after: Snapshot): boolean {
  const x = before.settings ? own(before.settings, IP_FORWARD) : undefined;
  const y = after.settings ? own(after.settings, IP_FORWARD) : undefined;
  return x !== undefined && y !== undefined && x !== y;
}

/** Compares the protocol counters of two snapshots. */
export function diffCounters(before: Snapshot, after: Snapshot): Change[] {
  const seconds = secondsBetween(before, after);
  const items: Array<[string, Change]> = [];
  const boots = bootTimes(before, after);
  const reboot = boots !== undefined;
  if (boots) {
    items.push(["0", {
      kind: "counter-reset",
      section: "counters",
      key: { group: "*", name: "*" },
      before: { bootTime: boots[0] },
      after: { bootTime: boots[1] },
      notable: true,
      summary: `the host rebooted between the snapshots (boot time ${boots[0]} → ${
        boots[1]
      }): counters restarted from zero, no deltas`,
    }]);
  }
  // Group and counter names are input text: only own entries count ("constructor" is a name).
  for (const [group, gb] of Object.entries(after.counters)) {
    const ga = own(before.counters, group);
    if (!ga) continue;
    for (const [name, y] of Object.entries(gb)) {
      const x = own(ga, name);
      // Absent is not zero: a counter only one snapshot has cannot be compared.
      if (x === undefined || x === y) continue;
      const key = { group, name };
      const label = `${group}.${name}`;
      if (isSetting(group, name)) {
        // The same knob as the net.ipv4.ip_forward sysctl: when both snapshots have it and it
        // changed, its sysctl-changed says so, once.
        if (label === "Ip.Forwarding" && forwardingSysctlChanged(before, after)) continue;
        const change: ChangeOf<"setting-changed"> = {
          kind: "setting-changed",
          section: "counters",
          key,
          before: x,
          after: y,
          summary: `${label} changed from ${x} to ${y}`,
        };
        // RFC 2011: 1 is forwarding, 2 not. A host that starts routing is a gateway now.
        if (label === "Ip.Forwarding" && y === 1n) {
          change.notable = true;
          change.summary = `IP forwarding turned on (${label} ${x} → ${y}): this host now ` +
            "routes packets between its interfaces";
        }
        items.push([sortKey(change.notable ? 0 : 1, group, name), change]);
        continue;
      }
      if (isGauge(group, name)) {
        items.push([sortKey(3, group, name), {
          kind: "gauge-changed",
          section: "counters",
          key,
          before: x,
          after: y,
          summary: `${label} ${x} → ${y}`,
        }]);
        continue;
      }
      if (reboot) continue;
      if (y < x) {
        items.push([sortKey(2, group, name), {
          kind: "counter-reset",
          section: "counters",
          key,
          before: x,
          after: y,
          summary: `${label} went backwards (${x} → ${y}): reset or wrapped, no delta`,
        }]);
        continue;
      }
      const d = y - x;
      const change: ChangeOf<"counter-increased"> = {
        kind: "counter-increased",
        section: "counters",
        key,
        before: x,
        after: y,
        delta: d,
        summary: `${label} +${d}`,
      };
      const r = rate(d, seconds);
      const perSecond = r === undefined ? "" : ` (${decimalText(r)}/s)`;
      if (r !== undefined) change.perSecond = r;
      change.summary += perSecond;
      const sentence = notableOf(group, name);
      if (sentence) {
        change.notable = true;
        change.summary = sentence(d, after.counters, before.counters) + perSecond;
      }
      items.push([sortKey(sentence ? 0 : 4, group, name), change]);
    }
  }
  return sortByKey(items);
}

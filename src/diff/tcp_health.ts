/**
 * TCP health between two snapshots, from the tcp_info of netlink captures:
 *
 * - per peer: the sessions present in both snapshots (the same 5-tuple, and the same socket
 *   where both know its inode) are grouped as the session view groups them — outbound by the
 *   peer's address and port, inbound by service port and client address — and their retransmit
 *   deltas (`totalRetrans` after − before) are summed per group: `session-retransmits` for each
 *   group that retransmitted, with its share of all ("1,204 of 1,310 retransmits went to
 *   10.0.3.7:5432 (postgresql)"), notable when the group has at least 10 and at least half of
 *   them, with the segments its sessions count as lost in the after snapshot (`lost`: tcpi_lost
 *   is a gauge, segments marked lost and not yet retransmitted; the kernel keeps no running
 *   total of losses, and those it retransmits are in the delta); `session-rtt-changed` when the
 *   group's median RTT doubled or halved and moved by at least 1 ms, notable when it rose by
 *   10 ms or more;
 * - listeners: `listener-queue-full` when a TCP listener's accept queue is at least 90% of its
 *   limit in the after snapshot and was not before (or overflows were counted in between), with
 *   the host-wide `TcpExt.ListenOverflows` and `ListenDrops` deltas; always notable.
 *
 * Sessions without tcp_info (a /proc capture, an import) take no part.
 */
import type { Connection, Snapshot } from "../model.ts";
import { programName } from "../net/programs.ts";
import {
  endpoint,
  isListener,
  listenerKey,
  listenPortKey,
  sessionGroupKey,
  sessionKey,
  type SocketRules,
} from "../net/sockets.ts";
import { serviceName } from "../net/services.ts";
import { formatCount } from "../format.ts";
import type { Change, ChangeOf } from "./types.ts";
import { ownerOf, rebooted, sortByKey } from "./util.ts";

/** A group needs this many retransmits, and at least half of all, to be notable. */
const RETRANS_NOTABLE = 10;
/** An RTT move is reported when the median at least doubles or halves, by at least this (µs). */
const RTT_MIN_MOVE_US = 1000;
/** A rise of the median RTT by this much (µs) is notable. */
const RTT_NOTABLE_US = 10_000;
/** An accept queue at this share of its limit is near it. */
const QUEUE_NEAR = 0.9;

type GroupKey = ChangeOf<"session-retransmits">["key"];

interface Group {
  key: GroupKey;
  sessions: number;
  retransmits: number;
  lost: number;
  rttBefore: number[];
  rttAfter: number[];
  programs: Set<string>;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : Math.round((s[mid - 1]! + s[mid]!) / 2);
}

const msText = (us: number) => `${(us / 1000).toFixed(us < 10_000 ? 2 : 1)} ms`;

/** The TCP sessions with tcp_info of a snapshot, by 5-tuple. */
function withInfo(s: Snapshot): Map<string, Connection> {
  const m = new Map<string, Connection>();
  for (const c of s.connections) {
    if (c.protocol !== "tcp" || c.tcpInfo === undefined || c.state === "LISTEN") continue;
    const k = sessionKey(c);
    const had = m.get(k);
    // Two sockets of one 5-tuple (rare): the lower inode, whatever the list's order.
    if (!had || (c.inode ?? 0) < (had.inode ?? 0)) m.set(k, c);
  }
  return m;
}

function groupKey(c: Connection, inbound: boolean): GroupKey {
  return inbound
    ? {
      direction: "inbound",
      protocol: "tcp",
      localPort: c.localPort,
      remoteAddress: c.remoteAddress,
    }
    : {
      direction: "outbound",
      protocol: "tcp",
      remoteAddress: c.remoteAddress,
      remotePort: c.remotePort,
    };
}

/** "to 10.0.3.7:5432 (postgresql)" or "from 203.0.113.7 on port 443 (https)". */
function peerText(k: GroupKey): { text: string; service?: string } {
  const port = k.direction === "outbound" ? k.remotePort : k.localPort;
  const service = serviceName(port);
  const svc = service === undefined ? "" : ` (${service})`;
  const text = k.direction === "outbound"
    ? `to ${endpoint(k.remoteAddress, k.remotePort)}${svc}`
    : `from ${k.remoteAddress} on port ${k.localPort}${svc}`;
  return service === undefined ? { text } : { text, service };
}

/** The per-peer retransmit and RTT changes of sessions present in both snapshots. */
export function diffTcpHealth(
  before: Snapshot,
  after: Snapshot,
  rules: { before: SocketRules; after: SocketRules },
): Change[] {
  const a = withInfo(before), b = withInfo(after);
  if (a.size === 0 || b.size === 0) return [];
  const ports = new Set<string>();
  for (const c of before.connections) if (isListener(c, rules.before)) ports.add(listenPortKey(c));
  for (const c of after.connections) if (isListener(c, rules.after)) ports.add(listenPortKey(c));
  const inodes = !rebooted(before, after);
  const groups = new Map<string, Group>();
  let total = 0;
  for (const [k, cb] of b) {
    const ca = a.get(k);
    if (!ca) continue;
    // The same 5-tuple may be another connection (a port reused): the inode tells, where known.
    if (inodes && ca.inode && cb.inode && ca.inode !== cb.inode) continue;
    const ia = ca.tcpInfo!, ib = cb.tcpInfo!;
    const inbound = ports.has(listenPortKey(cb));
    const gk = sessionGroupKey(cb, inbound);
    let g = groups.get(gk);
    if (!g) {
      g = {
        key: groupKey(cb, inbound),
        sessions: 0,
        retransmits: 0,
        lost: 0,
        rttBefore: [],
        rttAfter: [],
        programs: new Set(),
      };
      groups.set(gk, g);
    }
    const delta = Math.max(0, ib.totalRetrans - ia.totalRetrans);
    g.sessions++;
    g.retransmits += delta;
    g.lost += ib.lost;
    g.rttBefore.push(ia.rtt);
    g.rttAfter.push(ib.rtt);
    const p = ownerOf(after, cb);
    if (p) g.programs.add(programName(p));
    total += delta;
  }
  const items: Array<[string, Change]> = [];
  for (const [gk, g] of groups) {
    const { text, service } = peerText(g.key);
    const programs = [...g.programs].sort();
    const program = programs.length ? programs.join(", ") : undefined;
    const of = `${formatCount(g.sessions)} session${g.sessions === 1 ? "" : "s"}${
      program === undefined ? "" : ` of ${program}`
    }`;
    const rb = median(g.rttBefore), ra = median(g.rttAfter);
    const extra = {
      ...(service === undefined ? {} : { service }),
      ...(program === undefined ? {} : { program }),
    };
    if (g.retransmits > 0) {
      const c: ChangeOf<"session-retransmits"> = {
        kind: "session-retransmits",
        section: "sessions",
        key: g.key,
        sessions: g.sessions,
        retransmits: g.retransmits,
        total,
        lost: g.lost,
        ...extra,
        before: { rttUs: rb },
        after: { rttUs: ra },
        summary: `${formatCount(g.retransmits)} of ${formatCount(total)} retransmits went ${
          g.key.direction === "outbound" ? text : `to clients ${text.replace(/^from /, "")}`
        }, over ${of}; rtt ${msText(rb)} → ${msText(ra)}${
          g.lost > 0 ? `, ${formatCount(g.lost)} segments lost now` : ""
        }`,
      };
      if (g.retransmits >= RETRANS_NOTABLE && g.retransmits * 2 >= total) c.notable = true;
      items.push([`${gk} 1`, c]);
    }
    const moved = Math.abs(ra - rb) >= RTT_MIN_MOVE_US && (ra >= 2 * rb || 2 * ra <= rb);
    if (moved) {
      const c: ChangeOf<"session-rtt-changed"> = {
        kind: "session-rtt-changed",
        section: "sessions",
        key: g.key,
        sessions: g.sessions,
        ...extra,
        before: { rttUs: rb },
        after: { rttUs: ra },
        summary: `round-trip time ${text} ${ra > rb ? "rose" : "fell"}: ${msText(rb)} → ${
          msText(ra)
        } (median of ${of})`,
      };
      if (ra - rb >= RTT_NOTABLE_US) c.notable = true;
      items.push([`${gk} 2`, c]);
    }
  }
  return sortByKey(items);
}

/** A counter's increase between the snapshots, when both have it and it did not go back. */
function counterDelta(a: Snapshot, b: Snapshot, group: string, name: string): bigint | undefined {
  const x = a.counters[group]?.[name], y = b.counters[group]?.[name];
  if (x === undefined || y === undefined || y < x || rebooted(a, b)) return undefined;
  return y - x;
}

/**
 * Of two sockets on one listening address (SO_REUSEPORT), the one whose queue is fuller; ties
 * go by queue, pid and inode, so that the answer does not depend on the list's order.
 */
function fuller(x: Connection, y: Connection): boolean {
  const rx = x.recvQ * y.backlog!, ry = y.recvQ * x.backlog!;
  if (rx !== ry) return rx > ry;
  if (x.recvQ !== y.recvQ) return x.recvQ > y.recvQ;
  if ((x.pid ?? -1) !== (y.pid ?? -1)) return (x.pid ?? -1) < (y.pid ?? -1);
  return (x.inode ?? -1) < (y.inode ?? -1);
}

const near = (c: Connection) =>
  c.backlog !== undefined && c.backlog > 0 && c.recvQ >= Math.ceil(QUEUE_NEAR * c.backlog);

/** TCP listeners whose accept queue is near its limit in the after snapshot. */
export function diffListenQueues(
  before: Snapshot,
  after: Snapshot,
  rules: { before: SocketRules; after: SocketRules },
): Change[] {
  const fullest = (s: Snapshot, r: SocketRules) => {
    const m = new Map<string, Connection>();
    for (const c of s.connections) {
      if (c.protocol !== "tcp" || !isListener(c, r) || c.backlog === undefined) continue;
      const k = listenerKey(c);
      const had = m.get(k);
      if (!had || fuller(c, had)) m.set(k, c);
    }
    return m;
  };
  const a = fullest(before, rules.before), b = fullest(after, rules.after);
  const overflows = counterDelta(before, after, "TcpExt", "ListenOverflows");
  const drops = counterDelta(before, after, "TcpExt", "ListenDrops");
  const counted = (overflows ?? 0n) > 0n || (drops ?? 0n) > 0n;
  const items: Array<[string, Change]> = [];
  for (const [k, cb] of b) {
    if (!near(cb)) continue;
    const ca = a.get(k);
    if (ca && near(ca) && !counted) continue;
    const p = ownerOf(after, cb);
    const side: ChangeOf<"listener-queue-full">["after"] = {
      protocol: "tcp",
      family: cb.family,
      address: cb.localAddress,
      port: cb.localPort,
    };
    if (p) {
      side.program = programName(p);
      side.pid = p.pid;
    }
    const words: string[] = [];
    if (overflows !== undefined) words.push(`TcpExt.ListenOverflows +${formatCount(overflows)}`);
    if (drops !== undefined) words.push(`ListenDrops +${formatCount(drops)}`);
    const c: ChangeOf<"listener-queue-full"> = {
      kind: "listener-queue-full",
      section: "listeners",
      key: { protocol: "tcp", family: cb.family, address: cb.localAddress, port: cb.localPort },
      after: side,
      queue: cb.recvQ,
      limit: cb.backlog!,
      ...(ca ? { queueBefore: ca.recvQ } : {}),
      ...(overflows === undefined ? {} : { overflows }),
      ...(drops === undefined ? {} : { drops }),
      notable: true,
      summary: `tcp ${endpoint(cb.localAddress, cb.localPort)}${
        p ? ` (${programName(p)}, pid ${p.pid})` : ""
      }: accept queue ${cb.recvQ} of ${cb.backlog}${
        ca ? ` (was ${ca.recvQ})` : ""
      }, new connections wait or are dropped${
        words.length ? `; ${words.join(", ")} in between (host-wide)` : ""
      }`,
    };
    items.push([k, c]);
  }
  return sortByKey(items);
}

/**
 * Sessions: connected sockets keyed by the full 5-tuple. A session is open while it is
 * ESTABLISHED: it opened when it became so, it closed when it went away or on to TIME_WAIT, and
 * it was left half-closed when it moved on to CLOSE_WAIT, FIN_WAIT1/2, CLOSING or LAST_ACK
 * (a peer or a program here did not finish closing; a server killed with its sessions open
 * leaves FIN_WAIT2 sockets no process holds). Sockets that never were open (SYN_SENT, SYN_RECV,
 * TIME_WAIT remnants) open and close nothing; they show in the TCP state census, and a pile-up
 * of SYN_SENT to one peer is `session-unanswered`.
 *
 * Direction: a session is inbound when its local port (same protocol) listens in either
 * snapshot, so a server socket orphaned by its listener's exit stays inbound; else outbound.
 * The default view aggregates away ephemeral ports — inbound sessions grouped by service port
 * and remote address, outbound ones by remote address and port — with the open sessions before
 * → after; `detail` lists every 5-tuple.
 */
import type { Connection, Snapshot } from "../model.ts";
import { programName } from "../net/programs.ts";
import {
  endpoint,
  isListener,
  isSession,
  listenPortKey,
  sessionGroupKey,
  sessionKey,
  type SocketRules,
} from "../net/sockets.ts";
import type { Change, ChangeOf, SessionSide, TcpStateTable } from "./types.ts";
import { ownerOf, pad, sortByKey } from "./util.ts";
import { dict, own } from "../util/record.ts";

/** States whose pile-up means trouble, and how big a rise must be before it is called out. */
const BUILDUP: Record<string, { min: number; meaning: string }> = {
  TIME_WAIT: { min: 100, meaning: "many short-lived connections closed by this host" },
  CLOSE_WAIT: { min: 10, meaning: "peers closed but a program here has not closed its end" },
  SYN_RECV: { min: 10, meaning: "handshakes not completing (SYN flood or slow accept)" },
};

/** SYN_SENT sockets to one peer that make it unanswering: this many more, and at least double. */
const UNANSWERED_MIN = 5;

/** The one state of an open session. */
const OPEN = "ESTABLISHED";

/** States of a session one end has closed and the other not yet. */
const HALF_CLOSED = new Set(["CLOSE_WAIT", "FIN_WAIT1", "FIN_WAIT2", "CLOSING", "LAST_ACK"]);

/** Listening ports of both snapshots (`listenPortKey`). */
function listenPorts(a: Snapshot, ra: SocketRules, b: Snapshot, rb: SocketRules): Set<string> {
  const s = new Set<string>();
  for (const c of a.connections) if (isListener(c, ra)) s.add(listenPortKey(c));
  for (const c of b.connections) if (isListener(c, rb)) s.add(listenPortKey(c));
  return s;
}

/** How sessions are keyed: a group (default) or one 5-tuple (`--detail`). */
type SessionKey = ChangeOf<"session-opened">["key"];

/** The sockets of one 5-tuple in one snapshot (usually one). */
interface Tuple {
  /** A representative that does not depend on list order. */
  conn: Connection;
  open: number;
  /** Half-closed sockets by state; absent while there are none (most tuples). */
  half?: Map<string, number>;
  /** Half-closed sockets no process holds (inode 0). */
  orphans: number;
  synSent: number;
}

function rank(c: Connection): string {
  return `${c.state} ${c.pid ?? ""} ${c.inode ?? ""}`;
}

function sessionsOf(snap: Snapshot): Map<string, Tuple> {
  const m = new Map<string, Tuple>();
  for (const c of snap.connections) {
    if (!isSession(c)) continue;
    const k = sessionKey(c);
    let t = m.get(k);
    if (!t) {
      t = { conn: c, open: 0, orphans: 0, synSent: 0 };
      m.set(k, t);
    } else if (rank(c) < rank(t.conn)) t.conn = c;
    if (c.state === OPEN) t.open++;
    else if (HALF_CLOSED.has(c.state)) {
      t.half ??= new Map();
      t.half.set(c.state, (t.half.get(c.state) ?? 0) + 1);
      if (c.inode === 0) t.orphans++;
    } else if (c.state === "SYN_SENT") t.synSent++;
  }
  return m;
}

function total(m: ReadonlyMap<string, number> | undefined): number {
  let n = 0;
  for (const v of m?.values() ?? []) n += v;
  return n;
}

/** What happened to one 5-tuple's open sessions between the snapshots. */
interface Moves {
  opened: number;
  closed: number;
  half: number;
  /** The states the half-closed ones are in now. */
  states: ReadonlyMap<string, number>;
  orphaned: number;
}

const NO_STATES: ReadonlyMap<string, number> = new Map();

function moves(ta: Tuple | undefined, tb: Tuple | undefined): Moves {
  const openA = ta?.open ?? 0, openB = tb?.open ?? 0;
  const drop = Math.max(0, openA - openB);
  const half = drop === 0 || tb?.half === undefined
    ? 0
    : Math.min(drop, Math.max(0, total(tb.half) - total(ta?.half)));
  let states = NO_STATES;
  if (half > 0) {
    const now = new Map<string, number>();
    let left = half;
    for (const s of [...tb!.half!.keys()].sort()) {
      const rise = Math.min(left, (tb!.half!.get(s) ?? 0) - (ta?.half?.get(s) ?? 0));
      if (rise > 0) {
        now.set(s, rise);
        left -= rise;
      }
    }
    states = now;
  }
  return {
    opened: Math.max(0, openB - openA),
    closed: drop - half,
    half,
    states,
    orphaned: Math.min(half, Math.max(0, (tb?.orphans ?? 0) - (ta?.orphans ?? 0))),
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function statesText(states: ReadonlyMap<string, number>, orphaned: number): string {
  const parts = [...states].map(([s, n]) => (states.size === 1 ? s : `${s} ×${n}`));
  if (orphaned > 0) parts.push(`${orphaned} held by no process`);
  return parts.join(", ");
}

function stateRecord(states: ReadonlyMap<string, number>): Record<string, number> {
  return Object.fromEntries([...states].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
}

/** Compares the sessions of two snapshots, aggregated unless `detail` is set. */
export function diffSessions(
  before: Snapshot,
  after: Snapshot,
  rules: { before: SocketRules; after: SocketRules },
  detail: boolean,
): Change[] {
  const a = sessionsOf(before), b = sessionsOf(after);
  const listening = listenPorts(before, rules.before, after, rules.after);
  const inbound = (c: Connection) => listening.has(listenPortKey(c));
  // --detail needs groups only for SYN_SENT pile-ups: only tuples with SYN_SENT sockets then.
  const gs = groups(a, b, inbound, detail);
  const items = detail ? detailed(before, after, a, b) : aggregated(gs);
  for (const u of unanswered(gs)) items.push(u);
  return sortByKey(items);
}

interface Group {
  key: SessionKey;
  sort: string;
  label: string;
  before: number;
  after: number;
  opened: number;
  closed: number;
  half: number;
  states: Map<string, number>;
  orphaned: number;
  synBefore: number;
  synAfter: number;
}

/** A new group's key, sort key and wording, built once per group. */
function newGroup(c: Connection, inbound: boolean): Group {
  const counts = {
    before: 0,
    after: 0,
    opened: 0,
    closed: 0,
    half: 0,
    states: new Map<string, number>(),
    orphaned: 0,
    synBefore: 0,
    synAfter: 0,
  };
  if (inbound) {
    return {
      key: {
        direction: "inbound",
        protocol: c.protocol,
        localPort: c.localPort,
        remoteAddress: c.remoteAddress,
      },
      sort: `0 ${c.protocol} ${pad(c.localPort)} ${c.remoteAddress}`,
      label: `inbound ${c.protocol} to port ${c.localPort} from ${c.remoteAddress}`,
      ...counts,
    };
  }
  return {
    key: {
      direction: "outbound",
      protocol: c.protocol,
      remoteAddress: c.remoteAddress,
      remotePort: c.remotePort,
    },
    sort: `1 ${c.protocol} ${c.remoteAddress} ${pad(c.remotePort)}`,
    label: `outbound ${c.protocol} to ${endpoint(c.remoteAddress, c.remotePort)}`,
    ...counts,
  };
}

/** Every 5-tuple of both snapshots in its group, with what happened to it. */
function groups(
  a: Map<string, Tuple>,
  b: Map<string, Tuple>,
  inbound: (c: Connection) => boolean,
  synOnly: boolean,
): Map<string, Group> {
  const out = new Map<string, Group>();
  const touch = (c: Connection): Group => {
    const dir = inbound(c);
    const id = sessionGroupKey(c, dir);
    let g = out.get(id);
    if (!g) {
      g = newGroup(c, dir);
      out.set(id, g);
    }
    return g;
  };
  const visit = (ta: Tuple | undefined, tb: Tuple | undefined) => {
    if (synOnly && !ta?.synSent && !tb?.synSent) return;
    const g = touch((ta ?? tb)!.conn);
    g.before += ta?.open ?? 0;
    g.after += tb?.open ?? 0;
    g.synBefore += ta?.synSent ?? 0;
    g.synAfter += tb?.synSent ?? 0;
    const m = moves(ta, tb);
    g.opened += m.opened;
    g.closed += m.closed;
    g.half += m.half;
    g.orphaned += m.orphaned;
    if (m.half > 0) { for (const [s, n] of m.states) g.states.set(s, (g.states.get(s) ?? 0) + n); }
  };
  for (const [k, ta] of a) visit(ta, b.get(k));
  for (const [k, tb] of b) if (!a.has(k)) visit(undefined, tb);
  return out;
}

function aggregated(gs: Map<string, Group>): Array<[string, Change]> {
  const items: Array<[string, Change]> = [];
  for (const g of gs.values()) {
    // The group's open sessions, said as such: "(7 → 0 open)" beside "7 left half-closed".
    const counts = `(${g.before} → ${g.after} open)`;
    const tally = { before: { count: g.before }, after: { count: g.after } };
    if (g.opened > 0) {
      items.push([`${g.sort} 0`, {
        kind: "session-opened",
        section: "sessions",
        key: g.key,
        count: g.opened,
        ...tally,
        summary: `${g.label}: ${plural(g.opened, "session")} opened ${counts}`,
      }]);
    }
    if (g.closed > 0) {
      items.push([`${g.sort} 1`, {
        kind: "session-closed",
        section: "sessions",
        key: g.key,
        count: g.closed,
        ...tally,
        summary: `${g.label}: ${plural(g.closed, "session")} closed ${counts}`,
      }]);
    }
    if (g.half > 0) {
      items.push([`${g.sort} 2`, halfClosed(g.key, g.half, g, tally, g.label, counts)]);
    }
  }
  return items;
}

/** A `session-half-closed` change; notable when server sockets here were let go with sessions. */
function halfClosed(
  key: SessionKey,
  n: number,
  m: { states: ReadonlyMap<string, number>; orphaned: number },
  sides: Pick<ChangeOf<"session-half-closed">, "before" | "after">,
  label: string,
  counts = "",
): ChangeOf<"session-half-closed"> {
  const change: ChangeOf<"session-half-closed"> = {
    kind: "session-half-closed",
    section: "sessions",
    key,
    count: n,
    before: sides.before,
    after: sides.after,
    states: stateRecord(m.states),
    summary: `${label}: ${plural(n, "session")} left half-closed (${
      statesText(m.states, m.orphaned)
    })${counts ? ` ${counts}` : ""}`,
  };
  if (m.orphaned > 0) {
    change.orphaned = m.orphaned;
    // The server side of sessions let go by its process: it exited or was killed.
    if ("direction" in key && key.direction === "inbound") change.notable = true;
  }
  return change;
}

/** SYN_SENT piling up towards one peer: it does not answer (down, filtered, unreachable). */
function unanswered(gs: Map<string, Group>): Array<[string, Change]> {
  const items: Array<[string, Change]> = [];
  for (const g of gs.values()) {
    if (!("direction" in g.key) || g.key.direction !== "outbound") continue;
    const rise = g.synAfter - g.synBefore;
    if (rise < UNANSWERED_MIN || g.synAfter < 2 * g.synBefore) continue;
    items.push([`${g.sort} 3`, {
      kind: "session-unanswered",
      section: "sessions",
      key: g.key,
      before: { count: g.synBefore },
      after: { count: g.synAfter },
      notable: true,
      summary: `${g.label}: ${
        plural(g.synAfter, "connection attempt")
      } unanswered (SYN_SENT ${g.synBefore} → ${g.synAfter}): the peer does not answer`,
    }]);
  }
  return items;
}

function sessionSide(snap: Snapshot, c: Connection): SessionSide {
  const side: SessionSide = { state: c.state };
  const p = ownerOf(snap, c);
  if (p) {
    side.pid = p.pid;
    side.program = programName(p);
  }
  return side;
}

function tupleKey(c: Connection): SessionKey {
  return {
    protocol: c.protocol,
    localAddress: c.localAddress,
    localPort: c.localPort,
    remoteAddress: c.remoteAddress,
    remotePort: c.remotePort,
  };
}

function tupleSort(c: Connection): string {
  return `${c.protocol} ${c.localAddress} ${pad(c.localPort)} ${c.remoteAddress} ${
    pad(c.remotePort)
  }`;
}

function tupleText(c: Connection): string {
  return `${c.protocol} ${endpoint(c.localAddress, c.localPort)} ↔ ${
    endpoint(c.remoteAddress, c.remotePort)
  }`;
}

function detailed(
  before: Snapshot,
  after: Snapshot,
  a: Map<string, Tuple>,
  b: Map<string, Tuple>,
): Array<[string, Change]> {
  const items: Array<[string, Change]> = [];
  const visit = (ta: Tuple | undefined, tb: Tuple | undefined) => {
    const m = moves(ta, tb);
    const c = (tb ?? ta)!.conn;
    if (m.opened > 0) {
      const side = sessionSide(after, tb!.conn);
      items.push([`${tupleSort(c)} 0`, {
        kind: "session-opened",
        section: "sessions",
        key: tupleKey(c),
        count: m.opened,
        after: side,
        summary: `${tupleText(c)} opened (${side.state}${
          side.program === undefined ? "" : `, ${side.program}`
        })`,
      }]);
    }
    if (m.closed > 0) {
      const side = sessionSide(before, ta!.conn);
      items.push([`${tupleSort(c)} 1`, {
        kind: "session-closed",
        section: "sessions",
        key: tupleKey(c),
        count: m.closed,
        before: side,
        summary: `${tupleText(c)} closed (was ${side.state}${
          side.program === undefined ? "" : `, ${side.program}`
        })`,
      }]);
    }
    if (m.half > 0) {
      const was = sessionSide(before, ta!.conn);
      const now = sessionSide(after, tb!.conn);
      // A socket now held by no process was the program's: "(was python3)".
      const owner = was.program === undefined
        ? ""
        : now.program === was.program
        ? ` (${was.program})`
        : now.program === undefined
        ? ` (was ${was.program})`
        : ` (was ${was.program}, now ${now.program})`;
      const label = `${tupleText(c)}${owner}`;
      items.push([
        `${tupleSort(c)} 2`,
        halfClosed(tupleKey(c), m.half, m, { before: was, after: now }, label),
      ]);
    }
  };
  for (const [k, ta] of a) visit(ta, b.get(k));
  for (const [k, tb] of b) if (!a.has(k)) visit(undefined, tb);
  return items;
}

function stateCounts(snap: Snapshot): Map<string, number> {
  const m = new Map<string, number>();
  for (const c of snap.connections) {
    if (c.protocol !== "tcp") continue;
    m.set(c.state, (m.get(c.state) ?? 0) + 1);
  }
  return m;
}

/** The TCP state census of both snapshots (every state seen on either side, sorted by name). */
export function tcpStates(before: Snapshot, after: Snapshot): TcpStateTable {
  const a = stateCounts(before), b = stateCounts(after);
  const names = [...new Set([...a.keys(), ...b.keys()])].sort();
  // State names are input text; a prototype-free record keeps "__proto__" a state like any other.
  const out: TcpStateTable = dict();
  for (const n of names) out[n] = { before: a.get(n) ?? 0, after: b.get(n) ?? 0 };
  return out;
}

/** Calls out TIME_WAIT, CLOSE_WAIT and SYN_RECV build-ups: a large rise that at least doubled. */
export function stateBuildups(states: TcpStateTable): Change[] {
  const out: ChangeOf<"session-state-buildup">[] = [];
  for (const [state, rule] of Object.entries(BUILDUP)) {
    const s = own(states, state);
    if (!s) continue;
    const rise = s.after - s.before;
    if (rise >= rule.min && s.after >= 2 * s.before) {
      out.push({
        kind: "session-state-buildup",
        section: "sessions",
        key: { state },
        before: { count: s.before },
        after: { count: s.after },
        notable: true,
        summary: `${state} sockets rose from ${s.before} to ${s.after}: ${rule.meaning}`,
      });
    }
  }
  return out;
}

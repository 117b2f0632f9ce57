/**
 * Sessions: connected sockets keyed by the full 5-tuple. The default view aggregates away
 * ephemeral ports — inbound sessions (local port is a listening port in that snapshot) grouped
 * by service port and remote address, outbound ones by remote address and port — with counts
 * before → after; `detail` lists every 5-tuple. Also the census of TCP states before → after.
 */
import type { Connection, Snapshot } from "../model.ts";
import { endpoint, isListener, isSession, sessionKey } from "../net/sockets.ts";
import type { Change, ChangeOf, SessionSide, TcpStateTable } from "./types.ts";
import { ownerOf, pad, programOf, sortByKey } from "./util.ts";
import { dict, own } from "../util/record.ts";

/** States whose pile-up means trouble, and how big a rise must be before it is called out. */
const BUILDUP: Record<string, { min: number; meaning: string }> = {
  TIME_WAIT: { min: 100, meaning: "many short-lived connections closed by this host" },
  CLOSE_WAIT: { min: 10, meaning: "peers closed but a program here has not closed its end" },
  SYN_RECV: { min: 10, meaning: "handshakes not completing (SYN flood or slow accept)" },
};

/** Listening ports of a snapshot as numbers: the port, plus 65536 for UDP. */
function listenPorts(snap: Snapshot): Set<number> {
  const s = new Set<number>();
  for (const c of snap.connections) if (isListener(c)) s.add(portId(c));
  return s;
}

function portId(c: Connection): number {
  return c.protocol === "udp" ? c.localPort + 65536 : c.localPort;
}

/** How sessions are keyed: a group (default) or one 5-tuple (`--detail`). */
type SessionKey = ChangeOf<"session-opened">["key"];

interface Group {
  key: SessionKey;
  sort: string;
  label: string;
  before: number;
  after: number;
  opened: number;
  closed: number;
}

/** The group a session falls in; cheap, since it runs once per socket. */
function groupId(c: Connection, inbound: boolean): string {
  return inbound
    ? `in ${c.protocol} ${c.localPort} ${c.remoteAddress}`
    : `out ${c.protocol} ${c.remoteAddress} ${c.remotePort}`;
}

/** A new group's key, sort key and wording, built once per group. */
function newGroup(c: Connection, inbound: boolean): Group {
  const counts = { before: 0, after: 0, opened: 0, closed: 0 };
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

/** Sockets sharing one 5-tuple (rare, but possible): a representative and how many. */
interface Tuple {
  conn: Connection;
  n: number;
}

function rank(c: Connection): string {
  return `${c.state} ${c.pid ?? ""} ${c.inode ?? ""}`;
}

function sessionsOf(snap: Snapshot): Map<string, Tuple> {
  const m = new Map<string, Tuple>();
  for (const c of snap.connections) {
    if (!isSession(c)) continue;
    const k = sessionKey(c);
    const t = m.get(k);
    if (!t) m.set(k, { conn: c, n: 1 });
    else {
      t.n++;
      // Keep a representative that does not depend on list order.
      if (rank(c) < rank(t.conn)) t.conn = c;
    }
  }
  return m;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** Compares the sessions of two snapshots, aggregated unless `detail` is set. */
export function diffSessions(before: Snapshot, after: Snapshot, detail: boolean): Change[] {
  const a = sessionsOf(before), b = sessionsOf(after);
  return detail ? detailed(before, after, a, b) : aggregated(before, after, a, b);
}

function aggregated(
  before: Snapshot,
  after: Snapshot,
  a: Map<string, Tuple>,
  b: Map<string, Tuple>,
): Change[] {
  const groups = new Map<string, Group>();
  const touch = (c: Connection, inbound: boolean): Group => {
    const id = groupId(c, inbound);
    let grp = groups.get(id);
    if (!grp) {
      grp = newGroup(c, inbound);
      groups.set(id, grp);
    }
    return grp;
  };
  const la = listenPorts(before), lb = listenPorts(after);
  for (const [k, { conn: c, n }] of a) {
    const g = touch(c, la.has(portId(c)));
    g.before += n;
    g.closed += Math.max(0, n - (b.get(k)?.n ?? 0));
  }
  for (const [k, { conn: c, n }] of b) {
    const g = touch(c, lb.has(portId(c)));
    g.after += n;
    g.opened += Math.max(0, n - (a.get(k)?.n ?? 0));
  }
  const items: Array<[string, Change]> = [];
  for (const g of groups.values()) {
    const counts = `(${g.before} → ${g.after})`;
    if (g.opened > 0) {
      items.push([`${g.sort} 0`, {
        kind: "session-opened",
        section: "sessions",
        key: g.key,
        count: g.opened,
        before: { count: g.before },
        after: { count: g.after },
        summary: `${g.label}: ${plural(g.opened, "session")} opened ${counts}`,
      }]);
    }
    if (g.closed > 0) {
      items.push([`${g.sort} 1`, {
        kind: "session-closed",
        section: "sessions",
        key: g.key,
        count: g.closed,
        before: { count: g.before },
        after: { count: g.after },
        summary: `${g.label}: ${plural(g.closed, "session")} closed ${counts}`,
      }]);
    }
  }
  return sortByKey(items);
}

function sessionSide(snap: Snapshot, c: Connection): SessionSide {
  const side: SessionSide = { state: c.state };
  const p = ownerOf(snap, c);
  if (p) {
    side.pid = p.pid;
    side.program = programOf(p);
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
): Change[] {
  const items: Array<[string, Change]> = [];
  for (const [k, { conn: c, n }] of b) {
    const more = n - (a.get(k)?.n ?? 0);
    if (more <= 0) continue;
    const side = sessionSide(after, c);
    items.push([`${tupleSort(c)} 0`, {
      kind: "session-opened",
      section: "sessions",
      key: tupleKey(c),
      count: more,
      after: side,
      summary: `${tupleText(c)} opened (${c.state}${
        side.program === undefined ? "" : `, ${side.program}`
      })`,
    }]);
  }
  for (const [k, { conn: c, n }] of a) {
    const fewer = n - (b.get(k)?.n ?? 0);
    if (fewer <= 0) continue;
    const side = sessionSide(before, c);
    items.push([`${tupleSort(c)} 1`, {
      kind: "session-closed",
      section: "sessions",
      key: tupleKey(c),
      count: fewer,
      before: side,
      summary: `${tupleText(c)} closed (was ${c.state}${
        side.program === undefined ? "" : `, ${side.program}`
      })`,
    }]);
  }
  return sortByKey(items);
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

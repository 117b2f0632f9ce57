/**
 * Listeners: sockets that accept (TCP LISTEN, bound UDP), keyed by protocol, address and port.
 * Reports opened, closed, owner-changed, restarted, and exposure-changed (the same program on
 * the same port moved to another address — paired, never reported as closed + opened).
 */
import type { Connection, Snapshot } from "../model.ts";
import { isLoopback, isWildcard } from "../net/address.ts";
import { endpoint, isListener, listenerKey } from "../net/sockets.ts";
import { listenerVerdicts } from "../net/filtered.ts";
import type { Change, ChangeOf, Exposure, ListenerSide } from "./types.ts";
import { append, ownerOf, pad, programOf, sortByKey } from "./util.ts";

interface Entry {
  side: ListenerSide;
  /** Sorted distinct programs; empty when the owner is unknown. */
  programs: string[];
  /** Sorted "pid@startTime" identities; empty when unknown. */
  instances: string[];
}

function collect(snap: Snapshot): Map<string, Entry> {
  const verdicts = listenerVerdicts(snap);
  const groups = new Map<string, Connection[]>();
  for (const c of snap.connections) {
    if (!isListener(c)) continue;
    const k = listenerKey(c);
    const g = groups.get(k);
    if (g) g.push(c);
    else groups.set(k, [c]);
  }
  const out = new Map<string, Entry>();
  for (const [k, socks] of groups) {
    const first = socks[0]!;
    const owners = new Map<
      number,
      { program: string; pid: number; start?: string; exe?: string }
    >();
    for (const s of socks) {
      const p = ownerOf(snap, s);
      if (!p) continue;
      const o: { program: string; pid: number; start?: string; exe?: string } = {
        program: programOf(p),
        pid: p.pid,
      };
      if (p.startTime !== undefined) o.start = p.startTime;
      if (p.exe !== undefined) o.exe = p.exe;
      owners.set(p.pid, o);
    }
    const sorted = [...owners.values()].sort((a, b) => a.pid - b.pid);
    const side: ListenerSide = {
      protocol: first.protocol,
      family: first.family,
      address: first.localAddress,
      port: first.localPort,
    };
    const v = verdicts.get(k);
    if (v && v.verdict !== "not-evaluated") {
      side.firewall = v.verdict;
      side.firewallReason = v.reason;
    }
    const main = sorted[0];
    if (main) {
      side.program = main.program;
      side.pid = main.pid;
      if (main.start !== undefined) side.startTime = main.start;
      if (main.exe !== undefined) side.exe = main.exe;
      if (sorted.length > 1) side.pids = sorted.map((o) => o.pid);
    }
    out.set(k, {
      side,
      programs: [...new Set(sorted.map((o) => o.program))].sort(),
      instances: sorted.map((o) => `${o.pid}@${o.start ?? ""}`),
    });
  }
  return out;
}

/** ", but the firewall drops new connections to it (…)" for a filtered listener. */
function filteredNote(s: ListenerSide): string {
  return s.firewall === "filtered"
    ? `, but the firewall drops new connections to it (${s.firewallReason})`
    : "";
}

function where(s: ListenerSide): string {
  return `${s.protocol} ${endpoint(s.address, s.port)}`;
}

function who(s: ListenerSide): string {
  return s.program === undefined ? "an unknown program" : `${s.program} (pid ${s.pid})`;
}

/** "pid 10 → 11", or the start times when the pid was reused. */
function restartNote(a: ListenerSide, b: ListenerSide): string {
  if (a.pid !== b.pid) return `pid ${a.pid} → ${b.pid}`;
  return `pid ${a.pid}, started ${a.startTime ?? "?"} → ${b.startTime ?? "?"}`;
}

function sortKey(s: ListenerSide, rank: number): string {
  return `${s.protocol} ${pad(s.port)} ${rank} ${s.family} ${s.address}`;
}

function keyOf(s: ListenerSide): ChangeOf<"listener-opened">["key"] {
  return { protocol: s.protocol, family: s.family, address: s.address, port: s.port };
}

/** How reachable an address is: 0 loopback, 1 one specific address, 2 every address. */
function reach(address: string): number {
  if (isWildcard(address)) return 2;
  if (isLoopback(address)) return 0;
  return 1;
}

function exposure(a: ListenerSide, b: ListenerSide): Exposure {
  const ra = reach(a.address), rb = reach(b.address);
  return rb > ra ? "widened" : rb < ra ? "narrowed" : "moved";
}

/**
 * A listener the firewall now treats otherwise: both snapshots decided (filtered or open) and
 * the answers differ. Newly reachable is notable.
 */
function firewallChange(
  a: ListenerSide,
  b: ListenerSide,
): ChangeOf<"listener-firewall-changed"> | undefined {
  if (a.firewall === undefined || b.firewall === undefined || a.firewall === b.firewall) {
    return undefined;
  }
  const c: ChangeOf<"listener-firewall-changed"> = {
    kind: "listener-firewall-changed",
    section: "listeners",
    key: keyOf(a),
    before: a,
    after: b,
    summary: b.firewall === "open"
      ? `${
        where(b)
      } is no longer filtered: new connections from other hosts get through (${b.firewallReason})`
      : `${
        where(b)
      } is now filtered: the firewall drops new connections to it (${b.firewallReason})`,
  };
  if (b.firewall === "open") c.notable = true;
  return c;
}

/** Compares the listeners of two snapshots. */
export function diffListeners(before: Snapshot, after: Snapshot): Change[] {
  const a = collect(before), b = collect(after);
  const items: Array<[string, Change]> = [];
  const closed: Entry[] = [], opened: Entry[] = [];
  for (const [k, ea] of a) {
    const eb = b.get(k);
    if (!eb) {
      closed.push(ea);
      continue;
    }
    const fw = firewallChange(ea.side, eb.side);
    if (fw) items.push([sortKey(ea.side, 5), fw]);
    // An unknown owner on either side cannot tell us who holds the port: no claim either way.
    if (ea.programs.length === 0 || eb.programs.length === 0) continue;
    if (ea.programs.join("\n") !== eb.programs.join("\n")) {
      items.push([sortKey(ea.side, 2), {
        kind: "listener-owner-changed",
        section: "listeners",
        key: keyOf(ea.side),
        before: ea.side,
        after: eb.side,
        summary: `${where(ea.side)} is now held by ${who(eb.side)}, was ${who(ea.side)}`,
      }]);
    } else if (ea.instances.join("\n") !== eb.instances.join("\n")) {
      items.push([sortKey(ea.side, 3), {
        kind: "listener-restarted",
        section: "listeners",
        key: keyOf(ea.side),
        before: ea.side,
        after: eb.side,
        summary: `${where(ea.side)}: ${eb.side.program} restarted (${
          restartNote(ea.side, eb.side)
        })`,
      }]);
    }
  }
  for (const [k, eb] of b) if (!a.has(k)) opened.push(eb);

  // Pair a closed and an opened listener of the same protocol, port and program: a move.
  const pairKey = (e: Entry) => `${e.side.protocol} ${e.side.port} ${e.programs.join(",")}`;
  const pending = new Map<string, Entry[]>();
  for (const e of closed) {
    const k = pairKey(e);
    const l = pending.get(k);
    if (l) l.push(e);
    else pending.set(k, [e]);
  }
  const byAddr = (x: Entry, y: Entry) =>
    x.side.family < y.side.family
      ? -1
      : x.side.family > y.side.family
      ? 1
      : x.side.address < y.side.address
      ? -1
      : x.side.address > y.side.address
      ? 1
      : 0;
  const openedGroups = new Map<string, Entry[]>();
  for (const e of opened) {
    const k = pairKey(e);
    const l = openedGroups.get(k);
    if (l) l.push(e);
    else openedGroups.set(k, [e]);
  }
  const unpairedOpened: Entry[] = [];
  const paired = new Set<Entry>();
  for (const [k, ops] of openedGroups) {
    const cls = pending.get(k);
    if (!cls) {
      append(unpairedOpened, ops);
      continue;
    }
    const pairs = pairUp(cls.sort(byAddr), ops.sort(byAddr));
    for (const [x, y] of pairs.pairs) {
      paired.add(x);
      const dir = exposure(x.side, y.side);
      const restarted = x.instances.join("\n") !== y.instances.join("\n");
      const prog = y.side.program === undefined ? "" : ` (${y.side.program})`;
      const reachNote = y.side.firewall === "filtered"
        ? `: the firewall drops new connections to it (${y.side.firewallReason})`
        : dir === "widened"
        ? ": now reachable from more addresses"
        : dir === "narrowed"
        ? ": now reachable from fewer addresses"
        : "";
      items.push([sortKey(x.side, 4), {
        kind: "listener-exposure-changed",
        section: "listeners",
        key: { protocol: x.side.protocol, port: x.side.port, program: x.side.program ?? "" },
        before: x.side,
        after: y.side,
        exposure: dir,
        summary:
          `${x.side.protocol} port ${x.side.port}${prog} ${dir} from ${x.side.address} to ${y.side.address}${reachNote}${
            restarted ? ` (restarted: pid ${x.side.pid} → ${y.side.pid})` : ""
          }`,
      }]);
    }
    append(unpairedOpened, pairs.leftB);
  }
  for (const e of closed) {
    if (paired.has(e)) continue;
    items.push([sortKey(e.side, 1), {
      kind: "listener-closed",
      section: "listeners",
      key: keyOf(e.side),
      before: e.side,
      summary: `${where(e.side)} closed${
        e.side.program === undefined ? "" : `, was held by ${who(e.side)}`
      }`,
    }]);
  }
  for (const e of unpairedOpened) {
    items.push([sortKey(e.side, 0), {
      kind: "listener-opened",
      section: "listeners",
      key: keyOf(e.side),
      after: e.side,
      summary: `${where(e.side)} opened${e.side.program === undefined ? "" : ` by ${who(e.side)}`}${
        isWildcard(e.side.address) ? ", on every address" : ""
      }${filteredNote(e.side)}`,
    }]);
  }
  return sortByKey(items);
}

/**
 * Pairs two address-sorted lists: same family first (in order), then across families, so
 * 127.0.0.1 → 0.0.0.0 and ::1 → :: pair up before 127.0.0.1 → ::. Linear in the list sizes.
 */
function pairUp(a: Entry[], b: Entry[]): { pairs: Array<[Entry, Entry]>; leftB: Entry[] } {
  const pairs: Array<[Entry, Entry]> = [];
  const restA: Entry[] = [], restB: Entry[] = [];
  for (const fam of ["inet", "inet6"]) {
    const fa = a.filter((e) => e.side.family === fam), fb = b.filter((e) => e.side.family === fam);
    const n = Math.min(fa.length, fb.length);
    for (let i = 0; i < n; i++) pairs.push([fa[i]!, fb[i]!]);
    append(restA, fa.slice(n));
    append(restB, fb.slice(n));
  }
  const n = Math.min(restA.length, restB.length);
  for (let i = 0; i < n; i++) pairs.push([restA[i]!, restB[i]!]);
  return { pairs, leftB: restB.slice(n) };
}

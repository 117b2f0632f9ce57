/**
 * Listeners: sockets that accept (TCP LISTEN, bound UDP that is no client's), keyed by protocol,
 * family, address and port (`listenerKey`). One address may have several sockets — instances,
 * SO_REUSEPORT — each with its own holders. Reports opened, closed, instances added or removed,
 * owner-changed, restarted, and exposure-changed (the same program on the same port moved to
 * another address: paired, never reported as closed + opened).
 *
 * Evidence (docs/diff.md, "Identity"):
 * - an instance is the same on both sides when it is the same socket (same inode within one
 *   boot) or when some process holds it on both sides (same pid, and the same start time where
 *   both sides know it): a reload that replaces workers, or hands the socket to a new worker
 *   (haproxy -W), keeps its instances;
 * - a listener restarted, or changed owner, only when no instance is the same on both sides and
 *   every instance's owner is known on both sides; an unknown never reads as a change.
 */
import type { Connection, Snapshot } from "../model.ts";
import { isLoopback, isWildcard } from "../net/address.ts";
import { programName } from "../net/programs.ts";
import {
  endpoint,
  exposureKey,
  isListener,
  listenerKey,
  type SocketRules,
} from "../net/sockets.ts";
import { listenerVerdicts } from "../net/filtered.ts";
import type { Change, ChangeOf, Exposure, InstanceSide, ListenerSide } from "./types.ts";
import { append, pad, rebooted, sortByKey } from "./util.ts";

/** A process holding a socket: pid, and its start time where known. */
interface Holder {
  pid: number;
  start?: string;
}

/** One socket on a listening address. */
interface Instance {
  /** Its inode, when known and not 0. */
  inode?: number;
  holders: Holder[];
  /** The master holder's process, when the snapshot has its record. */
  owner?: InstanceSide & { program: string; pid: number };
  sort: string;
}

/** Every socket on one listening address. */
interface Listener {
  side: ListenerSide;
  instances: Instance[];
  /** Sorted distinct programs of the known owners. */
  programs: string[];
  /** Whether every instance's owner is known. */
  complete: boolean;
}

function instanceOf(snap: Snapshot, c: Connection): Instance {
  const pids = c.pids && c.pids.length > 0 ? c.pids : c.pid === undefined ? [] : [c.pid];
  const holders = pids.map((pid): Holder => {
    const start = snap.processes[String(pid)]?.startTime;
    return start === undefined ? { pid } : { pid, start };
  });
  const inst: Instance = { holders, sort: "" };
  if (c.inode !== undefined && c.inode !== 0) inst.inode = c.inode;
  const pid = c.pid ?? pids[0];
  const p = pid === undefined ? undefined : snap.processes[String(pid)];
  if (p) {
    const owner: NonNullable<Instance["owner"]> = { program: programName(p), pid: p.pid };
    if (p.startTime !== undefined) owner.startTime = p.startTime;
    if (p.exe !== undefined) owner.exe = p.exe;
    if (inst.inode !== undefined) owner.inode = inst.inode;
    inst.owner = owner;
  }
  inst.sort = `${pad(pid ?? 0)} ${pad(inst.inode ?? 0)} ${pids.join(",")}`;
  return inst;
}

/**
 * Whether a snapshot sees only some processes' sockets without saying so: an import (`ss -tlnp`
 * run as a user shows that user's processes only) in which some listener has no holder at all.
 * There, a listener without inodes whose visible holders are all new may be a reload whose master
 * is out of sight: the owner is not evidenced, as in a live capture that cannot read the owner.
 */
function partialView(snap: Snapshot, rules: SocketRules): boolean {
  if (snap.meta.source?.kind !== "import") return false;
  return snap.connections.some((c) =>
    isListener(c, rules) && c.pid === undefined && (c.pids === undefined || c.pids.length === 0)
  );
}

function collect(snap: Snapshot, rules: SocketRules): Map<string, Listener> {
  const verdicts = listenerVerdicts(snap);
  const partial = partialView(snap, rules);
  const groups = new Map<string, { first: Connection; instances: Instance[] }>();
  for (const c of snap.connections) {
    if (!isListener(c, rules)) continue;
    const k = listenerKey(c);
    const inst = instanceOf(snap, c);
    const g = groups.get(k);
    if (g) g.instances.push(inst);
    else groups.set(k, { first: c, instances: [inst] });
  }
  const out = new Map<string, Listener>();
  for (const [k, { first, instances }] of groups) {
    instances.sort((x, y) => (x.sort < y.sort ? -1 : x.sort > y.sort ? 1 : 0));
    const owners = new Map<number, NonNullable<Instance["owner"]>>();
    for (const i of instances) {
      if (i.owner && !owners.has(i.owner.pid)) owners.set(i.owner.pid, i.owner);
    }
    const sorted = [...owners.values()].sort((a, b) => a.pid - b.pid);
    const side: ListenerSide = {
      protocol: first.protocol,
      family: first.family,
      address: first.localAddress,
      port: first.localPort,
    };
    const main = sorted[0];
    if (main) {
      side.program = main.program;
      side.pid = main.pid;
      if (main.startTime !== undefined) side.startTime = main.startTime;
      if (main.exe !== undefined) side.exe = main.exe;
      if (sorted.length > 1) side.pids = sorted.map((o) => o.pid);
    }
    if (instances.length > 1) side.instances = instances.length;
    const v = verdicts.get(k);
    if (v && v.verdict !== "not-evaluated") {
      side.firewall = v.verdict;
      side.firewallReason = v.reason;
    }
    out.set(k, {
      side,
      instances,
      programs: [...new Set(sorted.map((o) => o.program))].sort(),
      complete: instances.every((i) => i.owner !== undefined) &&
        !(partial && instances.every((i) => i.inode === undefined)),
    });
  }
  return out;
}

/** True when two holders are one process: same pid, and same start time where both know it. */
function sameProcess(x: Holder, y: Holder): boolean {
  return x.pid === y.pid && (x.start === undefined || y.start === undefined || x.start === y.start);
}

function shareProcess(a: Instance, b: Instance): boolean {
  return a.holders.some((x) => b.holders.some((y) => sameProcess(x, y)));
}

/** Above this many candidate pairs, processes are matched greedily instead of exactly. */
const EXACT_MATCH_LIMIT = 4096;

/**
 * Pairs the instances of one address across the snapshots: same inode first (when inodes mean
 * the same on both sides), then a process holding both — as many pairs as possible, so that the
 * number of pairs does not depend on which side is "before".
 */
function matchInstances(
  a: readonly Instance[],
  b: readonly Instance[],
  inodes: boolean,
): { pairs: number; gone: Instance[]; fresh: Instance[] } {
  const takenA = new Array<boolean>(a.length).fill(false);
  const takenB = new Array<boolean>(b.length).fill(false);
  let pairs = 0;
  if (inodes) {
    const byInode = new Map<number, number[]>();
    b.forEach((x, j) => {
      if (x.inode !== undefined) byInode.set(x.inode, [...(byInode.get(x.inode) ?? []), j]);
    });
    a.forEach((x, i) => {
      const js = x.inode === undefined ? undefined : byInode.get(x.inode);
      const j = js?.shift();
      if (j === undefined) return;
      takenA[i] = takenB[j] = true;
      pairs++;
    });
  }
  const restA = a.map((_, i) => i).filter((i) => !takenA[i]);
  const restB = b.map((_, j) => j).filter((j) => !takenB[j]);
  const matchOfB = new Map<number, number>();
  if (restA.length * restB.length <= EXACT_MATCH_LIMIT) {
    // Augmenting paths (Kuhn): a maximum matching, whose size is the same from either side.
    const edges = restA.map((i) => restB.filter((j) => shareProcess(a[i]!, b[j]!)));
    const tryAssign = (ai: number, seen: Set<number>): boolean => {
      for (const j of edges[ai]!) {
        if (seen.has(j)) continue;
        seen.add(j);
        const other = matchOfB.get(j);
        if (other === undefined || tryAssign(other, seen)) {
          matchOfB.set(j, ai);
          return true;
        }
      }
      return false;
    };
    restA.forEach((_, ai) => tryAssign(ai, new Set()));
  } else {
    restA.forEach((i, ai) => {
      const j = restB.find((j) => !matchOfB.has(j) && shareProcess(a[i]!, b[j]!));
      if (j !== undefined) matchOfB.set(j, ai);
    });
  }
  for (const [j, ai] of matchOfB) {
    takenB[j] = true;
    takenA[restA[ai]!] = true;
    pairs++;
  }
  // A socket with neither a usable inode nor a known holder cannot be told apart from any other:
  // left over on one side, it pairs with a leftover of the other (unknown is never a change).
  const anonymous = (x: Instance) => x.holders.length === 0 && (!inodes || x.inode === undefined);
  const gone = a.filter((_, i) => !takenA[i]), fresh = b.filter((_, j) => !takenB[j]);
  const k = Math.min(
    gone.length,
    fresh.length,
    gone.filter(anonymous).length + fresh.filter(anonymous).length,
  );
  const drop = (list: Instance[]) => {
    const order = [...list.filter(anonymous), ...list.filter((x) => !anonymous(x))];
    const out = new Set(order.slice(0, k));
    return list.filter((x) => !out.has(x));
  };
  return { pairs: pairs + k, gone: drop(gone), fresh: drop(fresh) };
}

/** An address as it reads in a sentence: IPv6 in brackets (`[::]`, `[::1]`). */
function addressText(address: string): string {
  return address.includes(":") ? `[${address}]` : address;
}

/** ", but the firewall drops new connections to it (…)" for a filtered listener. */
function filteredNote(s: ListenerSide): string {
  return s.firewall === "filtered"
    ? `, but the firewall drops new connections to it (${s.firewallReason})`
    : "";
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

function where(s: ListenerSide): string {
  return `${s.protocol} ${endpoint(s.address, s.port)}`;
}

function ownerText(o: Instance["owner"]): string {
  return o === undefined ? "an unknown program" : `${o.program} (pid ${o.pid})`;
}

/** Who holds a listener: "nginx (pid 10)", or each owner of several instances. */
function who(l: Listener): string {
  const seen = new Set<number>();
  const names: string[] = [];
  for (const i of l.instances) {
    if (i.owner && seen.has(i.owner.pid)) continue;
    if (i.owner) seen.add(i.owner.pid);
    names.push(ownerText(i.owner));
  }
  return [...new Set(names)].join(", ");
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** What a restart changed: pids (or start times when a pid came back), executables, instances. */
function restartNote(a: Listener, b: Listener): string {
  const pa = a.side.pids ?? (a.side.pid === undefined ? [] : [a.side.pid]);
  const pb = b.side.pids ?? (b.side.pid === undefined ? [] : [b.side.pid]);
  const ta = a.side.startTime, tb = b.side.startTime;
  const notes = [
    pa.join(",") !== pb.join(",")
      ? `${pa.length > 1 || pb.length > 1 ? "pids" : "pid"} ${pa.join(", ")} → ${pb.join(", ")}`
      : ta !== undefined && tb !== undefined && ta !== tb
      ? `pid ${pa.join(", ")}, started ${ta} → ${tb}`
      : `${pa.length > 1 ? "pids" : "pid"} ${pa.join(", ")}, other holders`,
  ];
  if (a.side.exe !== undefined && b.side.exe !== undefined && a.side.exe !== b.side.exe) {
    notes.push(`exe ${a.side.exe} → ${b.side.exe}`);
  }
  const na = a.instances.length, nb = b.instances.length;
  if (na !== nb) notes.push(`${plural(na, "instance")} → ${nb}`);
  return notes.join("; ");
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

function instanceSide(i: Instance): InstanceSide {
  if (i.owner) return { ...i.owner };
  return i.inode === undefined ? {} : { inode: i.inode };
}

function instanceList(list: readonly Instance[]): string {
  const known = list.filter((i) => i.owner !== undefined);
  return known.length === 0 ? "" : ` (${known.map((i) => ownerText(i.owner)).join(", ")})`;
}

/** The changes of an address that both snapshots listen on. */
function compareListener(
  la: Listener,
  lb: Listener,
  inodes: boolean,
  items: Array<[string, Change]>,
): void {
  const m = matchInstances(la.instances, lb.instances, inodes);
  const na = la.instances.length, nb = lb.instances.length;
  let gone = m.gone, fresh = m.fresh;
  if (m.pairs === 0) {
    if (la.complete && lb.complete) {
      const sameProgram = la.programs.join("\n") === lb.programs.join("\n");
      items.push([sortKey(la.side, sameProgram ? 3 : 2), {
        kind: sameProgram ? "listener-restarted" : "listener-owner-changed",
        section: "listeners",
        key: keyOf(la.side),
        before: la.side,
        after: lb.side,
        summary: sameProgram
          ? `${where(la.side)}: ${la.programs.join(", ")} restarted (${restartNote(la, lb)})`
          : `${where(la.side)} is now held by ${who(lb)}, was ${who(la)}`,
      }]);
      return;
    }
    // Nothing shows which socket is which: only the number of them is a fact.
    gone = na > nb ? gone.slice(0, na - nb) : [];
    fresh = nb > na ? fresh.slice(0, nb - na) : [];
    if (gone.length === 0 && fresh.length === 0) return;
  }
  if (gone.length > 0) {
    items.push([sortKey(la.side, 6), {
      kind: "listener-instance-removed",
      section: "listeners",
      key: keyOf(la.side),
      before: la.side,
      after: lb.side,
      count: gone.length,
      removed: m.pairs === 0 ? [] : gone.map(instanceSide),
      summary: `${where(la.side)}: ${plural(gone.length, "instance")} closed${
        m.pairs === 0 ? "" : instanceList(gone)
      }, ${nb} left`,
    }]);
  }
  if (fresh.length > 0) {
    const known = new Set(la.programs);
    const newcomers = m.pairs === 0
      ? []
      : fresh.filter((i) => i.owner && !known.has(i.owner.program));
    const change: ChangeOf<"listener-instance-added"> = {
      kind: "listener-instance-added",
      section: "listeners",
      key: keyOf(la.side),
      before: la.side,
      after: lb.side,
      count: fresh.length,
      added: m.pairs === 0 ? [] : fresh.map(instanceSide),
      summary: `${where(la.side)}: ${plural(fresh.length, "instance")} added${
        m.pairs === 0 ? "" : instanceList(fresh)
      }, ${nb} now${
        newcomers.length > 0 && la.complete ? "; a program that did not listen here before" : ""
      }`,
    };
    // Another program joining an address that others serve takes a share of its traffic.
    if (newcomers.length > 0 && la.complete) change.notable = true;
    items.push([sortKey(la.side, 5), change]);
  }
}

/** Compares the listeners of two snapshots, each classified by its own rules. */
export function diffListeners(
  before: Snapshot,
  after: Snapshot,
  rules: { before: SocketRules; after: SocketRules },
): Change[] {
  const a = collect(before, rules.before), b = collect(after, rules.after);
  // Inode numbers name the same socket only within one boot of one host.
  const inodes = before.meta.host.bootTime !== undefined &&
    after.meta.host.bootTime !== undefined && !rebooted(before, after) &&
    before.meta.host.hostname === after.meta.host.hostname;
  const items: Array<[string, Change]> = [];
  const closed: Listener[] = [], opened: Listener[] = [];
  for (const [k, la] of a) {
    const lb = b.get(k);
    if (lb) {
      compareListener(la, lb, inodes, items);
      const fw = firewallChange(la.side, lb.side);
      if (fw) items.push([sortKey(la.side, 7), fw]);
    } else closed.push(la);
  }
  for (const [k, lb] of b) if (!a.has(k)) opened.push(lb);

  // Pair a closed and an opened listener of the same protocol, port and program: a move.
  const pairKey = (e: Listener) => exposureKey(e.side, e.programs);
  const pending = groupBy(closed, pairKey), openedGroups = groupBy(opened, pairKey);
  const byAddr = (x: Listener, y: Listener) =>
    x.side.family < y.side.family
      ? -1
      : x.side.family > y.side.family
      ? 1
      : x.side.address < y.side.address
      ? -1
      : x.side.address > y.side.address
      ? 1
      : 0;
  const unpairedOpened: Listener[] = [];
  const paired = new Set<Listener>();
  for (const [k, ops] of openedGroups) {
    const cls = pending.get(k);
    if (!cls) {
      append(unpairedOpened, ops);
      continue;
    }
    const pairs = pairUp(cls.sort(byAddr), ops.sort(byAddr));
    for (const [x, y] of pairs.pairs) {
      paired.add(x);
      items.push([sortKey(x.side, 4), exposureChange(x, y)]);
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
        e.side.program === undefined ? "" : `, was held by ${who(e)}`
      }`,
    }]);
  }
  for (const e of unpairedOpened) {
    const change: ChangeOf<"listener-opened"> = {
      kind: "listener-opened",
      section: "listeners",
      key: keyOf(e.side),
      after: e.side,
      summary: `${where(e.side)} opened${e.side.program === undefined ? "" : ` by ${who(e)}`}${
        isWildcard(e.side.address) ? ", on every address" : ""
      }${filteredNote(e.side)}`,
    };
    // Reachable from other hosts (and not filtered): what a gate on "anything new exposed" is
    // about.
    if (!isLoopback(e.side.address) && e.side.firewall !== "filtered") change.notable = true;
    items.push([sortKey(e.side, 0), change]);
  }
  return sortByKey(items);
}

function exposureChange(x: Listener, y: Listener): ChangeOf<"listener-exposure-changed"> {
  const dir = exposure(x.side, y.side);
  const m = matchInstances(x.instances, y.instances, false);
  const restarted = m.pairs === 0 && x.complete && y.complete;
  const prog = y.side.program === undefined ? "" : ` (${y.programs.join(", ")})`;
  const reachNote = y.side.firewall === "filtered"
    ? `: the firewall drops new connections to it (${y.side.firewallReason})`
    : dir === "widened"
    ? ": now reachable from more addresses"
    : dir === "narrowed"
    ? ": now reachable from fewer addresses"
    : "";
  const change: ChangeOf<"listener-exposure-changed"> = {
    kind: "listener-exposure-changed",
    section: "listeners",
    key: { protocol: x.side.protocol, port: x.side.port, program: x.side.program ?? "" },
    before: x.side,
    after: y.side,
    exposure: dir,
    summary: `${x.side.protocol} port ${x.side.port}${prog} ${dir} from ${
      addressText(x.side.address)
    } to ${addressText(y.side.address)}${reachNote}${
      restarted ? ` (restarted: ${restartNote(x, y)})` : ""
    }`,
  };
  if (dir === "widened" && y.side.firewall !== "filtered") change.notable = true;
  return change;
}

/** Lists grouped by a key, in first-seen order. */
function groupBy<T>(items: readonly T[], key: (x: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const x of items) {
    const k = key(x);
    const l = out.get(k);
    if (l) l.push(x);
    else out.set(k, [x]);
  }
  return out;
}

/**
 * Pairs two address-sorted lists: same family first (in order), then across families, so
 * 127.0.0.1 → 0.0.0.0 and ::1 → :: pair up before 127.0.0.1 → ::. Linear in the list sizes.
 */
function pairUp(
  a: Listener[],
  b: Listener[],
): { pairs: Array<[Listener, Listener]>; leftB: Listener[] } {
  const pairs: Array<[Listener, Listener]> = [];
  const restA: Listener[] = [], restB: Listener[] = [];
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

/**
 * `nsnap watch` as a pure state machine: samples (snapshots) and keys go in, a new state comes
 * out, and `render/watch.ts` turns a state into screen text. No I/O here: tests drive it with
 * hand-made snapshots and key strings, as a terminal would send them.
 *
 * What a state holds: the newest view (the notable counter rates, interface throughput, sessions
 * per TCP state and per remote service, the listeners and their accept queues), the changes
 * seen since the start, the pane shown, whether the view is frozen, and only the last snapshot
 * (so memory stays flat however long it runs).
 *
 * Decisions:
 * - Rates are per second between the last two samples; a counter that went backwards (a
 *   reboot, a wrap) or is missing on a side has no rate (null), never a negative one.
 * - Sessions are grouped as the report groups them: inbound by local service port ("tcp :443 ←
 *   clients"), outbound by remote address and port.
 * - A capture across network namespaces: every namespace's sockets and interfaces are shown,
 *   those of another namespace than the watch's own marked with its id (`docker:web/eth0`, a
 *   listener's or a service's `namespace`); an interface is paired with the one of its name in
 *   its namespace. The counter rates are the own namespace's (the host's, run from it).
 * - The changes are those a timeline tells stories of (`isEventChange`: listeners, routes,
 *   interfaces, settings, unanswered connection attempts, state build-ups) plus interface
 *   errors; counters are in the rates, sessions in their pane. At most `MAX_CHANGES` are kept.
 * - Owners: a cheap capture has no owners; a listener's owner is carried from the capture that
 *   found it, by socket inode (the same inode is the same socket, so the same holder).
 *   `needsOwners()` tells the loop when a capture with owners is due: a listener it has not
 *   seen the owner of.
 * - Frozen: the view shown stays; samples are still taken (and recorded), and unfreezing shows
 *   the newest.
 */
import { diffSnapshots } from "../diff/mod.ts";
import type { Change } from "../diff/types.ts";
import type { Connection, ProcessInfo, Snapshot } from "../model.ts";
import { programName } from "../net/programs.ts";
import { endpoint, isListener, isSession, socketRules } from "../net/sockets.ts";
import { leftOut } from "../snapshot/compact.ts";
import { isEventChange } from "../timeline/events.ts";
import { counterValue, SERIES_COUNTERS } from "../timeline/step.ts";
import { dict } from "../util/record.ts";

/** The panes, in key order (1–4). */
export const PANES = ["overview", "sessions", "listeners", "changes"] as const;
/** One pane. */
export type Pane = typeof PANES[number];

/** The most changes a watch keeps (the oldest go first). */
export const MAX_CHANGES = 1000;

/** Plain names of the counters the watch follows. */
export const COUNTER_LABELS: Readonly<Record<string, string>> = {
  "Tcp.RetransSegs": "TCP segments retransmitted",
  "Tcp.OutRsts": "TCP resets sent",
  "Tcp.EstabResets": "TCP established connections reset",
  "Tcp.AttemptFails": "TCP connection attempts failed",
  "TcpExt.ListenOverflows": "listen queue overflows",
  "TcpExt.ListenDrops": "listen queue drops",
  "Udp.InErrors": "UDP receive errors",
  "Udp.RcvbufErrors": "UDP receive buffer full",
  "Udp.NoPorts": "UDP to ports nobody listens on",
  "Udp6.InErrors": "UDP/IPv6 receive errors",
  "Udp6.RcvbufErrors": "UDP/IPv6 receive buffer full",
  "Udp6.NoPorts": "UDP/IPv6 to ports nobody listens on",
  "Ip.InDiscards": "IPv4 packets discarded in",
  "Ip.OutDiscards": "IPv4 packets discarded out",
  "Ip6.InDiscards": "IPv6 packets discarded in",
  "Ip6.OutDiscards": "IPv6 packets discarded out",
};

/** One notable counter: its rate now and its increase since the watch started. */
export interface RateRow {
  name: string;
  label: string;
  perSecond: number | null;
  sinceStart: bigint | null;
}

/** One interface's traffic per second. */
export interface TrafficRow {
  name: string;
  /** Its network namespace, where not the watch's own. */
  namespace?: string;
  rxBytes: number | null;
  txBytes: number | null;
  rxPackets: number | null;
  txPackets: number | null;
  /** Errors and drops, both directions. */
  trouble: number | null;
}

/** Sessions to one remote service (or from clients of one local one). */
export interface ServiceRow {
  label: string;
  count: number;
  /** Change since the previous sample. */
  delta: number;
}

/** One listening socket and its accept queue. */
export interface ListenerRow {
  protocol: string;
  /** Its network namespace, where not the watch's own. */
  namespace?: string;
  address: string;
  port: number;
  program?: string;
  pid?: number;
  /** TCP LISTEN: connections waiting to be accepted. */
  recvQ: number;
  /** The accept queue's limit, where the snapshot has it (netlink captures). */
  backlog?: number;
}

/** A change seen while watching. */
export interface ChangeRow {
  at: string;
  mark: "+" | "-" | "~" | "!";
  kind: string;
  summary: string;
}

/** What the screen shows of the newest sample. */
export interface WatchView {
  at: string;
  /** Seconds since the sample before (absent for the first). */
  seconds?: number;
  rates: RateRow[];
  traffic: TrafficRow[];
  /** Connected sockets; null where the capture left sessions out. */
  sessions: number | null;
  states: Array<{ state: string; count: number }>;
  services: ServiceRow[];
  listeners: ListenerRow[];
  /** What the sample could not tell (not root, sections not captured). */
  notes: string[];
}

/** The whole state of a watch. */
export interface WatchState {
  host: string;
  intervalMs: number;
  pane: Pane;
  quit: boolean;
  samples: number;
  startedAt?: string;
  view?: WatchView;
  /** The view on screen while frozen. */
  frozen?: WatchView;
  changes: ChangeRow[];
  /** Changes that no longer fit `MAX_CHANGES`. */
  droppedChanges: number;
  /** Lines scrolled back from the newest change (changes pane). */
  scroll: number;
  /** Where snapshots are recorded (`--record`), and how many so far. */
  recording?: { folder: string; files: number };
  /** The last problem of the loop (a failed capture), shown on the status line. */
  status?: string;
  /** The counters at the first sample (for "since start"). */
  first?: Record<string, bigint>;
  /** The last sample (the one the next is compared with). */
  last?: Snapshot;
  /**
   * Owners of listening sockets by inode, from captures with owners; null for a socket whose
   * owner such a capture could not tell (it is not looked for again).
   */
  owners: Map<number, Owner | null>;
}

/** Who holds a listening socket, as a capture with owners found it. */
export interface Owner {
  pid: number;
  pids?: number[];
  process?: ProcessInfo;
}

/** A new watch of `host`, sampling every `intervalMs`. */
export function startWatch(host: string, intervalMs: number, recording?: string): WatchState {
  const s: WatchState = {
    host,
    intervalMs,
    pane: "overview",
    quit: false,
    samples: 0,
    changes: [],
    droppedChanges: 0,
    scroll: 0,
    owners: new Map(),
  };
  if (recording !== undefined) s.recording = { folder: recording, files: 0 };
  return s;
}

function listenerInodes(s: Snapshot): Connection[] {
  const rules = socketRules(s);
  return s.connections.filter((c) => isListener(c, rules) && c.inode !== undefined && c.inode > 0);
}

/** True when `s` (a capture without owners) has a listener whose owner the watch has not seen. */
export function needsOwners(state: WatchState, s: Snapshot): boolean {
  return listenerInodes(s).some((c) => c.pid === undefined && !state.owners.has(c.inode!));
}

/** `s` with the owners of its listeners filled in from earlier captures (same inode). */
function withKnownOwners(state: WatchState, s: Snapshot): Snapshot {
  if (state.owners.size === 0) return s;
  const processes = dict(Object.entries(s.processes));
  const connections = s.connections.map((c) => {
    const known = c.pid === undefined && c.inode ? state.owners.get(c.inode) : undefined;
    if (known === undefined || known === null) return c;
    if (known.process) processes[String(known.pid)] = known.process;
    return { ...c, pid: known.pid, ...(known.pids ? { pids: known.pids } : {}) };
  });
  return { ...s, connections, processes };
}

function rememberOwners(state: WatchState, s: Snapshot): Map<number, Owner | null> {
  const owners = new Map<number, Owner | null>();
  const scanned = s.meta.sections.processes.status !== "error";
  for (const c of listenerInodes(s)) {
    const known = state.owners.get(c.inode!);
    if (c.pid !== undefined) {
      const p = s.processes[String(c.pid)];
      owners.set(c.inode!, {
        pid: c.pid,
        ...(c.pids ? { pids: c.pids } : {}),
        ...(p ? { process: p } : {}),
      });
    } else if (known !== undefined) owners.set(c.inode!, known);
    else if (scanned) owners.set(c.inode!, null); // looked for, not found: not again
  }
  return owners;
}

function counters(s: Snapshot): Record<string, bigint> {
  const out: Record<string, bigint> = {};
  for (const name of SERIES_COUNTERS) {
    const v = counterValue(s, name);
    if (v !== undefined) out[name] = v;
  }
  return out;
}

function perSecond(a: bigint | undefined, b: bigint | undefined, secs: number | undefined) {
  if (a === undefined || b === undefined || secs === undefined || secs <= 0 || b < a) return null;
  return Number(b - a) / secs;
}

function rateRows(
  prev: Snapshot | undefined,
  cur: Snapshot,
  first: Record<string, bigint>,
  secs: number | undefined,
): RateRow[] {
  const now = counters(cur), before = prev ? counters(prev) : {};
  return SERIES_COUNTERS.filter((n) => now[n] !== undefined).map((name) => {
    const v = now[name]!, f = first[name];
    return {
      name,
      label: COUNTER_LABELS[name] ?? name,
      perSecond: perSecond(before[name], v, secs),
      sinceStart: f === undefined || v < f ? null : v - f,
    };
  });
}

/** An interface's name within its namespace (names repeat across namespaces: `lo`, `eth0`). */
const interfaceKey = (i: { name: string; namespace?: string | undefined }) =>
  `${i.namespace ?? ""}\u0000${i.name}`;

function trafficRows(prev: Snapshot | undefined, cur: Snapshot, secs: number | undefined) {
  const before = new Map(prev?.interfaces.map((i) => [interfaceKey(i), i.stats]) ?? []);
  const rows: TrafficRow[] = [];
  for (const i of cur.interfaces) {
    const a = before.get(interfaceKey(i)), b = i.stats;
    if (b === undefined) continue;
    const r = (k: keyof NonNullable<typeof b>) => perSecond(a?.[k], b[k], secs);
    const parts = [r("rxErrors"), r("txErrors"), r("rxDropped"), r("txDropped")];
    rows.push({
      name: i.name,
      ...(i.namespace !== undefined ? { namespace: i.namespace } : {}),
      rxBytes: r("rxBytes"),
      txBytes: r("txBytes"),
      rxPackets: r("rxPackets"),
      txPackets: r("txPackets"),
      trouble: parts.every((p) => p === null)
        ? null
        : parts.reduce((x: number, p) => x + (p ?? 0), 0),
    });
  }
  // Busiest first; the quiet ones by name.
  const load = (t: TrafficRow) => (t.rxBytes ?? 0) + (t.txBytes ?? 0);
  const key = (t: TrafficRow) => interfaceKey(t);
  return rows.sort((x, y) => load(y) - load(x) || (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0));
}

function census(s: Snapshot): { states: Map<string, number>; services: Map<string, number> } {
  const rules = socketRules(s);
  const listening = new Set<string>();
  const where = (c: Connection) => `${c.namespace ?? ""} ${c.protocol} ${c.localPort}`;
  for (const c of s.connections) if (isListener(c, rules)) listening.add(where(c));
  const states = new Map<string, number>(), services = new Map<string, number>();
  for (const c of s.connections) {
    if (c.protocol === "tcp" && c.state !== "LISTEN") {
      states.set(c.state, (states.get(c.state) ?? 0) + 1);
    }
    if (!isSession(c)) continue;
    const label = (listening.has(where(c))
      ? `${c.protocol} :${c.localPort} ← clients`
      : `${c.protocol} → ${endpoint(c.remoteAddress, c.remotePort)}`) +
      (c.namespace === undefined ? "" : ` (${c.namespace})`);
    services.set(label, (services.get(label) ?? 0) + 1);
  }
  return { states, services };
}

function byCount(m: Map<string, number>): Array<[string, number]> {
  return [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function listenerRows(s: Snapshot): ListenerRow[] {
  const rules = socketRules(s);
  const rows = s.connections.filter((c) => isListener(c, rules)).map((c) => {
    const row: ListenerRow = {
      protocol: c.protocol,
      ...(c.namespace !== undefined ? { namespace: c.namespace } : {}),
      address: c.localAddress,
      port: c.localPort,
      recvQ: c.recvQ,
    };
    const backlog = (c as { backlog?: unknown }).backlog;
    if (typeof backlog === "number") row.backlog = backlog;
    if (c.pid !== undefined) {
      row.pid = c.pid;
      const p = s.processes[String(c.pid)];
      if (p) row.program = programName(p);
    }
    return row;
  });
  // Fullest queues first, then by port.
  return rows.sort((a, b) =>
    b.recvQ - a.recvQ || a.port - b.port || (a.protocol < b.protocol ? -1 : 1) ||
    (a.address < b.address ? -1 : a.address > b.address ? 1 : 0)
  );
}

function notes(s: Snapshot): string[] {
  const out: string[] = [];
  const m = s.meta.sections;
  if (leftOut(s, "sessions")) out.push("sessions not captured (compact)");
  for (const w of m.connections.warnings ?? []) if (/owner of/.test(w)) out.push(w);
  if (m.counters.status === "error") out.push(`counters: ${m.counters.error ?? "not captured"}`);
  if (m.interfaces.status === "error") {
    out.push(`interfaces: ${m.interfaces.error ?? "not captured"}`);
  }
  return out;
}

function markOf(c: Change): ChangeRow["mark"] {
  if (c.notable) return "!";
  if (/-(opened|added)$/.test(c.kind)) return "+";
  if (/-(closed|removed)$/.test(c.kind)) return "-";
  return "~";
}

/**
 * Adds the next sample (a capture taken after every one before): the view is recomputed, the
 * changes since the last sample appended.
 */
export function addSample(state: WatchState, captured: Snapshot): WatchState {
  const s = withKnownOwners(state, captured);
  const prev = state.last;
  const secs = prev === undefined
    ? undefined
    : (Date.parse(s.meta.capturedAt) - Date.parse(prev.meta.capturedAt)) / 1000;
  const first = state.first ?? counters(s);
  const { states, services } = census(s);
  const before = prev ? census(prev).services : new Map<string, number>();
  const view: WatchView = {
    at: s.meta.capturedAt,
    rates: rateRows(prev, s, first, secs),
    traffic: trafficRows(prev, s, secs),
    sessions: leftOut(s, "sessions") ? null : s.connections.filter(isSession).length,
    states: byCount(states).map(([state, count]) => ({ state, count })),
    services: byCount(services).map(([label, count]) => ({
      label,
      count,
      delta: count - (before.get(label) ?? 0),
    })),
    listeners: listenerRows(s),
    notes: notes(s),
  };
  if (secs !== undefined && secs > 0) view.seconds = secs;
  let changes = state.changes, dropped = state.droppedChanges;
  if (prev !== undefined) {
    const fresh = diffSnapshots(prev, s).changes.filter(isEventChange).map((c): ChangeRow => ({
      at: s.meta.capturedAt,
      mark: markOf(c),
      kind: c.kind,
      summary: c.summary,
    }));
    if (fresh.length > 0) {
      changes = [...changes, ...fresh];
      if (changes.length > MAX_CHANGES) {
        dropped += changes.length - MAX_CHANGES;
        changes = changes.slice(-MAX_CHANGES);
      }
    }
  }
  const next: WatchState = {
    ...state,
    host: s.meta.host.hostname,
    samples: state.samples + 1,
    startedAt: state.startedAt ?? s.meta.capturedAt,
    view,
    changes,
    droppedChanges: dropped,
    first,
    last: s,
    owners: rememberOwners(state, s),
  };
  delete next.status;
  return next;
}

/** Notes that a snapshot was recorded (`--record`). */
export function noteRecorded(state: WatchState): WatchState {
  return state.recording
    ? { ...state, recording: { ...state.recording, files: state.recording.files + 1 } }
    : state;
}

/** Notes a problem of the loop for the status line (a capture that failed). */
export function noteProblem(state: WatchState, problem: string): WatchState {
  return { ...state, status: problem };
}

/** The keys a watch answers, as a terminal in raw mode sends them. */
export const KEYS = {
  quit: ["q", "Q", "\x03"],
  freeze: [" ", "f", "F"],
  next: ["\t", "\x1b[C"],
  previous: ["\x1b[Z", "\x1b[D"],
  up: ["\x1b[A", "k"],
  down: ["\x1b[B", "j"],
  pageUp: ["\x1b[5~"],
  pageDown: ["\x1b[6~"],
} as const;

const is = (k: string, list: readonly string[]) => list.includes(k);

/** Answers one key (a raw-mode key string: "q", "\t", "\x1b[A" …); unknown keys change nothing. */
export function pressKey(state: WatchState, key: string, pageRows = 10): WatchState {
  if (is(key, KEYS.quit)) return { ...state, quit: true };
  const digit = /^[1-9]$/.test(key) ? Number(key) - 1 : -1;
  if (digit >= 0 && digit < PANES.length) return { ...state, pane: PANES[digit]!, scroll: 0 };
  const at = PANES.indexOf(state.pane);
  if (is(key, KEYS.next)) return { ...state, pane: PANES[(at + 1) % PANES.length]!, scroll: 0 };
  if (is(key, KEYS.previous)) {
    return { ...state, pane: PANES[(at + PANES.length - 1) % PANES.length]!, scroll: 0 };
  }
  if (is(key, KEYS.freeze)) {
    if (state.frozen) {
      const { frozen: _thawed, ...rest } = state;
      return rest;
    }
    return state.view ? { ...state, frozen: state.view } : state;
  }
  const max = Math.max(0, state.changes.length - 1);
  const scroll = (by: number) => ({
    ...state,
    scroll: Math.min(max, Math.max(0, state.scroll + by)),
  });
  if (is(key, KEYS.up)) return scroll(1);
  if (is(key, KEYS.down)) return scroll(-1);
  if (is(key, KEYS.pageUp)) return scroll(pageRows);
  if (is(key, KEYS.pageDown)) return scroll(-pageRows);
  return state;
}

/** Splits what a terminal sent at once into keys (escape sequences kept whole). */
export function splitKeys(data: string): string[] {
  const out: string[] = [];
  // ESC [ params final (arrows, page keys, shift-Tab), ESC + one key (Alt-x), or one character.
  // deno-lint-ignore no-control-regex
  const re = /\x1b\[[0-9;]*[A-Za-z~]|\x1b.|[\s\S]/g;
  for (const m of data.matchAll(re)) out.push(m[0]);
  return out;
}

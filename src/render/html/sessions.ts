/**
 * Who talks to whom: the connected sockets of a snapshot grouped by remote service (inbound: the
 * local service port; outbound: the remote address and port, as the diff groups them) and by
 * local program, as bar rows; the TCP state census; and, where tcp_info was captured, the health
 * of the sessions to each remote service.
 */
import { endpoint, isListener, isSession, socketRules } from "../../net/sockets.ts";
import { ownerOf } from "../../diff/util.ts";
import { programName } from "../../net/programs.ts";
import type { Connection, Snapshot } from "../../model.ts";
import { TCP_STATES } from "../../net/states.ts";
import type { BarRow, LegendItem } from "./bars.ts";
import { tcpHealth } from "./hooks.ts";
import type { Cell, TableSpec } from "./types.ts";

/** How many groups a chart shows before the rest become one "other" row. */
export const TOP_GROUPS = 12;
/** How many programs get their own colour; the rest share one. */
const COLOURS = 8;

interface Group {
  key: string;
  label: string;
  remotes: Set<string>;
  byProgram: Map<string, number>;
  total: number;
}

/** One side's groups, by service and by program. */
interface Census {
  services: Map<string, Group>;
  programs: Map<string, { inbound: number; outbound: number }>;
}

const UNKNOWN = "(unknown program)";

function listenPorts(s: Snapshot): Set<string> {
  const ports = new Set<string>();
  const rules = socketRules(s);
  for (const c of s.connections) {
    if (isListener(c, rules)) ports.add(`${c.protocol} ${c.localPort}`);
  }
  return ports;
}

/** Inbound when the local port is a listening port of the same protocol in that snapshot. */
function serviceOf(c: Connection, inbound: boolean): { key: string; label: string } {
  return inbound
    ? { key: `in ${c.protocol} ${c.localPort}`, label: `${c.protocol} :${c.localPort} ← clients` }
    : {
      key: `out ${c.protocol} ${c.remoteAddress} ${c.remotePort}`,
      label: `${c.protocol} → ${endpoint(c.remoteAddress, c.remotePort)}`,
    };
}

function census(s: Snapshot): Census {
  const listening = listenPorts(s);
  const services = new Map<string, Group>();
  const programs = new Map<string, { inbound: number; outbound: number }>();
  for (const c of s.connections) {
    if (!isSession(c)) continue;
    const inbound = listening.has(`${c.protocol} ${c.localPort}`);
    const p = ownerOf(s, c);
    const program = p ? programName(p) : UNKNOWN;
    const { key, label } = serviceOf(c, inbound);
    let g = services.get(key);
    if (!g) {
      g = { key, label, remotes: new Set(), byProgram: new Map(), total: 0 };
      services.set(key, g);
    }
    g.total++;
    g.remotes.add(c.remoteAddress);
    g.byProgram.set(program, (g.byProgram.get(program) ?? 0) + 1);
    const pc = programs.get(program) ?? { inbound: 0, outbound: 0 };
    if (inbound) pc.inbound++;
    else pc.outbound++;
    programs.set(program, pc);
  }
  return { services, programs };
}

/** The session charts of a snapshot (with `before`, the counts before as outlines). */
export interface SessionCharts {
  byService: BarRow[];
  byProgram: BarRow[];
  legend: LegendItem[];
  directions: LegendItem[];
  sessions: number;
}

function byCount<T>(m: Map<string, T>, count: (v: T) => number): Array<[string, T]> {
  return [...m].sort((a, b) =>
    count(b[1]) - count(a[1]) || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)
  );
}

/** Builds the session charts of `after`, with `before` drawn as outlines when given. */
export function sessionCharts(after: Snapshot, before?: Snapshot): SessionCharts {
  const a = census(after);
  const b = before ? census(before) : undefined;
  // Colours follow the programs' total session counts, so both charts agree.
  const totals = new Map<string, number>();
  for (const [p, v] of a.programs) totals.set(p, v.inbound + v.outbound);
  for (const p of b?.programs.keys() ?? []) if (!totals.has(p)) totals.set(p, 0);
  const ranked = byCount(totals, (v) => v).map(([p]) => p);
  const cls = (p: string) => {
    const i = ranked.indexOf(p);
    return p === UNKNOWN || i >= COLOURS ? "s-other" : `s${i}`;
  };
  const keys = new Set([...a.services.keys(), ...(b?.services.keys() ?? [])]);
  const merged = [...keys].map((k) => ({ a: a.services.get(k), b: b?.services.get(k), k }));
  merged.sort((x, y) =>
    Math.max(y.a?.total ?? 0, y.b?.total ?? 0) - Math.max(x.a?.total ?? 0, x.b?.total ?? 0) ||
    (x.k < y.k ? -1 : x.k > y.k ? 1 : 0)
  );
  const byService: BarRow[] = [];
  let restA = 0, restB = 0, restN = 0;
  for (const [i, m] of merged.entries()) {
    if (i >= TOP_GROUPS) {
      restA += m.a?.total ?? 0;
      restB += m.b?.total ?? 0;
      restN++;
      continue;
    }
    const g = (m.a ?? m.b)!;
    const inbound = g.key.startsWith("in ");
    const remotes = m.a?.remotes.size ?? 0;
    const row: BarRow = {
      label: g.label,
      segments: byCount(m.a?.byProgram ?? new Map<string, number>(), (v) => v).map((
        [p, n],
      ) => ({ value: n, cls: cls(p), name: p })),
    };
    if (inbound) row.detail = `from ${remotes} address${remotes === 1 ? "" : "es"}`;
    if (b) row.before = m.b?.total ?? 0;
    byService.push(row);
  }
  if (restN > 0) {
    const row: BarRow = {
      label: `${restN} other services`,
      segments: [{ value: restA, cls: "s-other", name: "other services" }],
    };
    if (b) row.before = restB;
    byService.push(row);
  }
  const byProgram: BarRow[] = ranked.slice(0, TOP_GROUPS).map((p) => {
    const v = a.programs.get(p) ?? { inbound: 0, outbound: 0 };
    const w = b?.programs.get(p);
    const row: BarRow = {
      label: p,
      segments: [
        { value: v.inbound, cls: "dir-in", name: "inbound" },
        { value: v.outbound, cls: "dir-out", name: "outbound" },
      ],
    };
    if (b) row.before = (w?.inbound ?? 0) + (w?.outbound ?? 0);
    return row;
  });
  const legend = ranked.filter((p) => p !== UNKNOWN && (totals.get(p) ?? 0) > 0).slice(0, COLOURS)
    .map((p) => ({
      cls: cls(p),
      name: p,
    }));
  if (ranked.length > COLOURS || ranked.includes(UNKNOWN)) {
    legend.push({ cls: "s-other", name: "other or unknown programs" });
  }
  let sessions = 0;
  for (const g of a.services.values()) sessions += g.total;
  return {
    byService,
    byProgram,
    legend,
    directions: [{ cls: "dir-in", name: "inbound" }, { cls: "dir-out", name: "outbound" }],
    sessions,
  };
}

/** The colour class of a TCP state: healthy, waiting, or a sign of trouble. */
function stateClass(state: string): string {
  if (state === "ESTABLISHED") return "st-ok";
  if (state === "LISTEN") return "st-listen";
  if (state === "CLOSE_WAIT" || state === "SYN_SENT" || state === "SYN_RECV") return "st-warn";
  return "st-idle";
}

/** TCP sockets per state, in the kernel's order; with `before`, its counts as outlines. */
export function stateRows(after: Snapshot, before?: Snapshot): BarRow[] {
  const count = (s: Snapshot) => {
    const m = new Map<string, number>();
    for (const c of s.connections) {
      if (c.protocol === "tcp") m.set(c.state, (m.get(c.state) ?? 0) + 1);
    }
    return m;
  };
  const a = count(after), b = before ? count(before) : undefined;
  const names = [...new Set([...a.keys(), ...(b?.keys() ?? [])])];
  const order = (s: string) => {
    const i = (TCP_STATES as readonly string[]).indexOf(s);
    return i < 0 ? TCP_STATES.length : i;
  };
  names.sort((x, y) => order(x) - order(y) || (x < y ? -1 : 1));
  return names.map((s) => {
    const row: BarRow = {
      label: s,
      segments: [{ value: a.get(s) ?? 0, cls: stateClass(s), name: s }],
    };
    if (b) row.before = b.get(s) ?? 0;
    return row;
  });
}

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Per remote service: sessions, retransmissions, losses and round-trip times, from tcp_info.
 * Undefined when no connection carries tcp_info.
 */
export function healthTable(s: Snapshot): TableSpec | undefined {
  const listening = listenPorts(s);
  const groups = new Map<
    string,
    { label: string; n: number; retrans: number; lost: number; rtt: number[] }
  >();
  let any = false;
  for (const c of s.connections) {
    if (!isSession(c) || c.protocol !== "tcp") continue;
    const h = tcpHealth(c);
    if (!h) continue;
    any = true;
    const { key, label } = serviceOf(c, listening.has(`${c.protocol} ${c.localPort}`));
    const g = groups.get(key) ?? { label, n: 0, retrans: 0, lost: 0, rtt: [] };
    g.n++;
    g.retrans += h.totalRetrans ?? 0;
    g.lost += h.lost ?? 0;
    if (h.rttMs !== undefined) g.rtt.push(h.rttMs);
    groups.set(key, g);
  }
  if (!any) return undefined;
  const rows = [...groups.values()].map((g): Cell[] => {
    const sorted = [...g.rtt].sort((a, b) => a - b);
    const p90 = sorted.length
      ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.9))]!
      : null;
    const m = median(g.rtt);
    return [
      g.label,
      g.n,
      g.retrans,
      g.lost,
      m === null ? null : round(m),
      p90 === null ? null : round(p90),
    ];
  });
  return {
    id: "tcp-health",
    noun: "services",
    columns: [
      { label: "Remote service", type: "mono" },
      { label: "Sessions", type: "num" },
      { label: "Retransmits", type: "num", title: "tcp_info total_retrans, summed" },
      { label: "Lost", type: "num", title: "tcp_info lost, summed" },
      { label: "RTT median ms", type: "rate" },
      { label: "RTT p90 ms", type: "rate" },
    ],
    rows,
    sort: [2, -1],
    empty: "no TCP sessions with tcp_info",
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

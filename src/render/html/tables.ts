/**
 * The report's tables as data (`TableSpec`): listeners, sockets, routes, interfaces, counters,
 * changes and the record sections later captures add. Pure functions of snapshots and diffs;
 * the page script renders them.
 */
import type { Change, DiffDocument } from "../../diff/types.ts";
import { endpoint, isListener, listenerKey, socketRules } from "../../net/sockets.ts";
import { isGauge, isSetting } from "../../diff/counters.ts";
import { ownerOf } from "../../diff/util.ts";
import { programName } from "../../net/programs.ts";
import type {
  Connection,
  InterfaceStatName,
  Namespace,
  NetInterface,
  ProcessInfo,
  Snapshot,
} from "../../model.ts";
import { type HostAddress, listenerReach } from "../../net/exposure.ts";
import { tableName } from "../../net/routes.ts";
import { type FilterVerdict, listenerVerdicts } from "../../net/filtered.ts";
import { namespaceLookup, namespacesOf, recordedExposure } from "./hooks.ts";
import type { Cell, ColumnSpec, TableSpec } from "./types.ts";

/** A column of a page table. */
export const col = (
  label: string,
  type: ColumnSpec["type"],
  more: Partial<ColumnSpec> = {},
): ColumnSpec => ({
  label,
  type,
  ...more,
});

/** A counter for a cell: a number while safe, a decimal string beyond. */
export function counterCell(v: bigint | undefined): Cell {
  if (v === undefined) return null;
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(v)
    : v.toString();
}

/** The host's addresses, or undefined when the interfaces section was not captured. */
export function hostAddresses(s: Snapshot): HostAddress[] | undefined {
  if (s.meta.sections.interfaces.status === "error") return undefined;
  return s.interfaces.flatMap((i) => i.addresses);
}

/**
 * The exposure badge of a listener with the firewall's verdict on it (`listenerVerdicts()`):
 * `filtered` when the firewall drops new connections from other hosts, the reason as its
 * tooltip; otherwise the reach, with a verdict not evaluated said in the tooltip.
 */
export function judgedExposure(
  c: Connection,
  hosts: HostAddress[] | undefined,
  redacted: boolean,
  verdict: FilterVerdict | undefined,
): { kind: string; title: string } {
  const e = exposureOf(c, hosts, redacted);
  if (verdict?.verdict === "filtered") {
    return { kind: "filtered", title: `filtered by the firewall: ${verdict.reason} (${e.kind})` };
  }
  if (verdict?.verdict === "not-evaluated") {
    return { ...e, title: `${e.title}; firewall not evaluated: ${verdict.reason}` };
  }
  return e;
}

/** The exposure badge of a listener and its tooltip. */
export function exposureOf(
  c: Connection,
  hosts: HostAddress[] | undefined,
  redacted: boolean,
): { kind: string; title: string } {
  const rec = recordedExposure(c);
  if (rec) return { kind: rec.kind, title: rec.title ?? rec.kind };
  const reach = listenerReach(c.localAddress, hosts, redacted);
  const every = c.localAddress === "0.0.0.0" || c.localAddress === "::" || c.localAddress === "*";
  const titles: Record<string, string> = {
    loopback: every
      ? "every address, but this host has only loopback addresses"
      : "reachable from this host only",
    private: every
      ? "every address; this host's widest address is private"
      : "a private, link-local or multicast address: reachable from local networks",
    public: every
      ? "every address, including a public one"
      : "a public address: reachable from beyond local networks",
    unknown: redacted
      ? "the address is redacted: private or public cannot be told"
      : "the host's addresses are not known",
  };
  return { kind: reach, title: titles[reach]! };
}

function userOf(c: Connection, p: ProcessInfo | undefined): Cell {
  if (p?.user !== undefined) return p.user;
  if (c.uid !== undefined) return `uid ${c.uid}`;
  return null;
}

function holderTitle(c: Connection, p: ProcessInfo | undefined): string | null {
  const parts: string[] = [];
  if (p?.exe) parts.push(p.exe);
  if (p && p.name !== programName(p)) parts.push(`process name ${p.name}`);
  if (c.pids && c.pids.length > 1) parts.push(`held by pids ${c.pids.join(", ")}`);
  if (p?.startTime) parts.push(`started ${p.startTime}`);
  if (p?.cmdline?.length) parts.push(p.cmdline.join(" "));
  return parts.length ? parts.join("; ") : null;
}

/** The state of a listener across a diff: what the listener changes say about its key. */
function listenerMarks(doc: DiffDocument): Map<string, { mark: string; title: string }> {
  const marks = new Map<string, { mark: string; title: string }>();
  const keyOf = (side: unknown) => {
    const s = side as { protocol?: string; family?: string; address?: string; port?: number };
    return `${s.protocol} ${s.family} ${s.address} ${s.port}`;
  };
  for (const c of doc.changes) {
    if (c.section !== "listeners") continue;
    const mark = c.kind === "listener-exposure-changed"
      ? String(c.exposure ?? "moved")
      : c.kind.replace(/^listener-/, "");
    const sides = c as { before?: unknown; after?: unknown };
    if (sides.after !== undefined) marks.set(keyOf(sides.after), { mark, title: c.summary });
    if (c.kind === "listener-exposure-changed" && sides.before !== undefined) {
      marks.set(keyOf(sides.before), { mark: "old address", title: c.summary });
    } else if (sides.after === undefined && sides.before !== undefined) {
      marks.set(keyOf(sides.before), { mark, title: c.summary });
    }
  }
  return marks;
}

/** The columns of a listener row, in order. */
export const LISTENER_COLUMNS: readonly ColumnSpec[] = [
  col("Proto", "text", { facet: true }),
  col("Address", "addr"),
  col("Port", "int"),
  col("Exposure", "badge", {
    facet: true,
    title: "how far the address reaches: loopback, private networks, or public; filtered when " +
      "the firewall drops new connections from other hosts",
  }),
  col("Program", "mono", { facet: true }),
  col("PID", "int"),
  col("User", "text"),
  col("Namespace", "text", { facet: true }),
  col("Recv-Q", "num", { title: "accept queue: connections waiting for accept()" }),
];

/** One listening socket as a table row. */
export interface ListenerRow {
  /** The listener key, with `#n` for the n-th socket on the same key (SO_REUSEPORT). */
  key: string;
  cells: Cell[];
  title: string | null;
}

/** The listening sockets of a snapshot as rows (LISTENER_COLUMNS), in snapshot order. */
export function listenerRows(s: Snapshot): ListenerRow[] {
  const nsOf = namespaceLookup(s);
  const hosts = hostAddresses(s);
  const redacted = s.meta.redacted === true;
  const seen = new Map<string, number>();
  const out: ListenerRow[] = [];
  const rules = socketRules(s);
  const verdicts = listenerVerdicts(s);
  for (const c of s.connections) {
    if (!isListener(c, rules)) continue;
    const base = listenerKey(c);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    const p = ownerOf(s, c);
    const e = judgedExposure(c, hosts, redacted, verdicts.get(base));
    out.push({
      key: n === 0 ? base : `${base} #${n}`,
      cells: [
        c.protocol,
        c.localAddress,
        c.localPort,
        e.kind,
        p ? programName(p) : null,
        c.pid ?? null,
        userOf(c, p),
        nsOf(c) ?? null,
        c.recvQ,
      ],
      title: [e.title, holderTitle(c, p)].filter((x) => x).join(" — ") || null,
    });
  }
  return out;
}

/** The part of a row key that names the listener (without the `#n` of a second socket). */
function baseKey(key: string): string {
  return key.replace(/ #\d+$/, "");
}

/**
 * The listeners of a snapshot, one row per listening socket; with a diff, also the listeners of
 * `before` that are gone, and a first column saying what changed.
 */
export function listenerTable(after: Snapshot, diff?: { before: Snapshot; doc: DiffDocument }) {
  const marks = diff ? listenerMarks(diff.doc) : undefined;
  const rows: Cell[][] = [];
  const titles: Array<string | null> = [];
  const add = (r: ListenerRow, fallback: string) => {
    const m = marks?.get(baseKey(r.key));
    rows.push(marks ? [m?.mark ?? fallback, ...r.cells] : r.cells);
    titles.push([m?.title, r.title].filter((x) => x).join(" — ") || null);
  };
  const now = listenerRows(after);
  for (const r of now) add(r, "same");
  if (diff) {
    const present = new Set(now.map((r) => r.key));
    for (const r of listenerRows(diff.before)) if (!present.has(r.key)) add(r, "closed");
  }
  const columns = [...LISTENER_COLUMNS];
  if (marks) columns.unshift(col("Change", "badge", { facet: true }));
  return dropEmptyColumns({
    id: "listeners",
    noun: "listeners",
    columns,
    rows,
    titles,
    sort: [marks ? 3 : 2, 1],
    empty: "no listening sockets",
  }, ["Namespace"]);
}

/** A listener seen somewhere in a series: its last row and when it was first and last seen. */
export interface SeenListener {
  row: ListenerRow;
  first: string;
  last: string;
  inFirst: boolean;
  inLast: boolean;
}

/** The listeners of a series: every one seen, with when it was first and last seen. */
export function seriesListenerTable(seen: Iterable<SeenListener>): TableSpec {
  const rows: Cell[][] = [];
  const titles: Array<string | null> = [];
  for (const l of seen) {
    const mark = l.inFirst && l.inLast
      ? "throughout"
      : l.inLast
      ? "opened"
      : l.inFirst
      ? "closed"
      : "came and went";
    rows.push([mark, l.first, l.last, ...l.row.cells]);
    titles.push(l.row.title);
  }
  return dropEmptyColumns({
    id: "listeners",
    noun: "listeners",
    columns: [
      col("Seen", "badge", {
        facet: true,
        title: "present in the first and last snapshot, or not",
      }),
      col("First seen", "time"),
      col("Last seen", "time"),
      ...LISTENER_COLUMNS,
    ],
    rows,
    titles,
    sort: [5, 1],
    empty: "no listening sockets",
  }, ["Namespace"]);
}

/** Every socket of a snapshot: protocol, both ends, state, owner, queues. */
export function connectionTable(s: Snapshot): TableSpec {
  const nsOf = namespaceLookup(s);
  const rows = s.connections.map((c): Cell[] => {
    const p = ownerOf(s, c);
    return [
      c.protocol,
      endpoint(c.localAddress, c.localPort),
      endpoint(c.remoteAddress, c.remotePort),
      c.state,
      p ? programName(p) : null,
      c.pid ?? null,
      userOf(c, p),
      nsOf(c) ?? null,
      c.recvQ,
      c.sendQ,
    ];
  });
  return dropEmptyColumns({
    id: "sockets",
    noun: "sockets",
    columns: [
      col("Proto", "text", { facet: true }),
      col("Local", "addr"),
      col("Remote", "addr"),
      col("State", "text", { facet: true }),
      col("Program", "mono", { facet: true }),
      col("PID", "int"),
      col("User", "text"),
      col("Namespace", "text", { facet: true }),
      col("Recv-Q", "num"),
      col("Send-Q", "num"),
    ],
    rows,
    empty: "no sockets",
  }, ["Namespace"]);
}

/** The Namespace column of the tables that lead with it (dropped when no row has one). */
const NAMESPACE_COLUMN = col("Namespace", "text", { facet: true });

/** The routes of every table (a Namespace column first in a capture across namespaces). */
export function routeTable(s: Snapshot): TableSpec {
  const nsOf = namespaceLookup(s);
  const rows = s.routes.map((r): Cell[] => {
    const via = r.gateway ?? r.nexthops?.map((h) => h.gateway).filter((g) => g).join(", ");
    const dev = r.interface ??
      r.nexthops?.map((h) => h.interface).filter((g) => g).join(", ");
    return [
      nsOf(r) ?? null,
      tableName(r.table),
      r.family === "inet6" ? "IPv6" : "IPv4",
      r.destination,
      via || null,
      dev || null,
      r.metric,
      r.protocol ?? null,
      r.scope ?? null,
      r.source ?? null,
      r.type,
    ];
  });
  return dropEmptyColumns({
    id: "routes",
    noun: "routes",
    columns: [
      NAMESPACE_COLUMN,
      col("Table", "text", { facet: true }),
      col("Family", "text", { facet: true }),
      col("Destination", "addr"),
      col("Gateway", "addr"),
      col("Interface", "mono", { facet: true }),
      col("Metric", "int"),
      col("Protocol", "text"),
      col("Scope", "text"),
      col("Source", "addr"),
      col("Type", "text", { facet: true }),
    ],
    rows,
    empty: "no routes",
  }, ["Namespace"]);
}

function stat(i: NetInterface, name: InterfaceStatName): Cell {
  return counterCell(i.stats?.[name]);
}

/** Interfaces with their addresses and counters; with a diff, what changed and the rates. */
export function interfaceTable(s: Snapshot, doc?: DiffDocument): TableSpec {
  const nsOf = namespaceLookup(s);
  // Interfaces are told apart by namespace and name (every namespace has its lo).
  const keyOf = (ns: string | undefined, name: string) => `${ns ?? ""}\0${name}`;
  const changes = new Map<string, Change[]>();
  for (const c of doc?.changes ?? []) {
    if (c.section !== "interfaces") continue;
    const k = keyOf((c as { namespace?: string }).namespace, String(c.key.interface));
    changes.set(k, [...(changes.get(k) ?? []), c]);
  }
  const markOf = (k: string): string => {
    const kinds = (changes.get(k) ?? []).map((c) => c.kind);
    if (kinds.includes("interface-added")) return "added";
    if (kinds.includes("interface-changed")) return "changed";
    return "same";
  };
  // A rate is 0 where a counter stood still, and unknown for a new or restarted interface or a
  // counter the snapshot does not have.
  const rateOf = (i: NetInterface, field: InterfaceStatName): Cell => {
    const k = keyOf(i.namespace, i.name);
    if (stat(i, field) === null || markOf(k) === "added") return null;
    const t = changes.get(k)?.find((c) => c.kind === "interface-traffic") as
      | { reset?: boolean; perSecond?: unknown }
      | undefined;
    if (t?.reset === true) return null;
    return (t?.perSecond as Record<string, number> | undefined)?.[field] ?? 0;
  };
  const rows = s.interfaces.map((i): Cell[] => {
    const cells: Cell[] = [
      i.operState ?? null,
      i.mtu ?? null,
      i.mac ?? null,
      i.addresses.map((a) => `${a.address}/${a.prefixLength}`).join(" ") || null,
      stat(i, "rxBytes"),
      stat(i, "txBytes"),
      stat(i, "rxPackets"),
      stat(i, "txPackets"),
      sumCells(stat(i, "rxErrors"), stat(i, "txErrors")),
      sumCells(stat(i, "rxDropped"), stat(i, "txDropped")),
    ];
    const ns = nsOf(i) ?? null;
    if (!doc) return [ns, i.name, ...cells];
    return [
      ns,
      i.name,
      markOf(keyOf(i.namespace, i.name)),
      ...cells,
      rateOf(i, "rxBytes"),
      rateOf(i, "txBytes"),
    ];
  });
  const columns: ColumnSpec[] = [
    NAMESPACE_COLUMN,
    col("Interface", "mono"),
    col("State", "badge", { facet: true }),
    col("MTU", "int"),
    col("MAC", "mono"),
    col("Addresses", "mono"),
    col("RX bytes", "bytes"),
    col("TX bytes", "bytes"),
    col("RX packets", "num"),
    col("TX packets", "num"),
    col("Errors", "num", { title: "receive + transmit errors since the counters started" }),
    col("Drops", "num", { title: "receive + transmit drops since the counters started" }),
  ];
  if (doc) {
    columns.splice(2, 0, col("Change", "badge", { facet: true }));
    columns.push(
      col("RX/s", "bytes", { title: "bytes received per second between the snapshots" }),
      col("TX/s", "bytes", { title: "bytes sent per second between the snapshots" }),
    );
    // Interfaces that went away: a row with their name and nothing else.
    for (const cs of changes.values()) {
      const gone = cs.find((c) => c.kind === "interface-removed");
      if (!gone) continue;
      rows.push([
        nsOf(gone) ?? null,
        String(gone.key.interface),
        "removed",
        ...columns.slice(3).map(() => null),
      ]);
    }
  }
  return dropEmptyColumns(
    { id: "interfaces", noun: "interfaces", columns, rows, empty: "no interfaces" },
    ["Namespace"],
  );
}

function sumCells(a: Cell, b: Cell): Cell {
  if (typeof a === "number" && typeof b === "number") return a + b;
  return a ?? b;
}

/** Every protocol counter of one snapshot (values since boot), with its kind. */
export function counterTable(s: Snapshot, notable: (group: string, name: string) => boolean) {
  const rows: Cell[][] = [];
  for (const [group, values] of Object.entries(s.counters)) {
    for (const [name, v] of Object.entries(values)) {
      const kind = isSetting(group, name)
        ? "setting"
        : isGauge(group, name)
        ? "gauge"
        : notable(group, name)
        ? "notable"
        : "counter";
      rows.push([group, name, counterCell(v), kind]);
    }
  }
  const spec: TableSpec = {
    id: "counters",
    noun: "counters",
    columns: [
      col("Group", "text", { facet: true }),
      col("Counter", "mono"),
      col("Value", "num"),
      col("Kind", "badge", { facet: true }),
    ],
    rows,
    empty: "no counters",
  };
  return spec;
}

/** The counters that moved between two snapshots: before, after, delta, rate. */
export function movedCounterTable(doc: DiffDocument): TableSpec {
  const rows: Cell[][] = [];
  const titles: Array<string | null> = [];
  for (const c of doc.changes) {
    if (c.section !== "counters" || c.key.group === "*") continue;
    const v = (x: unknown) => typeof x === "bigint" ? counterCell(x) : null;
    const m = c as { before?: unknown; after?: unknown; delta?: unknown; perSecond?: unknown };
    rows.push([
      `${c.key.group}.${c.key.name}`,
      v(m.before),
      v(m.after),
      typeof m.delta === "bigint" ? counterCell(m.delta) : null,
      typeof m.perSecond === "number" ? m.perSecond : null,
      c.notable ? "notable" : c.kind.replace(/-.*$/, ""),
    ]);
    titles.push(c.summary);
  }
  return {
    id: "moved-counters",
    noun: "counters",
    columns: [
      col("Counter", "mono"),
      col("Before", "num"),
      col("After", "num"),
      col("Delta", "num"),
      col("Per second", "rate"),
      col("Kind", "badge", { facet: true }),
    ],
    rows,
    titles,
    empty: "no counter moved",
  };
}

/** The changes of a diff (or of a series, with the time of the snapshot they appeared in). */
export function changeTable(changes: ReadonlyArray<{ change: Change; at?: string }>): TableSpec {
  const timed = changes.some((c) => c.at !== undefined);
  const rows = changes.map(({ change: c, at }): Cell[] => {
    const row: Cell[] = [c.kind, c.section, c.notable ? "notable" : "", c.summary];
    if (timed) row.unshift(at ?? null);
    return row;
  });
  const columns: ColumnSpec[] = [
    col("Kind", "badge", { facet: true }),
    col("Section", "text", { facet: true }),
    col("Notable", "badge", { facet: true }),
    col("Change", "text"),
  ];
  if (timed) columns.unshift(col("Seen at", "time", { title: "capture time of the snapshot" }));
  return { id: "changes", noun: "changes", columns, rows, empty: "no changes" };
}

/** Preferred column order for record sections; other keys follow in first-seen order. */
const RECORD_ORDER = [
  "priority",
  "family",
  "from",
  "to",
  "address",
  "lladdr",
  "state",
  "interface",
  "table",
  "action",
];

/**
 * Numbers of record fields that count something, shown with thousands separators; every other
 * number is an identifier or a setting (a priority, a table, a mark, an inode, a port) shown as
 * it is.
 */
const COUNT_FIELDS =
  /^(bytes|packets|drops|dropped|overlimits|requeues|backlog|qlen|count|refcnt)$/i;

/**
 * A table of plain records (rules, neighbours, qdiscs …): one column per key seen; a record's
 * `namespace` is a Namespace column first (labelled by `nsOf`), kept when any row has one.
 */
export function recordsTable(
  id: string,
  noun: string,
  records: ReadonlyArray<Record<string, unknown>>,
  nsOf?: (r: object) => string | undefined,
) {
  const keys: string[] = [];
  const seen = new Set<string>(["namespace"]);
  for (const r of records) {
    for (const k of Object.keys(r)) {
      if (!seen.has(k)) seen.add(k), keys.push(k);
    }
  }
  const rank = (k: string) => {
    const i = RECORD_ORDER.indexOf(k);
    return i < 0 ? RECORD_ORDER.length : i;
  };
  keys.sort((a, b) => rank(a) - rank(b));
  const numeric = new Set(
    keys.filter((k) =>
      records.every((r) =>
        r[k] === undefined || typeof r[k] === "number" || typeof r[k] === "bigint"
      )
    ),
  );
  const cell = (v: unknown): Cell => {
    if (v === undefined || v === null) return null;
    if (typeof v === "number" || typeof v === "string") return v;
    if (typeof v === "bigint") return counterCell(v);
    if (Array.isArray(v) && v.every((x) => typeof x !== "object")) return v.join(", ");
    return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));
  };
  const label = (r: Record<string, unknown>): Cell =>
    nsOf ? nsOf(r) ?? null : typeof r.namespace === "string" ? r.namespace : null;
  return dropEmptyColumns({
    id,
    noun,
    columns: [
      NAMESPACE_COLUMN,
      ...keys.map((k) => col(k, numeric.has(k) ? (COUNT_FIELDS.test(k) ? "num" : "int") : "mono")),
    ],
    rows: records.map((r) => [label(r), ...keys.map((k) => cell(r[k]))]),
    empty: `no ${noun}`,
  }, ["Namespace"]);
}

/**
 * The namespaces of a capture across them, one row each: its label, id, kind, inode, labels,
 * processes, the lowest pids, its containers and how its sections went.
 */
export function namespaceTable(s: Snapshot): TableSpec {
  // Read loosely (hooks.ts): a snapshot from another version may lack some of these fields.
  const list = namespacesOf(s) as Array<Partial<Namespace>>;
  const nsOf = namespaceLookup(s);
  const rows = list.map((ns): Cell[] => {
    const bad = Object.entries(ns.sections ?? {}).filter(([, st]) => st.status !== "ok")
      .map(([name, st]) => `${name} ${st.status}`);
    return [
      nsOf(ns.own || ns.id === undefined ? {} : { namespace: ns.id }) ?? ns.id ?? null,
      ns.id ?? null,
      ns.kind ?? null,
      ns.own ? "own" : null,
      ns.inode ?? null,
      Object.entries(ns.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(" ") || null,
      ns.processes ?? null,
      (ns.pids ?? []).join(" ") || null,
      (ns.containers ?? []).map((c) => c.name ?? c.id.slice(0, 12)).join(", ") || null,
      ns.sections === undefined ? null : bad.length ? bad.join(", ") : "ok",
    ];
  });
  const titles = list.map((ns) =>
    Object.entries(ns.sections ?? {}).map(([name, st]) =>
      `${name}: ${st.status}${st.source ? ` (${st.source})` : ""}${
        st.error ? ` — ${st.error}` : st.warnings?.length ? ` — ${st.warnings.join("; ")}` : ""
      }`
    ).join("\n") || null
  );
  return dropEmptyColumns({
    id: "namespaces",
    noun: "namespaces",
    columns: [
      col("Namespace", "text"),
      col("Id", "mono"),
      col("Kind", "badge", { facet: true }),
      col("Own", "badge", { title: "the namespace nsnap ran in" }),
      col("Inode", "int", { title: "nsfs inode: its identity while it lives" }),
      col("Labels", "mono"),
      col("Processes", "int"),
      col("PIDs", "mono", { title: "the lowest pids in it (at most 16)" }),
      col("Containers", "mono"),
      col("Sections", "text", { facet: true, title: "ok, or the sections that are not" }),
    ],
    rows,
    titles,
    empty: "no namespaces",
  }, ["Own", "Labels", "PIDs", "Containers"]);
}

/** Removes the named columns when no row has a value in them. */
function dropEmptyColumns(spec: TableSpec, names: string[]): TableSpec {
  const drop = spec.columns
    .map((c, i) => (names.includes(c.label) && spec.rows.every((r) => r[i] === null) ? i : -1))
    .filter((i) => i >= 0);
  if (!drop.length) return spec;
  const keep = (_: unknown, i: number) => !drop.includes(i);
  const out: TableSpec = {
    ...spec,
    columns: spec.columns.filter(keep),
    rows: spec.rows.map((r) => r.filter(keep)),
  };
  if (spec.sort) {
    const shift = drop.filter((i) => i < spec.sort![0]).length;
    out.sort = [spec.sort[0] - shift, spec.sort[1]];
  }
  return out;
}

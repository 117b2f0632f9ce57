/**
 * The report's readers for data that later captures add (namespaces and containers, exposure
 * across namespaces, tcp_info, rules, neighbours, machine id). Each reads an optional field and
 * returns `undefined` when it is absent, so today's snapshots render as they are and the new
 * sections appear by themselves once the schema carries them. Only this file knows the field
 * names; when the schema settles on other names, change them here.
 *
 * Fields read (all optional):
 * - `connections[].namespace` (an id into `namespaces[]`, matched on `id`, `inode` or `name`)
 *   and `namespaces[]` `{id, inode, name, kind, labels: {container, pod, podNamespace, …}}`.
 * - `connections[].exposure`: a word (`published`, `filtered`, `host-network`, `internal`) or
 *   `{kind, summary?, published?: [{hostAddress, hostPort, via}], hostAddress?, hostPort?}`
 *   (the capture across namespaces writes `{kind, summary, published?, container?}`).
 * - `connections[].tcpInfo`: `{rtt, rttvar}` in microseconds as the kernel's tcp_info gives
 *   them, and the counters `totalRetrans`, `lost`, `retrans`.
 * - `rules[]`, `neighbours[]` (or `neighbors[]`), `qdiscs[]`: records shown as tables, columns
 *   from their keys (a record's `namespace` as the Namespace column).
 * - `meta.host.machineId`.
 */
import type { Connection, Meta, Snapshot } from "../../model.ts";

type Loose = Record<string, unknown>;

function loose(x: unknown): Loose | undefined {
  return typeof x === "object" && x !== null && !Array.isArray(x) ? x as Loose : undefined;
}

function str(x: unknown): string | undefined {
  return typeof x === "string" ? x : typeof x === "number" ? String(x) : undefined;
}

function num(x: unknown): number | undefined {
  if (typeof x === "number" && Number.isFinite(x)) return x;
  if (typeof x === "bigint") return Number(x);
  if (typeof x === "string" && /^-?[0-9]+(\.[0-9]+)?$/.test(x)) return Number(x);
  return undefined;
}

/** The host's machine id, when the snapshot records it. */
export function machineId(m: Meta): string | undefined {
  return str(loose(m.host)?.machineId);
}

/** A namespace as the report shows it: an id and a label for people. */
export interface NamespaceLabel {
  id: string;
  label: string;
}

/** The namespaces a snapshot lists (empty for a single-namespace snapshot). */
export function namespacesOf(s: Snapshot): Loose[] {
  const list = loose(s)?.namespaces;
  return Array.isArray(list) ? list.map(loose).filter((x): x is Loose => x !== undefined) : [];
}

function labelOf(ns: Loose): string {
  const labels = loose(ns.labels) ?? {};
  const pod = str(labels.pod);
  const podNs = str(labels.podNamespace);
  const container = str(labels.container) ?? str(labels.name);
  if (pod) return `${podNs ? podNs + "/" : ""}${pod}${container ? " " + container : ""}`;
  if (container) return `container ${container}`;
  if (str(ns.kind) === "host") return "host";
  const name = str(ns.name);
  if (name) return `netns ${name}`;
  const inode = str(ns.inode);
  return inode ? `netns ${inode}` : str(ns.id) ?? "namespace";
}

/**
 * Builds the lookup from a record's `namespace` reference to its label. In a capture across
 * namespaces a record without one is the own namespace's (`host`); in a snapshot of one
 * namespace every record gives undefined.
 */
export function namespaceLookup(s: Snapshot): (r: object) => string | undefined {
  const byRef = new Map<string, string>();
  const list = namespacesOf(s);
  const own = list.find((ns) => ns.own === true);
  const ownLabel = list.length === 0 ? undefined : own ? labelOf(own) : "host";
  for (const ns of list) {
    const label = labelOf(ns);
    for (const k of ["id", "inode", "name"]) {
      const v = str(ns[k]);
      if (v !== undefined && !byRef.has(v)) byRef.set(v, label);
    }
  }
  return (r) => {
    const ref = str(loose(r)?.namespace);
    if (ref === undefined) return ownLabel;
    return byRef.get(ref) ?? ref;
  };
}

/** Exposure words that only the capture across namespaces can know. */
export const LATER_EXPOSURES = ["published", "filtered", "host-network", "internal"] as const;

/** The exposure the capture decided for a socket, when it did: the word and a sentence. */
export function recordedExposure(c: Connection): { kind: string; title?: string } | undefined {
  const e = loose(c)?.exposure;
  if (typeof e === "string") return { kind: e };
  const o = loose(e);
  const kind = str(o?.kind);
  if (!o || kind === undefined) return undefined;
  const first = Array.isArray(o.published) ? loose(o.published[0]) : undefined;
  const host = str(o.hostAddress) ?? str(first?.hostAddress);
  const port = str(o.hostPort) ?? str(first?.hostPort);
  const title = str(o.summary) ??
    (host !== undefined || port !== undefined
      ? `on host ${host ?? "*"}:${port ?? "*"}`
      : undefined);
  return title === undefined ? { kind } : { kind, title };
}

/** The per-connection TCP health facts the report uses, when tcp_info was captured. */
export interface TcpHealth {
  /** Smoothed round-trip time, milliseconds. */
  rttMs?: number;
  totalRetrans?: number;
  lost?: number;
}

/** The tcp_info facts of a connection, or undefined when it has none. */
export function tcpHealth(c: Connection): TcpHealth | undefined {
  const t = loose(loose(c)?.tcpInfo);
  if (!t) return undefined;
  const h: TcpHealth = {};
  const rtt = num(t.rtt);
  if (rtt !== undefined) h.rttMs = rtt / 1000;
  const retrans = num(t.totalRetrans);
  if (retrans !== undefined) h.totalRetrans = retrans;
  const lost = num(t.lost);
  if (lost !== undefined) h.lost = lost;
  return h;
}

/** Extra record sections a snapshot may carry, shown as plain tables when present. */
export function extraSections(s: Snapshot): Array<{ id: string; title: string; rows: Loose[] }> {
  const o = loose(s) ?? {};
  const out: Array<{ id: string; title: string; rows: Loose[] }> = [];
  const add = (id: string, title: string, v: unknown) => {
    if (!Array.isArray(v)) return;
    out.push({ id, title, rows: v.map(loose).filter((x): x is Loose => x !== undefined) });
  };
  add("rules", "Routing rules", o.rules);
  add("neighbours", "Neighbours", o.neighbours ?? o.neighbors);
  // A qdisc's counters are columns of their own, not an object in a cell.
  add(
    "qdiscs",
    "Queueing disciplines",
    Array.isArray(o.qdiscs)
      ? o.qdiscs.map((q) => {
        const { stats, ...rest } = loose(q) ?? {};
        return { ...rest, ...loose(stats) };
      })
      : undefined,
  );
  return out;
}

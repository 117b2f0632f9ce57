/** Wording shared by the text and markdown diff renderers: headline, section titles, durations. */
import { DIFF_SECTIONS, type DiffSection, inSection } from "../diff/kinds.ts";
import type { ChangeIn, ChangeOf, DiffDocument } from "../diff/types.ts";
import { formatBytes, formatCount, formatRate } from "../format.ts";
import type { InterfaceStatName } from "../model.ts";

/** Section headings, in report order. */
export const SECTION_TITLES: Record<DiffSection, string> = {
  namespaces: "Namespaces",
  listeners: "Listeners",
  sessions: "Sessions",
  sockets: "Raw and packet sockets",
  routes: "Routes",
  rules: "Routing rules",
  neighbours: "Neighbours (ARP, NDP)",
  interfaces: "Interfaces",
  qdiscs: "Queueing (qdiscs)",
  firewall: "Firewall",
  settings: "Settings (sysctl)",
  counters: "Counters",
};

/** How the headline counts a section's changes: one and many. */
const SECTION_NOUNS: Record<DiffSection, [string, string]> = {
  namespaces: ["namespace", "namespaces"],
  listeners: ["listener", "listeners"],
  sessions: ["session", "sessions"],
  sockets: ["raw or packet socket", "raw or packet sockets"],
  routes: ["route", "routes"],
  rules: ["rule", "rules"],
  neighbours: ["neighbour", "neighbours"],
  interfaces: ["interface", "interfaces"],
  qdiscs: ["qdisc", "qdiscs"],
  firewall: ["firewall change", "firewall changes"],
  settings: ["setting", "settings"],
  counters: ["counter", "counters"],
};

/** Formats seconds as "45s", "5m 3s", "2h 0m", "3d 4h". */
export function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${seconds < 10 ? Math.round(seconds * 10) / 10 : s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

/** The one-line summary at the top of a report. */
export function headline(doc: DiffDocument): string {
  const n = doc.summary.total;
  const parts = DIFF_SECTIONS.filter((s) => doc.summary.bySection[s]).map((s) => {
    const k = doc.summary.bySection[s]!;
    return `${k} ${SECTION_NOUNS[s][k === 1 ? 0 : 1]}`;
  });
  const head = n === 0
    ? "no changes"
    : `${n} change${n === 1 ? "" : "s"}: ${parts.join(", ")}${
      doc.summary.notable ? ` (${doc.summary.notable} notable)` : ""
    }`;
  const span = doc.intervalSeconds !== undefined ? `, ${duration(doc.intervalSeconds)} apart` : "";
  const hosts = doc.before.host === doc.after.host
    ? doc.before.host
    : `${doc.before.host} → ${doc.after.host}`;
  return `${head} — ${hosts}, ${doc.before.capturedAt} → ${doc.after.capturedAt}${span}`;
}

/** True when some TCP state has another count after than before: the state table is printed. */
export function statesMoved(doc: DiffDocument): boolean {
  return Object.values(doc.tcpStates ?? {}).some((s) => s.before !== s.after);
}

/** The state table's rows: state, before, after, and the change ("+3", "-2", "" for none). */
export function stateRows(doc: DiffDocument): string[][] {
  return Object.entries(doc.tcpStates ?? {}).map(([name, s]) => {
    const d = s.after - s.before;
    return [name, String(s.before), String(s.after), d === 0 ? "" : d > 0 ? `+${d}` : String(d)];
  });
}

/** The changes of one section, in document order. */
export function changesOf<S extends DiffSection>(doc: DiffDocument, section: S): ChangeIn<S>[] {
  return doc.changes.filter(inSection(section));
}

/** The counter columns of a change: name, before, after, delta, per second. */
export function counterCells(c: ChangeIn<"counters">): string[] {
  const name = `${c.key.group}.${c.key.name}`;
  const scalar = (v: unknown) => (typeof v === "bigint" ? formatCount(v) : "");
  const increased = c.kind === "counter-increased";
  const delta = increased ? `+${formatCount(c.delta)}` : "";
  const ps = increased && c.perSecond !== undefined ? formatRate(c.perSecond) : "";
  return [name, scalar(c.before), scalar(c.after), delta, ps];
}

/**
 * Whether an interface change goes into the traffic table rather than a line of its own: plain
 * traffic does (one row per interface reads better than a sentence each); errors, drops and
 * restarted counters keep their line.
 */
export function isTrafficRow(c: ChangeIn<"interfaces">): c is ChangeOf<"interface-traffic"> {
  return c.kind === "interface-traffic" && !c.notable && c.reset !== true;
}

/** The traffic table's headers: interface, rx, rx/s, tx, tx/s, packets. */
export const TRAFFIC_HEADERS = ["interface", "rx", "rx/s", "tx", "tx/s", "packets"] as const;

/** The traffic table's cells of an `interface-traffic` change. */
export function trafficCells(c: ChangeOf<"interface-traffic">): string[] {
  const d = (n: InterfaceStatName) => c.delta?.[n] ?? 0n;
  const r = (n: InterfaceStatName) => {
    const v = c.perSecond?.[n];
    return v === undefined ? "" : `${formatBytes(BigInt(Math.round(v)))}/s`;
  };
  return [
    c.key.interface,
    formatBytes(d("rxBytes")),
    r("rxBytes"),
    formatBytes(d("txBytes")),
    r("txBytes"),
    formatCount(d("rxPackets") + d("txPackets")),
  ];
}

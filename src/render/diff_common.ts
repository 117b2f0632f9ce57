/** Wording shared by the text and markdown diff renderers: headline, section titles, durations. */
import { DIFF_SECTIONS, type DiffSection } from "../diff/kinds.ts";
import type { Change, DiffDocument } from "../diff/types.ts";
import { fmtBytes } from "../diff/interfaces.ts";
import { formatNumber } from "../util/number.ts";

/** Section headings, in report order. */
export const SECTION_TITLES: Record<DiffSection, string> = {
  listeners: "Listeners",
  sessions: "Sessions",
  routes: "Routes",
  interfaces: "Interfaces",
  counters: "Counters",
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
    return `${k} ${k === 1 ? s.slice(0, -1) : s}`;
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

/** The changes of one section, in document order. */
export function changesOf(doc: DiffDocument, section: DiffSection): Change[] {
  return doc.changes.filter((c) => c.section === section);
}

/** A bigint or number with thousands separators ("1,234,567"), exact for bigints. */
export function grouped(v: unknown): string {
  if (typeof v !== "bigint" && typeof v !== "number") return v === undefined ? "" : String(v);
  return formatNumber(v);
}

/**
 * A per-second rate for a table column: always two decimals, so the column lines up on the point
 * ("0.25", "3.68", "1,210.78"), and "<0.01" rather than a misleading "0.00" for a slow counter.
 */
export function rateText(v: number): string {
  if (v > 0 && v < 0.005) return "<0.01";
  return formatNumber(v, 2);
}

/** The counter columns of a change: name, before, after, delta, per second. */
export function counterCells(c: Change): string[] {
  const name = `${c.key.group}.${c.key.name}`;
  const scalar = (v: unknown) => (typeof v === "bigint" ? grouped(v) : "");
  const delta = typeof c.delta === "bigint" ? `+${grouped(c.delta)}` : "";
  const ps = typeof c.perSecond === "number" ? rateText(c.perSecond) : "";
  return [name, scalar(c.before), scalar(c.after), delta, ps];
}

/**
 * Whether an interface change goes into the traffic table rather than a line of its own: plain
 * traffic does (one row per interface reads better than a sentence each); errors, drops and
 * restarted counters keep their line.
 */
export function isTrafficRow(c: Change): boolean {
  return c.kind === "interface-traffic" && !c.notable && c.reset !== true;
}

/** The traffic table's headers: interface, rx, rx/s, tx, tx/s, packets. */
export const TRAFFIC_HEADERS = ["interface", "rx", "rx/s", "tx", "tx/s", "packets"] as const;

/** The traffic table's cells of an `interface-traffic` change. */
export function trafficCells(c: Change): string[] {
  const delta = (c.delta ?? {}) as Record<string, unknown>;
  const perSecond = (c.perSecond ?? {}) as Record<string, unknown>;
  const d = (n: string) => (typeof delta[n] === "bigint" ? delta[n] as bigint : 0n);
  const r = (n: string) =>
    typeof perSecond[n] === "number" ? `${fmtBytes(BigInt(Math.round(perSecond[n])))}/s` : "";
  return [
    String(c.key.interface),
    fmtBytes(d("rxBytes")),
    r("rxBytes"),
    fmtBytes(d("txBytes")),
    r("txBytes"),
    grouped(d("rxPackets") + d("txPackets")),
  ];
}

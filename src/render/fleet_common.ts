/** Wording shared by the text and markdown fleet reports: headline, marks, tally cells. */
import { DIFF_SECTIONS, type DiffSection } from "../diff/kinds.ts";
import type { FleetChange, FleetHead, HostLine, Tally } from "../fleet/mod.ts";
import { SECTION_TITLES } from "./diff_common.ts";
import { formatBytes, formatCount, formatRate } from "../format.ts";

export { SECTION_TITLES };

/** `1 host`, `3 hosts`: a count with its noun in the number it needs. */
export function plural(n: number, word: string, words = `${word}s`): string {
  return `${n} ${n === 1 ? word : words}`;
}

/** The one-line summary at the top of a fleet report. */
export function fleetHeadline(head: FleetHead): string {
  const s = head.summary;
  const changed = s.hosts === 0
    ? "no hosts to compare"
    : s.changes === 0
    ? "no changes"
    : `${plural(s.changedHosts, "host")} changed, ${plural(s.changes, "change")}` +
      (s.notable ? ` (${s.notable} notable)` : "");
  const outliers = s.outliers ? `, ${plural(s.outliers, "outlier")}` : "";
  return `${plural(s.hosts, "host")} paired: ${changed}${outliers}; ` +
    `${s.vanished} vanished, ${s.appeared} appeared`;
}

/** The verdict line of `--fail-on`, when it was given. */
export function gateLine(head: FleetHead): string | undefined {
  const g = head.gate;
  if (!g) return undefined;
  if (!g.tripped) return `--fail-on ${g.failOn.join(",")}: not tripped`;
  return `--fail-on ${g.failOn.join(",")}: tripped by ${g.kinds.join(", ")} on ${
    plural(g.hosts.length, "host")
  }`;
}

/** The mark in front of a line: + appeared, - went away, ~ changed, ! notable or outlier. */
export function fleetMark(l: { kind: string; notable?: true | undefined }): "+" | "-" | "~" | "!" {
  if (l.notable) return "!";
  if (/-(opened|added)$/.test(l.kind)) return "+";
  if (/-(closed|removed)$/.test(l.kind)) return "-";
  return "~";
}

/** The roll-up lines of one section that are not outliers. */
export function sectionLines(head: FleetHead, section: DiffSection): FleetChange[] {
  return head.rollup.filter((l) => l.section === section && !l.outlier);
}

/** The sections that have lines (outliers aside), in report order. */
export function sectionsWithLines(head: FleetHead): DiffSection[] {
  return DIFF_SECTIONS.filter((s) => sectionLines(head, s).length > 0);
}

/** Outlier lines, in report order. */
export function outliers(head: FleetHead): FleetChange[] {
  return head.rollup.filter((l) => l.outlier);
}

/** The tally tables' headers after the first (which `tallyGroups` names). */
export const TALLY_HEADERS = ["hosts", "total", "min", "median", "max", "max on"] as const;

function measure(t: Tally, v: number): string {
  if (t.kind === "interface-traffic") return `${formatBytes(BigInt(Math.round(v)))}/s`;
  return t.distribution?.of === "after" ? formatCount(v) : formatRate(v);
}

/** A tally's total: bytes for traffic, a signed change for gauges, a count for counters. */
export function tallyTotal(t: Tally): string {
  if (t.kind === "interface-traffic") return formatBytes(t.total);
  return (t.total > 0n ? "+" : "") + formatCount(t.total);
}

/** The cells of a tally: name, hosts, total, min, median, max, the host of the max. */
export function tallyCells(t: Tally): string[] {
  const d = t.distribution;
  const total = tallyTotal(t);
  const name = t.kind === "interface-traffic" ? String(t.key.interface) : t.what;
  return [
    name,
    `${t.hosts.length}/${t.hosts.length + t.missing.length}`,
    total,
    d ? measure(t, d.min.value) : "",
    d ? measure(t, d.median) : "",
    d ? measure(t, d.max.value) : "",
    // Where the values differ, the host with the most.
    d && d.max.value > d.min.value ? d.max.host : "",
  ];
}

/** The tallies of each table: counters, gauges, traffic. */
export function tallyGroups(
  head: FleetHead,
): Array<{ title: string; name: string; tallies: Tally[] }> {
  const of = (kind: Tally["kind"]) => head.tallies.filter((t) => t.kind === kind);
  return [
    {
      title: "Counters: sum of the deltas; min, median, max of the per-host rates (per second)",
      name: "counter",
      tallies: of("counter-increased"),
    },
    {
      title: "Gauges: sum of the changes; min, median, max of the per-host values after",
      name: "gauge",
      tallies: of("gauge-changed"),
    },
    {
      title: "Traffic: rx+tx bytes summed; min, median, max of the per-host rates",
      name: "interface",
      tallies: of("interface-traffic"),
    },
  ].filter((g) => g.tallies.length > 0);
}

/** A host's changes in words: "3 changes: 1 listener, 2 counters (1 notable)". */
export function hostChanges(h: HostLine): string {
  if (h.total === 0) return "no changes";
  const parts = DIFF_SECTIONS.filter((s) => h.bySection[s]).map((s) => {
    const k = h.bySection[s]!;
    return `${k} ${k === 1 ? s.slice(0, -1) : s}`;
  });
  return `${plural(h.total, "change")}: ${parts.join(", ")}${
    h.notable ? ` (${h.notable} notable)` : ""
  }`;
}

/** What paired a host, when it was not its machine id (the common case goes unsaid). */
export function pairedNote(h: HostLine): string {
  return h.pairedBy === "machine-id" ? "" : `paired by ${h.pairedBy}`;
}

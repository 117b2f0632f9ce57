/**
 * The fleet diff as Markdown for a change ticket: the headline, the gate, the hosts that
 * vanished or appeared, the outliers, one table of rolled-up changes per section, the counter,
 * gauge and traffic tables, and a table of hosts. Every string from a snapshot is escaped for
 * Markdown.
 */
import type { FleetChange, FleetReport, UnpairedHost } from "../fleet/mod.ts";
import { hostsPhrase } from "../fleet/rollup.ts";
import {
  fleetHeadline,
  fleetMark,
  gateLine,
  hostChanges,
  outliers,
  pairedNote,
  plural,
  SECTION_TITLES,
  sectionLines,
  sectionsWithLines,
  TALLY_HEADERS,
  tallyCells,
  tallyGroups,
} from "./fleet_common.ts";
import { escapeText } from "./fleet_escape.ts";
import { mdCell } from "./diff_markdown.ts";

/** Data as Markdown text: escaped visibly, then Markdown's own characters escaped. */
function md(s: string): string {
  return mdCell(escapeText(s));
}

function table(header: readonly string[], rows: string[][], right: number[] = []): string[] {
  const align = header.map((_, i) => (right.includes(i) ? "---:" : "---"));
  return [
    `| ${header.join(" | ")} |`,
    `| ${align.join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ];
}

function lineRow(l: FleetChange, cap: number): string[] {
  return [
    fleetMark(l),
    `\`${l.kind}\``,
    md(l.what),
    md(hostsPhrase(l.hosts, l.missing, cap)),
  ];
}

function unpaired(title: string, list: readonly UnpairedHost[]): string[] {
  if (list.length === 0) return [];
  return [
    "",
    `### ${title} (${list.length})`,
    "",
    ...table(
      ["Host", "Snapshot", "Captured"],
      list.map((h) => [md(h.name), md(h.snapshot.file), md(h.snapshot.capturedAt)]),
    ),
  ];
}

/** Renders the fleet report as Markdown. */
export function renderFleetMarkdown(report: FleetReport, opts: { names?: number } = {}): string {
  const cap = opts.names ?? 20;
  const { head } = report;
  const out = ["## nsnap fleet diff", "", `**${md(fleetHeadline(head))}**`, ""];
  out.push(
    `Compared ${md(head.before.folder)} (${plural(head.before.snapshots, "snapshot")}) → ${
      md(head.after.folder)
    } (${plural(head.after.snapshots, "snapshot")})`,
  );
  const gate = gateLine(head);
  if (gate) out.push("", `**${md(gate)}**`);
  if (head.warnings.length) {
    out.push("", ...head.warnings.map((w) => `> warning: ${md(w)}`));
  }
  out.push(...unpaired("Vanished: in before only", head.vanished));
  out.push(...unpaired("Appeared: in after only", head.appeared));
  const headers = ["", "Kind", "Change", "Hosts"];
  const odd = outliers(head);
  if (odd.length) {
    out.push(
      "",
      `### Outliers: seen on at most ${head.outlierMaxHosts} of ${head.summary.hosts} hosts`,
      "",
      ...table(headers, odd.map((l) => lineRow(l, cap))),
    );
  }
  for (const s of sectionsWithLines(head)) {
    out.push(
      "",
      `### ${SECTION_TITLES[s]}`,
      "",
      ...table(headers, sectionLines(head, s).map((l) => lineRow(l, cap))),
    );
  }
  for (const g of tallyGroups(head)) {
    out.push(
      "",
      `### ${g.title}`,
      "",
      ...table(
        [g.name, ...TALLY_HEADERS],
        g.tallies.map((t) =>
          tallyCells(t).map((c, i) => (i === 0 && t.notable ? `**${md(c)}**` : md(c)))
        ),
        [1, 2, 3, 4, 5],
      ),
    );
  }
  if (report.hosts.length) {
    out.push(
      "",
      `### Hosts (${report.hosts.length} paired)`,
      "",
      ...table(
        ["Host", "Changes", "Paired by"],
        report.hosts.map((
          h,
        ) => [
          md(h.name),
          md(hostChanges(h)),
          md(pairedNote(h) === "" ? "machine id" : h.pairedBy),
        ]),
      ),
    );
  }
  return out.join("\n") + "\n";
}

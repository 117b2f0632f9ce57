/**
 * The fleet diff as terminal text, 80 columns wide: a headline, the hosts that vanished or
 * appeared, the outliers, one line per rolled-up change (wrapped under itself when long), the
 * counter, gauge and traffic tables, and a line per host. Every string from a snapshot is
 * escaped (fleet_escape.ts).
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
import { makePaint, type Paint, renderTable, textWidth } from "./table.ts";

/** How to render the fleet report. */
export interface FleetTextOptions {
  /** The colours to use, as the command decided them (terminal, NO_COLOR). */
  paint?: Paint;
  /** Line width (default 80). */
  width?: number;
  /** How many host names a line lists before "and N more" (default 10). */
  names?: number;
}

/**
 * Breaks `text` into lines of at most `width` columns at spaces; the first line starts with
 * `first`, the others with `rest`. A word longer than a line stays whole.
 */
export function wrap(text: string, width: number, first: string, rest: string): string[] {
  const out: string[] = [];
  let line = first, empty = true;
  for (const word of text.split(" ")) {
    if (!empty && textWidth(line) + 1 + textWidth(word) > width) {
      out.push(line);
      line = rest + word;
    } else line += (empty ? "" : " ") + word;
    empty = false;
  }
  out.push(line);
  return out;
}

function unpairedLines(list: readonly UnpairedHost[], mark: string, width: number): string[] {
  const w = Math.min(24, Math.max(...list.map((h) => textWidth(escapeText(h.name)))));
  return list.flatMap((h) =>
    wrap(
      `${escapeText(h.name).padEnd(w)}  ${escapeText(h.snapshot.file)}, captured ${
        escapeText(h.snapshot.capturedAt)
      }`,
      width,
      `  ${mark} `,
      "      ",
    )
  );
}

/** Renders the fleet report as text. */
export function renderFleetText(report: FleetReport, opts: FleetTextOptions = {}): string {
  const paint = opts.paint ?? makePaint(false);
  const width = opts.width ?? 80, cap = opts.names ?? 10;
  const { head } = report;
  const out: string[] = [];
  out.push(...wrap(fleetHeadline(head), width, "", "  ").map((l) => paint.bold(l)));
  out.push(
    ...wrap(
      `${escapeText(head.before.folder)} (${plural(head.before.snapshots, "snapshot")})`,
      width,
      "  before  ",
      "          ",
    ),
    ...wrap(
      `${escapeText(head.after.folder)} (${plural(head.after.snapshots, "snapshot")})`,
      width,
      "  after   ",
      "          ",
    ),
  );
  const gate = gateLine(head);
  if (gate) out.push(...wrap(gate, width, "  ", "    "));

  if (head.vanished.length) {
    out.push("", paint.bold(`Vanished: in before only (${head.vanished.length})`));
    out.push(...unpairedLines(head.vanished, paint.red("-"), width));
  }
  if (head.appeared.length) {
    out.push("", paint.bold(`Appeared: in after only (${head.appeared.length})`));
    out.push(...unpairedLines(head.appeared, paint.green("+"), width));
  }

  const line = (l: FleetChange) => {
    const mark = fleetMark(l);
    const color = mark === "+" ? paint.green : mark === "~" ? paint.yellow : paint.red;
    const text = `${l.kind} ${escapeText(l.what)} ${
      hostsPhrase(l.hosts, l.missing, cap, escapeText)
    }`;
    const lines = wrap(text, width, "    ", "      ");
    lines[0] = `  ${color(mark)} ${lines[0]!.slice(4)}`;
    return lines;
  };
  const odd = outliers(head);
  if (odd.length) {
    out.push(
      "",
      paint.bold(
        `Outliers: seen on at most ${head.outlierMaxHosts} of ${head.summary.hosts} hosts`,
      ),
    );
    for (const l of odd) out.push(...line(l));
  }
  for (const s of sectionsWithLines(head)) {
    out.push("", paint.bold(SECTION_TITLES[s]));
    for (const l of sectionLines(head, s)) out.push(...line(l));
  }
  for (const g of tallyGroups(head)) {
    out.push("", paint.bold(g.title));
    const rows = g.tallies.map((t) => {
      const cells = tallyCells(t);
      cells[0] = `${t.notable ? "! " : "  "}${escapeText(cells[0]!)}`;
      cells[6] = escapeText(cells[6]!);
      return cells;
    });
    const table = renderTable(
      [g.name, ...TALLY_HEADERS].map((header, i) =>
        ({
          header,
          align: i === 0 || i === 6 ? "left" : "right",
          shrink: i === 0 || i === 6,
          minWidth: i === 0 ? 14 : 6,
        }) as const
      ),
      rows,
      { paint, width: width - 2 },
    );
    out.push(...table.trimEnd().split("\n").map((l) => "  " + l));
  }

  const changed = report.hosts.filter((h) => h.total > 0);
  const quiet = report.hosts.filter((h) => h.total === 0);
  if (report.hosts.length) {
    out.push("", paint.bold(`Hosts (${report.hosts.length} paired)`));
    const w = Math.min(24, Math.max(0, ...changed.map((h) => textWidth(escapeText(h.name)))));
    for (const h of changed) {
      const note = pairedNote(h);
      out.push(
        ...wrap(
          `${escapeText(h.name).padEnd(w)}  ${hostChanges(h)}${note ? `; ${note}` : ""}`,
          width,
          "  ",
          "    ",
        ),
      );
    }
    if (quiet.length) {
      const notes = quiet.filter((h) => pairedNote(h) !== "").length;
      out.push(
        ...wrap(
          `no changes on ${
            quiet.length === 1 && report.hosts.length === 1
              ? "the only host"
              : quiet.length === report.hosts.length
              ? `any of the ${quiet.length} hosts`
              : plural(quiet.length, "host")
          }: ${quiet.map((h) => escapeText(h.name)).join(", ")}` +
            (notes ? ` (${notes} paired by hostname or path)` : ""),
          width,
          "  ",
          "    ",
        ),
      );
    }
  }
  return out.join("\n") + "\n";
}

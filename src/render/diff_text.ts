/**
 * The diff as terminal text: a one-line summary on top, then one section per heading with one
 * aligned line per change, the TCP state census, and a counter table. Colour only when asked for
 * (the command decides: a terminal and no NO_COLOR).
 */
import { DIFF_SECTIONS } from "../diff/kinds.ts";
import type { Change, ChangeIn, DiffDocument } from "../diff/types.ts";
import {
  changesOf,
  counterCells,
  headline,
  isTrafficRow,
  SECTION_TITLES,
  stateRows,
  statesMoved,
  TRAFFIC_HEADERS,
  trafficCells,
} from "./diff_common.ts";
import { append } from "../diff/util.ts";
import { displayText, makePaint, type Paint, renderTable, textWidth, wrapText } from "./table.ts";

/** How to render text. */
export interface DiffTextOptions {
  /** Colour with the standard palette (ignored when `paint` is given). */
  color?: boolean;
  /** The colours to use, as the command decided them (terminal, NO_COLOR). */
  paint?: Paint;
}

/** The mark in front of a change: + appeared, - went away, ~ changed, ! notable. */
export function changeMark(c: Change): "+" | "-" | "~" | "!" {
  if (c.notable) return "!";
  if (/-(opened|added)$/.test(c.kind)) return "+";
  if (/-(closed|removed)$/.test(c.kind)) return "-";
  return "~";
}

function paintMark(mark: string, paint: Paint): (s: string) => string {
  return mark === "+"
    ? paint.green
    : mark === "-"
    ? paint.red
    : mark === "!"
    ? paint.red
    : paint.yellow;
}

/** The sections whose lines wrap to fit 80 columns (the others keep one line per change). */
const WRAPPED = new Set([
  "routes",
  "rules",
  "neighbours",
  "qdiscs",
  "firewall",
  "settings",
  "sockets",
]);

/** Kinds of the other sections whose lines wrap too (their summaries are sentences). */
const WRAPPED_KINDS: ReadonlySet<string> = new Set([
  "listener-queue-full",
  "unix-listener-opened",
  "unix-listener-closed",
  "unix-listener-owner-changed",
  "unix-listener-restarted",
  "session-retransmits",
  "session-rtt-changed",
]);

/** The most a wrapped line may take, and the least room a summary gets beside its kind. */
const LINE_WIDTH = 80;
const MIN_SUMMARY = 30;

function changeLines(changes: readonly Change[], paint: Paint, wrap = false): string[] {
  const width = changes.reduce((w, c) => Math.max(w, textWidth(c.kind)), 0);
  const indent = 2 + 2 + width + 2;
  return changes.flatMap((c) => {
    const mark = changeMark(c);
    const color = paintMark(mark, paint);
    const summary = displayText(c.summary);
    const head = `  ${color(mark)} ${color(c.kind.padEnd(width))}  `;
    if ((!wrap && !WRAPPED_KINDS.has(c.kind)) || indent + textWidth(summary) <= LINE_WIDTH) {
      return [head + summary];
    }
    if (LINE_WIDTH - indent < MIN_SUMMARY) {
      // A long kind name leaves too little room: the summary goes below it.
      return [
        `  ${color(mark)} ${color(c.kind)}`,
        ...wrapText(summary, LINE_WIDTH - 6).map((l) => `      ${l}`),
      ];
    }
    const [first, ...rest] = wrapText(summary, LINE_WIDTH - indent);
    return [head + first, ...rest.map((l) => " ".repeat(indent) + l)];
  });
}

function statesTable(doc: DiffDocument, paint: Paint): string[] {
  const rows = stateRows(doc);
  if (rows.length === 0) return [];
  const table = renderTable(
    [
      { header: "TCP state" },
      { header: "before", align: "right" },
      { header: "after", align: "right" },
      { header: "change", align: "right" },
    ],
    rows,
    { paint },
  );
  return ["", ...table.trimEnd().split("\n").map((l) => "  " + l)];
}

function countersBlock(changes: readonly ChangeIn<"counters">[], paint: Paint): string[] {
  const lines: string[] = [];
  const notable = changes.filter((c) => c.notable);
  for (const c of notable) lines.push(`  ${paint.red("!")} ${displayText(c.summary)}`);
  const shown = changes.filter((c) => c.key.group !== "*");
  if (shown.length) {
    if (lines.length) lines.push("");
    append(lines, counterTable(shown, paint).trimEnd().split("\n").map((l) => "  " + l));
  }
  return lines;
}

/**
 * The counter table: counter, before, after, delta, per second. When 64-bit values make it
 * wider than 80 columns, before and after move to a line of their own under each row.
 */
function counterTable(changes: readonly ChangeIn<"counters">[], paint: Paint): string {
  const cells = changes.map((
    c,
  ) => [...counterCells(c), c.kind === "counter-increased" ? "" : c.kind]);
  const wide = renderTable(
    [
      { header: "counter" },
      { header: "before", align: "right" },
      { header: "after", align: "right" },
      { header: "delta", align: "right" },
      { header: "per second", align: "right" },
      { header: "" },
    ],
    cells,
    { paint },
  );
  const widest = Math.max(...wide.trimEnd().split("\n").map(textWidth));
  if (widest + 2 <= LINE_WIDTH) return wide;
  const rows = cells.flatMap(([name, before, after, delta, ps, kind]) => [
    [name!, delta!, ps!, kind!],
    { line: `    ${before === "" ? "?" : before} → ${after === "" ? "?" : after}` },
  ]);
  return renderTable(
    [
      { header: "counter" },
      { header: "delta", align: "right" },
      { header: "per second", align: "right" },
      { header: "" },
    ],
    rows,
    { paint },
  );
}

function interfacesBlock(changes: readonly ChangeIn<"interfaces">[], paint: Paint): string[] {
  const lines = changeLines(changes.filter((c) => !isTrafficRow(c)), paint);
  const rows = changes.filter(isTrafficRow).map(trafficCells);
  if (rows.length) {
    if (lines.length) lines.push("");
    const table = renderTable(
      TRAFFIC_HEADERS.map((header, i) => ({ header, align: i === 0 ? "left" : "right" }) as const),
      rows,
      { paint },
    );
    append(lines, table.trimEnd().split("\n").map((l) => "  " + l));
  }
  return lines;
}

/** Renders a diff document as aligned text with a one-line summary at the top. */
export function renderDiffText(doc: DiffDocument, opts: DiffTextOptions = {}): string {
  const paint = opts.paint ?? makePaint(opts.color === true);
  const out: string[] = [paint.bold(displayText(headline(doc)))];
  for (const s of DIFF_SECTIONS) {
    if (!doc.sections.includes(s)) continue;
    const changes = changesOf(doc, s);
    // Sockets that moved between states are news even when no session opened or closed.
    const showStates = s === "sessions" && (changes.length > 0 || statesMoved(doc));
    if (changes.length === 0 && !showStates) continue;
    out.push("", paint.bold(SECTION_TITLES[s]));
    if (s === "counters") append(out, countersBlock(changesOf(doc, s), paint));
    else if (s === "interfaces") append(out, interfacesBlock(changesOf(doc, s), paint));
    else append(out, changeLines(changes, paint, WRAPPED.has(s)));
    if (showStates) append(out, statesTable(doc, paint).slice(changes.length === 0 ? 1 : 0));
  }
  return out.join("\n") + "\n";
}

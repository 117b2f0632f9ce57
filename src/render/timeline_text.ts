/**
 * A timeline as terminal text, 80 columns wide: a headline (host, span, interval), the stories
 * of what changed, the notable counters over the series, then each step that had something to
 * say (its time, sessions opened and closed, the notable rates, and its changes). The warnings
 * go to stderr, as for `nsnap diff A B`. Every string from a snapshot is escaped; long lines
 * wrap under themselves.
 */
import { formatCount, formatDuration, formatRate } from "../format.ts";
import { clockFormat, type TimelineDocument, type TimelineStep } from "../timeline/mod.ts";
import { escapeText } from "../util/escape.ts";
import { changeMark } from "./diff_text.ts";
import { wrap } from "./fleet_text.ts";
import { makePaint, type Paint, renderTable } from "./table.ts";

/** How to render a timeline as text. */
export interface TimelineTextOptions {
  /** The colours to use, as the command decided them (terminal, NO_COLOR). */
  paint?: Paint;
  /** Line width (default 80). */
  width?: number;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** The one line on top: "Timeline of web-1: 8 snapshots, 10:42:00 → 10:43:10 UTC, every 10s". */
export function timelineHeadline(doc: TimelineDocument): string {
  const time = clockFormat(doc.snapshots.map((s) => s.capturedAt));
  const day = doc.first.slice(0, 10);
  const span = `${time(doc.first).includes(" ") ? "" : `${day} `}${time(doc.first)} → ${
    time(doc.last)
  } UTC`;
  const every = doc.everyMs !== undefined ? `, every ${formatDuration(doc.everyMs)}` : "";
  return `Timeline of ${doc.host}: ${plural(doc.summary.snapshots, "snapshot")}, ${span}${every}`;
}

/** The second line: steps, changes, notable, events. */
export function timelineCounts(doc: TimelineDocument): string {
  const s = doc.summary;
  const changes = s.changes === 0
    ? "no changes"
    : `${plural(s.changes, "change")}${s.notable ? ` (${formatCount(s.notable)} notable)` : ""}`;
  return `${plural(s.steps, "step")}, ${formatCount(s.stepsWithChanges)} with changes: ${changes}`;
}

/** The notable rates of a step that are not zero: "Tcp.RetransSegs 1.20/s". */
export function stepRates(step: TimelineStep): string[] {
  return Object.entries(step.counterRates).flatMap(([name, r]) =>
    r !== null && r > 0 ? [`${name} ${formatRate(r)}/s`] : []
  );
}

/** Sessions opened and closed in a step ("sessions: 3 opened, 1 closed"), "" when none moved. */
export function stepSessions(step: TimelineStep): string {
  const s = step.sessions;
  if (s === undefined || (s.opened === 0 && s.closed === 0)) return "";
  return `sessions: ${formatCount(s.opened)} opened, ${formatCount(s.closed)} closed`;
}

/** True for a step worth a line: changes, sessions that moved, or a notable rate. */
export function stepHasNews(step: TimelineStep): boolean {
  return step.changes.length > 0 || stepSessions(step) !== "" || stepRates(step).length > 0;
}

function paintMark(mark: string, paint: Paint): (s: string) => string {
  return mark === "+" ? paint.green : mark === "~" ? paint.yellow : paint.red;
}

/** Renders a timeline document as text. */
export function renderTimelineText(doc: TimelineDocument, opts: TimelineTextOptions = {}): string {
  const paint = opts.paint ?? makePaint(false);
  const width = opts.width ?? 80;
  const time = clockFormat(doc.snapshots.map((s) => s.capturedAt));
  const out: string[] = [];
  const para = (text: string, first: string, rest: string) =>
    out.push(...wrap(escapeText(text), width, first, rest));
  out.push(...wrap(escapeText(timelineHeadline(doc)), width, "", "  ").map(paint.bold));
  const where = doc.folder !== undefined ? `${escapeText(doc.folder)}: ` : "";
  out.push(...wrap(`${where}${timelineCounts(doc)}`, width, "  ", "  "));

  out.push("", paint.bold("What changed"));
  if (doc.events.length === 0) {
    out.push("  nothing (no listener, route, interface or setting changed)");
  }
  for (const e of doc.events) para(e.summary, "  ", "      ");

  const counters = Object.entries(doc.counters);
  if (counters.length > 0) {
    out.push("", paint.bold("Notable counters over the series"));
    const table = renderTable(
      [
        { header: "counter" },
        { header: "total", align: "right" },
        { header: "max/s", align: "right" },
        { header: "at" },
        { header: "steps", align: "right" },
      ],
      counters.map(([name, c]) => [
        name,
        formatCount(c.total),
        formatRate(c.maxPerSecond),
        time(c.maxAt),
        formatCount(c.steps),
      ]),
      { paint, width: width - 2 },
    );
    out.push(...table.trimEnd().split("\n").map((l) => `  ${l}`));
  }

  const news = doc.steps.filter(stepHasNews);
  out.push("", paint.bold("Steps"));
  if (news.length === 0) out.push("  nothing changed from one snapshot to the next");
  for (const step of news) {
    const snap = doc.snapshots[step.to];
    // The rates are in the changes (each notable counter that moved is one) and in the table.
    const head = [
      time(step.at),
      step.seconds !== undefined ? `+${formatDuration(step.seconds * 1000)}` : "",
      stepSessions(step),
      snap?.overrunMs !== undefined
        ? `(capture overran its interval by ${formatDuration(snap.overrunMs)})`
        : "",
    ].filter((p) => p !== "").join("  ");
    out.push(...wrap(head, width, "  ", "      ").map((l) => l.trimEnd()));
    for (const c of step.changes) {
      const mark = changeMark(c);
      const color = paintMark(mark, paint);
      const lines = wrap(escapeText(`${c.kind}  ${c.summary}`), width, `    ${mark} `, "        ")
        .map((l) => l.trimEnd());
      out.push(...lines.map((l, i) => (i === 0 ? l.replace(`${mark} `, `${color(mark)} `) : l)));
    }
  }
  const quiet = doc.steps.length - news.length;
  if (quiet > 0 && news.length > 0) out.push(`  (${plural(quiet, "step")} without changes)`);

  return out.join("\n") + "\n";
}

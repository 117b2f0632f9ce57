/**
 * Horizontal bar charts as HTML rows with a small SVG bar each: the labels stay real text (they
 * wrap on a phone, print sharply, and can be searched), the bars scale with the page, and no
 * script is needed to draw them. Used for sessions by service and by program and for TCP states.
 *
 * Why not uPlot here: its bars are built for a numeric x axis; category charts with long labels
 * would need plugins and a canvas that neither prints crisply nor lets a reader select the text.
 * A few dozen rows of SVG cost less than the code to configure it.
 */
import { attr, html } from "./escape.ts";

/** One coloured part of a bar. */
export interface BarSegment {
  value: number;
  /** CSS class giving the colour (`s0` … `s7`, `s-other`, `st-ok` …). */
  cls: string;
  /** What the segment stands for, for its tooltip ("python3"). */
  name: string;
}

/** One row of a bar chart. */
export interface BarRow {
  label: string;
  /** A second line under the label ("from 3 addresses"). */
  detail?: string;
  segments: BarSegment[];
  /** The value before, drawn as an outline behind the bar (diffs). */
  before?: number;
}

/** A swatch and a name, for the legend under a chart. */
export interface LegendItem {
  cls: string;
  name: string;
}

const fmt = (n: number) => n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");

/** Renders rows as a bar chart; the longest bar (or outline) spans the full width. */
export function barChart(rows: readonly BarRow[], opts: { label: string; unit: string }): string {
  const total = (r: BarRow) => r.segments.reduce((a, s) => a + s.value, 0);
  const max = Math.max(1, ...rows.map((r) => Math.max(total(r), r.before ?? 0)));
  const w = (v: number) => (v <= 0 ? 0 : Math.max(4, Math.round((v / max) * 1000)));
  const out = [`<div class="bars" role="list" aria-label="${attr(opts.label)}">`];
  for (const r of rows) {
    const t = total(r);
    let x = 0;
    const rects: string[] = [];
    if (r.before !== undefined && r.before > 0) {
      rects.push(
        `<rect class="ghost" x="0" y="1" width="${w(r.before)}" height="14"><title>before: ${
          fmt(r.before)
        } ${attr(opts.unit)}</title></rect>`,
      );
    }
    for (const s of r.segments) {
      if (s.value <= 0) continue;
      const width = Math.max(w(s.value), 0);
      rects.push(
        `<rect class="${s.cls}" x="${x}" y="3" width="${width}" height="10"><title>${
          attr(s.name)
        }: ${fmt(s.value)} ${attr(opts.unit)}</title></rect>`,
      );
      x += width;
    }
    const was = r.before !== undefined && r.before !== t
      ? ` <small class="was">was ${fmt(r.before)}</small>`
      : "";
    out.push(
      `<div class="bar-row" role="listitem"><div class="bar-label"><span>${html(r.label)}</span>${
        r.detail ? `<small>${html(r.detail)}</small>` : ""
      }</div><svg class="bar" viewBox="0 0 1000 16" preserveAspectRatio="none" aria-hidden="true">${
        rects.join("")
      }</svg><div class="bar-value">${fmt(t)}${was}</div></div>`,
    );
  }
  out.push("</div>");
  return out.join("\n");
}

/** A legend: one swatch per colour class. */
export function legend(items: readonly LegendItem[]): string {
  if (!items.length) return "";
  return `<ul class="legend">${
    items.map((i) =>
      `<li><svg class="swatch" viewBox="0 0 10 10" aria-hidden="true"><rect class="${i.cls}" width="10" height="10" rx="2"/></svg>${
        html(i.name)
      }</li>`
    ).join("")
  }</ul>`;
}

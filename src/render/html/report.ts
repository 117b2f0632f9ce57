/**
 * The report's content: from a snapshot, a before/after pair or a series to the page's sections
 * (HTML made here) and the data its script renders (tables, time series). Pure and
 * deterministic: the same input gives the same page, byte for byte.
 */
import { isNotableCounter } from "../../diff/counters.ts";
import type { DiffDocument } from "../../diff/types.ts";
import type { Snapshot } from "../../model.ts";
import { formatCount as grouped, formatRate as rateText } from "../../format.ts";
import { barChart, legend } from "./bars.ts";
import { attr, html } from "./escape.ts";
import { extraSections, namespaceLookup, namespacesOf } from "./hooks.ts";
import { COUNTER_CHARTS, counterValue, type Series } from "./series.ts";
import { healthTable, sessionCharts, stateRows } from "./sessions.ts";
import { leftOut } from "../../snapshot/compact.ts";
import {
  diffSummary,
  mount,
  seriesChanges,
  seriesSummary,
  snapshotSummary,
  when,
} from "./summary.ts";
import {
  changeTable,
  connectionTable,
  counterTable,
  interfaceTable,
  listenerTable,
  movedCounterTable,
  namespaceTable,
  recordsTable,
  routeTable,
  seriesListenerTable,
} from "./tables.ts";
import { type Fleet, fleetContent, fleetDiffContent, type FleetDiffInput } from "./fleet.ts";
import type { ChartSpec, LineSpec, PageData, SeriesSpec, TableSpec } from "./types.ts";

/** What a report is made from. */
export type ReportInput =
  | { kind: "snapshot"; snapshot: Snapshot; file?: string }
  | { kind: "diff"; before: Snapshot; after: Snapshot; doc: DiffDocument }
  | { kind: "series"; series: Series }
  | ({ kind: "fleet-diff" } & FleetDiffInput)
  | { kind: "fleet"; fleet: Fleet };

/** One section of the page. */
export interface ReportSection {
  id: string;
  title: string;
  body: string;
}

/** The report's content, before it becomes a page. */
export interface ReportContent {
  title: string;
  /** What kind of report, in words ("Snapshot", "Before → after", "Series"). */
  kind: string;
  sections: ReportSection[];
  data: PageData;
  redacted: boolean;
}

function chartMount(c: ChartSpec, note = ""): string {
  return `<figure class="chart"><figcaption>${html(c.title)}${
    c.unit ? ` <small>(${html(c.unit)})</small>` : ""
  }</figcaption><div class="plot" data-chart="${c.id}" role="img" aria-label="${
    attr(c.title)
  }"></div>${note}</figure>`;
}

function sectionNote(s: Snapshot, section: keyof Snapshot["meta"]["sections"]): string {
  const st = s.meta.sections[section];
  if (st === undefined || st.status === "ok") return "";
  const why = st.error ?? st.warnings?.join("; ") ?? "";
  return `<p class="warning">${html(section)} ${html(st.status)}${why ? `: ${html(why)}` : ""}</p>`;
}

/** Sessions: who talks to whom, TCP states, and tcp_info health where present. */
function sessionsBody(after: Snapshot, before: Snapshot | undefined, tables: TableSpec[]): string {
  const compact = [after, before].find((s) => s !== undefined && leftOut(s, "sessions"));
  if (compact) {
    // Left out on purpose: nothing to draw, and nothing closed.
    return `<p class="warning">sessions not captured: ${
      compact === after ? "" : "the before snapshot is "
    }a compact capture (listeners, interfaces, counters and settings only)</p>`;
  }
  const charts = sessionCharts(after, before);
  const states = stateRows(after, before);
  const ghost = before ? `<p class="hint">Outlines show the counts before.</p>` : "";
  const parts = [
    sectionNote(after, "connections"),
    `<p>${grouped(charts.sessions)} connected sockets (sessions).</p>${ghost}`,
    `<div class="grid2"><figure class="barfig"><figcaption>Sessions by remote service</figcaption>${
      charts.byService.length
        ? barChart(charts.byService, { label: "Sessions by remote service", unit: "sessions" })
        : `<p class="none">no sessions</p>`
    }${legend(charts.legend)}</figure>`,
    `<figure class="barfig"><figcaption>Sessions by program</figcaption>${
      charts.byProgram.length
        ? barChart(charts.byProgram, { label: "Sessions by program", unit: "sessions" })
        : `<p class="none">no sessions</p>`
    }${legend(charts.directions)}</figure></div>`,
    `<figure class="barfig"><figcaption>TCP sockets by state</figcaption>${
      states.length
        ? barChart(states, { label: "TCP sockets by state", unit: "sockets" })
        : `<p class="none">no TCP sockets</p>`
    }</figure>`,
  ];
  const health = healthTable(after);
  if (health) {
    tables.push(health);
    parts.push(`<h3>TCP health by remote service</h3>${mount(health)}`);
  }
  return parts.join("\n");
}

function listenersBody(t: TableSpec, note: string): string {
  return `${note}${mount(t)}`;
}

function notableSinceBoot(s: Snapshot): string {
  const tiles: string[] = [];
  for (const chart of COUNTER_CHARTS) {
    for (const name of chart.counters) {
      const v = counterValue(s, name);
      if (v === undefined) continue;
      tiles.push(
        `<div class="tile${v > 0n ? " hot" : ""}"><dt><code>${html(name)}</code></dt><dd>${
          grouped(v)
        }</dd></div>`,
      );
    }
  }
  if (!tiles.length) return "";
  return `<h3>Notable counters since boot</h3><dl class="tiles">${tiles.join("")}</dl>`;
}

function extraBodies(s: Snapshot, tables: TableSpec[]): ReportSection[] {
  const out: ReportSection[] = [];
  if (namespacesOf(s).length) {
    const t = namespaceTable(s);
    tables.push(t);
    out.push({ id: "namespaces", title: "Namespaces", body: mount(t) });
  }
  const nsOf = namespaceLookup(s);
  for (const x of extraSections(s)) {
    const t = recordsTable(x.id, x.title.toLowerCase(), x.rows, nsOf);
    tables.push(t);
    out.push({ id: x.id, title: x.title, body: mount(t) });
  }
  return out;
}

function commonTail(s: Snapshot, tables: TableSpec[], doc?: DiffDocument): ReportSection[] {
  const ifaces = interfaceTable(s, doc);
  const routes = routeTable(s);
  const sockets = connectionTable(s);
  tables.push(ifaces, routes, sockets);
  const which = doc ? " (after)" : "";
  return [
    {
      id: "interfaces",
      title: `Interfaces${which}`,
      body: sectionNote(s, "interfaces") + mount(ifaces),
    },
    { id: "routes", title: `Routes${which}`, body: sectionNote(s, "routes") + mount(routes) },
    ...extraBodies(s, tables),
    {
      id: "sockets",
      title: `All sockets${which}`,
      body: sectionNote(s, "connections") + mount(sockets),
    },
  ];
}

function snapshotContent(s: Snapshot, file: string | undefined): ReportContent {
  const tables: TableSpec[] = [];
  const listeners = listenerTable(s);
  const counters = counterTable(s, isNotableCounter);
  tables.push(listeners, counters);
  return {
    title: s.meta.host.hostname,
    kind: "Snapshot",
    redacted: s.meta.redacted === true,
    sections: [
      { id: "summary", title: "Summary", body: snapshotSummary(s, file) },
      {
        id: "listeners",
        title: "Listeners",
        body: listenersBody(listeners, sectionNote(s, "connections") + sectionNote(s, "processes")),
      },
      { id: "sessions", title: "Sessions", body: sessionsBody(s, undefined, tables) },
      {
        id: "counters",
        title: "Counters",
        body: `${sectionNote(s, "counters")}${notableSinceBoot(s)}<h3>All counters</h3>${
          mount(counters)
        }`,
      },
      ...commonTail(s, tables),
    ],
    data: { v: 1, tables },
  };
}

function diffContent(before: Snapshot, after: Snapshot, doc: DiffDocument): ReportContent {
  const tables: TableSpec[] = [];
  const listeners = listenerTable(after, { before, doc });
  const moved = movedCounterTable(doc);
  const changes = changeTable(doc.changes.map((change) => ({ change })));
  tables.push(listeners, moved, changes);
  const host = before.meta.host.hostname === after.meta.host.hostname
    ? after.meta.host.hostname
    : `${before.meta.host.hostname} → ${after.meta.host.hostname}`;
  const perSecond = doc.intervalSeconds !== undefined
    ? `Rates are per second over the ${html(String(doc.intervalSeconds))} s between the captures.`
    : "The capture times are unknown, so there are no rates.";
  return {
    title: host,
    kind: "Before → after",
    redacted: before.meta.redacted === true || after.meta.redacted === true,
    sections: [
      { id: "summary", title: "Summary", body: diffSummary(before, after, doc) },
      {
        id: "listeners",
        title: "Listeners",
        body: listenersBody(
          listeners,
          `<p class="hint">Listeners after the change, and those that went away.</p>`,
        ),
      },
      { id: "sessions", title: "Sessions", body: sessionsBody(after, before, tables) },
      {
        id: "counters",
        title: "Counters",
        body: `<p class="hint">${perSecond}</p>${mount(moved)}`,
      },
      { id: "changes", title: "All changes", body: mount(changes) },
      ...commonTail(after, tables, doc),
    ],
    data: { v: 1, tables },
  };
}

/** The time-series charts of a series and the sentences about their peaks. */
export function seriesCharts(series: Series): { spec: SeriesSpec; peaks: string[] } {
  const t = series.points.map((p) => p.t);
  const n = t.length;
  // A rate belongs to the interval that starts at a point and is drawn as a step to the next
  // point; the last point repeats the last rate so that its step has an end.
  const rates = (f: (i: number) => number | null): Array<number | null> => {
    const v = series.intervals.map((_, i) => f(i));
    return [...v, v[v.length - 1] ?? null].slice(0, n);
  };
  const charts: ChartSpec[] = [];
  const peaks: string[] = [];
  for (const def of COUNTER_CHARTS) {
    const lines: LineSpec[] = [];
    for (const name of def.counters) {
      const values = rates((i) => series.intervals[i]!.counterRates[name] ?? null);
      if (values.every((v) => v === null)) continue;
      lines.push({ label: name, values });
      let total = 0n, peak = 0, at = "";
      for (const [i, iv] of series.intervals.entries()) {
        total += iv.counterDeltas[name] ?? 0n;
        const r = iv.counterRates[name] ?? 0;
        if (r > peak) {
          peak = r;
          at = series.intervals[i]!.at;
        }
      }
      if (total > 0n) {
        peaks.push(
          `<code>${html(name)}</code>: ${grouped(total)} in all, at most ${
            rateText(peak)
          }/s in the interval ending ${when(at, true)}.`,
        );
      }
    }
    if (lines.length) {
      charts.push({ id: def.id, title: def.title, unit: "/s", stepped: true, lines });
    }
  }
  // Interface traffic: the busiest interfaces, received and sent.
  const names = new Map<string, number>();
  for (const iv of series.intervals) {
    for (const [name, r] of Object.entries(iv.traffic)) {
      names.set(name, (names.get(name) ?? 0) + (r.rx ?? 0) + (r.tx ?? 0));
    }
  }
  const busiest = [...names].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 4);
  const traffic: LineSpec[] = [];
  const trouble: LineSpec[] = [];
  for (const [name] of busiest) {
    for (const dir of ["rx", "tx"] as const) {
      traffic.push({
        label: `${name} ${dir}`,
        values: rates((i) => series.intervals[i]!.traffic[name]?.[dir] ?? null),
      });
    }
  }
  for (const name of names.keys()) {
    for (const what of ["errors", "drops"] as const) {
      const values = rates((i) => series.intervals[i]!.traffic[name]?.[what] ?? null);
      if (values.some((v) => v !== null && v > 0)) {
        trouble.push({ label: `${name} ${what}`, values });
      }
    }
  }
  if (traffic.length) {
    charts.push({
      id: "traffic",
      title: "Interface traffic",
      unit: "B/s",
      stepped: true,
      lines: traffic,
    });
  }
  if (trouble.length) {
    charts.push({
      id: "iface-trouble",
      title: "Interface errors and drops",
      unit: "/s",
      stepped: true,
      lines: trouble,
    });
  }
  // Sockets: sessions and listeners, and the TCP states other than LISTEN.
  const states = new Set<string>();
  for (const p of series.points) {
    for (const s of Object.keys(p.tcpStates)) if (s !== "LISTEN") states.add(s);
  }
  charts.push({
    id: "sockets-over-time",
    title: "Sockets",
    unit: "",
    stepped: false,
    lines: [
      { label: "sessions", values: series.points.map((p) => p.sessions) },
      { label: "listeners", values: series.points.map((p) => p.listeners) },
      ...[...states].sort().map((s) => ({
        label: `TCP ${s}`,
        // A compact capture counted no sessions: a gap, not zero.
        values: series.points.map((p) => (p.sessions === null ? null : p.tcpStates[s] ?? 0)),
      })),
    ],
  });
  return { spec: { t, charts }, peaks };
}

function seriesContent(series: Series): ReportContent {
  const tables: TableSpec[] = [];
  const { spec, peaks } = seriesCharts(series);
  const listeners = seriesListenerTable(series.listeners);
  const changes = changeTable(seriesChanges(series));
  tables.push(listeners, changes);
  const chart = (id: string) => {
    const c = spec.charts.find((x) => x.id === id);
    if (!c) return "";
    const moved = c.lines.some((l) => l.values.some((v) => v !== null && v > 0));
    return chartMount(
      c,
      moved || !c.stepped ? "" : `<p class="hint">None of these moved during the series.</p>`,
    );
  };
  const counterCharts = COUNTER_CHARTS.map((c) => chart(c.id)).join("");
  const last = series.last;
  const tail = commonTail(last, tables);
  const ifaces = tail.find((s) => s.id === "interfaces")!;
  ifaces.title = "Interfaces";
  ifaces.body = `<div class="charts">${chart("traffic")}${chart("iface-trouble")}</div>
<h3>Interfaces in the last snapshot</h3>${ifaces.body}`;
  for (const s of tail) if (s.id !== "interfaces") s.title += " (last snapshot)";
  return {
    title: series.host,
    kind: "Series",
    redacted: series.points.some((p) => p.meta.redacted === true),
    sections: [
      { id: "summary", title: "Summary", body: seriesSummary(series, peaks) },
      {
        id: "listeners",
        title: "Listeners",
        body: listenersBody(listeners, `<p class="hint">Every listener seen in the series.</p>`),
      },
      {
        id: "sessions",
        title: "Sessions",
        body: `<div class="charts">${
          chart("sockets-over-time")
        }</div><h3>In the last snapshot</h3>${sessionsBody(last, undefined, tables)}`,
      },
      {
        id: "counters",
        title: "Counters",
        body:
          `<p class="hint">Per second between consecutive snapshots, drawn as a step over each interval; a gap is a counter that restarted or was not read. Away from the cursor, the legend shows the latest values.</p><div class="charts">${counterCharts}</div>`,
      },
      { id: "changes", title: "All changes", body: mount(changes) },
      ...tail,
    ],
    data: { v: 1, tables, series: spec },
  };
}

/** Builds the report's sections and data from its input. */
export function reportContent(input: ReportInput): ReportContent {
  switch (input.kind) {
    case "snapshot":
      return snapshotContent(input.snapshot, input.file);
    case "diff":
      return diffContent(input.before, input.after, input.doc);
    case "series":
      return seriesContent(input.series);
    case "fleet-diff":
      return fleetDiffContent(input);
    case "fleet":
      return fleetContent(input.fleet);
  }
}

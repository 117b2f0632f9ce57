/**
 * The fleet pages of the report: a fleet diff (`nsnap report BEFORE_DIR AFTER_DIR`, the
 * `nsnap-fleet-diff/v1` document as a page: summary and verdict, outliers, the roll-up with its
 * kind filter, counter tallies, per-host counts and each host's changes, collapsible), and a
 * fleet overview (`nsnap report DIR` of several hosts with one snapshot each: the hosts, how
 * their sections went, and every listener of every host in one table with a Host column).
 *
 * Like the other pages: pure functions to a `ReportContent`; what a host's snapshot says is
 * reduced to rows while it is loaded (`FleetBuilder`), so a fleet overview holds rows, not
 * snapshots.
 */
import { DIFF_SECTIONS } from "../../diff/kinds.ts";
import type { FleetReport, HostEntry, HostLine, UnpairedHost } from "../../fleet/mod.ts";
import type { Meta, Snapshot } from "../../model.ts";
import { isListener, isSession, socketRules } from "../../net/sockets.ts";
import { formatCount as grouped } from "../../format.ts";
import {
  fleetHeadline,
  gateLine,
  hostChanges,
  pairedNote,
  plural,
  tallyCells,
  tallyGroups,
} from "../fleet_common.ts";
import { attr, html } from "./escape.ts";
import { machineId, namespacesOf } from "./hooks.ts";
import type { ReportContent } from "./report.ts";
import { badge, card, facts, figures, mount, sectionStatusTable, when } from "./summary.ts";
import { changeTable, col, LISTENER_COLUMNS, type ListenerRow, listenerRows } from "./tables.ts";
import type { Cell, ColumnSpec, TableSpec } from "./types.ts";

/** How many host names a line shows before "and N more" (the full list is in its tooltip). */
const NAMES = 8;

function names(list: readonly string[], cap = NAMES): string {
  return list.length <= cap
    ? list.join(", ")
    : `${list.slice(0, cap).join(", ")} and ${list.length - cap} more`;
}

// ---------------------------------------------------------------------------------------------
// The fleet diff

/** The input of a fleet diff page: the report's head and counts, and every host's full diff. */
export interface FleetDiffInput {
  report: FleetReport;
  hosts: readonly HostEntry[];
}

function unpairedList(list: readonly UnpairedHost[], mark: string): string {
  if (!list.length) return "";
  return `<ul class="highlights">${
    list.map((h) =>
      `<li>${html(mark)} <strong>${html(h.name)}</strong> <code>${
        html(h.snapshot.file)
      }</code>, captured ${when(h.snapshot.capturedAt)}</li>`
    ).join("")
  }</ul>`;
}

function fleetDiffSummary(r: FleetReport): string {
  const { head } = r;
  const s = head.summary;
  const gate = gateLine(head);
  const warnings = head.warnings.map((w) => `<p class="warning">${html(w)}</p>`).join("");
  const verdict = gate
    ? `<p class="headline">${badge(head.gate!.tripped ? "tripped" : "passed")} ${html(gate)}${
      head.gate!.hosts.length ? `: ${html(names(head.gate!.hosts))}` : ""
    }</p>`
    : "";
  const side = (title: string, f: { folder: string; snapshots: number }) =>
    card(
      title,
      facts([
        ["Folder", `<code>${html(f.folder)}</code>`],
        ["Snapshots", grouped(f.snapshots)],
      ]),
    );
  return `<p class="headline">${html(fleetHeadline(head))}</p>${verdict}${warnings}${
    figures([
      ["Hosts paired", grouped(s.hosts)],
      ["Changed hosts", grouped(s.changedHosts)],
      ["Changes", grouped(s.changes)],
      ["Notable", grouped(s.notable)],
      ["Outliers", grouped(s.outliers)],
      ["Vanished", grouped(s.vanished)],
      ["Appeared", grouped(s.appeared)],
    ])
  }<div class="cards">${side("Before", head.before)}${side("After", head.after)}${
    card(
      "Pairing",
      facts([
        [
          "Paired by",
          html(head.pairBy === "auto" ? "machine id, else hostname, else path" : head.pairBy),
        ],
        [
          "Outliers",
          `seen on at most ${plural(head.outlierMaxHosts, "host")} (share ${
            html(String(head.outlierShare))
          }) and on fewer than half`,
        ],
        ["Sections", head.sections ? html(head.sections.join(", ")) : undefined],
      ]),
    )
  }</div>
<h3>Vanished: in before only</h3>
${unpairedList(head.vanished, "−") || `<p class="none">none</p>`}
<h3>Appeared: in after only</h3>
${unpairedList(head.appeared, "+") || `<p class="none">none</p>`}`;
}

/** The roll-up lines (outliers only, or all) as a table: kind, section, change, hosts. */
function rollupTable(r: FleetReport, id: string, onlyOutliers: boolean): TableSpec {
  const lines = r.head.rollup.filter((l) => !onlyOutliers || l.outlier);
  const total = r.head.summary.hosts;
  return {
    id,
    noun: onlyOutliers ? "outliers" : "lines",
    columns: [
      col("Kind", "badge", { facet: true }),
      col("Section", "text", { facet: true }),
      col("Change", "text"),
      col("Hosts", "int", { title: `hosts with this change, of ${total} paired` }),
      col("On", "mono", { title: "the hosts with it, or without it when those are fewer" }),
      col("Outlier", "badge", { facet: true, title: "seen on a small minority of hosts" }),
      col("Notable", "badge", { facet: true }),
      col("Changes", "int", { title: "per-host changes this line stands for" }),
    ],
    rows: lines.map((l): Cell[] => [
      l.kind,
      l.section,
      l.what,
      l.hosts.length,
      l.missing.length === 0
        ? "all"
        : l.hosts.length <= l.missing.length
        ? names(l.hosts)
        : `all but ${names(l.missing)}`,
      l.outlier ? "outlier" : "",
      l.notable ? "notable" : "",
      l.changes,
    ]),
    titles: lines.map((l) => l.summary),
    ...(onlyOutliers ? { sort: [3, -1] as [number, -1] } : {}),
    empty: onlyOutliers ? "no outliers" : "no changes on any host",
  };
}

function tallyTable(r: FleetReport): TableSpec {
  const rows: Cell[][] = [], titles: Array<string | null> = [];
  for (const g of tallyGroups(r.head)) {
    for (const t of g.tallies) {
      rows.push([g.name, ...tallyCells(t)]);
      titles.push(t.summary);
    }
  }
  return {
    id: "tallies",
    noun: "tallies",
    columns: [
      col("Of", "badge", { facet: true }),
      col("Name", "mono"),
      col("Hosts", "mono", { title: "hosts with a change, of the paired hosts" }),
      col("Total", "mono", { title: "counters: sum of the deltas; gauges: of the changes" }),
      col("Min", "mono", { title: "per-host rate per second (gauges: value after)" }),
      col("Median", "mono"),
      col("Max", "mono"),
      col("Max on", "mono", { title: "the host with the most, where the values differ" }),
    ],
    rows,
    titles,
    empty: "no counter, gauge or traffic moved",
  };
}

function hostCountTable(r: FleetReport): TableSpec {
  const sections = DIFF_SECTIONS.filter((s) => r.hosts.some((h) => h.bySection[s]));
  return {
    id: "hosts",
    noun: "hosts",
    columns: [
      col("Host", "mono"),
      col("Paired by", "text", { facet: true }),
      col("Changes", "int"),
      col("Notable", "int"),
      ...sections.map((s) => col(s[0]!.toUpperCase() + s.slice(1), "int")),
    ],
    rows: r.hosts.map((h): Cell[] => [
      h.name,
      h.pairedBy,
      h.total,
      h.notable,
      ...sections.map((s) => h.bySection[s] ?? 0),
    ]),
    titles: r.hosts.map((h) => hostChanges(h)),
    sort: [2, -1],
    empty: "no paired hosts",
  };
}

function hostBlocks(hosts: readonly HostEntry[], lines: readonly HostLine[], tables: TableSpec[]) {
  const quiet: string[] = [];
  const blocks: string[] = [];
  for (const [i, e] of hosts.entries()) {
    const line = lines[i] ?? lines.find((l) => l.name === e.name);
    if (e.diff.changes.length === 0) {
      quiet.push(e.name);
      continue;
    }
    const t = { ...changeTable(e.diff.changes.map((change) => ({ change }))), id: `host-${i}` };
    tables.push(t);
    const note = line ? pairedNote(line) : "";
    blocks.push(
      `<details class="host" id="host-${i}-d" data-host="${attr(e.name)}"><summary><strong>${
        html(e.name)
      }</strong> <span class="why">${html(line ? hostChanges(line) : "")}${
        note ? ` · ${html(note)}` : ""
      }</span></summary>${
        facts([
          ["Before", `<code>${html(e.before.file)}</code>, ${when(e.before.capturedAt)}`],
          ["After", `<code>${html(e.after.file)}</code>, ${when(e.after.capturedAt)}`],
        ])
      }${mount(t)}</details>`,
    );
  }
  const rest = quiet.length
    ? `<p class="hint">No changes on ${plural(quiet.length, "host")}: ${
      html(quiet.join(", "))
    }.</p>`
    : "";
  return blocks.join("\n") + rest;
}

/** The content of a fleet diff page. */
export function fleetDiffContent(input: FleetDiffInput): ReportContent {
  const r = input.report;
  const tables: TableSpec[] = [];
  const odd = rollupTable(r, "outliers", true);
  const rollup = rollupTable(r, "rollup", false);
  const tallies = tallyTable(r);
  const counts = hostCountTable(r);
  tables.push(odd, rollup, tallies, counts);
  const hostBody = hostBlocks(input.hosts, r.hosts, tables);
  return {
    title: `${r.head.before.folder} → ${r.head.after.folder}`,
    kind: "Fleet before → after",
    redacted: false,
    sections: [
      { id: "summary", title: "Summary", body: fleetDiffSummary(r) },
      {
        id: "outliers",
        title: "Outliers",
        body: `<p class="hint">Changes seen on at most ${
          plural(r.head.outlierMaxHosts, "host")
        } of ${grouped(r.head.summary.hosts)}: a host that did what the others did not.</p>${
          mount(odd)
        }`,
      },
      {
        id: "rollup",
        title: "Changes across the fleet",
        body:
          `<p class="hint">Identical changes on several hosts are one line; the tooltip names every host.</p>${
            mount(rollup)
          }`,
      },
      {
        id: "tallies",
        title: "Counters and traffic",
        body:
          `<p class="hint">Sums over the hosts, and the lowest, middle and highest per-host value.</p>${
            mount(tallies)
          }`,
      },
      { id: "hosts", title: "Hosts", body: mount(counts) },
      { id: "host-changes", title: "Each host's changes", body: hostBody },
    ],
    data: { v: 1, tables },
  };
}

// ---------------------------------------------------------------------------------------------
// The fleet overview

/** One host of a fleet overview: its meta and what the page shows of its snapshot. */
export interface FleetHost {
  name: string;
  file: string;
  meta: Meta;
  listeners: ListenerRow[];
  sessions: number;
  sockets: number;
  routes: number;
  interfaces: number;
  namespaces: number;
}

/** A fleet overview: a folder with one snapshot per host. */
export interface Fleet {
  folder: string;
  hosts: FleetHost[];
}

/**
 * Collects a fleet overview host by host: each snapshot is reduced to its rows when added and
 * can then be dropped.
 *
 * @example
 * ```ts ignore
 * const b = new FleetBuilder("snapshots/after");
 * for (const h of hosts) b.add(await load(h), h.name, h.file);
 * const page = renderReport({ kind: "fleet", fleet: b.finish() });
 * ```
 */
export class FleetBuilder {
  readonly #folder: string;
  readonly #hosts: FleetHost[] = [];

  /** `folder` is the folder as given, for the summary. */
  constructor(folder: string) {
    this.#folder = folder;
  }

  /** Adds one host's snapshot under its (unique) name. */
  add(s: Snapshot, name: string, file: string): void {
    const rules = socketRules(s);
    let sessions = 0;
    for (const c of s.connections) if (!isListener(c, rules) && isSession(c)) sessions++;
    this.#hosts.push({
      name,
      file,
      meta: s.meta,
      listeners: listenerRows(s),
      sessions,
      sockets: s.connections.length,
      routes: s.routes.length,
      interfaces: s.interfaces.length,
      namespaces: namespacesOf(s).length,
    });
  }

  /** The fleet, hosts in the order they were added. */
  finish(): Fleet {
    return { folder: this.#folder, hosts: [...this.#hosts] };
  }
}

type SectionStatus = Meta["sections"]["connections"];

function sectionsOf(m: Meta): Array<[string, SectionStatus]> {
  return Object.entries(m.sections as Record<string, SectionStatus | undefined>)
    .filter((e): e is [string, SectionStatus] => e[1] !== undefined);
}

/** A host's sections in one word: ok, or the sections that are not. */
function hostStatus(m: Meta): string {
  const bad = sectionsOf(m).filter(([, st]) => st.status !== "ok");
  return bad.length ? bad.map(([n, st]) => `${n} ${st.status}`).join(", ") : "ok";
}

/** Per section: on how many hosts it was ok, and which hosts it was not, with the first reason. */
function fleetStatus(f: Fleet): string {
  return sectionStatusTable(
    f.hosts.map((h) => ({ name: h.name, meta: h.meta })),
    (k, hosts, n) =>
      hosts.length === n
        ? "on all"
        : k === "ok"
        ? `on ${hosts.length} of ${n}`
        : `on ${names(hosts)}`,
  );
}

function hostTable(f: Fleet): TableSpec {
  const ns = f.hosts.some((h) => h.namespaces > 0);
  return {
    id: "hosts",
    noun: "hosts",
    columns: [
      col("Host", "mono"),
      col("Machine id", "mono"),
      col("Captured", "time"),
      col("System", "text", { facet: true }),
      col("Listeners", "int"),
      col("Sessions", "int"),
      col("Sockets", "int"),
      col("Routes", "int"),
      col("Interfaces", "int"),
      ...(ns ? [col("Namespaces", "int")] : []),
      col("Sections", "text", { facet: true, title: "ok, or the sections that are not" }),
      col("File", "mono"),
    ],
    rows: f.hosts.map((h): Cell[] => [
      h.name,
      machineId(h.meta) ?? null,
      h.meta.capturedAt,
      [h.meta.host.os, h.meta.host.kernel].filter((x) => x).join(" ") || null,
      h.listeners.length,
      h.sessions,
      h.sockets,
      h.routes,
      h.interfaces,
      ...(ns ? [h.namespaces] : []),
      hostStatus(h.meta),
      h.file,
    ]),
    empty: "no hosts",
  };
}

function fleetListenerTable(f: Fleet): TableSpec {
  const rows: Cell[][] = [], titles: Array<string | null> = [];
  for (const h of f.hosts) {
    for (const r of h.listeners) {
      rows.push([h.name, ...r.cells]);
      titles.push(r.title);
    }
  }
  const columns: ColumnSpec[] = [col("Host", "mono", { facet: true }), ...LISTENER_COLUMNS];
  // No namespace anywhere: no Namespace column.
  const nsAt = columns.findIndex((c) => c.label === "Namespace");
  const keep = rows.some((r) => r[nsAt] !== null);
  return {
    id: "listeners",
    noun: "listeners",
    columns: keep ? columns : columns.filter((_, i) => i !== nsAt),
    rows: keep ? rows : rows.map((r) => r.filter((_, i) => i !== nsAt)),
    titles,
    sort: [3, 1],
    empty: "no listening sockets on any host",
  };
}

/** What stands out across the fleet: public listeners, and hosts with partial sections. */
function fleetHighlights(f: Fleet): string[] {
  const out: string[] = [];
  const publicOn = f.hosts.filter((h) => h.listeners.some((l) => l.cells[3] === "public"));
  if (publicOn.length) {
    out.push(
      `${badge("public")} listeners on ${plural(publicOn.length, "host")}: ${
        html(names(publicOn.map((h) => h.name)))
      }`,
    );
  }
  const partial = f.hosts.filter((h) => hostStatus(h.meta) !== "ok");
  if (partial.length) {
    out.push(
      `${badge("partial")} sections on ${plural(partial.length, "host")}: ${
        html(names(partial.map((h) => `${h.name} (${hostStatus(h.meta)})`), 4))
      }`,
    );
  }
  if (!out.length) out.push("Every section was captured on every host; no public listener.");
  return out;
}

/** The content of a fleet overview page. */
export function fleetContent(f: Fleet): ReportContent {
  const tables: TableSpec[] = [];
  const hosts = hostTable(f);
  const listeners = fleetListenerTable(f);
  tables.push(hosts, listeners);
  const times = f.hosts.map((h) => h.meta.capturedAt).sort();
  const sum = (k: "sessions" | "sockets") => f.hosts.reduce((n, h) => n + h[k], 0);
  const summary = `<p class="headline">${plural(f.hosts.length, "host")} in ${
    html(f.folder)
  }, captured ${
    times[0] === times[times.length - 1]
      ? when(times[0]!)
      : `${when(times[0]!)} → ${when(times[times.length - 1]!)}`
  }.</p>${
    figures([
      ["Hosts", grouped(f.hosts.length)],
      ["Listeners", grouped(listeners.rows.length)],
      ["Sessions", grouped(sum("sessions"))],
      ["Sockets", grouped(sum("sockets"))],
    ])
  }<h3>What stands out</h3>
<ul class="highlights">${fleetHighlights(f).map((x) => `<li>${x}</li>`).join("")}</ul>
<h3>Sections</h3>
${fleetStatus(f)}`;
  return {
    title: f.folder,
    kind: "Fleet",
    redacted: f.hosts.some((h) => h.meta.redacted === true),
    sections: [
      { id: "summary", title: "Summary", body: summary },
      { id: "hosts", title: "Hosts", body: mount(hosts) },
      {
        id: "listeners",
        title: "Listeners across the fleet",
        body: `<p class="hint">One row per listening socket per host.</p>${mount(listeners)}`,
      },
    ],
    data: { v: 1, tables },
  };
}

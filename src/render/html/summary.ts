/**
 * The report's first screen: the host, the capture times and interval, the status of every
 * section (partial sections and why), and what stands out or changed, in plain words.
 */
import type { Change, DiffDocument } from "../../diff/types.ts";
import { endpoint, isListener, isSession, listenerKey, socketRules } from "../../net/sockets.ts";
import { ownerOf } from "../../diff/util.ts";
import { programName } from "../../net/programs.ts";
import type { Meta, Snapshot } from "../../model.ts";
import { DIFF_SECTIONS } from "../../diff/kinds.ts";
import { duration } from "../diff_common.ts";
import { formatCount as grouped } from "../../format.ts";
import { attr, html } from "./escape.ts";
import { machineId } from "./hooks.ts";
import type { Series } from "./series.ts";
import type { TableSpec } from "./types.ts";
import { hostAddresses, judgedExposure } from "./tables.ts";
import { listenerVerdicts } from "../../net/filtered.ts";

/** How many lines a "what changed" list shows before pointing to the full list. */
const MAX_LINES = 20;

/**
 * A capture time as people read it (UTC, to the second; with `clock`, the time of day only), the
 * exact value in the tooltip.
 */
export function when(iso: string, clock = false): string {
  const shown = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.test(iso)
    ? (clock ? "" : iso.slice(0, 10) + " ") + iso.slice(11, 19) + " UTC"
    : iso;
  return `<time datetime="${attr(iso)}" title="${attr(iso)}">${html(shown)}</time>`;
}

/** A definition list of facts; rows with no value are left out. */
export function facts(rows: ReadonlyArray<[string, string | undefined]>): string {
  const kept = rows.filter((r): r is [string, string] => r[1] !== undefined && r[1] !== "");
  return `<dl class="facts">${
    kept.map(([k, v]) => `<dt>${html(k)}</dt><dd>${v}</dd>`).join("")
  }</dl>`;
}

/** A mount point for a table the page script renders (with a line for pages without script). */
export function mount(t: TableSpec): string {
  return `<div class="table" data-table="${t.id}"><noscript><p class="none">${
    grouped(t.rows.length)
  } ${html(t.noun)}: this table needs JavaScript.</p></noscript></div>`;
}

/** A card: a titled box in the summary grid. */
export function card(title: string, body: string): string {
  return `<div class="card"><h3>${html(title)}</h3>${body}</div>`;
}

/** A coloured word. */
export function badge(word: string, title?: string): string {
  const cls = word.toLowerCase().replace(/[^a-z0-9-]+/g, "-");
  return `<span class="badge b-${cls}"${title ? ` title="${attr(title)}"` : ""}>${
    html(word)
  }</span>`;
}

function hostFacts(m: Meta): Array<[string, string | undefined]> {
  const h = m.host;
  const sys = [h.os, h.kernel, h.arch].filter((x) => x).join(" ");
  const mid = machineId(m);
  return [
    ["Host", `<strong>${html(h.hostname)}</strong>`],
    ["System", sys ? html(sys) : undefined],
    ["Machine id", mid ? `<code>${html(mid)}</code>` : undefined],
    ["Booted", h.bootTime ? when(h.bootTime) : undefined],
    [
      "Namespace",
      m.netns?.id
        ? html(`${m.netns.id}${m.netns.inode ? ` (inode ${m.netns.inode})` : ""}`)
        : m.netns?.name
        ? html(m.netns.name)
        : m.netns?.inode
        ? `netns ${m.netns.inode}`
        : undefined,
    ],
  ];
}

function captureFacts(m: Meta, file: string | undefined): Array<[string, string | undefined]> {
  const labels = Object.entries(m.labels).map(([k, v]) => `<code>${html(k)}=${html(v)}</code>`);
  const src = m.source?.kind === "import"
    ? `imported from ${html((m.source.files ?? []).join(", ") || "saved outputs")}`
    : undefined;
  return [
    ["Captured", when(m.capturedAt)],
    ["Took", `${grouped(Math.round(m.durationMs))} ms`],
    ["File", file ? `<code>${html(file)}</code>` : undefined],
    ["Source", src],
    ["Privileges", m.privileges.root ? "root" : `uid ${m.privileges.uid ?? "?"} (not root)`],
    ["Labels", labels.length ? labels.join(" ") : undefined],
    [
      "Redacted",
      m.redacted ? badge("redacted", "addresses, MACs and host names are pseudonyms") : undefined,
    ],
    ["Tool", html(`${m.tool.name} ${m.tool.version} (${m.tool.runtime})`)],
  ];
}

/** Section name → status line cells for one snapshot. */
function statusCell(m: Meta, section: string): string {
  const st = (m.sections as Record<string, Meta["sections"]["connections"] | undefined>)[section];
  if (!st) return `<span class="none">—</span>`;
  const why = st.error ?? st.warnings?.join("; ");
  return `${badge(st.status)}${why ? ` <span class="why">${html(why)}</span>` : ""}`;
}

function sectionNames(metas: readonly Meta[]): string[] {
  const names: string[] = [];
  for (const m of metas) {
    for (const k of Object.keys(m.sections)) if (!names.includes(k)) names.push(k);
  }
  return names;
}

/** The section status table: one column per snapshot (before, after) or one for a single one. */
export function statusTable(metas: ReadonlyArray<[string, Meta]>): string {
  const names = sectionNames(metas.map((m) => m[1]));
  const head = metas.length > 1
    ? metas.map(([n]) => `<th>${html(n)}</th>`).join("")
    : "<th>Status</th>";
  const rows = names.map((s) =>
    `<tr><th scope="row">${html(s)}</th>${
      metas.map(([, m]) => `<td>${statusCell(m, s)}</td>`).join("")
    }</tr>`
  );
  return `<table class="status"><thead><tr><th>Section</th>${head}</tr></thead><tbody>${
    rows.join("")
  }</tbody></table>`;
}

/**
 * Per section, how its status went over several snapshots (a series', a fleet's): each status
 * with `spread` of the snapshots that had it, and the first warning or error.
 */
export function sectionStatusTable(
  items: ReadonlyArray<{ name: string; meta: Meta }>,
  spread: (status: string, names: string[], total: number) => string,
): string {
  const rows = sectionNames(items.map((x) => x.meta)).map((s) => {
    const by = new Map<string, string[]>();
    let why: string | undefined;
    for (const { name, meta } of items) {
      const st = (meta.sections as Record<string, Meta["sections"]["connections"] | undefined>)[s];
      const k = st?.status ?? "absent";
      by.set(k, [...(by.get(k) ?? []), name]);
      why ??= st?.error ?? st?.warnings?.[0];
    }
    const parts = [...by].map(([k, names]) =>
      `${badge(k)} ${html(spread(k, names, items.length))}`
    );
    return `<tr><th scope="row">${html(s)}</th><td>${parts.join(" ")}${
      why ? ` <span class="why">${html(why)}</span>` : ""
    }</td></tr>`;
  });
  return `<table class="status"><thead><tr><th>Section</th><th>Status</th></tr></thead><tbody>${
    rows.join("")
  }</tbody></table>`;
}

/** For a series: per section, how many snapshots were ok, and the first warning of the others. */
export function seriesStatus(series: Series): string {
  return sectionStatusTable(
    series.points.map((p) => ({ name: p.at, meta: p.meta })),
    (_k, names, total) => names.length === total ? "in all" : `in ${names.length} of ${total}`,
  );
}

function plural(n: number, one: string, many = one + "s"): string {
  return `${grouped(n)} ${n === 1 ? one : many}`;
}

/** What stands out in one snapshot: exposure of listeners, worrying states, queues, partial sections. */
export function highlights(s: Snapshot): string[] {
  const out: string[] = [];
  const hosts = hostAddresses(s);
  const redacted = s.meta.redacted === true;
  const reach = new Map<string, string[]>();
  let listeners = 0;
  const queued: string[] = [];
  const rules = socketRules(s);
  const verdicts = listenerVerdicts(s);
  for (const c of s.connections) {
    if (!isListener(c, rules)) continue;
    listeners++;
    const p = ownerOf(s, c);
    const name = `${c.protocol} ${endpoint(c.localAddress, c.localPort)}${
      p ? ` (${programName(p)})` : ""
    }`;
    const e = judgedExposure(c, hosts, redacted, verdicts.get(listenerKey(c))).kind;
    reach.set(e, [...(reach.get(e) ?? []), name]);
    if (c.protocol === "tcp" && c.recvQ > 0) queued.push(`${name}: ${c.recvQ} waiting`);
  }
  const list = (xs: string[]) =>
    xs.slice(0, 6).map((x) => `<code>${html(x)}</code>`).join(", ") +
    (xs.length > 6 ? ` and ${xs.length - 6} more` : "");
  if (listeners === 0) out.push("No listening sockets.");
  for (
    const [kind, words] of [
      ["public", "reachable from public addresses"],
      ["unknown", "whose reach cannot be told"],
      ["filtered", "that the firewall closes to other hosts"],
      ["private", "on private networks only"],
      ["loopback", "on loopback only"],
    ] as const
  ) {
    const xs = reach.get(kind);
    if (xs?.length) {
      out.push(`${badge(kind)} ${plural(xs.length, "listener")} ${words}: ${list(xs)}.`);
    }
  }
  for (const [k, v] of reach) {
    if (["public", "unknown", "filtered", "private", "loopback"].includes(k)) continue;
    out.push(`${badge(k)} ${plural(v.length, "listener")}: ${list(v)}.`);
  }
  if (queued.length) out.push(`Accept queues not empty: ${list(queued)}.`);
  const states = new Map<string, number>();
  for (const c of s.connections) {
    if (c.protocol === "tcp") states.set(c.state, (states.get(c.state) ?? 0) + 1);
  }
  const worry: Record<string, string> = {
    CLOSE_WAIT: "the peer closed but a program here has not closed its end",
    SYN_SENT: "connection attempts still waiting for an answer",
    SYN_RECV: "handshakes not completed",
  };
  for (const [state, meaning] of Object.entries(worry)) {
    const n = states.get(state) ?? 0;
    if (n > 0) out.push(`${plural(n, "socket")} in <code>${state}</code>: ${meaning}.`);
  }
  const tcp = s.counters.Tcp;
  if (tcp?.RetransSegs !== undefined && tcp.OutSegs !== undefined && tcp.OutSegs > 0n) {
    const bp = Number((tcp.RetransSegs * 10000n) / tcp.OutSegs) / 100;
    out.push(
      `Since boot, ${grouped(tcp.RetransSegs)} of ${
        grouped(tcp.OutSegs)
      } TCP segments were retransmitted (${bp.toFixed(2)}%).`,
    );
  }
  const over = s.counters.TcpExt?.ListenOverflows;
  if (over !== undefined && over > 0n) {
    out.push(`Since boot, listen queues overflowed ${grouped(over)} times.`);
  }
  for (const [name, st] of Object.entries(s.meta.sections)) {
    if (st !== undefined && st.status !== "ok") {
      out.push(
        `${badge(st.status)} <strong>${html(name)}</strong>: ${
          html(st.error ?? st.warnings?.join("; ") ?? "")
        }`,
      );
    }
  }
  return out;
}

function changeLine(c: Change, at?: string): string {
  const mark = c.kind.endsWith("opened") || c.kind.endsWith("added")
    ? "plus"
    : c.kind.endsWith("closed") || c.kind.endsWith("removed")
    ? "minus"
    : "tilde";
  return `<li class="chg ${mark}">${at ? `${when(at, true)} ` : ""}${badge(c.kind)} ${
    html(c.summary)
  }</li>`;
}

/** The changes worth reading first: notable ones, then listeners, then routes and interfaces. */
function firstChanges(changes: ReadonlyArray<{ change: Change; at?: string }>): string {
  const rank = (c: Change) =>
    c.notable
      ? 0
      : c.section === "listeners"
      ? 1
      : c.section === "routes"
      ? 2
      : c.kind === "interface-changed"
      ? 3
      : 9;
  // A timeline (changes with times) keeps time order and leaves counters to its charts.
  const timeline = changes.some((x) => x.at !== undefined);
  const picked = changes.filter((x) =>
    rank(x.change) < 9 && !(timeline && x.change.section === "counters")
  );
  if (!timeline) picked.sort((a, b) => rank(a.change) - rank(b.change));
  const shown = picked.slice(0, MAX_LINES);
  const rest = changes.length - shown.length;
  return `<ul class="changes-first">${shown.map((x) => changeLine(x.change, x.at)).join("")}</ul>${
    rest > 0
      ? `<p class="more"><a href="#changes">${plural(rest, "more change")} in the full list</a></p>`
      : ""
  }`;
}

/** Key figures as large numbers: `[label, value, detail?]`. */
export function figures(items: ReadonlyArray<[string, string, string?]>): string {
  return `<dl class="tiles figures">${
    items.map(([label, value, detail]) =>
      `<div class="tile"><dt>${html(label)}</dt><dd>${html(value)}${
        detail ? ` <small>${html(detail)}</small>` : ""
      }</dd></div>`
    ).join("")
  }</dl>`;
}

/** The most sessions of any snapshot of a series that holds them ("–" when none does). */
function sessionsMost(series: Series): string {
  const known = series.points.flatMap((p) => (p.sessions === null ? [] : [p.sessions]));
  return known.length === 0 ? "–" : grouped(Math.max(...known));
}

/** Counts of a snapshot: listening sockets, sessions, all sockets. */
function socketCounts(s: Snapshot): { listeners: number; sessions: number } {
  let listeners = 0, sessions = 0;
  const rules = socketRules(s);
  for (const c of s.connections) {
    if (isListener(c, rules)) listeners++;
    else if (isSession(c)) sessions++;
  }
  return { listeners, sessions };
}

const change = (a: number, b: number) => (a === b ? grouped(b) : `${grouped(a)} → ${grouped(b)}`);

/** The summary of a single snapshot. */
export function snapshotSummary(s: Snapshot, file: string | undefined): string {
  const h = highlights(s);
  const n = socketCounts(s);
  return `${
    figures([
      ["Listeners", grouped(n.listeners)],
      ["Sessions", grouped(n.sessions)],
      ["Sockets", grouped(s.connections.length)],
      ["Routes", grouped(s.routes.length)],
      ["Interfaces", grouped(s.interfaces.length)],
    ])
  }<div class="cards">${card("Host", facts(hostFacts(s.meta)))}${
    card("Capture", facts(captureFacts(s.meta, file)))
  }</div>
<h3>What stands out</h3>
<ul class="highlights">${h.map((x) => `<li>${x}</li>`).join("")}</ul>
<h3>Sections</h3>
${statusTable([["", s.meta]])}`;
}

/** "45 changes in 4.1s: 3 listeners, 2 sessions … (2 notable)" (times and host are in the cards). */
function diffHeadline(doc: DiffDocument): string {
  const n = doc.summary.total;
  const span = doc.intervalSeconds !== undefined ? ` in ${duration(doc.intervalSeconds)}` : "";
  if (n === 0) return `No changes${span}.`;
  const parts = DIFF_SECTIONS.filter((s) => doc.summary.bySection[s]).map((s) => {
    const k = doc.summary.bySection[s]!;
    return `${grouped(k)} ${k === 1 ? s.slice(0, -1) : s}`;
  });
  const notable = doc.summary.notable ? ` (${grouped(doc.summary.notable)} notable)` : "";
  return `${plural(n, "change")}${span}: ${parts.join(", ")}${notable}.`;
}

/** The summary of a before/after pair. */
export function diffSummary(before: Snapshot, after: Snapshot, doc: DiffDocument): string {
  const interval = doc.intervalSeconds !== undefined ? duration(doc.intervalSeconds) : undefined;
  const warnings = doc.warnings.map((w) => `<p class="warning">${html(w)}</p>`).join("");
  const a = socketCounts(before), b = socketCounts(after);
  return `<p class="headline">${html(diffHeadline(doc))}</p>${warnings}${
    figures([
      ["Changes", grouped(doc.summary.total)],
      ["Notable", grouped(doc.summary.notable)],
      ["Listeners", change(a.listeners, b.listeners)],
      ["Sessions", change(a.sessions, b.sessions)],
      ["Routes", change(before.routes.length, after.routes.length)],
    ])
  }
<div class="cards">${card("Host", facts(hostFacts(after.meta)))}${
    card("Before", facts(captureFacts(before.meta, doc.before.file)))
  }${
    card(
      "After",
      facts([
        ["Interval", interval ? html(interval) : undefined],
        ...captureFacts(after.meta, doc.after.file),
      ]),
    )
  }</div>
<h3>What changed</h3>
${
    doc.changes.length
      ? firstChanges(doc.changes.map((change) => ({ change })))
      : "<p>Nothing changed.</p>"
  }
<h3>Sections</h3>
${statusTable([["Before", before.meta], ["After", after.meta]])}`;
}

/** Every listed change of a series, with the capture time it was first seen at. */
export function seriesChanges(series: Series): Array<{ change: Change; at: string }> {
  return series.intervals.flatMap((i) => i.changes.map((change) => ({ change, at: i.at })));
}

function medianInterval(series: Series): number | undefined {
  const xs = series.intervals.map((i) => i.seconds).filter((x): x is number => x !== undefined)
    .sort((a, b) => a - b);
  return xs.length ? xs[xs.length >> 1] : undefined;
}

/** The summary of a series. */
export function seriesSummary(series: Series, peaks: string[]): string {
  const first = series.points[0]!, last = series.points[series.points.length - 1]!;
  const step = medianInterval(series);
  const changes = seriesChanges(series);
  const warnings = [...new Set(series.intervals.flatMap((i) => i.warnings))]
    .map((w) => `<p class="warning">${html(w)}</p>`).join("");
  return `<p class="headline">${plural(series.points.length, "snapshot")} of ${
    html(series.host)
  }, ${when(first.at)} → ${when(last.at)}${
    step !== undefined ? `, every ${html(duration(step))}` : ""
  }; ${plural(changes.length, "change")}.</p>${warnings}${
    figures([
      ["Snapshots", grouped(series.points.length)],
      ["Changes", grouped(changes.length)],
      ["Listeners seen", grouped(series.listeners.length)],
      ["Sessions, most", sessionsMost(series)],
    ])
  }
<div class="cards">${card("Host", facts(hostFacts(last.meta)))}${
    card(
      "Series",
      facts([
        ["First", when(first.at)],
        ["Last", when(last.at)],
        ["Snapshots", grouped(series.points.length)],
        ["Interval", step !== undefined ? `${html(duration(step))} (median)` : undefined],
        [
          "Folder",
          first.file ? `<code>${html(first.file.replace(/[^/]*$/, "") || ".")}</code>` : undefined,
        ],
      ]),
    )
  }</div>
<h3>What happened</h3>
${peaks.length ? `<ul class="highlights">${peaks.map((p) => `<li>${p}</li>`).join("")}</ul>` : ""}
${
    changes.length
      ? firstChanges(changes)
      : "<p>No listener, session, route or interface changed.</p>"
  }
<h3>Sections</h3>
${seriesStatus(series)}`;
}

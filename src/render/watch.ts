/**
 * The screen of `nsnap watch`, as a pure function: a watch state and a terminal size in, exactly
 * `rows` lines of at most `cols` columns out. The command writes them to the alternate screen;
 * tests read them as text.
 *
 * Layout: a title line (host, time, interval, samples, recording, FROZEN), the pane tabs, the
 * pane, and a line of keys (or the last problem). The panes: 1 overview (notable counter rates,
 * interface throughput, sessions by state, the latest changes), 2 sessions (by TCP state and by
 * remote service), 3 listeners (accept queues: recvQ, and the backlog where the capture has it),
 * 4 changes (every change since the start, scrollable). A larger terminal gets more rows in every
 * table; below 40×10 the screen says it is too small.
 *
 * Every string from a snapshot is escaped (util/escape.ts) once before it is measured and cut
 * (table cells by the table renderer, free lines here), so no name can move the cursor or colour
 * the screen; colour (never with NO_COLOR, the command
 * decides) is added after the text is laid out, so it never changes a width.
 */
import { formatBytes, formatCount, formatDuration, formatRate } from "../format.ts";
import { endpoint } from "../net/sockets.ts";
import { escapeText } from "../util/escape.ts";
import { PANES, type WatchState, type WatchView } from "../watch/model.ts";
import {
  type Column,
  makePaint,
  type Paint,
  PLAIN,
  renderTable,
  textWidth,
  truncateEnd,
} from "./table.ts";

/** The terminal the screen is laid out for. */
export interface WatchScreen {
  cols: number;
  rows: number;
  /** Colour (a terminal, and NO_COLOR unset). */
  color: boolean;
}

/** The smallest screen the watch lays out. */
export const MIN_COLS = 40, MIN_ROWS = 10;

const TITLES: Record<(typeof PANES)[number], string> = {
  overview: "Overview",
  sessions: "Sessions",
  listeners: "Listeners",
  changes: "Changes",
};

/** The key line. */
export const KEY_HELP = "1-4/Tab: pane  space/f: freeze  j/k ↑↓: scroll  q: quit";

const clock = (iso: string) => (iso.length >= 19 ? iso.slice(11, 19) : iso);

/** Text cut to `cols` columns (escaped first when it comes from a snapshot). */
function fit(text: string, cols: number): string {
  return truncateEnd(text, cols);
}

const rate = (v: number | null) => (v === null ? "–" : formatRate(v));
const bytesRate = (v: number | null) => (v === null ? "–" : `${formatBytes(Math.round(v))}/s`);

/** A table laid out plain in `cols`, cut to `limit` body rows, header in bold. */
function table(
  columns: Column[],
  rows: string[][],
  cols: number,
  limit: number,
  paint: Paint,
): string[] {
  if (limit <= 0) return [];
  const shown = rows.length > limit ? rows.slice(0, Math.max(0, limit - 1)) : rows;
  const lines = renderTable(columns, shown, { width: cols, paint: PLAIN }).trimEnd().split("\n")
    .map((l) => fit(l, cols));
  if (rows.length > shown.length) lines.push(fit(`  … ${rows.length - shown.length} more`, cols));
  return lines.map((l, i) => (i === 0 ? paint.bold(l) : l));
}

function heading(text: string, cols: number, paint: Paint): string {
  return paint.bold(fit(text, cols));
}

function titleLine(state: WatchState, view: WatchView | undefined, s: WatchScreen, paint: Paint) {
  const left = [
    "nsnap watch",
    escapeText(state.host),
    view ? `${clock(view.at)} UTC` : "starting…",
    `every ${formatDuration(state.intervalMs)}`,
    `#${formatCount(state.samples)}`,
  ].join("  ");
  const flags = [
    state.recording ? `REC ${formatCount(state.recording.files)}` : "",
    state.frozen ? "FROZEN" : "",
  ].filter((x) => x !== "").join("  ");
  const room = s.cols - (flags ? textWidth(flags) + 2 : 0);
  const l = fit(left, Math.max(0, room));
  if (!flags) return paint.bold(l);
  const gap = " ".repeat(Math.max(2, s.cols - textWidth(l) - textWidth(flags)));
  return paint.bold(l) + gap + paint.yellow(flags);
}

function tabLine(state: WatchState, s: WatchScreen, paint: Paint): string {
  const parts = PANES.map((p, i) => {
    const label = `${i + 1} ${TITLES[p]}`;
    return p === state.pane ? `[${label}]` : ` ${label} `;
  });
  let line = fit(parts.join(" ").trimEnd(), s.cols);
  const current = PANES.indexOf(state.pane);
  const open = `[${current + 1} ${TITLES[state.pane]}]`;
  if (line.includes(open)) line = line.replace(open, paint.bold(open));
  return line;
}

/**
 * Shares `h` lines among sections that each want `want` lines and need at least `min`: every
 * section gets its minimum (as far as lines go), then the rest is handed out in order.
 */
export function share(h: number, sections: ReadonlyArray<{ want: number; min: number }>): number[] {
  const got = sections.map(() => 0);
  let left = h;
  sections.forEach((x, i) => {
    const n = Math.max(0, Math.min(x.min, x.want, left));
    got[i] = n;
    left -= n;
  });
  sections.forEach((x, i) => {
    const n = Math.max(0, Math.min(x.want - got[i]!, left));
    got[i]! += n;
    left -= n;
  });
  return got;
}

function overview(view: WatchView, state: WatchState, s: WatchScreen, h: number, paint: Paint) {
  // Counters that moved since the start first, then the rest, each in the kernel's order.
  const rates = [...view.rates].sort((a, b) =>
    Number((b.sinceStart ?? 0n) > 0n) - Number((a.sinceStart ?? 0n) > 0n)
  );
  const notes = view.notes.map((n) => paint.yellow(fit(`note: ${escapeText(n)}`, s.cols)));
  const fixed = 1 + notes.length; // the sessions line and the notes
  // Room goes first to the counters that moved, the traffic and the changes; counters that
  // stayed at zero get what is left.
  const moved = rates.filter((r) => (r.sinceStart ?? 0n) > 0n).length;
  const [movedRows, trafficRows, changeRows, stillRows] = share(h - fixed, [
    { want: moved + 1, min: 4 },
    { want: view.traffic.length + 1, min: 3 },
    { want: state.changes.length + 1 || 2, min: 2 },
    { want: rates.length - moved, min: 0 },
  ]) as [number, number, number, number];
  const counterRows = movedRows + stillRows;
  const out: string[] = [];
  out.push(...table(
    [
      { header: "Counter", shrink: true, minWidth: 12 },
      { header: "per second", align: "right" },
      { header: "since start", align: "right" },
    ],
    rates.map((
      r,
    ) => [r.label, rate(r.perSecond), r.sinceStart === null ? "–" : formatCount(r.sinceStart)]),
    s.cols,
    counterRows - 1,
    paint,
  ));
  out.push(...table(
    [
      { header: "Interface", shrink: true, minWidth: 6 },
      { header: "rx", align: "right" },
      { header: "tx", align: "right" },
      { header: "packets/s", align: "right" },
      { header: "errors+drops/s", align: "right" },
    ],
    view.traffic.map((t) => [
      t.namespace === undefined ? t.name : `${t.namespace}/${t.name}`,
      bytesRate(t.rxBytes),
      bytesRate(t.txBytes),
      t.rxPackets === null || t.txPackets === null ? "–" : formatRate(t.rxPackets + t.txPackets),
      rate(t.trouble),
    ]),
    s.cols,
    trafficRows - 1,
    paint,
  ));
  const states = view.states.map((x) => `${x.state} ${formatCount(x.count)}`).join(", ");
  out.push(fit(
    view.sessions === null
      ? "Sessions: not captured"
      : `Sessions ${formatCount(view.sessions)}${states ? `: ${states}` : ""}`,
    s.cols,
  ));
  out.push(...notes);
  if (changeRows > 0) {
    out.push(
      heading(`Changes since ${state.startedAt ? clock(state.startedAt) : "start"}`, s.cols, paint),
    );
    const recent = changeRows > 1 ? state.changes.slice(-(changeRows - 1)) : [];
    if (recent.length === 0 && changeRows > 1) out.push(fit("  none yet", s.cols));
    for (const c of recent) out.push(changeLine(c, s.cols, paint));
  }
  return out;
}

function changeLine(c: WatchState["changes"][number], cols: number, paint: Paint): string {
  const text = fit(`${clock(c.at)} ${c.mark} ${c.kind}  ${escapeText(c.summary)}`, cols);
  const color = c.mark === "+" ? paint.green : c.mark === "~" ? paint.yellow : paint.red;
  const at = text.indexOf(` ${c.mark} `);
  return at < 0 ? text : text.slice(0, at + 1) + color(c.mark) + text.slice(at + 2);
}

function sessions(view: WatchView, s: WatchScreen, h: number, paint: Paint): string[] {
  if (view.sessions === null) {
    return [fit("Sessions were not captured (a compact capture).", s.cols)];
  }
  const out: string[] = [fit(`${formatCount(view.sessions)} connected sockets (sessions)`, s.cols)];
  const stateRows = Math.min(view.states.length + 1, Math.max(3, Math.floor((h - 2) * 0.4)));
  out.push(...table(
    [{ header: "TCP state" }, { header: "sockets", align: "right" }],
    view.states.map((x) => [x.state, formatCount(x.count)]),
    s.cols,
    stateRows - 1,
    paint,
  ));
  const left = h - out.length;
  out.push(...table(
    [
      { header: "Remote service", shrink: true, minWidth: 16 },
      { header: "sessions", align: "right" },
      { header: "change", align: "right" },
    ],
    view.services.map((x) => [
      x.label,
      formatCount(x.count),
      x.delta === 0 ? "" : x.delta > 0 ? `+${x.delta}` : String(x.delta),
    ]),
    s.cols,
    left - 1,
    paint,
  ));
  return out;
}

function listeners(view: WatchView, s: WatchScreen, h: number, paint: Paint): string[] {
  const withBacklog = view.listeners.some((l) => l.backlog !== undefined);
  const columns: Column[] = [
    { header: "Proto" },
    { header: "Local address", shrink: true, minWidth: 12 },
    { header: "Program", shrink: true, minWidth: 8 },
    { header: "Recv-Q", align: "right" },
  ];
  if (withBacklog) {
    columns.push({ header: "Backlog", align: "right" }, { header: "full", align: "right" });
  }
  const rows = view.listeners.map((l) => {
    const row = [
      l.protocol,
      l.namespace === undefined
        ? endpoint(l.address, l.port)
        : `${l.namespace} ${endpoint(l.address, l.port)}`,
      l.program !== undefined
        ? `${l.program}${l.pid !== undefined ? ` (${l.pid})` : ""}`
        : l.pid !== undefined
        ? String(l.pid)
        : "?",
      formatCount(l.recvQ),
    ];
    if (withBacklog) {
      row.push(
        l.backlog === undefined ? "" : formatCount(l.backlog),
        l.backlog ? `${Math.round((100 * l.recvQ) / l.backlog)}%` : "",
      );
    }
    return row;
  });
  const n = view.listeners.length;
  const out = [fit(
    `${formatCount(n)} listening ${n === 1 ? "socket" : "sockets"}; accept queues (Recv-Q${
      withBacklog ? " of the backlog" : ""
    }), fullest first`,
    s.cols,
  )];
  out.push(...table(columns, rows, s.cols, h - out.length - 1, paint));
  return out;
}

function changes(state: WatchState, s: WatchScreen, h: number, paint: Paint): string[] {
  const n = state.changes.length;
  const head = `${formatCount(n)} ${n === 1 ? "change" : "changes"} since ${
    state.startedAt ? clock(state.startedAt) : "start"
  }${state.droppedChanges ? ` (${formatCount(state.droppedChanges)} older not kept)` : ""}${
    state.scroll ? `, ${state.scroll} back from the newest` : ""
  }`;
  const out = [heading(head, s.cols, paint)];
  const room = h - 1;
  const end = n - state.scroll;
  const shown = state.changes.slice(Math.max(0, end - room), end);
  if (shown.length === 0) {
    out.push(
      fit("  none yet: listeners, routes, interfaces and settings that change show here", s.cols),
    );
  }
  for (const c of shown) out.push(changeLine(c, s.cols, paint));
  return out;
}

/**
 * The screen for `state` on a terminal of `screen.cols` × `screen.rows`: exactly `rows` lines,
 * none wider than `cols` columns (colour codes aside).
 *
 * @example
 * ```ts
 * import { startWatch } from "../watch/model.ts";
 * import { renderWatch } from "./watch.ts";
 * const lines = renderWatch(startWatch("web-1", 1000), { cols: 80, rows: 24, color: false });
 * lines.length; // 24
 * ```
 */
export function renderWatch(state: WatchState, screen: WatchScreen): string[] {
  const paint = makePaint(screen.color);
  const { cols, rows } = screen;
  if (cols < MIN_COLS || rows < MIN_ROWS) {
    const msg = [
      `terminal too small (${cols}×${rows})`,
      `nsnap watch needs ${MIN_COLS}×${MIN_ROWS}`,
      "q: quit",
    ];
    return Array.from(
      { length: Math.max(0, rows) },
      (_, i) => fit(msg[i] ?? "", Math.max(0, cols)),
    );
  }
  const view = state.frozen ?? state.view;
  const body = rows - 3;
  let lines: string[];
  if (view === undefined) lines = [fit("waiting for the first samples…", cols)];
  else {
    switch (state.pane) {
      case "overview":
        lines = overview(view, state, screen, body, paint);
        break;
      case "sessions":
        lines = sessions(view, screen, body, paint);
        break;
      case "listeners":
        lines = listeners(view, screen, body, paint);
        break;
      case "changes":
        lines = changes(state, screen, body, paint);
        break;
    }
  }
  lines = lines.slice(0, body);
  while (lines.length < body) lines.push("");
  const foot = state.status !== undefined
    ? paint.red(fit(escapeText(state.status), cols))
    : paint.dim(fit(state.frozen ? `FROZEN: space/f to resume  ${KEY_HELP}` : KEY_HELP, cols));
  return [titleLine(state, view, screen, paint), tabLine(state, screen, paint), ...lines, foot];
}

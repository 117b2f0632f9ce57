/** The benchmark's result table, in markdown: medians, spread, peak RSS and ratios to a baseline. */

/** One measured command in one group (a socket count, idle, diff). */
export interface Row {
  group: string;
  tool: string;
  runs: number;
  medianMs?: number;
  minMs?: number;
  maxMs?: number;
  rssKb?: number;
  /** Why there is no figure (skipped or failed). */
  note?: string;
}

const ms = (v: number) => v >= 100 ? v.toFixed(0) : v.toFixed(1);
const mb = (kb: number) => (kb / 1024).toFixed(1);
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

/** Renders rows as a markdown table; ratios are to the `baseline` tool of the same group. */
export function renderTable(rows: Row[], baseline: string): string {
  const head = [
    `| group | command | median ms | min–max ms | peak RSS MB | time vs ${baseline} | RSS vs ${baseline} |`,
    "|---|---|--:|--:|--:|--:|--:|",
  ];
  const lines = rows.map((r) => {
    const base = rows.find((b) => b.group === r.group && b.tool === baseline);
    if (r.medianMs === undefined) {
      return `| ${r.group} | ${r.tool} | — | — | — | — | ${r.note ? `— (${r.note})` : "—"} |`;
    }
    const t = base?.medianMs !== undefined ? ratio(r.medianMs, base.medianMs) : "";
    const m = base?.rssKb !== undefined && r.rssKb !== undefined ? ratio(r.rssKb, base.rssKb) : "";
    return `| ${r.group} | ${r.tool} | ${ms(r.medianMs)} | ${ms(r.minMs!)}–${ms(r.maxMs!)} | ` +
      `${r.rssKb === undefined ? "?" : mb(r.rssKb)} | ${t} | ${m} |`;
  });
  return [...head, ...lines].join("\n");
}

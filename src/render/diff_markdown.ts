/**
 * The diff as Markdown for tickets and pull-request comments: a summary line, warnings as a
 * quote, and one table per section.
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
import { changeMark } from "./diff_text.ts";
import { append } from "../diff/util.ts";
import { displayText } from "./table.ts";

/**
 * Data as Markdown text, in a table cell or not: control characters escaped visibly first
 * (util/escape.ts, so no raw newline can end a row), then every character Markdown would act on
 * (`\\`, `|`, `` ` ``, `*`, `_`, `~`, `&`, `<`, `>`, `[`, `]`) escaped with a backslash, so that no
 * name can break a table, open a code span or a link, or render as another value.
 */
export function mdCell(s: string): string {
  return displayText(s).replace(/[\\|`*_~&<>[\]]/g, "\\$&");
}

/**
 * Data as a Markdown code span: escaped visibly (util/escape.ts), then fenced with more
 * backticks than it holds in a row, so that nothing inside is read as Markdown.
 */
export function mdCode(s: string): string {
  const text = displayText(s);
  const run = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = "`".repeat(run + 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A table; every cell is data and escaped, but the change marks of `marked` tables (ours). */
function table(header: string[], rows: string[][], right: number[] = [], marked = false): string[] {
  const align = header.map((_, i) => (right.includes(i) ? "---:" : "---"));
  return [
    `| ${header.join(" | ")} |`,
    `| ${align.join(" | ")} |`,
    ...rows.map((r) => `| ${r.map((c, i) => (marked && i === 0 ? c : mdCell(c))).join(" | ")} |`),
  ];
}

function changeTable(changes: readonly Change[]): string[] {
  return table(
    ["", "Kind", "Change"],
    changes.map((c) => [changeMark(c), c.kind, c.summary]),
    [],
    true,
  );
}

function countersTable(changes: readonly ChangeIn<"counters">[]): string[] {
  const out: string[] = [];
  const notable = changes.filter((c) => c.notable);
  for (const c of notable) out.push(`- **${mdCell(c.summary)}**`);
  const rows = changes.filter((c) => c.key.group !== "*").map((c) => [
    ...counterCells(c),
    c.kind,
  ]);
  if (rows.length) {
    if (out.length) out.push("");
    out.push(...table(["Counter", "Before", "After", "Delta", "Per second", "Kind"], rows, [
      1,
      2,
      3,
      4,
    ]));
  }
  return out;
}

function interfacesTable(changes: readonly ChangeIn<"interfaces">[]): string[] {
  const others = changes.filter((c) => !isTrafficRow(c));
  const out = others.length ? changeTable(others) : [];
  const rows = changes.filter(isTrafficRow).map(trafficCells);
  if (rows.length) {
    if (out.length) out.push("");
    out.push(...table([...TRAFFIC_HEADERS], rows, [1, 2, 3, 4, 5]));
  }
  return out;
}

/** Renders a diff document as Markdown. */
export function renderDiffMarkdown(doc: DiffDocument): string {
  const out: string[] = ["## nsnap diff", "", `**${mdCell(headline(doc))}**`];
  const files = [doc.before.file, doc.after.file];
  if (files[0] !== undefined || files[1] !== undefined) {
    out.push("", `Compared ${mdCode(files[0] ?? "?")} → ${mdCode(files[1] ?? "?")}`);
  }
  if (doc.warnings.length) {
    out.push("", ...doc.warnings.map((w) => `> ⚠ ${mdCell(w)}`));
  }
  for (const s of DIFF_SECTIONS) {
    const changes = changesOf(doc, s);
    const showStates = s === "sessions" && (changes.length > 0 || statesMoved(doc));
    if (!doc.sections.includes(s) || (changes.length === 0 && !showStates)) continue;
    out.push("", `### ${SECTION_TITLES[s]}`, "");
    if (changes.length > 0) {
      append(
        out,
        s === "counters"
          ? countersTable(changesOf(doc, s))
          : s === "interfaces"
          ? interfacesTable(changesOf(doc, s))
          : changeTable(changes),
      );
    }
    if (showStates) {
      if (changes.length > 0) out.push("");
      append(out, table(["TCP state", "Before", "After", "Change"], stateRows(doc), [1, 2, 3]));
    }
  }
  return out.join("\n") + "\n";
}

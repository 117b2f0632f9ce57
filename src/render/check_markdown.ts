/**
 * The check result as Markdown, for tickets, pull-request comments and the GitHub step summary:
 * a verdict line per host, then a table of the rules that failed or were not evaluated (with
 * their violations), and a count of those that hold.
 */
import type { CheckDocumentOut, HostResultOut, RuleResultOut } from "../check/result.ts";
import { mdCell } from "./diff_markdown.ts";
import { hostCounts, STATUS_WORD } from "./check_common.ts";
import { escapeText } from "../util/escape.ts";

const SHOWN = 5;

/**
 * A code span that no backtick inside the text can close early; in a table cell a pipe is
 * escaped too (GFM reads `\|` as a pipe even inside a code span).
 */
function code(s: string, cell = false): string {
  const text = cell ? escapeText(s).replace(/\|/g, "\\|") : escapeText(s);
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const fence = "`".repeat(longest + 1);
  return `${fence}${/^`|`$/.test(text) ? ` ${text} ` : text}${fence}`;
}

function details(r: RuleResultOut): string {
  if (r.status === "not-evaluated") return mdCell(`not evaluated: ${r.reason ?? ""}`);
  const shown = r.violations.slice(0, SHOWN).map((v) => mdCell(v.message));
  if (r.violations.length > SHOWN) shown.push(`… and ${r.violations.length - SHOWN} more`);
  return shown.join("<br>");
}

function hostSection(file: string, h: HostResultOut, verbose: boolean): string[] {
  const verdict = h.verdict === "pass" ? "✅ PASS" : "❌ FAIL";
  const where = [h.file !== undefined ? code(h.file) : "", `captured ${h.capturedAt}`]
    .filter(Boolean).join(", ");
  const out = [
    `### ${mdCell(h.host)}: ${verdict}`,
    "",
    `${where} — ${hostCounts(h)}`,
    "",
  ];
  for (const w of h.warnings) out.push(`> ⚠️ ${mdCell(w)}`, "");
  const rows = h.rules.filter((r) => verbose || r.status !== "pass");
  if (rows.length) {
    out.push("| Status | Rule | Line | Says | Found |", "| --- | --- | ---: | --- | --- |");
    for (const r of rows) {
      const id = r.name !== undefined ? `${code(r.id, true)} ${mdCell(r.name)}` : code(r.id, true);
      out.push(
        `| ${STATUS_WORD[r.status]} | ${id} | ${code(`${file}:${r.line}`, true)} | ${
          mdCell(r.rule)
        } | ${details(r)} |`,
      );
    }
    out.push("");
  }
  return out;
}

/** Renders the check document as Markdown. */
export function renderCheckMarkdown(
  doc: CheckDocumentOut,
  opts: { verbose?: boolean } = {},
): string {
  const s = doc.summary;
  const head = doc.verdict === "pass"
    ? "✅ every host passes"
    : `❌ ${s.hostsFailed} of ${s.hosts} ${s.hosts === 1 ? "host fails" : "hosts fail"}`;
  const out = [`## nsnap check ${code(doc.policy.file)}: ${head}`, ""];
  for (const h of doc.hosts) out.push(...hostSection(doc.policy.file, h, opts.verbose ?? false));
  if (doc.hosts.length === 0) out.push("No snapshots to check.", "");
  return out.join("\n");
}

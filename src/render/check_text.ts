/**
 * The check result as text for people: per host a verdict line, then every rule that failed
 * (with each violation: the record and why) or was not evaluated (with the reason), each headed
 * by `policy.yaml:LINE rule-id` so an editor can jump to the rule. Fits 80 columns; text from
 * snapshots is escaped (`escapeText`, util/escape.ts).
 */
import type { CheckDocumentOut, HostResultOut, RuleResultOut } from "../check/result.ts";
import { hostCounts, ruleLabel, STATUS_WORD, wrapText } from "./check_common.ts";
import { escapeText } from "../util/escape.ts";
import { type Paint, PLAIN } from "./table.ts";

/** How to render. */
export interface CheckTextOptions {
  /** List the rules that hold too, and every violation (default: 10 per rule). */
  verbose?: boolean;
  paint?: Paint;
  width?: number;
}

const SHOWN = 10;

function block(first: string, text: string, indent: number, width: number): string[] {
  const pad = " ".repeat(indent);
  return wrapText(escapeText(text), width - indent - first.length).map((l, i) =>
    i === 0 ? `${pad}${first}${l}` : `${pad}${" ".repeat(first.length)}${l}`
  );
}

function ruleLines(file: string, r: RuleResultOut, o: Required<CheckTextOptions>): string[] {
  const color = r.status === "fail"
    ? o.paint.red
    : r.status === "pass"
    ? o.paint.green
    : o.paint.yellow;
  const word = STATUS_WORD[r.status];
  const out = block("", ruleLabel(file, r), 2 + 5, o.width);
  out[0] = `  ${color(word.padEnd(4))} ${out[0]!.slice(7)}`;
  out.push(...block("", r.rule, 7, o.width).map(o.paint.dim));
  if (r.status === "not-evaluated") {
    out.push(...block("", `not evaluated: ${r.reason ?? ""}`, 7, o.width));
  }
  const shown = o.verbose ? r.violations : r.violations.slice(0, SHOWN);
  for (const v of shown) out.push(...block("- ", v.message, 7, o.width));
  if (shown.length < r.violations.length) {
    out.push(
      `       … and ${
        r.violations.length - shown.length
      } more (-v or --format json lists every one)`,
    );
  }
  return out;
}

function hostLines(file: string, h: HostResultOut, o: Required<CheckTextOptions>): string[] {
  const verdict = h.verdict === "pass" ? "PASS" : "FAIL";
  const head = block("", `${h.host}: ${verdict}`, 0, o.width);
  // The verdict is coloured after wrapping, so that the width counts only what shows.
  const last = head.length - 1;
  head[last] = head[last]!.slice(0, -4) +
    (h.verdict === "pass" ? o.paint.green(verdict) : o.paint.red(verdict));
  const out = [...head.map((l, i) => (i === 0 ? o.paint.bold(l) : l))];
  out.push(...block("", hostCounts(h), 2, o.width));
  const where = [
    ...(h.file !== undefined ? [h.file] : []),
    `captured ${h.capturedAt}`,
    ...(h.baseline ? [`baseline ${h.baseline.file ?? h.baseline.capturedAt}`] : []),
  ];
  out.push(...block("", where.join(", "), 2, o.width).map(o.paint.dim));
  for (const w of h.warnings) out.push(...block("warning: ", w, 2, o.width).map(o.paint.yellow));
  const shown = h.rules.filter((r) => o.verbose || r.status !== "pass");
  for (const r of shown) out.push(...ruleLines(file, r, o));
  return out;
}

/** Renders the check document as text. */
export function renderCheckText(doc: CheckDocumentOut, opts: CheckTextOptions = {}): string {
  const o: Required<CheckTextOptions> = { verbose: false, paint: PLAIN, width: 80, ...opts };
  const out: string[] = [];
  for (const h of doc.hosts) {
    if (out.length) out.push("");
    out.push(...hostLines(doc.policy.file, h, o));
  }
  if (doc.hosts.length === 0) out.push("no snapshots to check");
  if (doc.hosts.length > 1) {
    const s = doc.summary;
    out.push(
      "",
      ...block(
        "",
        `${s.hosts} hosts: ${s.hostsFailed} ${s.hostsFailed === 1 ? "fails" : "fail"}, ${
          s.hosts - s.hostsFailed
        } ${
          s.hosts - s.hostsFailed === 1 ? "passes" : "pass"
        } (${s.violations} violations, ${s.notEvaluated} rules not evaluated)`,
        0,
        o.width,
      ),
    );
  }
  return out.join("\n") + "\n";
}

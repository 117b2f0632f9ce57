/**
 * What the `nsnap check` renderers share: line wrapping within a width, the words for statuses,
 * and the headline of a host.
 *
 * Text from a snapshot (program names, interface names, host names) is escaped by the one
 * escaper, `escapeText()` (util/escape.ts), exactly once per renderer: Markdown cells through
 * `mdCell()`, which escapes itself, the others before their own format's quoting.
 */
import type { HostResultOut, RuleResultOut } from "../check/result.ts";
import { cutToWidth, textWidth } from "./table.ts";

/**
 * Wraps text into lines of at most `width` columns, breaking at spaces and, for a word longer
 * than a line, inside the word between characters (never inside an emoji or a wide character).
 */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (word === "") continue;
    for (const piece of cutToWidth(word, width)) {
      if (line !== "" && textWidth(line) + 1 + textWidth(piece) > width) {
        lines.push(line);
        line = piece;
      } else line = line === "" ? piece : `${line} ${piece}`;
    }
  }
  if (line !== "" || lines.length === 0) lines.push(line);
  return lines;
}

/** The short word for a rule status. */
export const STATUS_WORD: Record<RuleResultOut["status"], string> = {
  pass: "ok",
  fail: "FAIL",
  "not-evaluated": "SKIP",
};

/** A rule's location and id: `policy.yaml:14 listeners.deny[0] "no telnet"`. */
export function ruleLabel(file: string, r: RuleResultOut): string {
  return `${file}:${r.line} ${r.id}${r.name !== undefined ? ` ${JSON.stringify(r.name)}` : ""}`;
}

/** "2 rules broken, 1 not evaluated, 7 hold" for a host. */
export function hostCounts(h: HostResultOut): string {
  const s = h.summary;
  const parts: string[] = [];
  if (s.failed) {
    parts.push(
      `${s.failed} ${s.failed === 1 ? "rule" : "rules"} broken (${s.violations} ${
        s.violations === 1 ? "violation" : "violations"
      })`,
    );
  }
  if (s.notEvaluated) parts.push(`${s.notEvaluated} not evaluated`);
  parts.push(`${s.passed} ${s.passed === 1 ? "holds" : "hold"}`);
  return `${s.rules} ${s.rules === 1 ? "rule" : "rules"}: ${parts.join(", ")}`;
}

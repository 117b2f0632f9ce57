/**
 * GitHub Actions output for a check: one workflow command per broken rule and host
 * (`::error file=policy.yaml,line=14,title=…::…`), shown as an annotation on the policy file's
 * line, and `::warning` for a rule not evaluated (`::error` under `--strict`).
 *
 * Escaping follows the runner's rules: in the message `%`, CR and LF become `%25`, `%0D`, `%0A`;
 * in property values `:` and `,` too (`%3A`, `%2C`). Text from snapshots is escaped for people
 * first (`escapeText`, util/escape.ts), so no control character reaches the log.
 */
import type { CheckDocumentOut } from "../check/result.ts";
import { escapeText } from "../util/escape.ts";

const SHOWN = 5;

/** Escapes a workflow command's message. */
export function ghData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** Escapes a workflow command's property value. */
export function ghProperty(s: string): string {
  return ghData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/** The annotation commands for a check document, one per line. */
export function renderCheckAnnotations(doc: CheckDocumentOut): string {
  const out: string[] = [];
  const file = ghProperty(doc.policy.file);
  for (const h of doc.hosts) {
    for (const r of h.rules) {
      if (r.status === "pass") continue;
      const level = r.status === "fail" || doc.strict ? "error" : "warning";
      const title = ghProperty(
        escapeText(`nsnap check ${h.host}: ${r.id}${r.name !== undefined ? ` ${r.name}` : ""}`),
      );
      const lines = r.status === "fail"
        ? r.violations.slice(0, SHOWN).map((v) => escapeText(v.message))
        : [escapeText(`not evaluated: ${r.reason ?? ""}`)];
      if (r.violations.length > SHOWN) lines.push(`… and ${r.violations.length - SHOWN} more`);
      out.push(
        `::${level} file=${file},line=${r.line},title=${title}::${ghData(lines.join("\n"))}`,
      );
    }
  }
  return out.length ? out.join("\n") + "\n" : "";
}

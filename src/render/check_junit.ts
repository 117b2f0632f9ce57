/**
 * The check result as JUnit XML for Jenkins, GitLab and other CI test reports: one `testsuite`
 * per host, one `testcase` per rule — a `failure` with the violations when the rule is broken,
 * `skipped` with the reason when it was not evaluated (a `failure` under `--strict`).
 *
 * The layout follows the de-facto JUnit schema the Ant task defined and Jenkins and GitLab read:
 * `testsuites` (name, tests, failures, errors, skipped, time) > `testsuite` (name, tests, failures,
 * errors, skipped, time, timestamp, hostname) > `properties`, `testcase` (classname, name, time,
 * and the `file`/`line` attributes GitLab and pytest use) > `failure` (message, type) or
 * `skipped` (message). Text from snapshots is escaped for people first (`escapeText`, util/escape.ts), which also
 * keeps out the characters XML 1.0 cannot hold at all, then for XML.
 */
import type { CheckDocumentOut, HostResultOut, RuleResultOut } from "../check/result.ts";
import { escapeText } from "../util/escape.ts";

/** Escapes text for XML content and attribute values. */
export function xmlEscape(s: string): string {
  return escapeText(s).replace(
    /[&<>"']/g,
    (c) =>
      c === "&"
        ? "&amp;"
        : c === "<"
        ? "&lt;"
        : c === ">"
        ? "&gt;"
        : c === '"'
        ? "&quot;"
        : "&apos;",
  );
}

function attrs(a: Record<string, string | number>): string {
  return Object.entries(a).map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`).join("");
}

/** JUnit wants a timestamp without a zone: the capture time in UTC, to the second. */
function timestamp(iso: string): string {
  return iso.replace(/(\.[0-9]+)?Z$/, "");
}

function testcase(file: string, h: HostResultOut, r: RuleResultOut, strict: boolean): string[] {
  const name = `${r.id}${r.name !== undefined ? ` ${JSON.stringify(r.name)}` : ""}: ${r.rule}`;
  const open = `    <testcase${
    attrs({ classname: `${h.host}.${r.section}`, name, file, line: r.line, time: 0 })
  }`;
  if (r.status === "pass") return [`${open}/>`];
  if (r.status === "not-evaluated" && !strict) {
    return [
      `${open}>`,
      `      <skipped${attrs({ message: `not evaluated: ${r.reason ?? ""}` })}/>`,
      "    </testcase>",
    ];
  }
  const message = r.status === "fail"
    ? `${r.violations.length} ${
      r.violations.length === 1 ? "violation" : "violations"
    } of ${file}:${r.line}`
    : `not evaluated (--strict): ${r.reason ?? ""}`;
  const body = r.status === "fail" ? r.violations.map((v) => v.message) : [r.reason ?? ""];
  return [
    `${open}>`,
    `      <failure${
      attrs({ message, type: r.status === "fail" ? "violation" : "not-evaluated" })
    }>${body.map(xmlEscape).join("\n")}</failure>`,
    "    </testcase>",
  ];
}

function counts(rules: readonly RuleResultOut[], strict: boolean) {
  const failures =
    rules.filter((r) => r.status === "fail" || (strict && r.status === "not-evaluated")).length;
  const skipped = strict ? 0 : rules.filter((r) => r.status === "not-evaluated").length;
  return { tests: rules.length, failures, errors: 0, skipped };
}

/** Renders the check document as JUnit XML. */
export function renderCheckJunit(doc: CheckDocumentOut): string {
  const file = doc.policy.file;
  const all = doc.hosts.flatMap((h) => h.rules);
  const out = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites${attrs({ name: `nsnap check ${file}`, ...counts(all, doc.strict), time: 0 })}>`,
  ];
  for (const h of doc.hosts) {
    out.push(
      `  <testsuite${
        attrs({
          name: h.host,
          ...counts(h.rules, doc.strict),
          time: 0,
          timestamp: timestamp(h.capturedAt),
          hostname: h.host,
        })
      }>`,
      "    <properties>",
      `      <property${attrs({ name: "policy", value: file })}/>`,
      ...(h.file !== undefined
        ? [`      <property${attrs({ name: "snapshot", value: h.file })}/>`]
        : []),
      ...(h.baseline?.file !== undefined
        ? [`      <property${attrs({ name: "baseline", value: h.baseline.file })}/>`]
        : []),
      "    </properties>",
    );
    for (const r of h.rules) out.push(...testcase(file, h, r, doc.strict));
    out.push("  </testsuite>");
  }
  out.push("</testsuites>");
  return out.join("\n") + "\n";
}

/**
 * The check renderers: text within 80 columns with snapshot text escaped; Markdown tables; JUnit
 * XML that a well-kept XML parser (fast-xml-parser) validates and reads back to the same counts
 * and messages; GitHub workflow commands escaped as the runner reads them.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import type { Snapshot } from "../../src/model.ts";
import { checkDocument, checkSnapshot } from "../../src/check/evaluate.ts";
import { parsePolicy } from "../../src/check/policy.ts";
import type { CheckDocumentOut } from "../../src/check/result.ts";
import { wrapText } from "../../src/render/check_common.ts";
import { textWidth } from "../../src/render/table.ts";
import { escapeText } from "../../src/util/escape.ts";
import { ghData, ghProperty, renderCheckAnnotations } from "../../src/render/check_github.ts";
import { renderCheckJunit } from "../../src/render/check_junit.ts";
import { renderCheckMarkdown } from "../../src/render/check_markdown.ts";
import { renderCheckText } from "../../src/render/check_text.ts";
import { iface, listen, proc, procs, route, snap } from "../diff/_build.ts";

const POLICY = `schema: nsnap-policy/v1
listeners:
  allow:
    - program: nginx
      port: 80
  deny:
    - name: nothing public
      scope: public
      except:
        - program: nginx
  required:
    - program: sshd
      port: 22
routes:
  required:
    - destination: default
      gateway: 10.0.0.1
settings:
  sysctl:
    net.ipv4.ip_forward: 0
  interfaces:
    - name: eth0
      up: true
rates:
  - Tcp.RetransSegs <= 1%
`;

/** The line of POLICY that holds `needle`. */
const at = (needle: string) => POLICY.split("\n").findIndex((l) => l.includes(needle)) + 1;

function hostSnap(hostname: string, program: string, extra = 0): Snapshot {
  const s = snap("2026-01-01T00:01:00.000Z", {
    connections: [
      listen("0.0.0.0", 80, 1),
      listen("203.0.113.9", 8443, 2),
      ...Array.from({ length: extra }, (_, i) => listen("127.0.0.1", 10000 + i, 2)),
    ],
    processes: procs(proc(1, "nginx"), { ...proc(2, program), exe: undefined } as never),
    routes: [route("0.0.0.0/0", { gateway: "10.0.0.1" })],
    interfaces: [iface("eth0")],
  });
  s.meta.host.hostname = hostname;
  return s;
}

function doc(hosts: Snapshot[], strict = false): CheckDocumentOut {
  const p = parsePolicy(POLICY, "policy.yaml");
  return checkDocument(
    p,
    hosts.map((h, i) => checkSnapshot(p, h, { file: `snaps/h${i}.json`, strict })),
    strict,
  );
}

test("text: each failure is headed by policy.yaml:LINE and the rule, each violation says why", () => {
  const text = renderCheckText(doc([hostSnap("web-1", "python3")]));
  assert.match(
    text,
    /^web-1: FAIL\n {2}7 rules: 2 rules broken \(2 violations\), 2 not evaluated, 3 hold\n {2}snaps\/h0\.json, captured 2026-01-01T00:01:00\.000Z\n/,
  );
  assert.match(
    text,
    new RegExp(
      `^ {2}FAIL policy\\.yaml:${at("- name: nothing")} listeners\\.deny\\[0\\] "nothing public"$`,
      "m",
    ),
  );
  assert.match(text, /^ {7}deny scope public; except program nginx$/m);
  assert.match(
    text,
    /^ {7}- tcp 203\.0\.113\.9:8443 \(python3, pid 2, uid 0\) on a public address:\n {9}denied$/m,
  );
  assert.match(
    text,
    new RegExp(
      `^ {2}SKIP policy\\.yaml:${
        at("ip_forward")
      } settings\\.sysctl\\["net\\.ipv4\\.ip_forward"\\]$`,
      "m",
    ),
  );
  assert.match(text, /^ {7}not evaluated: the snapshot has no settings section$/m);
  assert.match(
    text,
    new RegExp(
      `^ {2}FAIL policy\\.yaml:${at("- program: sshd")} listeners\\.required\\[0\\]$`,
      "m",
    ),
  );
  assert.doesNotMatch(text, /routes\.required/, "rules that hold are listed only with -v");
  const verbose = renderCheckText(doc([hostSnap("web-1", "python3")]), { verbose: true });
  assert.match(
    verbose,
    new RegExp(
      `^ {2}ok {3}policy\\.yaml:${at("- destination: default")} routes\\.required\\[0\\]$`,
      "m",
    ),
  );
  // Rules are listed in policy order.
  const ids = [...verbose.matchAll(/^ {2}(?:ok |FAIL|SKIP) policy\.yaml:([0-9]+)/gm)].map((m) =>
    Number(m[1])
  );
  assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
});

test("text: at most 10 violations per rule unless -v, and a fleet summary line", () => {
  const many = doc([hostSnap("a", "python3", 25), hostSnap("b", "python3")]);
  const text = renderCheckText(many);
  assert.match(text, /^ {7}… and 15 more \(-v or --format json lists every one\)$/m);
  assert.match(text, /^2 hosts: 2 fail, 0 pass \(29 violations, 4 rules not evaluated\)$/m);
  const verbose = renderCheckText(many, { verbose: true });
  assert.equal(verbose.split("\n").filter((l) => l.includes("not allowed")).length, 25);
});

test("property: text output fits 80 columns and shows no raw control character", () => {
  fc.assert(
    fc.property(
      fc.string({ unit: "binary", maxLength: 200 }),
      fc.string({ unit: "binary", maxLength: 60 }),
      (program, host) => {
        const text = renderCheckText(doc([hostSnap(host, program || "x", 1)]), { verbose: true });
        for (const line of text.split("\n")) {
          assert.ok(textWidth(line) <= 80, JSON.stringify(line)); // columns drawn, not code units
          assert.doesNotMatch(line, /[\p{Cc}\u2028\u2029\u202e]/u);
        }
      },
    ),
    { numRuns: 200 },
  );
});

test("escapeText() escapes one to one, so two different values never print alike", () => {
  assert.equal(escapeText("a\x1b[2Jb"), "a\\x1b[2Jb");
  assert.equal(escapeText("a\\x1b"), "a\\\\x1b");
  assert.equal(escapeText("tab\there\u202e"), "tab\\there\\u{202e}");
  fc.assert(
    fc.property(fc.string({ unit: "binary" }), fc.string({ unit: "binary" }), (a, b) => {
      if (a !== b) assert.notEqual(escapeText(a), escapeText(b));
    }),
    { numRuns: 500 },
  );
  assert.deepEqual(wrapText("x".repeat(25), 10), ["xxxxxxxxxx", "xxxxxxxxxx", "xxxxx"]);
  // A long word is cut between characters, never inside an emoji, and by columns drawn.
  assert.deepEqual(wrapText("abc🙂🙂def", 4), ["abc", "🙂🙂", "def"]);
  assert.deepEqual(wrapText("日本語です", 5), ["日本", "語で", "す"]);
});

test("markdown: a table of the rules that did not hold, pipes and markup escaped", () => {
  const md = renderCheckMarkdown(doc([hostSnap("web|1", "py*thon")]));
  assert.match(md, /^## nsnap check `policy\.yaml`: ❌ 1 of 1 host fails$/m);
  assert.match(md, /^### web\\\|1: ❌ FAIL$/m);
  const row = (status: string, id: string) =>
    md.split("\n").find((l) => l.startsWith(`| ${status} | \`${id}\``)) ?? "";
  assert.equal(
    row("FAIL", "listeners.deny[0]"),
    `| FAIL | \`listeners.deny[0]\` nothing public | \`policy.yaml:${at("- name: nothing")}\` | ` +
      "deny scope public; except program nginx | tcp 203.0.113.9:8443 (py\\*thon, pid 2, uid 0) " +
      "on a public address: denied |",
  );
  assert.match(
    row("SKIP", "rates[0]"),
    new RegExp(
      `^\\| SKIP \\| \`rates\\[0\\]\` \\| \`policy\\.yaml:${
        at("RetransSegs")
      }\` \\| Tcp\\.RetransSegs \\\\<= 1% \\|`,
    ),
  );
});

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "",
  parseAttributeValue: false,
  // Read values as written: by default the parser trims them, so a generated host name with a
  // leading or trailing space (" ", a CI-rare draw) read back without it.
  trimValues: false,
  isArray: (name) => ["testsuite", "testcase", "property"].includes(name),
});

interface JTestcase {
  classname: string;
  name: string;
  file: string;
  line: string;
  failure?: { message: string; type: string; "#text"?: string };
  skipped?: { message: string };
}

/** XML 1.0's Char production: what a document may hold at all. */
const XML_CHARS = /^[\t\n\r\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]*$/u;

function readJunit(xml: string) {
  const valid = XMLValidator.validate(xml);
  assert.equal(valid, true, JSON.stringify(valid));
  assert.match(xml, XML_CHARS); // the validator does not look at characters
  return parser.parse(xml).testsuites as {
    name: string;
    tests: string;
    failures: string;
    skipped: string;
    testsuite: Array<
      {
        name: string;
        tests: string;
        failures: string;
        skipped: string;
        timestamp: string;
        testcase: JTestcase[];
      }
    >;
  };
}

test("junit: one testsuite per host, one testcase per rule, counts that match the document", () => {
  const d = doc([hostSnap("web-1", "python3"), hostSnap("web-2", "nginx")]);
  const j = readJunit(renderCheckJunit(d));
  assert.equal(j.name, "nsnap check policy.yaml");
  assert.equal(Number(j.tests), d.hosts.reduce((n, h) => n + h.rules.length, 0));
  assert.equal(Number(j.failures), d.summary.failed);
  assert.equal(Number(j.skipped), d.summary.notEvaluated);
  assert.deepEqual(j.testsuite.map((s) => s.name), ["web-1", "web-2"]);
  for (const [i, s] of j.testsuite.entries()) {
    const h = d.hosts[i]!;
    assert.equal(s.timestamp, "2026-01-01T00:01:00");
    assert.equal(s.testcase.length, h.rules.length);
    assert.equal(Number(s.failures), h.summary.failed);
    for (const [k, tc] of s.testcase.entries()) {
      const r = h.rules[k]!;
      assert.equal(tc.classname, `${h.host}.${r.section}`);
      assert.ok(tc.name.startsWith(r.id), tc.name);
      assert.equal(Number(tc.line), r.line);
      assert.equal(tc.failure !== undefined, r.status === "fail", r.id);
      assert.equal(tc.skipped !== undefined, r.status === "not-evaluated", r.id);
      if (tc.failure) {
        assert.equal(
          tc.failure["#text"],
          r.violations.map((v) => v.message).join("\n"),
        );
      }
    }
  }
});

test("junit: --strict turns not evaluated into failures", () => {
  const d = doc([hostSnap("web-1", "nginx")], true);
  const j = readJunit(renderCheckJunit(d));
  assert.equal(Number(j.skipped), 0);
  const tc = j.testsuite[0]!.testcase.find((t) => t.name.startsWith("rates[0]"))!;
  assert.equal(tc.failure?.type, "not-evaluated");
});

test("junit: noncharacters in a name (U+FFFE, U+FFFF), which XML 1.0 cannot hold, are escaped", () => {
  const j = readJunit(renderCheckJunit(doc([hostSnap("web\ufffe1\uffff", "x")])));
  assert.equal(j.testsuite[0]!.name, "web\\u{fffe}1\\u{ffff}");
});

test("property: junit stays valid XML and reads back to the escaped text, whatever the names", () => {
  fc.assert(
    fc.property(
      fc.string({ unit: "binary", maxLength: 40 }),
      fc.string({ unit: "binary", maxLength: 40 }),
      (program, host) => {
        const d = doc([hostSnap(host, program || "x")]);
        const j = readJunit(renderCheckJunit(d));
        assert.equal(j.testsuite[0]!.name, escapeText(host));
        const deny = j.testsuite[0]!.testcase.find((t) => t.name.startsWith("listeners.deny[0]"))!;
        assert.equal(
          deny.failure?.["#text"],
          escapeText(
            d.hosts[0]!.rules.find((r) => r.id === "listeners.deny[0]")!.violations[0]!.message,
          ),
        );
      },
    ),
    { numRuns: 200 },
  );
});

/** The runner's unescaping of workflow command data and properties. */
function unescapeGh(s: string): string {
  return s.replace(/%0D/g, "\r").replace(/%0A/g, "\n").replace(/%3A/g, ":").replace(/%2C/g, ",")
    .replace(/%25/g, "%");
}

test("github: one ::error per broken rule at its line, ::warning when not evaluated", () => {
  const lines = renderCheckAnnotations(doc([hostSnap("web-1", "python3")])).trimEnd().split("\n");
  assert.equal(lines.length, 4);
  assert.equal(
    lines[0],
    `::error file=policy.yaml,line=${at("- name: nothing")},title=nsnap check web-1%3A ` +
      "listeners.deny[0] nothing public::tcp 203.0.113.9:8443 (python3, pid 2, uid 0) on a public " +
      "address: denied",
  );
  const rates = at("RetransSegs");
  const warning = `::warning file=policy.yaml,line=${rates},title=nsnap check web-1%3A rates[0]::`;
  assert.ok(
    lines.some((l) => l.startsWith(`${warning}not evaluated: no baseline`)),
    lines.join("\n"),
  );
  const strict = renderCheckAnnotations(doc([hostSnap("web-1", "nginx")], true));
  assert.ok(strict.includes(`::error file=policy.yaml,line=${rates},`));
  const many = renderCheckAnnotations(doc([hostSnap("a", "python3", 7)]));
  assert.match(
    many,
    /::error file=policy\.yaml,line=3,title=nsnap check a%3A listeners\.allow::(tcp 127\.0\.0\.1:1000[0-4] [^%]*%0A){5}… and 2 more\n/,
  );
});

test("property: workflow command escaping round-trips and never leaves a line break", () => {
  fc.assert(
    fc.property(fc.string(), (s) => {
      assert.equal(unescapeGh(ghData(s)), s);
      assert.equal(unescapeGh(ghProperty(s)), s);
      assert.doesNotMatch(ghData(s), /[\r\n]/);
      assert.doesNotMatch(ghProperty(s), /[\r\n:,]/);
    }),
  );
});

/** What a CommonMark reader shows for a backslash escape: the punctuation character itself. */
const mdShown = (s: string) => s.replace(/\\([!-/:-@[-`{-~])/g, "$1");

test("ESC in a program name shows as \\x1b, escaped once, in text, markdown, junit and github", () => {
  const d = doc([hostSnap("web\x1b[2J", "py\x1b]0;x\x07")]);
  const text = renderCheckText(d);
  assert.match(text, /py\\x1b\]0;x\\x07/);
  assert.doesNotMatch(text, /\\\\x1b/);
  const md = renderCheckMarkdown(d);
  assert.ok(!md.includes("\x1b"), "no raw ESC");
  // As a reader renders it: `\x1b`, as diff's Markdown shows it, never `\\x1b`.
  const shown = mdShown(md);
  assert.match(shown, /### web\\x1b\[2J: /);
  assert.match(shown, /py\\x1b\]0;x\\x07/);
  assert.doesNotMatch(shown, /\\\\x1b/);
  const j = readJunit(renderCheckJunit(d));
  assert.equal(j.testsuite[0]!.name, "web\\x1b[2J");
  const deny = j.testsuite[0]!.testcase.find((t) => t.name.startsWith("listeners.deny[0]"))!;
  assert.match(deny.failure!["#text"]!, /py\\x1b\]0;x\\x07/);
  assert.doesNotMatch(deny.failure!["#text"]!, /\\\\x1b/);
  const gh = unescapeGh(renderCheckAnnotations(d));
  assert.match(gh, /py\\x1b\]0;x\\x07/);
  assert.doesNotMatch(gh, /\\\\x1b/);
  assert.ok(!gh.includes("\x1b"), "no raw ESC");
});

/**
 * Terminal and log injection: whatever strings a snapshot holds (process and interface names, host
 * names, labels, warnings, addresses, counter names), text output carries no control character but
 * its own newlines and, on a terminal, its own colour codes; markdown tables keep their columns.
 * JSON output keeps every value exactly.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import type { Snapshot } from "../../src/model.ts";
import { diffSnapshots } from "../../src/diff/mod.ts";
import { renderDiffText } from "../../src/render/diff_text.ts";
import { renderDiffMarkdown } from "../../src/render/diff_markdown.ts";
import { renderConnections } from "../../src/render/show_connections.ts";
import { renderRoutes } from "../../src/render/show_routes.ts";
import { renderInterfaces } from "../../src/render/show_interfaces.ts";
import { renderStatistics } from "../../src/render/show_stats.ts";
import { renderPortReport } from "../../src/render/show_port.ts";
import { makePaint, PLAIN } from "../../src/render/table.ts";
import { selectConnections } from "../../src/view/select.ts";
import { selectRoutes } from "../../src/view/routes.ts";
import { protocolStatistics } from "../../src/view/stats.ts";
import { socketsOnPort } from "../../src/view/port.ts";
import { describeError } from "../../src/errors.ts";
import { parseSnapshotBytes } from "../../src/snapshot/read.ts";
import { escapeControls, escapeText } from "../../src/util/escape.ts";
import { normalizeSnapshot } from "../../src/snapshot/normalize.ts";
import { serializeSnapshot } from "../../src/snapshot/serialize.ts";
import { dict } from "../../src/util/record.ts";
import { arbSnapshot } from "../helpers/arbitrary.ts";
import { runCli } from "../helpers/cli.ts";

/**
 * What must never reach a terminal from data: C0 controls but "\n", DEL, C1 controls, bidi
 * controls, line and paragraph separators, invisible (default-ignorable) characters and lone
 * surrogates.
 */
const FORBIDDEN =
  // deno-lint-ignore no-control-regex
  /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u2028-\u202e\p{Default_Ignorable_Code_Point}\p{Cs}]/u;
/** The renderer's own colour codes (SGR), allowed on a terminal. */
// deno-lint-ignore no-control-regex
const OWN_SGR = /\x1b\[[0-9;]*m/g;

function assertClean(text: string, what: string): void {
  const m = FORBIDDEN.exec(text.replace(OWN_SGR, ""));
  if (m) {
    const at = m.index;
    assert.fail(
      `${what}: U+${m[0].codePointAt(0)!.toString(16).padStart(4, "0")} at ${at} in ${
        JSON.stringify(text.slice(Math.max(0, at - 40), at + 40))
      }`,
    );
  }
}

/** Nasty strings known to do harm, and arbitrary ones over the whole of Unicode. */
const hostile = fc.oneof(
  fc.constantFrom(
    "\x1b]0;owned\x07",
    "\x1b[2J\x1b[H",
    "ok\r\nno changes",
    "\x9b31m",
    "\u202egnp.exe",
    "eth0\u2066x\u2069",
    "a\u200bb",
    "| x | y |",
    "`code` *b* _i_ [l](u) <b>",
    "\\x1b",
    "\ud800",
    "\u2028\u2029",
    "日本語🙂",
  ),
  fc.string({ unit: "binary", maxLength: 24 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0x20ff }).map((c) => String.fromCharCode(c)) }),
);

/** A valid snapshot with hostile text in every free-text field. */
const arbHostileSnapshot: fc.Arbitrary<Snapshot> = fc.tuple(
  arbSnapshot,
  fc.array(hostile, { minLength: 32, maxLength: 32 }),
).map(([s, words]) => {
  let i = 0;
  const w = () => words[i++ % words.length]!;
  const out: Snapshot = structuredClone(s);
  out.meta.host.hostname = w();
  out.meta.labels = dict([[w(), w()]]);
  out.meta.sections.connections = { status: "partial", warnings: [w(), w()] };
  out.meta.sections.routes = { status: "error", error: w() };
  out.connections = out.connections.map((c, k) => ({
    ...c,
    state: k % 3 === 0 ? w() : c.state,
    localAddress: k % 2 === 0 ? w() : c.localAddress,
    localPort: k % 2 === 0 ? 4242 : c.localPort,
  }));
  for (const p of Object.values(out.processes)) {
    p.name = w();
    p.exe = w();
    p.user = w();
    p.cmdline = [w(), w()];
  }
  out.routes = out.routes.map((r) => ({
    ...r,
    type: w(),
    destination: w(),
    gateway: w(),
    interface: w(),
    protocol: w(),
    scope: w(),
    source: w(),
    nexthops: [{ gateway: w(), interface: w() }],
  }));
  out.interfaces = out.interfaces.map((x) => ({
    ...x,
    name: w(),
    mac: w(),
    flags: [w()],
    operState: w(),
    addresses: x.addresses.map((a) => ({ ...a, address: w() })),
  }));
  out.counters = dict([[w(), dict([[w(), 1n], ["InSegs", 2n]])], ["Tcp", dict([[w(), 3n]])]]);
  return out;
});

/** The unescaped `|` of a markdown line (a `\` escapes the next character). */
function pipes(line: string): number {
  let n = 0;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === "\\") i++;
    else if (line[i] === "|") n++;
  }
  return n;
}

for (const colour of [false, true]) {
  test(`every text view escapes hostile strings (${colour ? "colour" : "no colour"})`, () => {
    const paint = colour ? makePaint(true) : PLAIN;
    fc.assert(
      fc.property(arbHostileSnapshot, (s) => {
        const all = selectConnections(s, { all: true });
        assertClean(renderConnections(s, all, { paint, user: true, inode: true }), "show");
        assertClean(renderConnections(s, all, { paint, width: 80, user: true }), "show 80");
        assertClean(renderRoutes(selectRoutes(s), { paint }), "show -r");
        assertClean(renderInterfaces(s.interfaces, { paint }), "show -i");
        assertClean(renderStatistics(protocolStatistics(s.counters), paint), "show -s");
        assertClean(renderPortReport(s, socketsOnPort(s, 4242), { paint }), "port");
      }),
      { numRuns: 150 },
    );
  });
}

test("diff text and markdown escape hostile strings; markdown rows keep their columns", () => {
  fc.assert(
    fc.property(arbHostileSnapshot, arbHostileSnapshot, fc.boolean(), (a, b, colour) => {
      const doc = diffSnapshots(a, b, { detail: colour });
      assertClean(renderDiffText(doc, { color: colour }), "diff text");
      const md = renderDiffMarkdown(doc);
      assertClean(md, "diff markdown");
      let header = -1;
      for (const line of md.split("\n")) {
        if (!line.startsWith("| ")) {
          header = -1;
          continue;
        }
        if (header < 0) header = pipes(line);
        else assert.equal(pipes(line), header, `a row with as many cells as its header: ${line}`);
      }
    }),
    { numRuns: 150 },
  );
});

test("error lines escape the file names and values they quote", () => {
  const enc = new TextEncoder();
  fc.assert(
    fc.property(hostile, hostile, (name, value) => {
      const inputs = [
        JSON.stringify({ schema: value }),
        JSON.stringify({ schema: "nsnap/v1", meta: value }),
        value,
        `a: ${JSON.stringify(value)}\nb: [`,
      ];
      for (const text of inputs) {
        try {
          parseSnapshotBytes(enc.encode(text), name);
        } catch (err) {
          const { code, message } = describeError(err);
          assert.equal(code, 2, message);
          assertClean(message, "the library's message");
          assertClean(escapeControls(message), "the CLI's line");
        }
      }
    }),
    { numRuns: 300 },
  );
});

test("escapeText() is one-to-one: two different strings never print the same", () => {
  fc.assert(
    fc.property(hostile, hostile, (x, y) => {
      if (x !== y) assert.notEqual(escapeText(x), escapeText(y));
    }),
    { numRuns: 500 },
  );
});

test("through the CLI: hostile names reach neither stdout nor stderr raw, JSON keeps them", () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-inject-"));
  try {
    const [a, b] = fc.sample(arbHostileSnapshot, { numRuns: 2, seed: 7 }) as [Snapshot, Snapshot];
    a.processes["77"] = { pid: 77, name: "\x1b]0;pwned\x07evil\r\n", user: "\u202eroot" };
    a.connections.push({
      protocol: "tcp",
      family: "inet",
      localAddress: "0.0.0.0",
      localPort: 4242,
      remoteAddress: "0.0.0.0",
      remotePort: 0,
      state: "LISTEN",
      recvQ: 0,
      sendQ: 0,
      pid: 77,
    });
    writeFileSync(join(dir, "a.json"), serializeSnapshot(normalizeSnapshot(a), "json"));
    writeFileSync(join(dir, "b.yaml"), serializeSnapshot(normalizeSnapshot(b), "yaml"));
    const evil = "evil\x1b[2J\u202e.json";
    writeFileSync(join(dir, evil), "{ not json\x1b]0;x\x07");
    const runs = [
      ["diff", "a.json", "b.yaml"],
      ["diff", "a.json", "b.yaml", "--format", "markdown"],
      ["show", "-a", "a.json"],
      ["show", "-a", "-e", "a.json"],
      ["show", "-r", "a.json"],
      ["show", "-i", "b.yaml"],
      ["show", "-s", "a.json"],
      ["port", "4242", "a.json"],
      ["show", evil],
      ["diff", evil, "a.json"],
      ["show", "no\x1bsuch\u0085file.json"],
    ];
    for (const args of runs) {
      const r = runCli(args, { cwd: dir });
      assert.ok(r.code === 0 || r.code === 1 || r.code === 2, `${args}: exit ${r.code}`);
      assertClean(r.stdout, `${args.join(" ")} stdout`);
      assertClean(r.stderr, `${args.join(" ")} stderr`);
    }
    const bad = runCli(["show", evil], { cwd: dir });
    assert.match(bad.stderr, /^nsnap: Cannot read snapshot evil\\x1b\[2J\\u\{202e\}\.json: /);
    const json = JSON.parse(
      runCli(["port", "4242", "a.json", "--format", "json"], { cwd: dir })
        .stdout,
    );
    const held = json.find((x: { pid?: number }) => x.pid === 77);
    assert.equal(held.processes[0].name, "\x1b]0;pwned\x07evil\r\n", "JSON keeps the exact name");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

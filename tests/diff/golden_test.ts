import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { diffSnapshots } from "../../src/diff/mod.ts";
import { renderDiffMarkdown } from "../../src/render/diff_markdown.ts";
import { renderDiffText } from "../../src/render/diff_text.ts";
import { renderDiffJson } from "../../src/render/diff_json.ts";
import { formatRate } from "../../src/format.ts";
import { conn, iface, snap } from "./_build.ts";
import { scenarioAfter, scenarioBefore } from "./_scenario.ts";

/** Compares output with a golden file; UPDATE_GOLDEN=1 rewrites the file instead. */
function golden(name: string, actual: string): void {
  const path = fileURLToPath(new URL(`../testdata/diff/${name}`, import.meta.url));
  if (process.env.UPDATE_GOLDEN === "1") {
    writeFileSync(path, actual);
    return;
  }
  assert.equal(actual, readFileSync(path, "utf8"), `${name} differs (UPDATE_GOLDEN=1 rewrites it)`);
}

const opts = { beforeFile: "before.json", afterFile: "after.json" };

test("the text report of a deploy matches tests/testdata/diff/deploy.txt.golden", () => {
  golden(
    "deploy.txt.golden",
    renderDiffText(diffSnapshots(scenarioBefore(), scenarioAfter(), opts)),
  );
});

test("the detailed text report matches tests/testdata/diff/deploy-detail.txt.golden", () => {
  const doc = diffSnapshots(scenarioBefore(), scenarioAfter(), { ...opts, detail: true });
  golden("deploy-detail.txt.golden", renderDiffText(doc));
});

test("the markdown report of a deploy matches tests/testdata/diff/deploy.md.golden", () => {
  golden(
    "deploy.md.golden",
    renderDiffMarkdown(diffSnapshots(scenarioBefore(), scenarioAfter(), opts)),
  );
});

test("the JSON document of a deploy matches tests/testdata/diff/deploy.json.golden", () => {
  golden(
    "deploy.json.golden",
    renderDiffJson(diffSnapshots(scenarioBefore(), scenarioAfter(), opts)),
  );
});

test("text output has colour only when asked for", () => {
  const doc = diffSnapshots(scenarioBefore(), scenarioAfter(), opts);
  assert.ok(!renderDiffText(doc).includes("\x1b["));
  assert.ok(renderDiffText(doc, { color: true }).includes("\x1b[32m"));
});

test("`formatRate()` gives every per-second cell two decimals, and <0.01 for a slow counter", () => {
  assert.deepEqual(
    [0.246, 3.676, 210.784, 1210.5, 0, 0.001].map(formatRate),
    ["0.25", "3.68", "210.78", "1,210.50", "0.00", "<0.01"],
  );
});

test("interface traffic is one table row per interface; errors and drops keep a line of their own", () => {
  const stats = (rx: bigint, errs: bigint) => ({
    rxBytes: rx,
    txBytes: rx,
    rxPackets: rx / 100n,
    txPackets: rx / 100n,
    rxErrors: errs,
  });
  const a = snap("2026-01-01T00:00:00.000Z", {
    interfaces: [
      iface("eth0", { stats: stats(1000n, 0n) }),
      iface("lo", { stats: stats(500n, 0n) }),
    ],
  });
  const b = snap("2026-01-01T00:00:10.000Z", {
    interfaces: [
      iface("eth0", { stats: stats(3000n, 4n) }),
      iface("lo", { stats: stats(1500n, 0n) }),
    ],
  });
  const doc = diffSnapshots(a, b);
  const text = renderDiffText(doc);
  assert.match(text, /^ {2}! interface-traffic {2}interface eth0: .*4 rx errors$/m);
  assert.match(text, /^ {2}interface +rx +rx\/s +tx +tx\/s +packets$/m);
  assert.match(text, /^ {2}lo +1000 B +100 B\/s +1000 B +100 B\/s +20$/m);
  assert.doesNotMatch(text, /interface lo:/);
  const md = renderDiffMarkdown(doc);
  assert.match(md, /^\| lo \| 1000 B \| 100 B\/s \| 1000 B \| 100 B\/s \| 20 \|$/m);
  assert.match(md, /^\| ! \| interface-traffic \| interface eth0: /m);
});

test("the TCP state table is printed whenever states moved, even with no session change", () => {
  const s = (state: string) => ({ ...conn("10.0.0.5", 41000, "10.0.0.9", 80), state });
  // SYN_SENT → TIME_WAIT: nothing opened or closed, but the census moved.
  const doc = diffSnapshots(
    snap("2026-01-01T00:00:00.000Z", { connections: [s("SYN_SENT")] }),
    snap("2026-01-01T00:01:00.000Z", { connections: [s("TIME_WAIT")] }),
    { only: ["sessions"] },
  );
  assert.deepEqual(doc.changes, []);
  const text = renderDiffText(doc);
  assert.match(
    text,
    /^Sessions\n {2}TCP state +before +after +change\n {2}SYN_SENT +1 +0 +-1\n {2}TIME_WAIT +0 +1 +\+1$/m,
  );
  const md = renderDiffMarkdown(doc);
  assert.match(md, /^### Sessions\n\n\| TCP state \| Before \| After \| Change \|$/m);
  assert.match(md, /^\| TIME\\_WAIT \| 0 \| 1 \| \+1 \|$/m);
  // Nothing moved: no table.
  const same = diffSnapshots(snap(), snap(), { only: ["sessions"] });
  assert.doesNotMatch(renderDiffText(same), /TCP state/);
});

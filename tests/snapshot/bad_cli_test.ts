import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { runCli } from "../helpers/cli.ts";
import { BAD_CASES, BAD_DIR, GOOD } from "./bad_cases.ts";

function assertRefused(args: string[], file: string, expected: string) {
  const r = runCli(args, { timeoutMs: 30_000 });
  const what = `nsnap ${args.join(" ")}: exit ${r.code}, stderr ${JSON.stringify(r.stderr)}`;
  assert.equal(r.code, 2, what);
  assert.ok(r.stderr.includes(`Cannot read snapshot ${BAD_DIR + file}: `), what);
  assert.ok(r.stderr.includes(expected), what);
  assert.ok(!r.stderr.includes("    at "), `stack trace: ${what}`);
  assert.equal(r.stderr.trim().split("\n").length, 1, `more than one line: ${what}`);
  assert.ok(r.ms < 20_000, `${what} took ${r.ms.toFixed(0)} ms`);
}

// One test per file and command: each runs the CLI once, well inside any runner's timeout.
for (const [file, expected] of Object.entries(BAD_CASES)) {
  test(`\`nsnap diff ${file} good.json\` exits 2 with one line naming the file`, () => {
    assertRefused(["diff", BAD_DIR + file, GOOD], file, expected);
  });
  test(`\`nsnap show ${file}\` exits 2 with one line naming the file`, () => {
    assertRefused(["show", BAD_DIR + file], file, expected);
  });
}

test("`cat good.json | nsnap diff - good.json` reads the first operand from stdin", () => {
  const r = runCli(["diff", "-", GOOD], { stdin: readFileSync(GOOD) });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "");
});

test("a bad snapshot on stdin is named <stdin> in the error", () => {
  const r = runCli(["diff", "-", GOOD], { stdin: "[1, 2]" });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Cannot read snapshot <stdin>: not a snapshot/);
});

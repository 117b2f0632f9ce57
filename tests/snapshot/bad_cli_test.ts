/**
 * Every bad snapshot in tests/testdata/bad/, through `nsnap diff` and `nsnap show` run in-process:
 * exit 2, one line naming the file, no stack trace. tests/system/snapshot/bad_cli_test.ts runs a
 * few of them as real processes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { runMain } from "../helpers/main.ts";
import { BAD_CASES, BAD_DIR, GOOD } from "./bad_cases.ts";

/** Runs the CLI in-process on a bad file and checks the one-line refusal. */
async function assertRefused(args: string[], file: string, expected: string) {
  const r = await runMain(args);
  const what = `nsnap ${args.join(" ")}: exit ${r.code}, stderr ${JSON.stringify(r.stderr)}`;
  assert.equal(r.code, 2, what);
  assert.ok(r.stderr.includes(`Cannot read snapshot ${BAD_DIR + file}: `), what);
  assert.ok(r.stderr.includes(expected), what);
  assert.ok(!r.stderr.includes("    at "), `stack trace: ${what}`);
  assert.equal(r.stderr.trim().split("\n").length, 1, `more than one line: ${what}`);
  assert.equal(r.stdout, "", `output written: ${what}`);
}

for (const [file, expected] of Object.entries(BAD_CASES)) {
  test(`\`nsnap diff ${file} good.json\` exits 2 with one line naming the file`, async () => {
    await assertRefused(["diff", BAD_DIR + file, GOOD], file, expected);
    await assertRefused(["diff", GOOD, BAD_DIR + file], file, expected);
  });
  test(`\`nsnap show ${file}\` exits 2 with one line naming the file`, async () => {
    await assertRefused(["show", BAD_DIR + file], file, expected);
  });
}

test("`cat good.json | nsnap diff - good.json` reads the first operand from stdin", async () => {
  const r = await runMain(["diff", "-", GOOD], { stdin: readFileSync(GOOD) });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "");
  assert.match(r.stdout, /^no changes/);
});

test("a bad snapshot on stdin is named <stdin> in the error", async () => {
  const r = await runMain(["diff", "-", GOOD], { stdin: "[1, 2]" });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^nsnap: Cannot read snapshot <stdin>: not a snapshot/);
});

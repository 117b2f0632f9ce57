/**
 * A few bad snapshots through the CLI as a real process (tests/snapshot/bad_cli_test.ts runs all
 * of them in-process): the exit code, the one line on stderr and nothing else reach the caller.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { runCli } from "../../helpers/cli.ts";
import { BAD_CASES, BAD_DIR, GOOD } from "../../snapshot/bad_cases.ts";

function assertRefused(args: string[], file: string) {
  const r = runCli(args, { timeoutMs: 30_000 });
  const what = `nsnap ${args.join(" ")}: exit ${r.code}, stderr ${JSON.stringify(r.stderr)}`;
  assert.equal(r.code, 2, what);
  assert.equal(r.stdout, "", what);
  assert.ok(r.stderr.startsWith(`nsnap: Cannot read snapshot ${BAD_DIR + file}: `), what);
  assert.ok(!r.stderr.includes("    at "), `stack trace: ${what}`);
  assert.ok(r.stderr.includes(BAD_CASES[file]!), what);
  assert.equal(r.stderr.trim().split("\n").length, 1, `more than one line: ${what}`);
  assert.ok(r.ms < 20_000, `${what} took ${r.ms.toFixed(0)} ms`);
}

test("`nsnap diff truncated.json good.json` as a process exits 2 with one line", () => {
  assertRefused(["diff", BAD_DIR + "truncated.json", GOOD], "truncated.json");
});

test("`nsnap show binary-garbage.bin` and an alias bomb as a process exit 2 with one line", () => {
  assertRefused(["show", BAD_DIR + "binary-garbage.bin"], "binary-garbage.bin");
  assertRefused(["show", BAD_DIR + "alias-bomb.yaml"], "alias-bomb.yaml");
});

test("`cat good.json | nsnap diff - good.json` reads the first operand from a real pipe", () => {
  const r = runCli(["diff", "-", GOOD], { stdin: readFileSync(GOOD) });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "");
});

test("a bad snapshot on a real stdin is named <stdin> in the error", () => {
  const r = runCli(["diff", "-", GOOD], { stdin: "[1, 2]" });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Cannot read snapshot <stdin>: not a snapshot/);
});

/**
 * `nsnap watch` in-process: without a terminal it refuses in one line (exit 2) and touches
 * nothing; its options are checked before anything is captured; --help names the keys.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { runMain } from "../helpers/main.ts";

test("watch refuses, in one line with exit 2, when standard output is not a terminal", async () => {
  for (const cmd of ["watch", "top"]) {
    const r = await runMain([cmd]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(
      r.stderr,
      "nsnap: Cannot watch: standard output is not a terminal (use --once for one plain screen, or capture --every to record)\n",
    );
    assert.equal(r.stdout, "");
  }
});

for (
  const [args, message] of [
    [["--interval", "10ms"], /Cannot use --interval "10ms": the shortest is 100ms/],
    [["--keep", "3"], /Cannot use --keep without --record/],
    [["--compact"], /Cannot use --compact without --record/],
    [["--record", "d/", "--keep", "0"], /Cannot use --keep "0"/],
    [["--once", "--record", "d/"], /Cannot use --record with --once/],
  ] as const
) {
  test(`watch ${args.join(" ")}: refused before anything is captured`, async () => {
    const r = await runMain(["watch", ...args]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
  });
}

test("watch --help names the panes, the keys and the exit codes", async () => {
  const r = await runMain(["watch", "--help"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Keys: 1-4 or Tab\/Shift-Tab switch panes/);
  assert.match(r.stdout, /space or f freezes/);
  assert.match(r.stdout, /q or Ctrl-C quits/);
  assert.match(r.stdout, /0 after q; 128\+n after a signal/);
  assert.match(r.stdout, /Usage: nsnap watch\|top/);
});

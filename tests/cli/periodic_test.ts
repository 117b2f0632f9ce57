/**
 * `nsnap capture --every` refuses, in one line and with exit 2, what a periodic run cannot do,
 * before it captures anything; and durations read and print as people write them.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseDuration } from "../../src/cli/duration.ts";
import { formatDuration } from "../../src/format.ts";
import { runMain } from "../helpers/main.ts";

test("parseDuration(): units, runs of units and plain seconds", () => {
  assert.equal(parseDuration("250ms", "--every"), 250);
  assert.equal(parseDuration("10s", "--every"), 10_000);
  assert.equal(parseDuration("1.5s", "--every"), 1_500);
  assert.equal(parseDuration("30m", "--for"), 1_800_000);
  assert.equal(parseDuration("1h30m", "--for"), 5_400_000);
  assert.equal(parseDuration("2d", "--for"), 172_800_000);
  assert.equal(parseDuration("10", "--every"), 10_000);
  for (const bad of ["", "s", "10x", "-1s", "1 h", "1e3s", "ten"]) {
    assert.throws(() => parseDuration(bad, "--every"), /Cannot use --every/, bad);
  }
  assert.throws(() => parseDuration("50ms", "--every", 100), /the shortest is 100ms/);
});

test("formatDuration(): as the command line takes it back", () => {
  assert.deepEqual(
    [250, 1_000, 1_500, 10_000, 90_000, 3_600_000, 5_400_000, 90_061_000].map(formatDuration),
    ["250ms", "1s", "1.5s", "10s", "1m30s", "1h", "1h30m", "1d1h1m1s"],
  );
  for (const ms of [250, 1_500, 10_000, 90_000, 5_400_000]) {
    assert.equal(parseDuration(formatDuration(ms), "--every"), ms);
  }
});

for (
  const [args, message] of [
    [
      ["--count", "3"],
      /^nsnap: Cannot use --count without --every: it applies to periodic captures$/,
    ],
    [["--keep", "3", "-o", "x.json"], /Cannot use --keep with file x\.json: it rotates a folder/],
    [["--max-total", "1G", "-o", "-"], /Cannot use --max-total with -o -: it rotates a folder/],
    [["--compact"], /Cannot use --compact without --every/],
    [["--for", "1m"], /Cannot use --for without --every/],
    [["--every", "10x"], /Cannot use --every "10x": expected a duration such as 500ms/],
    [["--every", "50ms"], /Cannot use --every "50ms": the shortest is 100ms/],
    [["--every", "1s", "--count", "0"], /Cannot use --count "0": expected a whole number/],
    [["--every", "1s", "--keep", "two"], /Cannot use --keep "two"/],
    [["--every", "1s", "--max-total", "lots"], /Cannot use --max-total "lots"/],
    [["--every", "1s", "-o", "x.json"], /Cannot capture --every into file x\.json: give a folder/],
    [["--every", "1s", "-o", "-", "--keep", "3"], /--keep or --max-total with -o -/],
    [["--every", "1s", "-o", "-", "--compact"], /--compact with -o -: it needs a folder/],
    [["--every", "1s", "-o", "-", "--format", "yaml"], /Cannot write YAML to stdout with --every/],
    [["--every", "1s", "--force", "-o", "d/"], /Cannot use --force with --every/],
  ] as const
) {
  test(`capture ${args.join(" ")}: refused with exit 2 before capturing`, async () => {
    const r = await runMain(["capture", ...args]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr.trimEnd(), message);
    assert.equal(r.stderr.trimEnd().split("\n").length, 1);
    assert.equal(r.stdout, "");
  });
}

test("capture --help explains --every, its limits, rotation and the exit codes", async () => {
  const r = await runMain(["capture", "--help"]);
  assert.equal(r.code, 0);
  for (const flag of ["--every", "--count", "--for", "--keep", "--max-total", "--compact"]) {
    assert.ok(r.stdout.includes(flag), flag);
  }
  assert.match(r.stdout, /exit 0 for a run without --count\/--for, else 128\+signal/);
});

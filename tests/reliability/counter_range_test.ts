/**
 * Counters are 64-bit in the kernel: the loader accepts -2^63 to 2^64-1 and refuses anything
 * beyond with the path; rates and deltas, however large, print as plain grouped decimals.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError } from "../../src/errors.ts";
import { parseSnapshotBytes } from "../../src/snapshot/read.ts";
import { GOOD } from "../snapshot/bad_cases.ts";
import { runCli } from "../helpers/cli.ts";

const good = JSON.parse(readFileSync(GOOD, "utf8"));

/** good.json with Tcp.InSegs (and an interface stat) set to `value`, as JSON text. */
function withCounter(value: number | string, at = good.meta.capturedAt): string {
  const doc = structuredClone(good);
  doc.meta.capturedAt = at;
  doc.counters.Tcp.InSegs = value;
  return JSON.stringify(doc, null, 2);
}

const load = (text: string) => parseSnapshotBytes(new TextEncoder().encode(text), "c.json");

test("the loader accepts counters from -2^63 to 2^64-1, as numbers or decimal strings", () => {
  for (
    const v of ["18446744073709551615", "-9223372036854775808", -1, 0, "0009", 9007199254740991]
  ) {
    assert.equal(load(withCounter(v)).counters.Tcp!.InSegs, BigInt(v), String(v));
  }
});

test("the loader refuses counters beyond 64 bits, naming the path", () => {
  for (
    const v of [
      "18446744073709551616",
      "-9223372036854775809",
      "99999999999999999999",
      "1".repeat(44),
      "-" + "9".repeat(21),
      1e20,
      -1e19,
      1.5,
    ]
  ) {
    assert.throws(
      () => load(withCounter(v)),
      (e: unknown) =>
        e instanceof InputError &&
        /^Cannot read snapshot c\.json: counters\.Tcp\.InSegs: expected integer from -2\^63 to 2\^64-1/
          .test(e.message),
      String(v),
    );
  }
});

test("interface stats beyond 64 bits are refused too", () => {
  const doc = structuredClone(good);
  const i = doc.interfaces.find((x: { stats?: unknown }) => x.stats);
  i.stats.rxBytes = "36893488147419103232";
  assert.throws(
    () => load(JSON.stringify(doc)),
    /interfaces\[\d+\]\.stats\.rxBytes: expected integer from/,
  );
});

test("`nsnap diff` prints a 2^64 delta over a millisecond as plain numbers, never 1e+22", () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-range-"));
  try {
    const t0 = "2026-01-01T00:00:00.000Z", t1 = "2026-01-01T00:00:00.001Z";
    writeFileSync(join(dir, "a.json"), withCounter(0, t0));
    writeFileSync(join(dir, "b.json"), withCounter("18446744073709551615", t1));
    for (const format of ["text", "markdown"]) {
      const r = runCli(["diff", "a.json", "b.json", "--format", format], { cwd: dir });
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stdout, /e\+|undefined|NaN|Infinity/, r.stdout);
      assert.match(r.stdout, /18,446,744,073,709,551,615/);
      assert.match(r.stdout, /18,446,744,073,709,551,61[0-9],000(\.00)?/, "the rate in full");
    }
    const json = JSON.parse(
      runCli(["diff", "a.json", "b.json", "--format", "json"], { cwd: dir }).stdout,
    );
    const c = json.changes.find((x: { key: { name?: string } }) => x.key.name === "InSegs");
    assert.equal(c.delta, "18446744073709551615");
    assert.doesNotMatch(c.summary, /e\+/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

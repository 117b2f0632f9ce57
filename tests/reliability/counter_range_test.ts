/**
 * Counters are 64-bit in the kernel: the loader accepts -2^63 to 2^64-1 and refuses anything
 * beyond with the path; rates and deltas, however large, print as plain grouped decimals.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { good, withCounter } from "../helpers/hostile.ts";
import { InputError } from "../../src/errors.ts";
import { parseSnapshotBytes } from "../../src/snapshot/read.ts";

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

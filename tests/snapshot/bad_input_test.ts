import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { InputError } from "../../src/errors.ts";
import { readSnapshot } from "../../src/snapshot/read.ts";
import { BAD_CASES, BAD_DIR } from "./bad_cases.ts";

test("tests/testdata/bad holds at least 20 bad inputs, each with an expected message", () => {
  const files = readdirSync(BAD_DIR).filter((f) => f !== "README.md").sort();
  assert.ok(files.length >= 20, `only ${files.length} bad inputs`);
  assert.deepEqual(files, Object.keys(BAD_CASES).sort());
});

test("readSnapshot() refuses every bad input with one InputError line naming the file and the path", async () => {
  for (const [file, expected] of Object.entries(BAD_CASES)) {
    const path = BAD_DIR + file;
    const t0 = performance.now();
    await assert.rejects(readSnapshot(path), (err: unknown) => {
      assert.ok(err instanceof InputError, `${file}: ${String(err)}`);
      assert.ok(
        err.message.startsWith(`Cannot read snapshot ${path}: `),
        `${file}: ${err.message}`,
      );
      assert.ok(err.message.includes(expected), `${file}: ${err.message}`);
      assert.ok(!err.message.includes("\n"), `${file}: more than one line`);
      return true;
    });
    const ms = performance.now() - t0;
    assert.ok(ms < 3000, `${file} took ${ms.toFixed(0)} ms`);
  }
});

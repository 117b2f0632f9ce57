/**
 * A signal that ends a CLI run mid-write (SIGHUP when an SSH session drops, SIGINT, SIGQUIT,
 * SIGTERM) leaves no temporary file and no partial snapshot, and the run ends with 128 + the
 * signal's number. The library itself installs no handler: that is the CLI's registry.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { writeSnapshot } from "../../../src/snapshot/write.ts";
import { tempFiles } from "../../../src/cli/signals.ts";
import { runChild } from "../../helpers/child.ts";
import { snap } from "../../diff/_build.ts";

const CHILD = fileURLToPath(new URL("./signal_child.ts", import.meta.url));

const CASES: Array<[string, number]> = [
  ["SIGTERM", 143],
  ["SIGINT", 130],
  ["SIGHUP", 129],
  ["SIGQUIT", 131],
];

for (const [signal, code] of CASES) {
  test(`${signal} during a write removes the temporary file and exits ${code}`, () => {
    const dir = mkdtempSync(join(tmpdir(), "nsnap-signal-"));
    try {
      const r = runChild(CHILD, [dir, signal]);
      assert.equal(r.stdout, "", "the write finished before the signal arrived");
      assert.equal(r.code, code, r.stderr);
      assert.deepEqual(readdirSync(dir), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

const SIGNALS = ["SIGHUP", "SIGINT", "SIGQUIT", "SIGTERM"] as const;
const listeners = () => SIGNALS.map((s) => process.listenerCount(s));

test("writeSnapshot() installs no signal handler; the CLI's registry only while a file is open", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-signal-"));
  try {
    const before = listeners();
    let during: number[] = [];
    const spy = {
      add(path: string) {
        tempFiles.add(path);
        during = listeners();
      },
      delete(path: string) {
        tempFiles.delete(path);
      },
    };
    await writeSnapshot(snap(), { output: join(dir, "plain.json") });
    assert.deepEqual(listeners(), before, "no handler from the library");
    await writeSnapshot(snap(), { output: join(dir, "tracked.json"), tempFiles: spy });
    assert.deepEqual(during, before.map((n) => n + 1), "one handler per signal while writing");
    assert.deepEqual(listeners(), before, "and none after");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

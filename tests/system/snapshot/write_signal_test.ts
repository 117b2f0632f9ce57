import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const CHILD = fileURLToPath(new URL("./signal_child.ts", import.meta.url));

function runChild(dir: string, signal: string) {
  const g = globalThis as { Deno?: unknown };
  const argv = g.Deno ? ["run", "-A", "--quiet", CHILD, dir, signal] : [CHILD, dir, signal];
  return spawnSync(process.execPath, argv, { encoding: "utf8", timeout: 60_000 });
}

for (const [signal, code] of [["SIGTERM", 143], ["SIGINT", 130]] as const) {
  test(`${signal} during a write removes the temporary file and publishes nothing`, () => {
    const dir = mkdtempSync(join(tmpdir(), "nsnap-signal-"));
    try {
      const r = runChild(dir, signal);
      assert.equal(r.stdout, "", "the write finished before the signal arrived");
      assert.equal(r.status, code, r.stderr);
      assert.deepEqual(readdirSync(dir), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

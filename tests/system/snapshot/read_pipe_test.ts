/** Reading a snapshot from a pipe named by path (`/dev/stdin`), as a real process does. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../helpers/cli.ts";
import { GOOD } from "../../snapshot/bad_cases.ts";

test("readSnapshot() reads a pipe (not a regular file)", () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-read-"));
  try {
    const r = runCli(["show", "/dev/stdin"], { stdin: readFileSync(GOOD, "utf8"), cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Proto /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

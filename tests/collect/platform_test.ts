/** The platform is chosen once, in collect/mod.ts; one it cannot capture on says so. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { captureSnapshot } from "../../src/collect/mod.ts";
import { InputError } from "../../src/errors.ts";

test("captureSnapshot() on an unsupported platform refuses with one InputError line naming it", async () => {
  for (const platform of ["win32", "freebsd", "aix"]) {
    await assert.rejects(captureSnapshot({ platform }), (err: unknown) => {
      assert.ok(err instanceof InputError, String(err));
      assert.equal(
        err.message,
        `Cannot capture on ${platform}: nsnap captures on Linux and macOS only (use 'nsnap import' for saved outputs)`,
      );
      return true;
    });
  }
});

/** Writing onto file systems that refuse: a read-only mount, a full one (mounts are system-tier). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import process from "node:process";
import { join } from "node:path";
import fc from "fast-check";
import { InputError } from "../../../src/errors.ts";
import type { Snapshot } from "../../../src/model.ts";
import { normalizeSnapshot } from "../../../src/snapshot/normalize.ts";
import { writeSnapshot } from "../../../src/snapshot/write.ts";
import { arbSnapshot } from "../../helpers/arbitrary.ts";

const SNAP: Snapshot = normalizeSnapshot(fc.sample(arbSnapshot, { seed: 7, numRuns: 1 })[0]!);
const isRoot = process.getuid?.() === 0;

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "nsnap-write-"));
}

test("writeSnapshot() into a read-only folder fails with one line and leaves nothing", async (t) => {
  const dir = tempDir();
  const ro = join(dir, "ro");
  mkdirSync(ro);
  let mounted = false;
  try {
    if (isRoot) {
      // root ignores permission bits: use a read-only mount where that is possible.
      mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", ro]).status === 0;
      if (!mounted) return t.skip("cannot mount a read-only tmpfs");
    } else {
      chmodSync(ro, 0o555);
    }
    await assert.rejects(writeSnapshot(SNAP, { cwd: dir, output: "ro/a.json" }), (err: unknown) => {
      assert.ok(err instanceof InputError, String(err));
      assert.match(
        err.message,
        /^Cannot write snapshot ro\/a\.json: (read-only file system|permission denied)$/,
      );
      return true;
    });
    assert.deepEqual(readdirSync(ro), []);
  } finally {
    if (mounted) spawnSync("umount", [ro]);
    chmodSync(ro, 0o755);
    rmSync(dir, { recursive: true, force: true });
  }
});

test("writeSnapshot() on a full file system reports ENOSPC in one line and removes its temp file", {
  skip: isRoot ? false : "needs root to mount a tiny tmpfs",
}, async (t) => {
  const dir = tempDir();
  const small = join(dir, "small");
  mkdirSync(small);
  const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=8k", "tmpfs", small]).status === 0;
  try {
    if (!mounted) return t.skip("cannot mount a tmpfs");
    const big: Snapshot = {
      ...SNAP,
      connections: Array(2000).fill(
        SNAP.connections[0] ?? {
          protocol: "tcp",
          family: "inet",
          localAddress: "10.0.0.1",
          localPort: 1,
          remoteAddress: "10.0.0.2",
          remotePort: 2,
          state: "ESTABLISHED",
          recvQ: 0,
          sendQ: 0,
        },
      ),
    };
    await assert.rejects(
      writeSnapshot(big, { cwd: dir, output: "small/a.json" }),
      (err: unknown) => {
        assert.ok(err instanceof InputError, String(err));
        assert.equal(err.message, "Cannot write snapshot small/a.json: no space left on device");
        return true;
      },
    );
    assert.deepEqual(readdirSync(small), []);
  } finally {
    if (mounted) spawnSync("umount", [small]);
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * Writing a snapshot never makes things worse: through the real CLI, a symbolic link at the
 * target is refused and its target left untouched, an existing file is kept without --force, and
 * a full disk, a read-only folder or a missing folder end with exit 2, one line, and nothing left
 * behind. SIGTERM in the middle of a write removes the temporary file.
 *
 * Captures run inside a fresh network namespace so that they are small and fast.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { runCli } from "../../helpers/cli.ts";
import { canUseNetns, withNetns } from "../../helpers/netns.ts";
import { readSnapshot } from "../../../src/snapshot/read.ts";

const skip = !canUseNetns() ? "needs root and ip netns" : false;

function tempDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `nsnap-${tag}-`));
}

/** Asserts a refused write: exit 2, exactly one stderr line matching `why`, stdout empty. */
function assertRefused(r: { code: number; stdout: string; stderr: string }, why: RegExp): void {
  assert.equal(r.code, 2, `exit 2 expected: ${r.stderr}`);
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line expected: ${r.stderr}`);
  assert.match(lines[0]!, /^nsnap: Cannot write snapshot /);
  assert.match(lines[0]!, why);
  assert.equal(r.stdout, "");
}

/** Mounts a tmpfs (size in KiB, extra options) and always unmounts it. */
async function withTmpfs<T>(opts: string, fn: (dir: string) => Promise<T> | T): Promise<T> {
  const base = tempDir("tmpfs");
  const dir = join(base, "mnt");
  mkdirSync(dir);
  const m = spawnSync("mount", ["-t", "tmpfs", "-o", opts, "tmpfs", dir], { encoding: "utf8" });
  assert.equal(m.status, 0, `mount tmpfs: ${m.stderr}`);
  try {
    return await fn(dir);
  } finally {
    spawnSync("umount", ["-l", dir]);
    rmSync(base, { recursive: true, force: true });
  }
}

test(
  "capture refuses to write through a symbolic link, with or without --force, target untouched",
  { skip, timeout: 120_000 },
  async () => {
    const dir = tempDir("symlink");
    try {
      await withNetns("symlink", (ns) => {
        const victim = join(dir, "victim.txt");
        writeFileSync(victim, "precious\n");
        const link = join(dir, "out.json");
        symlinkSync(victim, link);
        const dangling = join(dir, "dangling.json");
        symlinkSync(join(dir, "would-be-created.json"), dangling);
        for (const args of [["-o", link], ["-o", link, "--force"], ["-o", dangling]]) {
          const r = runCli(["capture", ...args], { wrap: ns.wrap });
          assertRefused(r, /symbolic link/);
        }
        assert.equal(readFileSync(victim, "utf8"), "precious\n");
        assert.ok(lstatSync(link).isSymbolicLink());
        assert.equal(readlinkSync(link), victim);
        assert.deepEqual(readdirSync(dir).sort(), ["dangling.json", "out.json", "victim.txt"]);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test("capture keeps an existing file without --force and replaces it (0600) with --force", {
  skip,
  timeout: 120_000,
}, async () => {
  const dir = tempDir("clobber");
  try {
    await withNetns("clobber", async (ns) => {
      const out = join(dir, "snap.json");
      writeFileSync(out, "old\n", { mode: 0o644 });
      assertRefused(runCli(["capture", "-o", out], { wrap: ns.wrap }), /file exists.*--force/);
      assert.equal(readFileSync(out, "utf8"), "old\n");
      const r = runCli(["capture", "-o", out, "--force"], { wrap: ns.wrap });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), out);
      assert.equal(statSync(out).mode & 0o777, 0o600);
      assert.equal((await readSnapshot(out)).schema, "nsnap/v1");
      assert.deepEqual(readdirSync(dir), ["snap.json"]);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("capture onto a full disk exits 2 with one line and leaves no partial or temporary file", {
  skip,
  timeout: 120_000,
}, async () => {
  await withTmpfs("size=64k", async (mnt) => {
    // Leave less than one page free: no snapshot fits.
    let filled = 0;
    for (let i = 0; i < 64; i++) {
      try {
        writeFileSync(join(mnt, `fill-${i}`), new Uint8Array(4096));
        filled++;
      } catch {
        break;
      }
    }
    assert.ok(filled > 0);
    const before = readdirSync(mnt).sort();
    await withNetns("full", (ns) => {
      for (const out of [join(mnt, "snap.json"), mnt + "/"]) {
        const r = runCli(["capture", "-o", out], { wrap: ns.wrap });
        assertRefused(r, /no space left on device/);
      }
    });
    assert.deepEqual(readdirSync(mnt).sort(), before);
  });
});

test("capture into a read-only folder exits 2 with one line and writes nothing", {
  skip,
  timeout: 120_000,
}, async () => {
  await withTmpfs("size=64k,ro", async (mnt) => {
    await withNetns("rofs", (ns) => {
      for (const out of [join(mnt, "snap.json"), mnt + "/"]) {
        assertRefused(runCli(["capture", "-o", out], { wrap: ns.wrap }), /read-only file system/);
      }
    });
    assert.deepEqual(readdirSync(mnt), []);
  });
});

test(
  "capture into a missing folder exits 2 with one line and creates nothing",
  { skip, timeout: 120_000 },
  async () => {
    const dir = tempDir("missing");
    try {
      await withNetns("missing", (ns) => {
        const out = join(dir, "no", "such", "snap.json");
        assertRefused(runCli(["capture", "-o", out], { wrap: ns.wrap }), /does not exist/);
        const inFile = join(dir, "file.txt");
        writeFileSync(inFile, "x");
        assertRefused(
          runCli(["capture", "-o", join(inFile, "snap.json")], { wrap: ns.wrap }),
          /not a directory|does not exist/,
        );
      });
      assert.deepEqual(readdirSync(dir), ["file.txt"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

/** The argv that runs a test helper script under the runtime executing the tests. */
function scriptCommand(script: string, args: string[]): string[] {
  const g = globalThis as { Deno?: unknown };
  return g.Deno
    ? [process.execPath, "run", "-A", "--quiet", script, ...args]
    : [process.execPath, script, ...args];
}

test("SIGTERM during a slow write removes the temporary file and publishes nothing", {
  timeout: 300_000,
}, async () => {
  const script = fileURLToPath(new URL("./_slow_write.ts", import.meta.url));
  // Stopping the writer the moment its temporary file appears makes the interruption certain;
  // a run that misses the window (the write already finished) is retried, a few times at most.
  let caught = false;
  for (let attempt = 0; attempt < 4 && !caught; attempt++) {
    const dir = tempDir("sigterm");
    try {
      const out = join(dir, "big.json");
      const argv = scriptCommand(script, [out, String(300_000 * (attempt + 1))]);
      const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (d: Uint8Array) => (stderr += new TextDecoder().decode(d)));
      const exited = new Promise<number | null>((resolve) => {
        child.once("exit", (code, signal) => resolve(code ?? (signal ? 128 : null)));
      });
      const deadline = Date.now() + 90_000;
      let tmp: string | undefined;
      let done = false;
      child.once("exit", () => (done = true));
      while (!done && Date.now() < deadline) {
        tmp = readdirSync(dir).find((n) => n.endsWith(".tmp"));
        if (tmp !== undefined) {
          process.kill(child.pid!, "SIGSTOP");
          break;
        }
        await new Promise((r) => setImmediate(r));
      }
      if (tmp === undefined || readdirSync(dir).includes("big.json")) {
        process.kill(child.pid!, "SIGCONT");
        await exited;
        continue;
      }
      caught = true;
      process.kill(child.pid!, "SIGTERM");
      process.kill(child.pid!, "SIGCONT");
      const code = await exited;
      assert.equal(code, 143, `the writer ends with 128+SIGTERM: ${stderr}`);
      assert.deepEqual(readdirSync(dir), [], "no temporary file, no partial snapshot");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  assert.ok(caught, "the write was interrupted while its temporary file existed");
});

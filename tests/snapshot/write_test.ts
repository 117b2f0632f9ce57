import { test } from "node:test";
import assert from "node:assert/strict";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import fc from "fast-check";
import { InputError, UsageError } from "../../src/errors.ts";
import type { Snapshot } from "../../src/model.ts";
import { normalizeSnapshot } from "../../src/snapshot/normalize.ts";
import { readSnapshot } from "../../src/snapshot/read.ts";
import { serializeSnapshot } from "../../src/snapshot/serialize.ts";
import { fileTimestamp, formatFromName, writeSnapshot } from "../../src/snapshot/write.ts";
import { arbSnapshot } from "../helpers/arbitrary.ts";

const SNAP: Snapshot = normalizeSnapshot(fc.sample(arbSnapshot, { seed: 7, numRuns: 1 })[0]!);
SNAP.meta.host.hostname = "web-1";
SNAP.meta.capturedAt = "2026-11-25T15:08:12.345Z";

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "nsnap-write-"));
}

/** Names in a folder other than the expected ones (temporary files left behind). */
function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith(".tmp"));
}

test("writeSnapshot() defaults to ./snapshots/<hostname>-<UTC timestamp>.json, mode 0600", async () => {
  const dir = tempDir();
  try {
    const path = await writeSnapshot(SNAP, { cwd: dir });
    assert.equal(path, join("snapshots", "web-1-20261125T150812.345Z.json"));
    const full = join(dir, path);
    assert.equal(statSync(full).mode & 0o777, 0o600);
    assert.equal(readFileSync(full, "utf8"), serializeSnapshot(SNAP, "json"));
    assert.deepEqual(leftovers(join(dir, "snapshots")), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("fileTimestamp() turns ISO time into a file-name stamp", () => {
  assert.equal(fileTimestamp("2026-11-25T15:08:12.345Z"), "20261125T150812.345Z");
});

test("formatFromName() reads json, yaml, yml and their .gz forms", () => {
  assert.deepEqual(formatFromName("a.json"), { format: "json", gzip: false });
  assert.deepEqual(formatFromName("a.YML"), { format: "yaml", gzip: false });
  assert.deepEqual(formatFromName("a.yaml.gz"), { format: "yaml", gzip: true });
  assert.deepEqual(formatFromName("a.json.gz"), { format: "json", gzip: true });
  assert.deepEqual(formatFromName("a.txt"), { gzip: false });
});

test("writeSnapshot() picks the format from the extension and gzips .gz; all read back equal", async () => {
  const dir = tempDir();
  try {
    for (const name of ["a.json", "a.yaml", "a.yml", "a.json.gz", "a.yaml.gz"]) {
      const path = await writeSnapshot(SNAP, { cwd: dir, output: name });
      assert.equal(path, name);
      const bytes = readFileSync(join(dir, name));
      const text = name.endsWith(".gz") ? gunzipSync(bytes).toString("utf8") : bytes.toString();
      assert.equal(text, serializeSnapshot(SNAP, name.includes(".y") ? "yaml" : "json"));
      assert.deepEqual(await readSnapshot(join(dir, name)), SNAP);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("writeSnapshot() refuses --format that contradicts the extension", async () => {
  const dir = tempDir();
  try {
    await assert.rejects(
      writeSnapshot(SNAP, { cwd: dir, output: "a.json", format: "yaml" }),
      UsageError,
    );
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("writeSnapshot() never replaces an existing file without force, and does with it", async () => {
  const dir = tempDir();
  try {
    const file = join(dir, "a.json");
    writeFileSync(file, "precious");
    await assert.rejects(writeSnapshot(SNAP, { cwd: dir, output: "a.json" }), (err: unknown) => {
      assert.ok(err instanceof InputError);
      assert.equal(
        err.message,
        "Cannot write snapshot a.json: file exists (use --force to replace it)",
      );
      return true;
    });
    assert.equal(readFileSync(file, "utf8"), "precious");
    assert.deepEqual(leftovers(dir), []);
    await writeSnapshot(SNAP, { cwd: dir, output: "a.json", force: true });
    assert.equal(readFileSync(file, "utf8"), serializeSnapshot(SNAP, "json"));
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(leftovers(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("writeSnapshot() refuses to write through a symbolic link, even with force; the target is untouched", async () => {
  const dir = tempDir();
  try {
    const target = join(dir, "target.txt");
    writeFileSync(target, "untouched");
    symlinkSync(target, join(dir, "link.json"));
    symlinkSync(join(dir, "nowhere"), join(dir, "dangling.json"));
    for (const force of [false, true]) {
      for (const name of ["link.json", "dangling.json"]) {
        await assert.rejects(
          writeSnapshot(SNAP, { cwd: dir, output: name, force }),
          /symbolic link/,
        );
      }
    }
    assert.equal(readFileSync(target, "utf8"), "untouched");
    assert.ok(lstatSync(join(dir, "link.json")).isSymbolicLink());
    assert.ok(!existsSync(join(dir, "nowhere")));
    assert.deepEqual(leftovers(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("writeSnapshot() says a missing folder is missing and leaves nothing behind", async () => {
  const dir = tempDir();
  try {
    await assert.rejects(
      writeSnapshot(SNAP, { cwd: dir, output: "no/such/a.json" }),
      (err: unknown) => {
        assert.ok(err instanceof InputError);
        assert.equal(
          err.message,
          "Cannot write snapshot no/such/a.json: folder no/such does not exist",
        );
        return true;
      },
    );
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("writeSnapshot() -o DIR/ creates the folder and writes a generated name into it", async () => {
  const dir = tempDir();
  try {
    const path = await writeSnapshot(SNAP, { cwd: dir, output: "out/", format: "yaml" });
    assert.equal(path, join("out", "web-1-20261125T150812.345Z.yaml"));
    mkdirSync(join(dir, "existing"));
    const p2 = await writeSnapshot(SNAP, { cwd: dir, output: "existing" });
    assert.equal(p2, join("existing", "web-1-20261125T150812.345Z.json"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("parallel writes into one folder all land under unique names, none clobbered", async () => {
  const dir = tempDir();
  try {
    const paths = await Promise.all(
      Array.from({ length: 12 }, () => writeSnapshot(SNAP, { cwd: dir })),
    );
    assert.equal(new Set(paths).size, 12);
    const files = readdirSync(join(dir, "snapshots")).sort();
    assert.equal(files.length, 12);
    assert.deepEqual(leftovers(join(dir, "snapshots")), []);
    for (const f of files) {
      assert.equal(
        readFileSync(join(dir, "snapshots", f), "utf8"),
        serializeSnapshot(SNAP, "json"),
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

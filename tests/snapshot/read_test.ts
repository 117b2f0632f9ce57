import { test } from "node:test";
import assert from "node:assert/strict";
import {
  chmodSync,
  closeSync,
  ftruncateSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { gzipSync } from "node:zlib";
import { InputError, UsageError } from "../../src/errors.ts";
import { DEFAULT_MAX_BYTES, loadOperand, parseMaxSize } from "../../src/cli/operand.ts";
import { parseSnapshotBytes, readSnapshot, validateSnapshot } from "../../src/snapshot/read.ts";
import { runMain } from "../helpers/main.ts";
import { GOOD } from "./bad_cases.ts";

const GOOD_TEXT = readFileSync(GOOD, "utf8");
const enc = new TextEncoder();

function withDir(fn: (dir: string) => Promise<void> | void): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), "nsnap-read-"));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

function rejectsWith(p: Promise<unknown>, message: string | RegExp) {
  return assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof InputError, String(err));
    if (typeof message === "string") assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

test("readSnapshot() reads JSON, YAML and gzip, and keeps counters above 2^53", async () => {
  for (const f of ["good.json", "good.yaml", "good.json.gz"]) {
    const s = await readSnapshot(GOOD.replace("good.json", f));
    assert.equal(s.counters.Tcp!.InSegs, 9007199254740993n);
    assert.equal(s.counters.Tcp!.MaxConn, -1n);
    assert.equal(s.interfaces[0]!.stats!.rxBytes, 18446744073709551000n);
    assert.equal(s.connections.length, 14);
  }
});

test(
  "readSnapshot() knows gzip by its magic bytes and JSON from YAML by content, whatever the name",
  withDir(async (dir) => {
    const yaml = readFileSync(GOOD.replace("good.json", "good.yaml"));
    const cases: [string, Uint8Array][] = [
      ["gzipped-json-without-gz", readFileSync(GOOD.replace("good.json", "good.json.gz"))],
      ["gzipped-yaml.bin", gzipSync(yaml)],
      ["yaml-named.json", yaml],
      ["json-named.yaml", readFileSync(GOOD)],
      ["no-extension", yaml],
    ];
    const expected = await readSnapshot(GOOD);
    for (const [name, bytes] of cases) {
      const f = join(dir, name);
      writeFileSync(f, bytes);
      assert.deepEqual(await readSnapshot(f), expected, name);
    }
  }),
);

test("readSnapshot() says a missing file is missing", async () => {
  await rejectsWith(
    readSnapshot("/no/such/snap.json"),
    "Cannot read snapshot /no/such/snap.json: no such file or directory",
  );
});

test(
  "readSnapshot() refuses a directory",
  withDir(async (dir) => {
    await rejectsWith(
      readSnapshot(dir),
      `Cannot read snapshot ${dir}: is a directory`,
    );
  }),
);

test(
  "readSnapshot() says an unreadable file is unreadable",
  withDir(async (dir) => {
    if (process.getuid?.() === 0) return; // root reads everything
    const f = join(dir, "secret.json");
    writeFileSync(f, GOOD_TEXT);
    chmodSync(f, 0);
    await rejectsWith(readSnapshot(f), `Cannot read snapshot ${f}: permission denied`);
  }),
);

test(
  "readSnapshot() checks the size limit before reading (a sparse 600 MiB file)",
  withDir(async (dir) => {
    const f = join(dir, "huge.json");
    const fd = openSync(f, "w");
    ftruncateSync(fd, 600 * 1024 * 1024);
    closeSync(fd);
    const t0 = performance.now();
    await rejectsWith(
      readSnapshot(f),
      `Cannot read snapshot ${f}: file is 600 MiB, which exceeds the size limit of 512 MiB (raise it with --max-size)`,
    );
    assert.ok(performance.now() - t0 < 1000);
    assert.equal(DEFAULT_MAX_BYTES, 512 * 1024 * 1024);
  }),
);

test("readSnapshot() bounds gzip expansion by the same limit", () => {
  const bomb = gzipSync(new Uint8Array(4 * 1024 * 1024).fill(32));
  assert.throws(
    () => parseSnapshotBytes(bomb, "bomb.json.gz", { maxBytes: 1024 * 1024 }),
    /Cannot read snapshot bomb\.json\.gz: decompresses to more than the size limit of 1 MiB/,
  );
});

test("readSnapshot() loads a document with unknown extra fields (forward-compatible)", () => {
  const doc = JSON.parse(GOOD_TEXT);
  doc.futureSection = { a: 1, "b:c": "d:e" };
  doc.connections[0].futureField = "x:y";
  doc.meta.host.futureField = [1, 2];
  const s = parseSnapshotBytes(enc.encode(JSON.stringify(doc)), "future.json");
  assert.equal(s.connections.length, 14);
  assert.ok(!("futureField" in s.connections[0]!));
});

test("`--max-size` lowers and raises the limit on the command line", async () => {
  const low = await runMain(["show", GOOD, "--max-size", "1K"]);
  assert.equal(low.code, 2);
  assert.match(low.stderr, /exceeds the size limit of 1 KiB \(raise it with --max-size\)/);
  const bad = await runMain(["show", GOOD, "--max-size", "lots"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--max-size "lots": expected a size such as 512M/);
});

test("parseMaxSize() reads bytes and K/M/G/T binary units", () => {
  assert.equal(parseMaxSize("1048576"), 1048576);
  assert.equal(parseMaxSize("512M"), 512 * 2 ** 20);
  assert.equal(parseMaxSize("2GiB"), 2 * 2 ** 30);
  assert.equal(parseMaxSize("1.5k"), 1536);
  for (const bad of ["", "M", "-1", "0", "12X", "1e9"]) {
    assert.throws(() => parseMaxSize(bad), UsageError, bad);
  }
});

test("loadOperand() reads files and `-`, and names a missing file", async () => {
  const s = await loadOperand(GOOD);
  assert.equal(s.meta.host.hostname, "testhost");
  await rejectsWith(
    loadOperand("./live"),
    "Cannot read snapshot ./live: no such file or directory",
  );
});

test("validateSnapshot() holds a built document to the loader's rules", () => {
  const doc = JSON.parse(GOOD_TEXT);
  assert.equal(validateSnapshot(doc, "built").schema, "nsnap/v1");
  doc.counters.Tcp.InSegs = "18446744073709551616";
  assert.throws(
    () => validateSnapshot(doc, "built"),
    (e: unknown) =>
      e instanceof InputError &&
      /^Cannot read snapshot built: counters\.Tcp\.InSegs: expected integer from -2\^63/.test(
        e.message,
      ),
  );
});

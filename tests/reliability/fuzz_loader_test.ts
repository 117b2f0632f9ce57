/**
 * The snapshot loader survives anything: random bytes, valid snapshots with bytes flipped, cut
 * short, nested deeply or wrapped in broken gzip. The only outcomes are a valid snapshot or one
 * `InputError` line that names the input; through the CLI, exit 2 with that line and no stack.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { InputError } from "../../src/errors.ts";
import { parseSnapshotBytes } from "../../src/snapshot/read.ts";
import { normalizeSnapshot } from "../../src/snapshot/normalize.ts";
import { serializeSnapshot } from "../../src/snapshot/serialize.ts";
import { arbSnapshot } from "../helpers/arbitrary.ts";
import { runMain } from "../helpers/main.ts";

const enc = new TextEncoder();
const RUNS = 200;

/** Loads bytes; true for a snapshot, true for a one-line InputError naming the input. */
function loads(bytes: Uint8Array, name: string): boolean {
  try {
    const s = parseSnapshotBytes(bytes, name, { maxBytes: 1024 * 1024 });
    assert.equal(s.schema, "nsnap/v1");
    return true;
  } catch (err) {
    if (!(err instanceof InputError)) {
      throw new Error(
        `loader threw ${(err as Error)?.name}: ${(err as Error)?.message} on ${
          JSON.stringify(new TextDecoder().decode(bytes.slice(0, 200)))
        }`,
      );
    }
    assert.ok(err.message.startsWith(`Cannot read snapshot ${name}: `), err.message);
    assert.ok(!err.message.includes("\n"), `one line: ${JSON.stringify(err.message)}`);
    return true;
  }
}

/** Serialized valid snapshots (JSON or YAML text). */
const arbDocText = fc.tuple(arbSnapshot, fc.constantFrom("json", "yaml" as const)).map((
  [s, f],
) => serializeSnapshot(normalizeSnapshot(s), f));

/** Byte-level damage: flips, cuts, inserted junk, duplicated spans. */
function damage(bytes: Uint8Array, edits: [number, number, number][]): Uint8Array {
  let b = Array.from(bytes);
  for (const [kind, pos, val] of edits) {
    const at = b.length ? pos % b.length : 0;
    switch (kind % 4) {
      case 0:
        b[at] = val;
        break;
      case 1:
        b = b.slice(0, at);
        break;
      case 2:
        b.splice(
          at,
          0,
          ...enc.encode(
            ["{", "]", '"', ":", "null", "-1", "1e999", "&a", "*a"][
              val % 9
            ]!,
          ),
        );
        break;
      default:
        b.splice(at, 0, ...b.slice(at, at + (val % 64)));
    }
  }
  return Uint8Array.from(b);
}

const arbEdits = fc.array(
  fc.tuple(fc.nat(3), fc.nat(), fc.integer({ min: 0, max: 255 })),
  { minLength: 1, maxLength: 6 },
);

test("the loader turns random bytes into a snapshot or one InputError line, nothing else", () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 600 }),
        fc.string({ maxLength: 600 }).map((s) => enc.encode(s)),
        fc.uint8Array({ maxLength: 200 }).map((b) => Uint8Array.from([0x1f, 0x8b, ...b])),
      ),
      (bytes) => loads(bytes, "random.json"),
    ),
    { numRuns: RUNS },
  );
});

test("the loader turns damaged JSON and YAML snapshots into a snapshot or one InputError line", () => {
  fc.assert(
    fc.property(arbDocText, arbEdits, (text, edits) => loads(damage(enc.encode(text), edits), "x")),
    { numRuns: RUNS },
  );
});

test("the loader turns damaged gzip snapshots into a snapshot or one InputError line", () => {
  fc.assert(
    fc.property(
      arbDocText,
      arbEdits,
      (text, edits) => loads(damage(gzipSync(enc.encode(text)), edits), "x.json.gz"),
    ),
    { numRuns: 100 },
  );
});

test("the loader refuses deep nesting, alias bombs and oversize input with one line", () => {
  const deep = "[".repeat(200_000) + "]".repeat(200_000);
  const deepYaml = "a:\n" + Array.from({ length: 3000 }, (_, i) => " ".repeat(i + 1) + "- ")
    .join("\n");
  const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    .concat(Array.from({ length: 9 }, (_, i) => {
      const p = i === 0 ? "a" : `b${i - 1}`;
      return `b${i}: &b${i} [*${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}]`;
    }))
    .join("\n");
  const big = enc.encode(" ".repeat(1024 * 1024 + 1));
  const bigGz = gzipSync(enc.encode(`{"pad": "${"x".repeat(2 * 1024 * 1024)}"}`));
  for (
    const [name, bytes] of [
      ["deep.json", enc.encode(deep)],
      ["deep.yaml", enc.encode(deepYaml)],
      ["bomb.yaml", enc.encode(bomb)],
      ["big.json", big],
      ["big.json.gz", bigGz],
    ] as const
  ) {
    const t0 = performance.now();
    assert.throws(() => parseSnapshotBytes(bytes, name, { maxBytes: 1024 * 1024 }), InputError);
    assert.ok(loads(bytes, name));
    assert.ok(performance.now() - t0 < 20_000, `${name} is refused quickly`);
  }
});

test("`nsnap show` on damaged snapshot files exits 2 with one line and no stack trace", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-fuzz-"));
  try {
    const sample = fc.sample(fc.tuple(arbDocText, arbEdits), { numRuns: 3, seed: 42 });
    const files: string[] = [];
    sample.forEach(([text, edits], i) => {
      const f = join(dir, `broken-${i}.json`);
      writeFileSync(f, damage(enc.encode(text), edits.length ? edits : [[1, 50, 0]]));
      files.push(f);
    });
    const truncated = join(dir, "cut.json.gz");
    writeFileSync(truncated, gzipSync(enc.encode(sample[0]![0])).slice(0, 40));
    files.push(truncated);
    for (const f of files) {
      const r = await runMain(["show", f]);
      if (r.code === 0) continue; // The damage happened to leave a valid snapshot.
      assert.equal(r.code, 2, `${f}: ${r.stderr}`);
      const lines = r.stderr.trimEnd().split("\n");
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, /^nsnap: Cannot read snapshot /);
      assert.doesNotMatch(r.stderr, /\s+at\s+\S+:\d+/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

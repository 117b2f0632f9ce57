/**
 * The streaming peek at a snapshot's `schema` and `meta`: it finds them wherever they sit, in
 * any chunking, in JSON, YAML and gzip; it reads no further than it needs; and whatever it
 * cannot read is handed back (undefined) for the full reader to report.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { JsonHeadScanner, peekHead, YamlHeadScanner } from "../../src/fleet/peek.ts";
import { serializeSnapshot } from "../../src/snapshot/serialize.ts";
import { readSnapshot } from "../../src/snapshot/read.ts";
import { normalizeSnapshot } from "../../src/snapshot/normalize.ts";
import { arbSnapshot } from "../helpers/arbitrary.ts";
import { ROOT } from "../helpers/cli.ts";

const EXAMPLE = `${ROOT}snapshots/examples/before.json`;

function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-peek-"));
  return fn(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

function scan(text: string, size: number): Map<string, string> | undefined {
  const s = new JsonHeadScanner();
  for (let i = 0; i < text.length && !s.done; i += size) s.feed(text.slice(i, i + size));
  return s.failed || !s.done ? undefined : s.values;
}

test("the JSON scanner cuts out schema and meta wherever they are, in any chunking", () => {
  const meta = { host: { hostname: 'we"b,}{[1' }, labels: { "a}": "[" } };
  const docs = [
    { schema: "nsnap/v1", meta, connections: [] },
    { connections: [{ a: "}]", b: [1, { c: '\\"' }] }], meta, x: 1.5e3, schema: "nsnap/v1" },
    { z: null, meta, y: true, schema: "nsnap/v1", w: [] },
  ];
  for (const doc of docs) {
    for (const indent of [0, 1, 2]) {
      const text = JSON.stringify(doc, null, indent);
      for (const size of [1, 2, 3, 5, 8, 64, 1 << 16]) {
        const v = scan(text, size);
        assert.ok(v, `${size}: ${text}`);
        assert.deepEqual(JSON.parse(v.get("meta")!), meta);
        assert.equal(JSON.parse(v.get("schema")!), "nsnap/v1");
      }
    }
  }
});

test("the JSON scanner gives up on what is not an object with both values", () => {
  for (const text of ["[1,2]", '"text"', '{"schema":"nsnap/v1"}', '{"meta":{}}', "{}", "x"]) {
    assert.equal(scan(text, 3), undefined, text);
  }
});

test("the YAML scanner takes the schema line and the meta block, and refuses flow style", () => {
  const y = new YamlHeadScanner();
  y.feed("# comment\nschema: nsnap/v1\nmeta:\n  host:\n    hostname: a\n\n  labels: {}\nconnect");
  y.feed("ions: []\n");
  assert.ok(y.done && !y.failed);
  assert.equal(y.text, "schema: nsnap/v1\nmeta:\n  host:\n    hostname: a\n\n  labels: {}\n");
  const f = new YamlHeadScanner();
  f.feed("{schema: nsnap/v1, meta: {}}\n");
  assert.ok(f.failed);
});

test("peekHead() reads the same meta as the full reader, from JSON, YAML and gzip", async () => {
  await withDir(async (dir) => {
    await fc.assert(
      fc.asyncProperty(
        arbSnapshot,
        fc.constantFrom("json", "yaml"),
        fc.boolean(),
        async (s, format, gz) => {
          const file = join(dir, `s.${format}${gz ? ".gz" : ""}`);
          const text = serializeSnapshot(normalizeSnapshot(s), format);
          writeFileSync(file, gz ? gzipSync(text) : text);
          const full = await readSnapshot(file);
          const head = await peekHead(file);
          assert.ok(head, "peeked");
          assert.deepEqual(head.meta, full.meta);
        },
      ),
      { numRuns: 60 },
    );
  });
});

test("peekHead() stops after meta: what follows is never read", async () => {
  await withDir(async (dir) => {
    const text = readFileSync(EXAMPLE, "utf8");
    const cut = text.indexOf('\n  "connections": [');
    assert.ok(cut > 500, "the top-level connections, after meta");
    // Valid up to the connections, then 4 MiB that is not JSON at all (nor UTF-8).
    const junk = new Uint8Array(4 << 20).fill(0xff);
    const file = join(dir, "big.json");
    writeFileSync(file, Buffer.concat([Buffer.from(text.slice(0, cut)), junk]));
    const head = await peekHead(file);
    assert.equal(head?.meta.host.hostname, "vm");
    await assert.rejects(readSnapshot(file), /Cannot read snapshot .*big\.json/);
    const gz = join(dir, "big.json.gz");
    writeFileSync(gz, gzipSync(Buffer.concat([Buffer.from(text.slice(0, cut)), junk])));
    assert.equal((await peekHead(gz))?.meta.host.hostname, "vm");
  });
});

test("peekHead() hands back undefined for files it cannot read, for the reader to report", async () => {
  await withDir(async (dir) => {
    const cases: Record<string, string | Uint8Array> = {
      "empty.json": "",
      "truncated.json": readFileSync(EXAMPLE, "utf8").slice(0, 300),
      "other.json": JSON.stringify({ schema: "nsnap-diff/v1", meta: {} }),
      "badmeta.json": JSON.stringify({ schema: "nsnap/v1", meta: { host: 3 } }),
      "flow.yaml": "{schema: nsnap/v1}\n",
      "notgz.json.gz": "{}",
      "binary.json": new Uint8Array([0x7b, 0xff, 0xfe, 0x00]),
    };
    for (const [name, body] of Object.entries(cases)) {
      writeFileSync(join(dir, name), body);
      assert.equal(await peekHead(join(dir, name)), undefined, name);
    }
    assert.equal(await peekHead(join(dir, "missing.json")), undefined);
  });
});

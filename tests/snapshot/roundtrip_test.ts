import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { gzipSync } from "node:zlib";
import { arbSnapshot } from "../helpers/arbitrary.ts";
import { normalizeSnapshot } from "../../src/snapshot/normalize.ts";
import { serializeSnapshot } from "../../src/snapshot/serialize.ts";
import { parseSnapshotBytes } from "../../src/snapshot/read.ts";
import type { SnapshotFormat } from "../../src/snapshot/serialize.ts";

const enc = new TextEncoder();

function roundTrip(format: SnapshotFormat, gzip: boolean) {
  fc.assert(
    fc.property(arbSnapshot, (s) => {
      const norm = normalizeSnapshot(s);
      const text = serializeSnapshot(norm, format);
      const bytes = gzip ? gzipSync(enc.encode(text)) : enc.encode(text);
      const back = parseSnapshotBytes(bytes, gzip ? "a.gz" : "a");
      assert.deepStrictEqual(back, norm);
      assert.equal(serializeSnapshot(back, format), text);
      assert.equal(serializeSnapshot(normalizeSnapshot(back), format), text);
    }),
    { numRuns: 150 },
  );
}

test("any valid snapshot round-trips through JSON byte for byte", () => roundTrip("json", false));
test("any valid snapshot round-trips through YAML byte for byte", () => roundTrip("yaml", false));
test("any valid snapshot round-trips through gzipped JSON", () => roundTrip("json", true));
test("any valid snapshot round-trips through gzipped YAML", () => roundTrip("yaml", true));

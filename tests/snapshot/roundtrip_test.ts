import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { gzipSync } from "node:zlib";
import { arbSnapshot } from "../helpers/arbitrary.ts";
import { normalizeSnapshot } from "../../src/snapshot/normalize.ts";
import { serializeSnapshot, serializeSnapshotBytes } from "../../src/snapshot/serialize.ts";
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

/**
 * YAML 1.2's printable set (c-printable), less NEL, LS and PS, which YAML 1.1 reads as line
 * breaks: the characters a YAML snapshot may hold as written, so that PyYAML and other readers
 * take it as nsnap's reader does.
 */
const YAML_WRITTEN =
  /^[\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\u{10000}-\u{10ffff}]*$/u;

test("property: a YAML snapshot holds only YAML's printable characters, whatever the names", () => {
  fc.assert(
    fc.property(arbSnapshot, (s) => {
      assert.match(serializeSnapshot(normalizeSnapshot(s), "yaml"), YAML_WRITTEN);
    }),
    { numRuns: 100 },
  );
});

test("serializeSnapshotBytes() is the UTF-8 of serializeSnapshot(), for both formats", () => {
  fc.assert(
    fc.property(arbSnapshot, fc.constantFrom("json" as const, "yaml" as const), (raw, format) => {
      const s = normalizeSnapshot(raw);
      const want = new TextEncoder().encode(serializeSnapshot(s, format));
      assert.deepEqual(serializeSnapshotBytes(s, format), want);
    }),
    { numRuns: 100 },
  );
});

test("serializeSnapshotBytes() writes a list longer than one chunk of lines as one list", () => {
  const s = normalizeSnapshot(fc.sample(arbSnapshot, { seed: 7, numRuns: 1 })[0]!);
  const many = normalizeSnapshot({
    ...s,
    connections: Array.from({ length: 5000 }, (_, i) => ({
      protocol: "tcp" as const,
      family: "inet" as const,
      localAddress: "10.0.0.1",
      localPort: i % 65536,
      remoteAddress: "10.0.0.2",
      remotePort: 80,
      state: "ESTABLISHED",
      recvQ: 0,
      sendQ: 0,
      inode: i,
    })),
  });
  const text = new TextDecoder().decode(serializeSnapshotBytes(many, "json"));
  assert.equal(text, serializeSnapshot(many, "json"));
  assert.equal(
    parseSnapshotBytes(new TextEncoder().encode(text), "many.json").connections.length,
    5000,
  );
});

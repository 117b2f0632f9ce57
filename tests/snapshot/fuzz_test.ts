import { test } from "node:test";
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { InputError } from "../../src/errors.ts";
import { normalizeSnapshot } from "../../src/snapshot/normalize.ts";
import { parseSnapshotBytes } from "../../src/snapshot/read.ts";
import { serializeSnapshot } from "../../src/snapshot/serialize.ts";
import { arbSnapshot } from "../helpers/arbitrary.ts";

const enc = new TextEncoder();

/** A valid file (JSON, YAML or gzip) and a way to damage it. */
const arbDamaged = fc.record({
  snapshot: arbSnapshot,
  kind: fc.constantFrom("json", "yaml", "json.gz"),
  damage: fc.oneof(
    fc.record({ cut: fc.double({ min: 0, max: 1, noNaN: true }) }),
    fc.record({
      flips: fc.array(
        fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), byte: fc.nat(255) }),
        { minLength: 1, maxLength: 4 },
      ),
    }),
  ),
});

type Damaged = typeof arbDamaged extends fc.Arbitrary<infer T> ? T : never;

function damagedBytes(v: Damaged): Uint8Array {
  const s = normalizeSnapshot(v.snapshot);
  const text = serializeSnapshot(s, v.kind === "yaml" ? "yaml" : "json");
  const bytes = v.kind === "json.gz" ? gzipSync(enc.encode(text)) : enc.encode(text);
  if ("cut" in v.damage) return bytes.subarray(0, Math.floor(bytes.length * v.damage.cut));
  const out = bytes.slice();
  for (const f of v.damage.flips) {
    out[Math.min(out.length - 1, Math.floor(out.length * f.at))] = f.byte;
  }
  return out;
}

test("a truncated or byte-flipped snapshot either loads or fails with an InputError, never a crash", () => {
  fc.assert(
    fc.property(arbDamaged, (v) => {
      const name = v.kind === "json.gz" ? "damaged.json.gz" : `damaged.${v.kind}`;
      try {
        parseSnapshotBytes(damagedBytes(v), name);
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        assert.ok(err.message.startsWith(`Cannot read snapshot ${name}: `), err.message);
        assert.ok(!err.message.includes("\n"), err.message);
      }
    }),
    { numRuns: 400 },
  );
});

test("a counter above 2^53 survives write and read exactly", () => {
  const s = normalizeSnapshot(fc.sample(arbSnapshot, { seed: 3, numRuns: 1 })[0]!);
  s.counters = { Tcp: { MaxConn: -1n, InSegs: 2n ** 64n - 1n, Almost: 2n ** 53n + 1n } };
  for (const format of ["json", "yaml"] as const) {
    const text = serializeSnapshot(s, format);
    const back = parseSnapshotBytes(enc.encode(text), `x.${format}`);
    assert.equal(back.counters.Tcp!.InSegs, 18446744073709551615n);
    assert.equal(back.counters.Tcp!.Almost, 9007199254740993n);
    assert.equal(back.counters.Tcp!.MaxConn, -1n);
  }
});

test("a hand-written YAML counter above 2^53, unquoted, keeps its precision", () => {
  const s = normalizeSnapshot(fc.sample(arbSnapshot, { seed: 5, numRuns: 1 })[0]!);
  s.counters = { Tcp: { InSegs: 1n } };
  const text = serializeSnapshot(s, "yaml").replace("InSegs: 1", "InSegs: 18446744073709551615");
  const back = parseSnapshotBytes(enc.encode(text), "x.yaml");
  assert.equal(back.counters.Tcp!.InSegs, 18446744073709551615n);
});

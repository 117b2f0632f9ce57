/**
 * Names that are `Object.prototype` members (`constructor`, `toString`, `__proto__` …) are only
 * names: as counter groups, counter names, TCP states and labels they load, diff, show and render
 * like any other, in JSON and in YAML (nsnap's own layout and hand-edited text alike).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { PROTO_NAMES, protoSnapshotText } from "../helpers/hostile.ts";
import { parseSnapshotBytes } from "../../src/snapshot/read.ts";
import { normalizeSnapshot } from "../../src/snapshot/normalize.ts";
import { serializeSnapshot } from "../../src/snapshot/serialize.ts";
import { diffSnapshots } from "../../src/diff/mod.ts";
import { protocolStatistics } from "../../src/view/stats.ts";
import { dict, own } from "../../src/util/record.ts";

const enc = new TextEncoder();
const load = (text: string, name = "x.json") => parseSnapshotBytes(enc.encode(text), name);

test("the loader keeps every prototype-named counter group, counter, state and label", () => {
  const s = load(protoSnapshotText("2026-01-01T00:00:00.000Z", 1, true));
  assert.deepEqual(Object.keys(s.counters), ["Tcp", ...PROTO_NAMES]);
  for (const g of Object.keys(s.counters)) {
    assert.equal(Object.getPrototypeOf(s.counters[g]), null, `${g} has no prototype`);
    for (const [i, n] of PROTO_NAMES.entries()) {
      assert.equal(own(s.counters[g], n), BigInt(1 + i), `${g}.${n}`);
    }
  }
  assert.deepEqual(Object.entries(s.meta.labels), [["__proto__", "a"], ["constructor", "b"]]);
  assert.deepEqual(s.connections.map((c) => c.state), ["__proto__", "constructor", "toString"]);
});

test("normalize and serialize keep prototype names, in JSON and in both YAML readers", () => {
  const s = load(protoSnapshotText("2026-01-01T00:00:00.000Z", 1, true));
  const n = normalizeSnapshot(s);
  for (const format of ["json", "yaml"] as const) {
    const text = serializeSnapshot(n, format);
    for (const variant of [text, `# hand-edited\n${text}`]) {
      const back = load(variant, `x.${format}`);
      assert.deepEqual(
        Object.keys(back.counters),
        Object.keys(s.counters),
        `${format}${variant === text ? "" : " (full YAML parser)"}`,
      );
      assert.equal(own(own(back.counters, "__proto__"), "__proto__"), 1n);
      assert.deepEqual(Object.keys(back.meta.labels), ["__proto__", "constructor"]);
    }
  }
});

test("diffSnapshots() compares prototype-named counters and never meets an inherited one", () => {
  const before = load(protoSnapshotText("2026-01-01T00:00:00.000Z", 1, false));
  const after = load(protoSnapshotText("2026-01-01T00:00:10.000Z", 5, true));
  const doc = diffSnapshots(before, after);
  const changed = doc.changes.filter((c) => c.section === "counters").map((c) =>
    `${c.key.group}.${c.key.name} ${c.kind}`
  );
  // Only Tcp exists on both sides; the prototype-named groups exist only after: not compared.
  assert.deepEqual(
    changed.filter((c) => !c.startsWith("Tcp.OutSegs")).sort(),
    PROTO_NAMES.map((n) => `Tcp.${n} counter-increased`).sort(),
  );
  // A plain-object snapshot built in memory (as a library caller might) behaves the same.
  const plainBefore = { ...before, counters: { Tcp: { OutSegs: 1n } } };
  const plainAfter = { ...after, counters: dict([["constructor", dict([["toString", 3n]])]]) };
  assert.doesNotThrow(() => diffSnapshots(plainBefore, plainAfter));
  assert.deepEqual(doc.tcpStates && Object.keys(doc.tcpStates), [
    "__proto__",
    "constructor",
    "toString",
  ]);
});

test("protocolStatistics() lists prototype-named counters instead of hiding them", () => {
  const s = load(protoSnapshotText("2026-01-01T00:00:00.000Z", 1, true));
  const stats = protocolStatistics(s.counters);
  const ctor = stats.find((g) => g.group === "constructor");
  assert.ok(ctor, "the constructor group is shown");
  assert.deepEqual(ctor.lines.map((l) => l.name), PROTO_NAMES);
  const tcp = stats.find((g) => g.group === "Tcp")!;
  for (const n of PROTO_NAMES) assert.ok(tcp.lines.some((l) => l.name === n), `Tcp.${n}`);
});

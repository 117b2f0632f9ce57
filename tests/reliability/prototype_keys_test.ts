/**
 * Names that are `Object.prototype` members (`constructor`, `toString`, `__proto__` …) are only
 * names: as counter groups, counter names, TCP states and labels they load, diff, show and render
 * like any other, in JSON and in YAML (nsnap's own layout and hand-edited text alike).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseSnapshotBytes } from "../../src/snapshot/read.ts";
import { normalizeSnapshot } from "../../src/snapshot/normalize.ts";
import { serializeSnapshot } from "../../src/snapshot/serialize.ts";
import { diffSnapshots } from "../../src/diff/mod.ts";
import { protocolStatistics } from "../../src/view/stats.ts";
import { dict, own } from "../../src/util/record.ts";
import { runCli } from "../helpers/cli.ts";

/** Every prototype member a name could collide with. */
const PROTO_NAMES = [
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "isPrototypeOf",
  "propertyIsEnumerable",
  "toLocaleString",
  "__defineGetter__",
  "__lookupGetter__",
];

/** Snapshot text (JSON) whose counters, states and labels all use prototype names. */
function snapshotText(at: string, base: number, withProtoGroups: boolean): string {
  const names = PROTO_NAMES.map((n, i) => `${JSON.stringify(n)}: ${base + i}`).join(", ");
  const groups = [
    `"Tcp": {"OutSegs": ${base * 10}, ${names}}`,
    ...(withProtoGroups ? PROTO_NAMES.map((g) => `${JSON.stringify(g)}: {${names}}`) : []),
  ].join(",\n    ");
  const conns = ["__proto__", "constructor", "toString"].map((state, i) =>
    `{"protocol": "tcp", "family": "inet", "localAddress": "10.0.0.1", "localPort": ${
      1000 + i
    }, "remoteAddress": "10.0.0.2", "remotePort": 80, "state": ${
      JSON.stringify(state)
    }, "recvQ": 0, "sendQ": 0}`
  ).join(",\n    ");
  return `{
  "schema": "nsnap/v1",
  "meta": {
    "capturedAt": "${at}",
    "durationMs": 1,
    "host": {"hostname": "web-1", "os": "linux"},
    "tool": {"name": "nsnap", "version": "0.1.0", "runtime": "test"},
    "privileges": {"root": true},
    "labels": {"__proto__": "a", "constructor": "b"},
    "sections": {"connections": {"status": "ok"}, "processes": {"status": "ok"},
      "routes": {"status": "ok"}, "interfaces": {"status": "ok"}, "counters": {"status": "ok"}}
  },
  "connections": [
    ${conns}
  ],
  "processes": {},
  "routes": [],
  "interfaces": [],
  "counters": {
    ${groups}
  }
}
`;
}

const enc = new TextEncoder();
const load = (text: string, name = "x.json") => parseSnapshotBytes(enc.encode(text), name);

test("the loader keeps every prototype-named counter group, counter, state and label", () => {
  const s = load(snapshotText("2026-01-01T00:00:00.000Z", 1, true));
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
  const s = load(snapshotText("2026-01-01T00:00:00.000Z", 1, true));
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
  const before = load(snapshotText("2026-01-01T00:00:00.000Z", 1, false));
  const after = load(snapshotText("2026-01-01T00:00:10.000Z", 5, true));
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
  const s = load(snapshotText("2026-01-01T00:00:00.000Z", 1, true));
  const stats = protocolStatistics(s.counters);
  const ctor = stats.find((g) => g.group === "constructor");
  assert.ok(ctor, "the constructor group is shown");
  assert.deepEqual(ctor.lines.map((l) => l.name), PROTO_NAMES);
  const tcp = stats.find((g) => g.group === "Tcp")!;
  for (const n of PROTO_NAMES) assert.ok(tcp.lines.some((l) => l.name === n), `Tcp.${n}`);
});

test("`nsnap diff` and `nsnap show -s` handle prototype names through the CLI", () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-proto-"));
  try {
    writeFileSync(join(dir, "a.json"), snapshotText("2026-01-01T00:00:00.000Z", 1, true));
    writeFileSync(join(dir, "b.json"), snapshotText("2026-01-01T00:00:10.000Z", 5, true));
    for (const format of ["text", "json", "markdown", "yaml"]) {
      const r = runCli(["diff", "a.json", "b.json", "--format", format], { cwd: dir });
      assert.equal(r.code, 0, `${format}: ${r.stderr}`);
      assert.equal(r.stderr, "");
      // Markdown escapes its own characters (`\_`); read it as the rendered page shows it.
      const shown = format === "markdown" ? r.stdout.replace(/\\(.)/g, "$1") : r.stdout;
      for (const g of ["constructor", "__proto__", "Tcp"]) {
        for (const n of ["toString", "__proto__", "hasOwnProperty"]) {
          assert.ok(shown.includes(`${g}.${n}`), `${format}: ${g}.${n} in the diff`);
        }
      }
    }
    const json = JSON.parse(
      runCli(["diff", "a.json", "b.json", "--format", "json"], { cwd: dir }).stdout,
    );
    const d = json.changes.find((c: { key: { group: string; name: string } }) =>
      c.key.group === "__proto__" && c.key.name === "constructor"
    );
    assert.equal(d.delta, 4);
    assert.deepEqual(Object.keys(json.tcpStates), ["__proto__", "constructor", "toString"]);
    const show = runCli(["show", "-s", "a.json"], { cwd: dir });
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /^constructor:$/m);
    assert.match(show.stdout, /^__proto__:$/m);
    for (const n of PROTO_NAMES) assert.match(show.stdout, new RegExp(`^    ${n}: \\d+$`, "m"));
    const showJson = JSON.parse(
      runCli(["show", "-s", "a.json", "--format", "json"], { cwd: dir })
        .stdout,
    );
    assert.equal(showJson.__proto__.toString, 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

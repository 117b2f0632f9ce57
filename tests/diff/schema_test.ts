/**
 * The diff document's one definition held to what nsnap writes: the committed JSON Schema is
 * what the code generates, and real documents validate against that published file with a
 * JSON Schema validator (ajv) — not only against zod, since the file is what other tools read,
 * and zod's converter could emit something stricter or looser than zod itself — and read back
 * through zod without losing a field.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import fc from "fast-check";
import { parse as parseYaml } from "yaml";
import { schemaText } from "../../src/cli/schema.ts";
import {
  ALL_KINDS,
  CHANGE_KINDS,
  DIFF_SECTIONS,
  type DiffDocument,
  diffSnapshots,
  KIND_DESCRIPTIONS,
  KIND_SECTIONS,
  parseDiffDocument,
} from "../../src/diff/mod.ts";
import type { Snapshot } from "../../src/model.ts";
import { plainDiff, renderDiffJson, renderDiffYaml } from "../../src/render/diff_json.ts";
import { parseSnapshotBytes } from "../../src/snapshot/read.ts";
import { arbSnapshot } from "../helpers/arbitrary.ts";
import { ROOT } from "../helpers/cli.ts";
import { runMain } from "../helpers/main.ts";
import { conn, iface, listen, proc, procs, route, snap } from "./_build.ts";
import { scenarioAfter, scenarioBefore } from "./_scenario.ts";
import { namespacedPair } from "./_namespaces.ts";
import { routingPair } from "./_routing.ts";
import { socketsPair } from "./_sockets.ts";

const COMMITTED = `${ROOT}schema/nsnap-diff-v1.schema.json`;
const published = JSON.parse(readFileSync(COMMITTED, "utf8"));
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(published);

/** Validates a document's JSON text against the published schema, naming the first errors. */
function assertValid(json: string, what: string): void {
  const ok = validate(JSON.parse(json));
  assert.ok(ok, `${what}: ${JSON.stringify(validate.errors?.slice(0, 3), null, 1)}`);
}

/** JSON text → zod → the same document, bigints and all (a field zod does not know is lost). */
function assertRoundTrip(doc: DiffDocument, what: string): void {
  const back = parseDiffDocument(JSON.parse(renderDiffJson(doc)));
  assert.deepEqual(plainDiff(back), plainDiff(doc), `${what}: JSON round trip`);
  const fromYaml = parseDiffDocument(parseYaml(renderDiffYaml(doc), { intAsBigInt: false }));
  assert.deepEqual(plainDiff(fromYaml), plainDiff(doc), `${what}: YAML round trip`);
}

function example(name: string): Snapshot {
  const path = `snapshots/examples/${name}`;
  return parseSnapshotBytes(readFileSync(`${ROOT}${path}`), path);
}

/** Hand-built pairs for the kinds the scenario and the examples do not show. */
function extraDocuments(): DiffDocument[] {
  const T0 = "2026-01-01T00:00:00.000Z", T1 = "2026-01-01T00:01:00.000Z";
  const docs: DiffDocument[] = [];
  // Owner changed, SYN_RECV build-up, and a counter beyond 2^53.
  const big = 2n ** 60n;
  const syn = Array.from(
    { length: 12 },
    (_, i) => conn("10.0.0.5", 443, "192.0.2.9", 40000 + i, "SYN_RECV"),
  );
  docs.push(diffSnapshots(
    snap(T0, {
      connections: [listen("0.0.0.0", 80, 1)],
      processes: procs(proc(1, "nginx")),
      counters: { Ip: { InReceives: big } },
    }),
    snap(T1, {
      connections: [listen("0.0.0.0", 80, 2), ...syn],
      processes: procs(proc(2, "caddy")),
      counters: { Ip: { InReceives: big * 3n } },
    }),
  ));
  // A reboot: one counter-reset for all, and interface traffic restarted from zero.
  const rebooted = snap(T1, {
    interfaces: [iface("eth0", { stats: { rxBytes: 10n } })],
    counters: { Tcp: { InSegs: 5n } },
  });
  rebooted.meta.host.bootTime = "2026-01-01T00:00:30.000Z";
  docs.push(diffSnapshots(
    snap(T0, {
      interfaces: [iface("eth0", { stats: { rxBytes: 5000n } })],
      counters: { Tcp: { InSegs: 500n } },
    }),
    rebooted,
  ));
  // A route that changed gateway, detail sessions, interfaces changed, removed and added.
  docs.push(diffSnapshots(
    snap(T0, {
      routes: [route("0.0.0.0/0", { gateway: "10.0.0.1" })],
      interfaces: [iface("eth0", { mtu: 1500 }), iface("eth1")],
    }),
    snap(T1, {
      routes: [route("0.0.0.0/0", { gateway: "10.0.0.254" })],
      interfaces: [
        iface("eth0", { mtu: 9000 }),
        iface("eth2", { index: 7, mac: "52:54:00:aa:bb:cc" }),
      ],
      connections: [conn("10.0.0.5", 40001, "10.0.0.9", 5432, "ESTABLISHED", 3)],
      processes: procs(proc(3, "psql")),
    }),
    { detail: true },
  ));
  // Rules, route attributes, neighbours, qdiscs, firewall and settings.
  docs.push(diffSnapshots(...routingPair()));
  // SO_REUSEPORT instances: one gone on :7100, one joined on :7200; unanswered connects.
  const reuse = (port: number, pid: number) => listen("127.0.0.1", port, pid);
  const synSent = (i: number) => conn("10.0.0.5", 41000 + i, "10.9.9.9", 5432, "SYN_SENT");
  docs.push(diffSnapshots(
    snap(T0, {
      connections: [reuse(7100, 11), reuse(7100, 12), reuse(7200, 21)],
      processes: procs(proc(11, "python3"), proc(12, "python3"), proc(21, "python3")),
    }),
    snap(T1, {
      connections: [
        reuse(7100, 11),
        reuse(7200, 21),
        reuse(7200, 22),
        ...Array.from({ length: 6 }, (_, i) => synSent(i)),
      ],
      processes: procs(proc(11, "python3"), proc(21, "python3"), proc(22, "socat")),
    }),
  ));
  // An interface renamed: the same index and MAC under a new name.
  const dev = { index: 9, mac: "52:54:00:00:00:09" };
  docs.push(diffSnapshots(
    snap(T0, { interfaces: [iface("eth3", dev)] }),
    snap(T1, { interfaces: [iface("ens9", dev)] }),
  ));
  // Captures across namespaces: containers started, stopped, replaced, published anew.
  docs.push(diffSnapshots(...namespacedPair()));
  // Netlink facts: UNIX listeners, raw and packet sockets, tcp_info, a full accept queue.
  const [sa, sb] = socketsPair();
  docs.push(diffSnapshots(sa, sb));
  // The other way round: raw and packet sockets closed.
  docs.push(diffSnapshots(sb, sa, { only: ["sockets"] }));
  return docs;
}

function realDocuments(): Array<[string, DiffDocument]> {
  const opts = { beforeFile: "before.json", afterFile: "after.json" };
  const a = example("before.json"), b = example("after.json");
  return [
    ["examples", diffSnapshots(a, b, opts)],
    ["examples --detail", diffSnapshots(a, b, { ...opts, detail: true })],
    ["examples swapped", diffSnapshots(b, a)],
    ["deploy scenario", diffSnapshots(scenarioBefore(), scenarioAfter(), opts)],
    [
      "deploy scenario --detail",
      diffSnapshots(scenarioBefore(), scenarioAfter(), { detail: true }),
    ],
    ...extraDocuments().map((d, i) => [`hand-built ${i}`, d] as [string, DiffDocument]),
  ];
}

test("the committed schema/nsnap-diff-v1.schema.json is what the code produces", () => {
  assert.equal(
    readFileSync(COMMITTED, "utf8"),
    schemaText("diff"),
    "regenerate it: deno run -A mod.ts schema --diff > schema/nsnap-diff-v1.schema.json",
  );
});

test("every kind is declared once, in section order, with its section and a description", () => {
  assert.deepEqual(ALL_KINDS, DIFF_SECTIONS.flatMap((s) => CHANGE_KINDS[s]));
  assert.equal(new Set(ALL_KINDS).size, ALL_KINDS.length);
  const branches = published.properties.changes.items.oneOf as Array<{ $ref: string }>;
  assert.deepEqual(branches.map((b) => b.$ref), ALL_KINDS.map((k) => `#/$defs/${k}`));
  for (const k of ALL_KINDS) {
    assert.ok(KIND_DESCRIPTIONS[k].length > 10, k);
    const def = published.$defs[k];
    assert.equal(def.description, KIND_DESCRIPTIONS[k]);
    assert.equal(def.properties.section.const, KIND_SECTIONS[k]);
    assert.ok(def.required.includes("key") && def.required.includes("summary"), k);
  }
});

test("diff documents of the examples and the golden scenario validate against the published schema", () => {
  const seen = new Set<string>();
  for (const [what, doc] of realDocuments()) {
    assertValid(renderDiffJson(doc), what);
    for (const c of doc.changes) seen.add(c.kind);
  }
  assertValid(readFileSync(`${ROOT}tests/testdata/diff/deploy.json.golden`, "utf8"), "golden");
  // Every branch of the union is exercised by a real document.
  assert.deepEqual([...seen].sort(), [...ALL_KINDS].sort());
});

test("`nsnap diff --format json|yaml` of the example snapshots validates and reads back", async () => {
  const [a, b] = ["before.json", "after.json"].map((f) => `${ROOT}snapshots/examples/${f}`);
  for (const extra of [[], ["--detail"], ["--only", "listeners,counters"]]) {
    const r = await runMain(["diff", a!, b!, "--format", "json", ...extra]);
    assert.equal(r.code, 0, r.stderr);
    assertValid(r.stdout, `diff --format json ${extra.join(" ")}`);
    const y = await runMain(["diff", a!, b!, "--format", "yaml", ...extra]);
    const fromYaml = parseDiffDocument(parseYaml(y.stdout));
    assert.deepEqual(plainDiff(fromYaml), JSON.parse(r.stdout));
  }
});

test("diff documents read back through zod losing nothing, from JSON and from YAML", () => {
  for (const [what, doc] of realDocuments()) assertRoundTrip(doc, what);
});

test("integers beyond 2^53 are decimal strings in the document, bigints when read back", () => {
  const [doc] = extraDocuments();
  const json = JSON.parse(renderDiffJson(doc!));
  const c = json.changes.find((x: { key: { name?: string } }) => x.key.name === "InReceives");
  assert.equal(c.delta, String(2n ** 61n));
  assert.equal(c.before, String(2n ** 60n));
  assert.equal(published.$defs.Exact.anyOf.length, 2);
  const back = parseDiffDocument(json).changes.find((x) => x.kind === "counter-increased");
  assert.equal(back?.delta, 2n ** 61n);
});

test("the published schema refuses a document that breaks it", () => {
  const good = JSON.parse(renderDiffJson(extraDocuments()[0]!));
  // deno-lint-ignore no-explicit-any -- a parsed document, broken on purpose in many places
  const broken: Array<[string, (d: any) => void]> = [
    ["unknown kind", (d) => (d.changes[0].kind = "listener-exploded")],
    ["kind in the wrong section", (d) => (d.changes[0].section = "routes")],
    ["no key", (d) => delete d.changes[0].key],
    ["fractional integer", (d) => (d.changes.at(-1).delta = 1.5)],
    ["integer as a float string", (d) => (d.changes.at(-1).delta = "1e3")],
    ["notable false", (d) => (d.changes[0].notable = false)],
    ["unknown section", (d) => d.sections.push("firewalls")],
  ];
  for (const [what, breakIt] of broken) {
    const d = structuredClone(good);
    breakIt(d);
    assert.equal(validate(d), false, what);
    assert.throws(() => parseDiffDocument(d), Error, what);
  }
});

test("diffs of generated snapshots validate and read back", () => {
  fc.assert(
    fc.property(arbSnapshot, arbSnapshot, fc.boolean(), (a, b, detail) => {
      const seen = new Set<string>();
      const bb: Snapshot = {
        ...b,
        meta: { ...b.meta, host: a.meta.host },
        // One interface per name, as every real capture has.
        interfaces: b.interfaces.filter((i) => !seen.has(i.name) && seen.add(i.name)),
      };
      const doc = diffSnapshots(a, bb, { detail });
      assertValid(renderDiffJson(doc), "generated");
      assertRoundTrip(doc, "generated");
    }),
    { numRuns: 60 },
  );
});

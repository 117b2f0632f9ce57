/**
 * The fleet diff document's one definition held to what nsnap writes: the committed JSON Schema
 * is what the code generates; documents of generated fleets validate against that published file
 * (ajv) and read back through zod losing nothing; the document written host by host is exactly
 * the document written at once.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import fc from "fast-check";
import { parse as parseYaml } from "yaml";
import { schemaText } from "../../src/cli/schema.ts";
import { type FleetDiffDocument, parseFleetDiffDocument } from "../../src/fleet/mod.ts";
import { plainDiff } from "../../src/render/diff_json.ts";
import {
  fleetJsonPieces,
  fleetYamlPieces,
  renderFleetJson,
  renderFleetYaml,
} from "../../src/render/fleet_json.ts";
import { ROOT } from "../helpers/cli.ts";
import { runMain } from "../helpers/main.ts";
import { arbFleet, type GenHost, memoryFleet, runMemoryFleet } from "./_fleet.ts";

const COMMITTED = `${ROOT}schema/nsnap-fleet-diff-v1.schema.json`;
const published = JSON.parse(readFileSync(COMMITTED, "utf8"));
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(published);

async function documentOf(hosts: GenHost[], present = (_h: GenHost, _s: string) => true) {
  const { report, entries } = await runMemoryFleet(memoryFleet(hosts, undefined, present), {
    failOn: ["listener-opened", "host-appeared"],
  });
  const doc: FleetDiffDocument = { ...report.head, hosts: entries };
  return doc;
}

function assertValid(json: string, what: string): void {
  const ok = validate(JSON.parse(json));
  assert.ok(ok, `${what}: ${JSON.stringify(validate.errors?.slice(0, 3), null, 1)}`);
}

test("the committed schema/nsnap-fleet-diff-v1.schema.json is what the code produces", () => {
  assert.equal(
    readFileSync(COMMITTED, "utf8"),
    schemaText("fleet-diff"),
    "regenerate it: deno run -A mod.ts schema --fleet-diff > schema/nsnap-fleet-diff-v1.schema.json",
  );
});

test("`nsnap schema --fleet-diff` prints the published schema; with --diff too it refuses", async () => {
  const r = await runMain(["schema", "--fleet-diff"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, readFileSync(COMMITTED, "utf8"));
  assert.equal(JSON.parse(r.stdout).properties.schema.const, "nsnap-fleet-diff/v1");
  // It embeds the diff document's definitions, kinds and all.
  assert.ok(published.$defs["listener-opened"] && published.$defs.FleetChange);
  const both = await runMain(["schema", "--fleet-diff", "--diff"]);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /^nsnap: Cannot print --diff and --fleet-diff at once/);
});

test("fleet documents of generated fleets validate against the published schema and read back", async () => {
  await fc.assert(
    fc.asyncProperty(
      arbFleet,
      fc.array(fc.constantFrom("both", "before", "after"), { minLength: 12, maxLength: 12 }),
      async (hosts, where) => {
        const doc = await documentOf(
          hosts,
          (h, s) => where[h.index] === "both" || where[h.index] === s,
        );
        const json = renderFleetJson(doc);
        assertValid(json, "generated");
        const back = parseFleetDiffDocument(JSON.parse(json));
        assert.deepEqual(plainDiff(back), plainDiff(doc));
        const fromYaml = parseFleetDiffDocument(parseYaml(renderFleetYaml(doc)));
        assert.deepEqual(plainDiff(fromYaml), plainDiff(doc));
      },
    ),
    { numRuns: 60 },
  );
});

test("the document written host by host is byte for byte the document written at once", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(arbFleet.map((h) => h.slice(0, 4)), { maxLength: 1 }),
      async ([hosts]) => {
        const doc = await documentOf(hosts ?? [], () => hosts !== undefined);
        const { hosts: entries, ...head } = doc;
        assert.equal(
          renderFleetJson(doc),
          JSON.stringify(plainDiff({ ...orderedHead(head), hosts: entries }), null, 2) + "\n",
        );
        const json = fleetJsonPieces(head), yaml = fleetYamlPieces(head);
        let j = json.open, y = yaml.open;
        entries.forEach((e, i) => {
          j += json.host(e, i);
          y += yaml.host(e, i);
        });
        j += json.close(entries.length);
        y += yaml.close(entries.length);
        assert.equal(j, renderFleetJson(doc));
        assert.deepEqual(parseYaml(y), JSON.parse(j));
      },
    ),
    { numRuns: 30 },
  );
});

/** The head's keys in the schema's order, as the document has them. */
function orderedHead(head: Omit<FleetDiffDocument, "hosts">): Record<string, unknown> {
  const keys = Object.keys(published.properties).filter((k) => k !== "hosts");
  const h = head as unknown as Record<string, unknown>;
  return Object.fromEntries(keys.filter((k) => h[k] !== undefined).map((k) => [k, h[k]]));
}

test("the published schema refuses a fleet document that breaks it", async () => {
  const hosts: GenHost[] = [0, 1].map((i) => ({
    name: `web-${i + 1}`,
    machineId: undefined,
    index: i,
    before: { listeners: [], sessions: [], routes: [], mtu: 1500, inSegs: 1n, pidBase: 100 },
    after: { listeners: [1], sessions: [], routes: [], mtu: 1500, inSegs: 5n, pidBase: 100 },
  }));
  const good = JSON.parse(renderFleetJson(await documentOf(hosts)));
  assertValid(JSON.stringify(good), "good");
  // deno-lint-ignore no-explicit-any -- a parsed document, broken on purpose
  const broken: Array<[string, (d: any) => void]> = [
    ["another schema", (d) => (d.schema = "nsnap-diff/v1")],
    ["an unknown kind in the roll-up", (d) => (d.rollup[0].kind = "listener-exploded")],
    [
      "a nested diff that breaks its schema",
      (d) => (d.hosts[0].diff.changes[0].section = "routes"),
    ],
    ["no changes count", (d) => delete d.rollup[0].changes],
    ["a fractional total", (d) => (d.tallies[0].total = 1.5)],
    ["a share above 1", (d) => (d.outlierShare = 2)],
    ["an unknown pairing", (d) => (d.hosts[0].pairedBy = "mac")],
    ["outlier false", (d) => (d.rollup[0].outlier = false)],
  ];
  for (const [what, breakIt] of broken) {
    const d = structuredClone(good);
    breakIt(d);
    assert.equal(validate(d), false, what);
    assert.throws(() => parseFleetDiffDocument(d), Error, what);
  }
});

/**
 * The timeline document's one definition held to what nsnap writes: the committed JSON Schema is
 * what the code generates and `nsnap schema --timeline` prints; real timelines (the example
 * series, a hand-built incident, a compact run) validate against the published file with ajv
 * and read back through zod without losing a field.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { parse as parseYaml } from "yaml";
import { schemaText } from "../../src/cli/schema.ts";
import { plainDiff } from "../../src/render/diff_json.ts";
import { compactSnapshot } from "../../src/snapshot/compact.ts";
import { parseTimelineDocument, TIMELINE_SCHEMA_ID } from "../../src/timeline/mod.ts";
import { ROOT } from "../helpers/cli.ts";
import { runMain } from "../helpers/main.ts";
import { folderOf, incident } from "./_series.ts";

const COMMITTED = `${ROOT}schema/nsnap-timeline-v1.schema.json`;
const published = JSON.parse(readFileSync(COMMITTED, "utf8"));
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(published);

test("the committed schema/nsnap-timeline-v1.schema.json is what the code produces", async () => {
  assert.equal(
    readFileSync(COMMITTED, "utf8"),
    schemaText("timeline"),
    "regenerate it: deno run -A mod.ts schema --timeline > schema/nsnap-timeline-v1.schema.json",
  );
  const r = await runMain(["schema", "--timeline"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, readFileSync(COMMITTED, "utf8"));
  assert.equal(JSON.parse(r.stdout).properties.schema.const, TIMELINE_SCHEMA_ID);
  assert.equal((await runMain(["schema", "--timeline", "--diff"])).code, 2);
});

async function documents(): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  const example = await runMain(["diff", "snapshots/examples/series/", "--format", "json"]);
  assert.equal(example.code, 0, example.stderr);
  out.push(["examples/series", example.stdout]);
  const snaps = incident();
  for (
    const [name, set] of [
      ["incident", snaps],
      ["compact", snaps.map((s, i) => (i === 0 ? s : compactSnapshot(s, "first.json")))],
    ] as const
  ) {
    const dir = folderOf(set);
    try {
      const r = await runMain(["diff", dir, "--format", "json"]);
      assert.equal(r.code, 0, r.stderr);
      out.push([name, r.stdout]);
      const y = await runMain(["diff", dir, "--format", "yaml"]);
      assert.deepEqual(parseYaml(y.stdout), JSON.parse(r.stdout), `${name}: YAML = JSON`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return out;
}

test("real timelines validate against the published schema and round-trip through zod", async () => {
  for (const [name, json] of await documents()) {
    const value = JSON.parse(json);
    assert.ok(validate(value), `${name}: ${JSON.stringify(validate.errors?.slice(0, 3), null, 1)}`);
    assert.deepEqual(plainDiff(parseTimelineDocument(value)), value, `${name}: nothing lost`);
  }
});

test("the published schema refuses what is not a timeline", () => {
  const [, json] = ["", JSON.stringify({ schema: TIMELINE_SCHEMA_ID })];
  assert.equal(validate(JSON.parse(json)), false);
  assert.throws(() => parseTimelineDocument({ schema: "nsnap-diff/v1" }));
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { schemaText } from "../../src/cli/schema.ts";
import { ROOT } from "../helpers/cli.ts";
import { runMain } from "../helpers/main.ts";

const COMMITTED = `${ROOT}schema/nsnap-v1.schema.json`;
const COMMITTED_DIFF = `${ROOT}schema/nsnap-diff-v1.schema.json`;

test("the committed schema/nsnap-v1.schema.json is what the code produces", () => {
  assert.equal(
    readFileSync(COMMITTED, "utf8"),
    schemaText(),
    "regenerate it: deno run -A mod.ts schema > schema/nsnap-v1.schema.json",
  );
});

test("`nsnap schema` prints the published JSON Schema and exits 0", async () => {
  const r = await runMain(["schema"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, readFileSync(COMMITTED, "utf8"));
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.properties.schema.const, "nsnap/v1");
});

test("`nsnap schema --diff` prints the diff document's published JSON Schema", async () => {
  const r = await runMain(["schema", "--diff"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, readFileSync(COMMITTED_DIFF, "utf8"));
  assert.equal(JSON.parse(r.stdout).properties.schema.const, "nsnap-diff/v1");
});

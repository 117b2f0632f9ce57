import { test } from "node:test";
import assert from "node:assert/strict";
import { VERSION } from "../../src/version.ts";
import { DENO_JSON, PACKAGE_JSON } from "../helpers/binary.ts";

test("the version lives in package.json alone, and VERSION is it", () => {
  assert.equal(VERSION, PACKAGE_JSON.version);
  assert.match(VERSION, /^[0-9]+\.[0-9]+\.[0-9]+/);
  assert.equal("version" in DENO_JSON, false, "deno.json must not repeat the version");
});

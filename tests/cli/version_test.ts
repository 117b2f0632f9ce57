import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { VERSION } from "../../src/version.ts";
import { ROOT } from "../helpers/cli.ts";

const json = (name: string) => JSON.parse(readFileSync(`${ROOT}${name}`, "utf8"));

test("the version lives in package.json alone, and VERSION is it", () => {
  assert.equal(VERSION, json("package.json").version);
  assert.match(VERSION, /^[0-9]+\.[0-9]+\.[0-9]+/);
  assert.equal("version" in json("deno.json"), false, "deno.json must not repeat the version");
});

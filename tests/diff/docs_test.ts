import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseDiffConfig } from "../../src/diff/config.ts";
import { ALL_KINDS } from "../../src/diff/mod.ts";

const doc = readFileSync(new URL("../../docs/diff.md", import.meta.url), "utf8");

test("docs/diff.md describes every change kind", () => {
  for (const k of ALL_KINDS) assert.ok(doc.includes(`\`${k}\``), k);
});

test("the policy file example in docs/diff.md is a valid config", () => {
  const yaml = /```yaml\n([\s\S]*?)```/.exec(doc)![1]!;
  const cfg = parseDiffConfig(yaml, "docs/diff.md");
  assert.deepEqual(cfg.failOn, [
    "listener-opened",
    "listener-exposure-changed",
    "route-removed",
    "notable",
  ]);
  assert.deepEqual(cfg.udpServices, [[51820, 51820]]);
  assert.deepEqual(cfg.ignore.ports, ["22", "30000-32767"]);
});

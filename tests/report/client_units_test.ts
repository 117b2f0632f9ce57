/**
 * The report's page script formats bytes and rates as src/format.ts does (IEC units; a rate
 * beyond 2^53 as its magnitude), so a chart label and the table beside it never use two unit
 * systems. The script's own functions are taken from the page text and run here.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { CLIENT_JS } from "../../src/render/html/assets.ts";
import { formatBytes, formatRate } from "../../src/format.ts";

/** A function of the page script, with the helpers it calls, as a callable. */
function clientFunction(name: string, helpers: string[] = []): (v: unknown) => string {
  const source = (fn: string) => {
    const start = CLIENT_JS.indexOf(`  function ${fn}(`);
    assert.ok(start >= 0, `client.js has ${fn}()`);
    return CLIENT_JS.slice(start, CLIENT_JS.indexOf("\n  }\n", start) + 4);
  };
  const consts = [...CLIENT_JS.matchAll(/^ {2}const BYTE_UNITS = .*;$/gm)].map((m) => m[0]);
  return new Function(
    [...consts, ...helpers.map(source), source(name), `return ${name};`].join("\n"),
  )() as (v: unknown) => string;
}

test("client.js bytes() is formatBytes(): 1536 B is 1.5 KiB in the chart and in the table", () => {
  const bytes = clientFunction("bytes");
  assert.equal(bytes(1536), "1.5 KiB");
  assert.equal(bytes(1536), formatBytes(1536));
  assert.equal(bytes(1024 * 1024 - 1), "1 MiB");
  for (const v of [0, 1, 1023, 1024, 1000 * 1000, 512 * 2 ** 20, 2 ** 60]) {
    assert.equal(bytes(v), formatBytes(v), String(v));
  }
  fc.assert(
    fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (v) => {
      assert.equal(bytes(v), formatBytes(v));
    }),
    { numRuns: 1000 },
  );
});

test("client.js rate() is formatRate(), a 2^64-sized rate included", () => {
  const rate = clientFunction("rate", ["grouped"]);
  for (const v of [0, 0.001, 0.005, 3.676, 1210.784, 2 ** 53, 2 ** 64 * 1000, -(2 ** 60)]) {
    assert.equal(rate(v), formatRate(v), String(v));
  }
});

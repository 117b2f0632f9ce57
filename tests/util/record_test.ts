import { test } from "node:test";
import assert from "node:assert/strict";
import { dict, dictFrom, own } from "../../src/util/record.ts";

test("dict() keeps __proto__, constructor and toString as plain keys", () => {
  const d = dict<number>([["__proto__", 1], ["constructor", 2], ["toString", 3]]);
  assert.equal(Object.getPrototypeOf(d), null);
  assert.deepEqual(Object.keys(d), ["__proto__", "constructor", "toString"]);
  assert.equal(d["__proto__"], 1);
  assert.equal(JSON.stringify(d), '{"__proto__":1,"constructor":2,"toString":3}');
  d["__proto__"] = 4;
  assert.equal(Object.getPrototypeOf(d), null, "assigning __proto__ stores a value");
});

test("own() never returns an inherited member", () => {
  const plain: Record<string, number> = { a: 1 };
  assert.equal(own(plain, "a"), 1);
  assert.equal(own(plain, "constructor"), undefined);
  assert.equal(own(plain, "__proto__"), undefined);
  assert.equal(own(undefined, "a"), undefined);
});

test("dictFrom() copies own entries, __proto__ included, into a prototype-free record", () => {
  const parsed = JSON.parse('{"__proto__": 1, "b": 2}') as Record<string, number>;
  const d = dictFrom(parsed);
  assert.equal(Object.getPrototypeOf(d), null);
  assert.deepEqual(Object.entries(d), [["__proto__", 1], ["b", 2]]);
});

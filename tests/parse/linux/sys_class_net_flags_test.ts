import { test } from "node:test";
import assert from "node:assert/strict";
import { parseSysClassNetFlags } from "../../../src/parse/linux/sys_class_net_flags.ts";

test("parseSysClassNetFlags() names the IFF_* bits of the flags attribute, in bit order", () => {
  assert.deepEqual(parseSysClassNetFlags("0x1003\n"), ["UP", "BROADCAST", "MULTICAST"]);
  assert.deepEqual(parseSysClassNetFlags("0x9"), ["UP", "LOOPBACK"]);
  assert.deepEqual(parseSysClassNetFlags("0x11043"), [
    "UP",
    "BROADCAST",
    "RUNNING",
    "MULTICAST",
    "LOWER_UP",
  ]);
  // A bit if.h does not name (0x80000) is left out, not guessed.
  assert.deepEqual(parseSysClassNetFlags("0x80001"), ["UP"]);
});

test("parseSysClassNetFlags() gives undefined for text that is not one hex number", () => {
  for (const t of ["", "up", "0x", "0x1003 0x1", "0xfffffffff"]) {
    assert.equal(parseSysClassNetFlags(t), undefined, JSON.stringify(t));
  }
});

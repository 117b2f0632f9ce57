/** The pieces every parser shares: one warning wording, column assignment, counter groups. */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  assignColumns,
  cannotRead,
  counterGroup,
  headerColumns,
  splitLines,
} from "../../src/parse/text.ts";
import type { Counters } from "../../src/model.ts";

test("cannotRead() names source, line and the raw line, quoted and cut to 160 characters", () => {
  assert.equal(
    cannotRead("r.txt", 7, "route", "  junk here \t"),
    'r.txt:7: cannot read route: "junk here"',
  );
  assert.equal(
    cannotRead("ip -j route[3]", undefined, "route", "{}"),
    'ip -j route[3]: cannot read route: "{}"',
  );
  const long = cannotRead("x", 1, "line", "a".repeat(500));
  assert.ok(long.endsWith('..."') && long.length < 200, long);
  assert.equal(
    cannotRead("x", 1, "line", "tab\there\u0001"),
    'x:1: cannot read line: "tab\\there\\x01"',
  );
  // C1 controls and bidi overrides are escaped where the warning is made, not only on a TTY.
  assert.equal(
    cannotRead("x", 1, "line", "a\u009b2J\u202eb\\"),
    'x:1: cannot read line: "a\\u{9b}2J\\u{202e}b\\\\"',
  );
});

test("splitLines() drops line ends and the empty line after a final newline", () => {
  assert.deepEqual(splitLines("a\r\nb\n"), ["a", "b"]);
  assert.deepEqual(splitLines("a\n\nb"), ["a", "", "b"]);
  assert.deepEqual(splitLines(""), []);
});

const header = "Proto Recv-Q Send-Q Local Address      Foreign Address    (state)     Log ID";
const cols = headerColumns(header, ["Local Address", "Foreign Address"]);

test("assignColumns() keeps words in order and leaves a blank column empty (UDP has no state)", () => {
  const f = assignColumns("udp4       0      0 *.514              *.*                ", cols);
  assert.equal(f.get("Local Address"), "*.514");
  assert.equal(f.get("Foreign Address"), "*.*");
  assert.equal(f.get("(state)"), undefined);
});

test("assignColumns() puts a value under an unknown two-word label without shifting the state", () => {
  // "Log ID" is two labels here (not joined) but one value: the state stays the state.
  const f = assignColumns(
    "tcp4       0      0 192.168.71.1.22    192.168.71.1.56321 ESTABLISHED -",
    cols,
  );
  assert.equal(f.get("(state)"), "ESTABLISHED");
  assert.equal(f.get("Foreign Address"), "192.168.71.1.56321");
  assert.equal(f.get("Log"), "-");
});

test("assignColumns() joins the words of one column (a process name with spaces)", () => {
  const h = headerColumns("pid   process:pid              state");
  const f = assignColumns("812   Google Chrome He:812     00102", h);
  assert.equal(f.get("process:pid"), "Google Chrome He:812");
  assert.equal(f.get("state"), "00102");
});

test("counterGroup() makes a group of any name, Object.prototype's included", () => {
  const c: Counters = {};
  counterGroup(c, "constructor").Foo = 1n;
  counterGroup(c, "Tcp").RetransSegs = 2n;
  assert.deepEqual(Object.keys(c), ["constructor", "Tcp"]);
  assert.equal(c["constructor"]?.["Foo"], 1n);
  assert.equal(({} as Record<string, unknown>).Foo, undefined);
  assert.equal((Object as unknown as Record<string, unknown>).Foo, undefined);
});

/** The rules every collector's sections follow (collect/section.ts). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { commandSection, mergeStatus, noteStatus, section } from "../../src/collect/section.ts";
import { ParseError } from "../../src/errors.ts";
import type { Parsed } from "../../src/parse/text.ts";

test("section() is ok without warnings, partial with them, and records its source", () => {
  assert.deepEqual(section("/proc/net", [], () => [1]), {
    value: [1],
    status: { status: "ok" },
    source: "/proc/net",
  });
  const s = section("/proc/net", [], (w) => (w.push("cannot read /proc/net/udp6: x"), [2]));
  assert.deepEqual(s.status, { status: "partial", warnings: ["cannot read /proc/net/udp6: x"] });
});

test("section() turns a throw into an error that keeps the warnings gathered before it", () => {
  const s = section<number[]>("ip -j", [], (w) => {
    w.push("first warning");
    throw Object.assign(new Error("boom"), { code: "EACCES" });
  });
  assert.deepEqual(s.value, []);
  assert.deepEqual(s.status, {
    status: "error",
    error: "permission denied",
    warnings: ["first warning"],
  });
});

test("mergeStatus() makes ok partial and keeps an error an error, warnings kept either way", () => {
  assert.deepEqual(mergeStatus({ status: "ok" }, ["gap"]), {
    status: "partial",
    warnings: ["gap"],
  });
  assert.deepEqual(mergeStatus({ status: "error", error: "e", warnings: ["a"] }, ["gap"]), {
    status: "error",
    error: "e",
    warnings: ["a", "gap"],
  });
  assert.deepEqual(mergeStatus({ status: "ok" }, []), { status: "ok" });
  assert.deepEqual(noteStatus({ status: "ok" }, ["3 processes exited during the scan"]), {
    status: "ok",
    warnings: ["3 processes exited during the scan"],
  });
});

test("commandSection() keeps the parser's warnings; a failed command or unreadable text is an error", () => {
  const parse = (t: string): Parsed<string[]> => {
    if (t === "junk") throw new ParseError("netstat -rn", 1, t, "cannot find the header");
    return {
      value: t.split(" "),
      warnings: t.includes("?") ? ["netstat -rn:1: cannot read x"] : [],
    };
  };
  const ok = (stdout: string) => ({ ok: true, stdout, stderr: "" });
  assert.deepEqual(commandSection(ok("a b"), "netstat -rn", [], parse).status, { status: "ok" });
  assert.deepEqual(commandSection(ok("a ?"), "netstat -rn", [], parse).status, {
    status: "partial",
    warnings: ["netstat -rn:1: cannot read x"],
  });
  const bad = commandSection(ok("junk"), "netstat -rn", [], parse);
  assert.equal(bad.status.status, "error");
  assert.match(bad.status.error ?? "", /^netstat -rn:1: cannot find the header/);
  const failed = commandSection(
    { ok: false, stdout: "", stderr: "", reason: "netstat: not found" },
    "netstat -rn",
    [],
    parse,
  );
  assert.deepEqual(failed, {
    value: [],
    status: { status: "error", error: "netstat: not found" },
    source: "netstat -rn",
  });
});

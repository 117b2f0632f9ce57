import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ParseError } from "../../../src/errors.ts";
import { parseNetstatAn } from "../../../src/parse/bsd/netstat_an.ts";
import { parseNetstatRn } from "../../../src/parse/bsd/netstat_rn.ts";
import { parseNetstatI } from "../../../src/parse/bsd/netstat_i.ts";
import { parseNetstatS } from "../../../src/parse/bsd/netstat_s.ts";
import { parseIfconfig } from "../../../src/parse/bsd/ifconfig.ts";
import { parseLsof } from "../../../src/parse/bsd/lsof.ts";
import { testdata } from "./helpers.ts";
import * as S from "../../../src/schema.ts";
import { z } from "zod";

/** Every record a parser returns must be a valid snapshot record (counters as bigint). */
const RECORDS: Record<string, (value: unknown) => boolean> = {
  parseNetstatAn: (v) =>
    z.array(S.Connection).safeParse((v as { connections: unknown }).connections).success,
  parseNetstatRn: (v) => z.array(S.Route).safeParse(v).success,
  parseNetstatI: (v) =>
    z.array(S.NetInterface).safeParse(JSON.parse(JSON.stringify(v, big))).success,
  parseIfconfig: (v) =>
    z.array(S.NetInterface).safeParse(JSON.parse(JSON.stringify(v, big))).success,
  parseNetstatS: (v) =>
    Object.values(v as Record<string, Record<string, unknown>>).every((g) =>
      Object.values(g).every((x) => typeof x === "bigint")
    ),
  parseLsof: (v) => Array.isArray(v),
};

function big(_k: string, v: unknown): unknown {
  return typeof v === "bigint" ? v.toString() : v;
}

const PARSERS: [string, (t: string) => { warnings: string[] }, string[]][] = [
  ["parseNetstatAn", parseNetstatAn, [
    "fixtures/darwin/netstat-An/jc-osx-10.14.6.txt",
    "fixtures/freebsd/netstat-AaT/jc-freebsd12.txt",
    "darwin/netstat-anv-14.txt",
  ]],
  ["parseNetstatRn", parseNetstatRn, [
    "fixtures/darwin/netstat-rnl/jc-osx-10.14.6.txt",
    "fixtures/freebsd/netstat-r/jc-freebsd12.txt",
  ]],
  ["parseNetstatI", parseNetstatI, [
    "fixtures/darwin/netstat-ibdln/ohai-1.txt",
    "fixtures/freebsd/netstat-ibdn/ohai-1.txt",
  ]],
  ["parseNetstatS", parseNetstatS, [
    "fixtures/darwin/netstat-s/datadog-macos-tcp.txt",
    "darwin/capture/netstat-s.txt",
  ]],
  ["parseIfconfig", parseIfconfig, [
    "fixtures/darwin/ifconfig/jc-osx-10.14.6.txt",
    "fixtures/freebsd/ifconfig/cloud-init-1.txt",
  ]],
  ["parseLsof", parseLsof, ["darwin/capture/lsof-F.txt", "darwin/lsof-columns.txt"]],
];

/** Runs a parser; only records with warnings or a ParseError are allowed outcomes. */
function outcome(
  name: string,
  parse: (t: string) => { warnings: string[] },
  text: string,
): boolean {
  try {
    const r = parse(text) as unknown as { value: unknown; warnings: unknown };
    return Array.isArray(r.warnings) &&
      (r.warnings as unknown[]).every((w) => typeof w === "string") && RECORDS[name]!(r.value);
  } catch (err) {
    if (err instanceof ParseError) return true;
    throw err;
  }
}

/** A fixture with lines dropped, duplicated, cut or overwritten. */
function mutated(lines: string[]): fc.Arbitrary<string> {
  const edit = fc.record({
    at: fc.nat({ max: Math.max(0, lines.length - 1) }),
    kind: fc.constantFrom("drop", "dup", "cut", "garble", "swapcol"),
    n: fc.nat({ max: 200 }),
    junk: fc.string({ maxLength: 12 }),
  });
  return fc.array(edit, { minLength: 1, maxLength: 6 }).map((edits) => {
    const out = [...lines];
    for (const e of edits) {
      const at = Math.min(e.at, out.length - 1);
      const line = out[at] ?? "";
      if (e.kind === "drop") out.splice(at, 1);
      else if (e.kind === "dup") out.splice(at, 0, line);
      else if (e.kind === "cut") out[at] = line.slice(0, e.n % (line.length + 1));
      else if (e.kind === "garble") {
        const p = e.n % (line.length + 1);
        out[at] = line.slice(0, p) + e.junk + line.slice(p + e.junk.length);
      } else out[at] = line.split(/\s+/).reverse().join("  ");
    }
    return out.join("\n");
  });
}

for (const [name, parse, files] of PARSERS) {
  test(`${name}() gives records and warnings or a ParseError for any random text`, () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: "binary", maxLength: 300 })),
        (t) => outcome(name, parse, t),
      ),
      { numRuns: 300 },
    );
  });

  test(`${name}() gives records and warnings or a ParseError for mutated fixtures`, () => {
    for (const f of files) {
      const lines = testdata(f).split("\n");
      fc.assert(fc.property(mutated(lines), (t) => outcome(name, parse, t)), { numRuns: 120 });
    }
  });

  test(`${name}() reads its real fixtures with only the warnings they are known to need`, () => {
    for (const f of files) {
      const { warnings } = parse(testdata(f));
      assert.ok(warnings.length <= 1, `${f}: ${warnings.join("; ")}`);
    }
  });
}

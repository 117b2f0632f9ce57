/**
 * Hostile inputs shared by the unit and system tests of issue 14: names that are prototype
 * members, strings that would inject into a terminal, counters at the edges of 64 bits.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import type { Snapshot } from "../../src/model.ts";
import { dict } from "../../src/util/record.ts";
import { arbSnapshot } from "./arbitrary.ts";
import { GOOD } from "../snapshot/bad_cases.ts";

/** Every prototype member a name could collide with. */
export const PROTO_NAMES = [
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "isPrototypeOf",
  "propertyIsEnumerable",
  "toLocaleString",
  "__defineGetter__",
  "__lookupGetter__",
];

/** Snapshot text (JSON) whose counters, states and labels all use prototype names. */
export function protoSnapshotText(at: string, base: number, withProtoGroups: boolean): string {
  const names = PROTO_NAMES.map((n, i) => `${JSON.stringify(n)}: ${base + i}`).join(", ");
  const groups = [
    `"Tcp": {"OutSegs": ${base * 10}, ${names}}`,
    ...(withProtoGroups ? PROTO_NAMES.map((g) => `${JSON.stringify(g)}: {${names}}`) : []),
  ].join(",\n    ");
  const conns = ["__proto__", "constructor", "toString"].map((state, i) =>
    `{"protocol": "tcp", "family": "inet", "localAddress": "10.0.0.1", "localPort": ${
      1000 + i
    }, "remoteAddress": "10.0.0.2", "remotePort": 80, "state": ${
      JSON.stringify(state)
    }, "recvQ": 0, "sendQ": 0}`
  ).join(",\n    ");
  return `{
  "schema": "nsnap/v1",
  "meta": {
    "capturedAt": "${at}",
    "durationMs": 1,
    "host": {"hostname": "web-1", "os": "linux"},
    "tool": {"name": "nsnap", "version": "0.1.0", "runtime": "test"},
    "privileges": {"root": true},
    "labels": {"__proto__": "a", "constructor": "b"},
    "sections": {"connections": {"status": "ok"}, "processes": {"status": "ok"},
      "routes": {"status": "ok"}, "interfaces": {"status": "ok"}, "counters": {"status": "ok"}}
  },
  "connections": [
    ${conns}
  ],
  "processes": {},
  "routes": [],
  "interfaces": [],
  "counters": {
    ${groups}
  }
}
`;
}

/**
 * What must never reach a terminal from data: C0 controls but "\n", DEL, C1 controls, bidi
 * controls, line and paragraph separators, invisible (default-ignorable) characters, lone
 * surrogates and noncharacters.
 */
const FORBIDDEN =
  // deno-lint-ignore no-control-regex
  /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u2028-\u202e\p{Default_Ignorable_Code_Point}\p{Cs}\p{Noncharacter_Code_Point}]/u;
/** The renderer's own colour codes (SGR), allowed on a terminal. */
// deno-lint-ignore no-control-regex
const OWN_SGR = /\x1b\[[0-9;]*m/g;

export function assertClean(text: string, what: string): void {
  const m = FORBIDDEN.exec(text.replace(OWN_SGR, ""));
  if (m) {
    const at = m.index;
    assert.fail(
      `${what}: U+${m[0].codePointAt(0)!.toString(16).padStart(4, "0")} at ${at} in ${
        JSON.stringify(text.slice(Math.max(0, at - 40), at + 40))
      }`,
    );
  }
}

/** Nasty strings known to do harm, and arbitrary ones over the whole of Unicode. */
export const hostile = fc.oneof(
  fc.constantFrom(
    "\x1b]0;owned\x07",
    "\x1b[2J\x1b[H",
    "ok\r\nno changes",
    "\x9b31m",
    "\u202egnp.exe",
    "eth0\u2066x\u2069",
    "a\u200bb",
    "| x | y |",
    "`code` *b* _i_ [l](u) <b>",
    "\\x1b",
    "\ud800",
    "\u2028\u2029",
    "\ufffe\uffff\ufdd0\u{10ffff}",
    "日本語🙂",
  ),
  fc.string({ unit: "binary", maxLength: 24 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0x20ff }).map((c) => String.fromCharCode(c)) }),
);

/** A valid snapshot with hostile text in every free-text field. */
export const arbHostileSnapshot: fc.Arbitrary<Snapshot> = fc.tuple(
  arbSnapshot,
  fc.array(hostile, { minLength: 32, maxLength: 32 }),
).map(([s, words]) => {
  let i = 0;
  const w = () => words[i++ % words.length]!;
  const out: Snapshot = structuredClone(s);
  out.meta.host.hostname = w();
  out.meta.labels = dict([[w(), w()]]);
  out.meta.sections.connections = { status: "partial", warnings: [w(), w()] };
  out.meta.sections.routes = { status: "error", error: w() };
  out.connections = out.connections.map((c, k) => ({
    ...c,
    state: k % 3 === 0 ? w() : c.state,
    localAddress: k % 2 === 0 ? w() : c.localAddress,
    localPort: k % 2 === 0 ? 4242 : c.localPort,
  }));
  for (const p of Object.values(out.processes)) {
    p.name = w();
    p.exe = w();
    p.user = w();
    p.cmdline = [w(), w()];
  }
  out.routes = out.routes.map((r) => ({
    ...r,
    type: w(),
    destination: w(),
    gateway: w(),
    interface: w(),
    protocol: w(),
    scope: w(),
    source: w(),
    nexthops: [{ gateway: w(), interface: w() }],
  }));
  out.interfaces = out.interfaces.map((x) => ({
    ...x,
    name: w(),
    mac: w(),
    flags: [w()],
    operState: w(),
    addresses: x.addresses.map((a) => ({ ...a, address: w() })),
  }));
  out.counters = dict([[w(), dict([[w(), 1n], ["InSegs", 2n]])], ["Tcp", dict([[w(), 3n]])]]);
  return out;
});

/** tests/testdata/good/good.json, parsed. */
export const good = JSON.parse(readFileSync(GOOD, "utf8"));

/** good.json with Tcp.InSegs (and an interface stat) set to `value`, as JSON text. */
export function withCounter(value: number | string, at = good.meta.capturedAt): string {
  const doc = structuredClone(good);
  doc.meta.capturedAt = at;
  doc.counters.Tcp.InSegs = value;
  return JSON.stringify(doc, null, 2);
}

/**
 * The policy file: strict (an unknown key anywhere is refused with its path and line), bounded
 * like snapshots, and published as a JSON Schema that a validator (ajv) holds to the same rules.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import fc from "fast-check";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { schemaText } from "../../src/cli/schema.ts";
import { knownKeysAt, MAX_POLICY_BYTES, parsePolicy, readPolicy } from "../../src/check/policy.ts";
import { InputError } from "../../src/errors.ts";
import { formatPath } from "../../src/snapshot/read.ts";
import { ROOT } from "../helpers/cli.ts";
import { FULL } from "./_fixtures.ts";

function rejects(text: string, re: RegExp): void {
  assert.throws(() => parsePolicy(text, "p.yaml"), (e: unknown) => {
    assert.ok(e instanceof InputError, String(e));
    assert.match(e.message, re);
    assert.ok(!e.message.includes("\n"), "one line");
    return true;
  });
}

test("the full example policy reads, and each rule knows its line", () => {
  const p = parsePolicy(FULL, "p.yaml");
  assert.equal(p.doc.listeners?.deny?.[0]?.except?.[0]?.program, "nginx");
  const lines = FULL.split("\n");
  const lineOf = (needle: string) => lines.findIndex((l) => l.includes(needle)) + 1;
  assert.equal(p.lineOf(["listeners", "deny", 0]), lineOf("- scope: public"));
  assert.equal(p.lineOf(["routes", "forbidden", 0]), lineOf("- gateway: none"));
  assert.equal(
    p.lineOf(["settings", "sysctl", "net.core.somaxconn"]),
    lineOf("net.core.somaxconn"),
  );
  assert.equal(p.lineOf(["rates", 1]), lineOf("- name: no overflows"));
  assert.equal(p.lineOf(["listeners", "allow"]), lineOf("  allow:"));
});

test("an unknown key is refused with its path, its line and the keys that are known", () => {
  rejects(
    "schema: nsnap-policy/v1\nlisteners:\n  deny:\n    - protocol: tcp\n    - protocol: udp\n    - prot: tcp\n",
    /^Cannot read policy p\.yaml: listeners\.deny\[2\]\.prot \(line 6\): unknown key \(known: name, protocol, family, port, address, scope, program, user, namespace, except\)$/,
  );
  rejects(
    "schema: nsnap-policy/v1\nlistener: {}\n",
    /^Cannot read policy p\.yaml: listener \(line 2\): unknown key \(known: schema, description, listeners,/,
  );
  rejects(
    "schema: nsnap-policy/v1\nrates:\n  - nme: x\n    expr: Tcp.InSegs > 0\n",
    /rates\[0\]\.nme \(line 3\): unknown key \(known: name, expr\)/,
  );
  // An unknown key is named before the mistakes it explains (here: the missing name).
  rejects(
    "schema: nsnap-policy/v1\nsettings:\n  interfaces:\n    - nme: eth0\n      up: true\n",
    /settings\.interfaces\[0\]\.nme \(line 4\): unknown key \(known: name, present, up, oper-state, mtu, namespace\)/,
  );
});

/** Every object path of a parsed policy whose keys the schema fixes (sysctl maps are free). */
function objectPaths(v: unknown, path: PropertyKey[] = []): PropertyKey[][] {
  if (Array.isArray(v)) return v.flatMap((x, i) => objectPaths(x, [...path, i]));
  if (v === null || typeof v !== "object") return [];
  const here = path.at(-1) === "sysctl" ? [] : [path];
  return [...here, ...Object.entries(v).flatMap(([k, x]) => objectPaths(x, [...path, k]))];
}

/** A copy of a parsed document with `key: 1` added to the object at `path`. */
function withKey(doc: unknown, path: readonly PropertyKey[], key: string): unknown {
  const copy = structuredClone(doc);
  let at = copy as Record<PropertyKey, unknown>;
  for (const seg of path) at = at[seg] as Record<PropertyKey, unknown>;
  at[key] = 1;
  return copy;
}

test("property: an unknown key put anywhere in a valid policy is named with its path and line", () => {
  const doc = parseYaml(FULL);
  const paths = objectPaths(doc);
  assert.ok(paths.length >= 15, String(paths.length));
  fc.assert(
    fc.property(
      fc.constantFrom(...paths),
      fc.stringMatching(/^[a-z][a-z-]{0,10}$/),
      (path, key) => {
        const known = knownKeysAt(path, doc);
        fc.pre(!known.includes(key));
        const text = stringifyYaml(withKey(doc, path, key), { lineWidth: 0 });
        const want = formatPath([...path, key]);
        assert.throws(() => parsePolicy(text, "p.yaml"), (e: unknown) => {
          const msg = (e as Error).message;
          const m =
            /^Cannot read policy p\.yaml: (\S+) \(line ([0-9]+)\): unknown key \(known: (.*)\)$/
              .exec(msg);
          assert.ok(m, msg);
          assert.equal(m[1], want);
          assert.ok(
            new RegExp(`(^|[\\s-])${key}: 1$`).test(text.split("\n")[Number(m[2]) - 1]!),
            `${msg}\n${text}`,
          );
          assert.deepEqual(m[3]!.split(", "), known);
          return true;
        });
      },
    ),
    { numRuns: 200 },
  );
});

test("values are checked with their path: ports, CIDRs, scopes, thresholds, comparisons, booleans", () => {
  const base = "schema: nsnap-policy/v1\n";
  const cases: Array<[string, RegExp]> = [
    [
      'listeners:\n  allow:\n    - port: "80-x"\n',
      /listeners\.allow\[0\]\.port \(line 4\): expected a port or a range such as 8000-8100, got "80-x"/,
    ],
    ['listeners:\n  allow:\n    - port: "90-80"\n', /a range goes from low to high, got "90-80"/],
    [
      "listeners:\n  allow:\n    - port: 70000\n",
      /port \(line 4\): expected a value ≤ 65535, got 70000/,
    ],
    ["listeners:\n  allow:\n    - port: []\n", /port \(line 4\): expected at least one item/],
    [
      "listeners:\n  deny:\n    - scope: outside\n",
      /scope \(line 4\): expected "loopback" or "link-local" or .* or "internal" or a list, got "outside"/,
    ],
    [
      "listeners:\n  deny:\n    - protocol: sctp\n",
      /protocol \(line 4\): expected "tcp" or "udp" or a list, got "sctp"/,
    ],
    [
      "listeners:\n  default: block\n",
      /listeners\.default \(line 3\): expected "allow", "deny"; got "block"/,
    ],
    [
      'listeners:\n  required:\n    - count: "at least 2"\n',
      /count \(line 4\): "at least 2": expected a comparison/,
    ],
    [
      "routes:\n  required:\n    - destination: 10.0.0.0/33\n",
      /destination \(line 4\): expected an address or a CIDR such as 10\.0\.0\.0\/8, got "10\.0\.0\.0\/33"/,
    ],
    [
      "routes:\n  required:\n    - table: mian\n",
      /table \(line 4\): expected a number or "main" or "local" or "default", got "mian"/,
    ],
    [
      'routing-rules:\n  required:\n    - fwmark: "16"\n',
      /fwmark \(line 4\): expected a number or hex such as 0x10/,
    ],
    [
      "neighbours:\n  forbidden:\n    - state: failed\n",
      /state \(line 4\): expected a state in capitals/,
    ],
    [
      "settings:\n  interfaces:\n    - name: eth0\n      up: yes\n",
      /settings\.interfaces\[0\]\.up \(line 5\): expected true or false, got "yes"/,
    ],
    [
      'settings:\n  sysctl:\n    net.core.somaxconn: ">= lots"\n',
      /settings\.sysctl\["net\.core\.somaxconn"\] \(line 4\): ">= lots": expected a number after >=/,
    ],
    [
      'settings:\n  sysctl:\n    "net core": 1\n',
      /expected a sysctl name such as net\.core\.somaxconn/,
    ],
    [
      "rates:\n  - Tcp.RetransSegs <= 1\n  - Tcp.ActiveOpens <= 1%\n",
      /rates\[1\] \(line 4\): "Tcp\.ActiveOpens <= 1%": Tcp\.ActiveOpens has no natural denominator.*\(column 20\)/,
    ],
    ["rates:\n  - expr: 5\n", /rates\[0\]\.expr \(line 3\): expected a string, got 5/],
    [
      "rates: Tcp.RetransSegs <= 1%\n",
      /rates \(line 2\): expected a list, got "Tcp\.RetransSegs <= 1%"/,
    ],
  ];
  for (const [text, re] of cases) rejects(base + text, re);
});

test("the file is bounded like a snapshot: size, aliases, duplicate keys, one document", () => {
  rejects("", /p\.yaml: file is empty/);
  rejects(
    "schema: nsnap-policy/v1\nrates: [" + '"Tcp.InSegs > 0",'.repeat(70000) + "]\n",
    /more than the 1 MiB a policy may be/,
  );
  const bomb = ["schema: nsnap-policy/v1", "a: &a [x, x, x, x, x, x, x, x, x, x]"];
  for (let i = 0; i < 8; i++) {
    bomb.push(
      `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${
        Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(", ")
      }]`,
    );
  }
  rejects(bomb.join("\n") + "\n", /YAML expands too many aliases \(an alias bomb\?\); refused/);
  rejects(
    "schema: nsnap-policy/v1\nrates: []\nrates: []\n",
    /malformed YAML at line 3, column 1: duplicate key/,
  );
  rejects("schema: nsnap-policy/v1\n---\nschema: nsnap-policy/v1\n", /more than one YAML document/);
  rejects("schema: nsnap-policy/v1\nrates: [\n", /malformed YAML at line/);
  rejects("- a\n- b\n", /expected a mapping with "schema: nsnap-policy\/v1", got array/);
  rejects("listeners: {}\n", /not a policy: no "schema" key/);
  rejects("schema: nsnap/v1\n", /schema \(line 1\): expected "nsnap-policy\/v1", got "nsnap\/v1"/);
  rejects("schema: nsnap-policy/v2\n", /written for a newer nsnap \(nsnap-policy\/v2\)/);
  assert.equal(MAX_POLICY_BYTES, 1024 * 1024);
});

const COMMITTED = `${ROOT}schema/nsnap-policy-v1.schema.json`;

test("the committed schema/nsnap-policy-v1.schema.json is what the code produces", () => {
  assert.equal(
    readFileSync(COMMITTED, "utf8"),
    schemaText("policy"),
    "regenerate it: deno run -A mod.ts schema --policy > schema/nsnap-policy-v1.schema.json",
  );
});

test("the published policy schema (ajv) accepts the full policy and refuses unknown keys too", () => {
  const validate = new Ajv2020({ allErrors: true, strict: true }).compile(
    JSON.parse(readFileSync(COMMITTED, "utf8")),
  );
  const doc = parseYaml(FULL) as Record<string, unknown>;
  assert.ok(validate(doc), JSON.stringify(validate.errors?.slice(0, 3)));
  for (const path of objectPaths(doc)) {
    assert.equal(validate(withKey(doc, path, "not-a-key")), false, formatPath(path));
  }
  assert.equal(validate({ ...doc, schema: "nsnap-policy/v2" }), false);
});

test("readPolicy() is bounded by the bytes read and words failures as every message does", () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-policy-read-"));
  try {
    const fails = (file: string, re: RegExp) =>
      assert.throws(() => readPolicy(file), (e: unknown) => {
        assert.ok(e instanceof InputError, String(e));
        assert.match(e.message, re);
        return true;
      });
    // /dev/zero says it holds 0 bytes and never ends: refused after 1 MiB, not read to ENOMEM.
    fails("/dev/zero", /^Cannot read policy \/dev\/zero: larger than the 1 MiB a policy may be$/);
    fails(join(dir, "none.yaml"), /^Cannot read policy .*none\.yaml: no such file or directory$/);
    fails(dir, /^Cannot read policy .*: is a directory$/);
    writeFileSync(join(dir, "latin1.yaml"), new Uint8Array([0x73, 0xe9, 0x0a]));
    fails(join(dir, "latin1.yaml"), /: not text \(invalid UTF-8\)$/);
    writeFileSync(join(dir, "p\x1b[2J.yaml"), "");
    fails(join(dir, "p\x1b[2J.yaml"), /p\\x1b\[2J\.yaml: file is empty$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

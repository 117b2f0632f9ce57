/**
 * A small file must not cost gigabytes, and no reader grows without bound:
 * - YAML outside nsnap's own layout costs ~100 bytes of memory per byte, so it is read only up
 *   to 8 MiB (unless --max-size says more); within that, peak memory stays near 100 × its size;
 * - YAML aliases are counted by what they expand to;
 * - a table cell is at most 120 columns, whatever one address holds;
 * - every file named on the command line is bounded by the bytes read (devices say size 0);
 * - a duplicate key never resolves silently (JSON `\u003a` tricks, YAML `700` vs `"700"`);
 * - standard input that is a terminal is refused, not waited on.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import process from "node:process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bigSnapshot } from "../../../bench/load.ts";
import { normalizeSnapshot } from "../../../src/snapshot/normalize.ts";
import { serializeSnapshot } from "../../../src/snapshot/serialize.ts";
import { parseSnapshotBytes } from "../../../src/snapshot/read.ts";
import { InputError } from "../../../src/errors.ts";
import { GOOD } from "../../snapshot/bad_cases.ts";
import { cliPrefix, type CliRun, ROOT, runCli } from "../../helpers/cli.ts";
import { runChild } from "../../helpers/child.ts";

const CHILD = fileURLToPath(new URL("./_load_child.ts", import.meta.url));
const MiB = 1024 * 1024;

function withDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-bounds-"));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Loads a file in a child process; its outcome and peak RSS in MiB. */
function load(file: string, maxSize?: number): { outcome: string; maxRssMiB: number } {
  const r = runChild(CHILD, maxSize === undefined ? [file] : [file, String(maxSize)]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

/** The peak RSS of a child that only loads the modules. */
function baseline(): number {
  return load(GOOD).maxRssMiB;
}

test("hand-edited YAML (a comment) loads with peak memory within 130 × its size", () => {
  withDir((dir) => {
    const text = "# edited by hand\n" +
      serializeSnapshot(normalizeSnapshot(bigSnapshot(8000)), "yaml");
    const f = join(dir, "edited.yaml");
    writeFileSync(f, text);
    const base = baseline();
    const r = load(f);
    assert.equal(r.outcome, "ok 8000");
    const perByte = ((r.maxRssMiB - base) * MiB) / text.length;
    assert.ok(perByte < 130, `${perByte.toFixed(0)} bytes of memory per byte of YAML`);
  });
});

test("YAML outside nsnap's layout above 8 MiB is refused at once, at small cost", () => {
  withDir((dir) => {
    const text = "# edited by hand\n" +
      serializeSnapshot(normalizeSnapshot(bigSnapshot(36_000)), "yaml");
    assert.ok(text.length > 8 * MiB);
    const f = join(dir, "big.yaml");
    writeFileSync(f, text);
    const t0 = performance.now();
    const r = load(f);
    assert.match(
      r.outcome,
      /^Cannot read snapshot .*big\.yaml: YAML outside nsnap's own layout .* is read only up to 8 MiB, and this is \d+\.\d MiB \(raise it with --max-size, or convert the file to JSON\)$/,
    );
    assert.ok(performance.now() - t0 < 15_000);
    assert.ok(r.maxRssMiB < baseline() + 250, `peak ${r.maxRssMiB} MiB`);
    // The same text in nsnap's own layout takes the fast reader, which has no such limit.
    writeFileSync(f, text.slice(text.indexOf("\n") + 1));
    assert.equal(load(f).outcome, "ok 36000");
  });
});

test("the general YAML limit follows --max-size when one is given", () => {
  const text = "# c\n" + serializeSnapshot(normalizeSnapshot(bigSnapshot(20)), "yaml");
  const bytes = new TextEncoder().encode(text);
  assert.throws(
    () => parseSnapshotBytes(bytes, "x.yaml", { maxYamlBytes: 1024 }),
    /is read only up to 1 KiB/,
  );
  assert.equal(
    parseSnapshotBytes(bytes, "x.yaml", { maxYamlBytes: 1 * MiB }).connections.length,
    20,
  );
});

test("YAML aliases are counted by what they expand to: 99 aliases of a 50k list are refused", () => {
  withDir((dir) => {
    const list = Array.from({ length: 50_000 }, (_, i) => `"10.0.${i >> 8}.${i & 255}"`);
    const good = readFileSync(GOOD, "utf8");
    const doc = JSON.parse(good);
    const yaml = [
      `schema: nsnap/v1`,
      `pool: &pool [${list.join(", ")}]`,
      ...Array.from({ length: 99 }, (_, i) => `copy${i}: *pool`),
      `meta: ${JSON.stringify(doc.meta)}`,
      `connections: []`,
      `processes: {}`,
      `routes: []`,
      `interfaces: []`,
      `counters: {}`,
    ].join("\n");
    const f = join(dir, "bomb.yaml");
    writeFileSync(f, yaml);
    const t0 = performance.now();
    const r = load(f);
    assert.match(
      r.outcome,
      /aliases expand to more than 10000 extra nodes \(an alias bomb\?\); refused$/,
    );
    assert.ok(performance.now() - t0 < 20_000);
    assert.ok(r.maxRssMiB < baseline() + 300, `peak ${r.maxRssMiB} MiB`);
    // A few small aliases are fine, and a cycle is refused.
    const small = yaml.replace(/pool: &pool \[.*\]/, `pool: &pool [a, b]`);
    writeFileSync(f, small);
    assert.equal(load(f).outcome, "ok 0");
    writeFileSync(f, small.replace("pool: &pool [a, b]", "pool: &pool [a, *pool]"));
    assert.match(load(f).outcome, /alias .*(cycle|names no anchor)/);
  });
});

test("one huge address costs one capped cell, not a padded table: the full value is in JSON", () => {
  withDir((dir) => {
    const doc = JSON.parse(readFileSync(GOOD, "utf8"));
    const huge = "2001:db8:" + "f".repeat(2 * MiB);
    doc.connections = Array.from({ length: 100 }, (_, i) => ({
      protocol: "tcp",
      family: "inet6",
      localAddress: i === 0 ? huge : "2001:db8::1",
      localPort: 1000 + i,
      remoteAddress: "2001:db8::2",
      remotePort: 443,
      state: "ESTABLISHED",
      recvQ: 0,
      sendQ: 0,
    }));
    writeFileSync(join(dir, "s.json"), JSON.stringify(doc));
    const r = runCli(["show", "-W", "s.json"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.length < 40_000, `${r.stdout.length} bytes of output`);
    const json = runCli(["show", "s.json", "--format", "json"], { cwd: dir });
    assert.ok(json.stdout.includes(huge), "the JSON view keeps the whole address");
  });
});

test("files named on the command line are bounded by bytes read, not by stat", () => {
  withDir((dir) => {
    writeFileSync(join(dir, "a.json"), readFileSync(GOOD));
    const cases: Array<[string[], RegExp]> = [
      [
        ["import", "/dev/zero", "-o", "out.json"],
        /^nsnap: Cannot read \/dev\/zero: larger than 64 MiB$/,
      ],
      [
        ["diff", "--config", "/dev/zero", "a.json", "a.json"],
        /^nsnap: Cannot read config \/dev\/zero: larger than 1 MiB, too big for a policy file$/,
      ],
      [
        ["show", "/dev/zero", "--max-size", "1M"],
        /^nsnap: Cannot read snapshot \/dev\/zero: the file exceeds the size limit of 1 MiB/,
      ],
    ];
    for (const [args, expected] of cases) {
      const t0 = performance.now();
      const r = runCli(args, { cwd: dir, timeoutMs: 30_000 });
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr.trim(), expected);
      assert.ok(performance.now() - t0 < 20_000, `${args.join(" ")} stops by itself`);
    }
    assert.ok(!existsSync(join(dir, "out.json")));
  });
});

/** Runs `nsnap ARGS` under GNU time when it is there; the run and its peak RSS in MiB. */
function runMeasured(args: string[], cwd: string): { run: CliRun; maxRssMiB?: number } {
  if (!existsSync("/usr/bin/time")) return { run: runCli(args, { cwd, timeoutMs: 30_000 }) };
  const out = join(cwd, `rss-${process.pid}.txt`);
  const run = runCli(args, {
    cwd,
    timeoutMs: 30_000,
    wrap: ["/usr/bin/time", "-o", out, "-f", "%M"],
  });
  const kib = Number(readFileSync(out, "utf8").trim().split("\n").pop());
  rmSync(out, { force: true });
  return { run, maxRssMiB: kib / 1024 };
}

test("nsnap check's policy and baseline are bounded by bytes read: /dev/zero, an endless FIFO", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-bounds-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "a.json"), readFileSync(GOOD));
  writeFileSync(join(dir, "p.yaml"), "schema: nsnap-policy/v1\n");
  const fifo = join(dir, "policy.fifo");
  // A FIFO whose writer never stops: the policy reader must stop, not the writer.
  const mk = spawnSync("mkfifo", [fifo]);
  if (mk.status !== 0) return t.skip("mkfifo (coreutils) cannot make a FIFO here");
  const writer = spawn("sh", ["-c", `yes 'schema: nsnap-policy/v1' > '${fifo}'`], {
    stdio: "ignore",
  });
  t.after(() => {
    if (writer.exitCode === null) writer.kill("SIGKILL");
  });
  const policyTooBig = /^nsnap: Cannot read policy \S+: larger than the 1 MiB a policy may be$/;
  const cases: Array<[string[], RegExp]> = [
    [["check", "/dev/zero", "a.json"], policyTooBig],
    [["check", fifo, "a.json"], policyTooBig],
    [
      ["check", "p.yaml", "a.json", "--baseline", "/dev/zero", "--max-size", "1M"],
      /^nsnap: Cannot read snapshot \/dev\/zero: the file exceeds the size limit of 1 MiB/,
    ],
  ];
  if (!existsSync("/usr/bin/time")) {
    t.diagnostic("GNU time is not installed: peak RSS not measured");
  }
  for (const [args, expected] of cases) {
    const { run, maxRssMiB } = runMeasured(args, dir);
    assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
    assert.equal(run.stderr.trimEnd().split("\n").length, 1, run.stderr);
    assert.match(run.stderr.trim(), expected);
    assert.equal(run.stdout, "", "nothing written half-way");
    assert.ok(run.ms < 20_000, `${args.join(" ")} stops by itself (${run.ms} ms)`);
    // The runtime alone is ~100 MiB; reading to the device's end was 16.8 GB before.
    if (maxRssMiB !== undefined) {
      t.diagnostic(
        `${args.join(" ")}: peak RSS ${maxRssMiB.toFixed(0)} MiB, ${run.ms.toFixed(0)} ms`,
      );
      assert.ok(maxRssMiB < 400, `${args.join(" ")}: peak RSS ${maxRssMiB.toFixed(0)} MiB`);
    }
  }
});

test('a duplicate key never resolves silently: JSON with \\u003a, YAML 700 and "700"', () => {
  withDir((dir) => {
    const good = readFileSync(GOOD, "utf8");
    // The escaped colon adds a ':' the text does not show, hiding the duplicate from a count.
    const json = good.replace(
      /"labels": \{[^}]*\}/,
      '"labels": {"team": "a", "team": "b", "x\\u003a": "y"}',
    );
    assert.notEqual(json, good);
    writeFileSync(join(dir, "dup.json"), json);
    const r = runCli(["show", "dup.json"], { cwd: dir });
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /^nsnap: Cannot read snapshot dup\.json: duplicate key at line \d+, column \d+ in JSON/,
    );
    // Distinct keys that only an escape spells differently are fine.
    writeFileSync(join(dir, "ok.json"), json.replace('"team": "b", ', ""));
    assert.equal(runCli(["show", "ok.json"], { cwd: dir }).code, 0);

    const proc = (key: string) => `  ${key}:\n    pid: 700\n    name: nginx\n`;
    const yaml = serializeSnapshot(normalizeSnapshot(bigSnapshot(2)), "yaml").replace(
      /^processes:\n(?: {2}.*\n)+/m,
      `processes:\n${proc("700")}${proc('"700"')}`,
    );
    assert.match(yaml, /"700":/);
    writeFileSync(join(dir, "dup.yaml"), yaml);
    const y = runCli(["show", "dup.yaml"], { cwd: dir });
    assert.equal(y.code, 2, y.stderr);
    assert.match(
      y.stderr.trim(),
      /^nsnap: Cannot read snapshot dup\.yaml: malformed YAML at line \d+, column \d+: duplicate key$/,
    );
    assert.throws(
      () => parseSnapshotBytes(new TextEncoder().encode(yaml), "dup.yaml"),
      (e: unknown) => e instanceof InputError,
    );
  });
});

test("standard input that is a terminal is refused at once", (t) => {
  if (!existsSync("/usr/bin/script")) return t.skip("script(1) is not installed (util-linux)");
  const cmd = [...cliPrefix(), "diff", "-", GOOD].map((a) => `'${a.replace(/'/g, "'\\''")}'`)
    .join(" ");
  const r = spawnSync("script", ["-qec", cmd, "/dev/null"], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 30_000,
    env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
  });
  assert.equal(r.status, 2, r.stdout);
  assert.match(
    r.stdout.trim(),
    /^nsnap: Cannot read snapshot <stdin>: standard input is a terminal \(pipe a snapshot into nsnap, or name a file\)$/,
  );
});

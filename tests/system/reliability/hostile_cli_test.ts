/**
 * Issue 14 through the real CLI: prototype-named counters diff and show (-s); hostile names reach
 * neither stdout nor stderr raw while JSON keeps them; a 2^64 delta over a millisecond prints as
 * plain numbers; a diff of a redacted against an unredacted snapshot warns.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import type { Snapshot } from "../../../src/model.ts";
import { normalizeSnapshot } from "../../../src/snapshot/normalize.ts";
import { serializeSnapshot } from "../../../src/snapshot/serialize.ts";
import { redactSnapshot } from "../../../src/snapshot/redact.ts";
import { runCli } from "../../helpers/cli.ts";
import {
  arbHostileSnapshot,
  assertClean,
  PROTO_NAMES,
  protoSnapshotText,
  withCounter,
} from "../../helpers/hostile.ts";
import { listen, snap } from "../../diff/_build.ts";

const KEY = "test-key-1";

test("`nsnap diff` and `nsnap show -s` handle prototype names through the CLI", () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-proto-"));
  try {
    writeFileSync(join(dir, "a.json"), protoSnapshotText("2026-01-01T00:00:00.000Z", 1, true));
    writeFileSync(join(dir, "b.json"), protoSnapshotText("2026-01-01T00:00:10.000Z", 5, true));
    for (const format of ["text", "json", "markdown", "yaml"]) {
      const r = runCli(["diff", "a.json", "b.json", "--format", format], { cwd: dir });
      assert.equal(r.code, 0, `${format}: ${r.stderr}`);
      assert.equal(r.stderr, "");
      // Markdown escapes its own characters (`\_`); read it as the rendered page shows it.
      const shown = format === "markdown" ? r.stdout.replace(/\\(.)/g, "$1") : r.stdout;
      for (const g of ["constructor", "__proto__", "Tcp"]) {
        for (const n of ["toString", "__proto__", "hasOwnProperty"]) {
          assert.ok(shown.includes(`${g}.${n}`), `${format}: ${g}.${n} in the diff`);
        }
      }
    }
    const json = JSON.parse(
      runCli(["diff", "a.json", "b.json", "--format", "json"], { cwd: dir }).stdout,
    );
    const d = json.changes.find((c: { key: { group: string; name: string } }) =>
      c.key.group === "__proto__" && c.key.name === "constructor"
    );
    assert.equal(d.delta, 4);
    assert.deepEqual(Object.keys(json.tcpStates), ["__proto__", "constructor", "toString"]);
    const show = runCli(["show", "-s", "a.json"], { cwd: dir });
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /^constructor:$/m);
    assert.match(show.stdout, /^__proto__:$/m);
    for (const n of PROTO_NAMES) assert.match(show.stdout, new RegExp(`^    ${n}: \\d+$`, "m"));
    const showJson = JSON.parse(
      runCli(["show", "-s", "a.json", "--format", "json"], { cwd: dir })
        .stdout,
    );
    assert.equal(showJson.__proto__.toString, 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("through the CLI: hostile names reach neither stdout nor stderr raw, JSON keeps them", () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-inject-"));
  try {
    const [a, b] = fc.sample(arbHostileSnapshot, { numRuns: 2, seed: 7 }) as [Snapshot, Snapshot];
    a.processes["77"] = { pid: 77, name: "\x1b]0;pwned\x07evil\r\n", user: "\u202eroot" };
    a.connections.push({
      protocol: "tcp",
      family: "inet",
      localAddress: "0.0.0.0",
      localPort: 4242,
      remoteAddress: "0.0.0.0",
      remotePort: 0,
      state: "LISTEN",
      recvQ: 0,
      sendQ: 0,
      pid: 77,
    });
    writeFileSync(join(dir, "a.json"), serializeSnapshot(normalizeSnapshot(a), "json"));
    writeFileSync(join(dir, "b.yaml"), serializeSnapshot(normalizeSnapshot(b), "yaml"));
    const evil = "evil\x1b[2J\u202e.json";
    writeFileSync(join(dir, evil), "{ not json\x1b]0;x\x07");
    const runs = [
      ["diff", "a.json", "b.yaml"],
      ["diff", "a.json", "b.yaml", "--format", "markdown"],
      ["show", "-a", "a.json"],
      ["show", "-a", "-e", "a.json"],
      ["show", "-r", "a.json"],
      ["show", "-i", "b.yaml"],
      ["show", "-s", "a.json"],
      ["port", "4242", "a.json"],
      ["show", evil],
      ["diff", evil, "a.json"],
      ["show", "no\x1bsuch\u0085file.json"],
    ];
    for (const args of runs) {
      const r = runCli(args, { cwd: dir });
      assert.ok(r.code === 0 || r.code === 1 || r.code === 2, `${args}: exit ${r.code}`);
      assertClean(r.stdout, `${args.join(" ")} stdout`);
      assertClean(r.stderr, `${args.join(" ")} stderr`);
    }
    const bad = runCli(["show", evil], { cwd: dir });
    assert.match(bad.stderr, /^nsnap: Cannot read snapshot evil\\x1b\[2J\\u\{202e\}\.json: /);
    const json = JSON.parse(
      runCli(["port", "4242", "a.json", "--format", "json"], { cwd: dir })
        .stdout,
    );
    const held = json.find((x: { pid?: number }) => x.pid === 77);
    assert.equal(held.processes[0].name, "\x1b]0;pwned\x07evil\r\n", "JSON keeps the exact name");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("`nsnap diff` prints a 2^64 delta over a millisecond in full, its rate approximately, in 80 columns", () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-range-"));
  try {
    const t0 = "2026-01-01T00:00:00.000Z", t1 = "2026-01-01T00:00:00.001Z";
    writeFileSync(join(dir, "a.json"), withCounter(0, t0));
    writeFileSync(join(dir, "b.json"), withCounter("18446744073709551615", t1));
    for (const format of ["text", "markdown"]) {
      const r = runCli(["diff", "a.json", "b.json", "--format", format], { cwd: dir });
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stdout, /e\+|undefined|NaN|Infinity/, r.stdout);
      assert.match(r.stdout, /18,446,744,073,709,551,615/);
      // The rate is a double: its magnitude, not 26 digits of which the last ten are noise.
      assert.match(r.stdout, /~1\.84×10\^22/, "the rate, approximately");
      if (format === "text") {
        const table = r.stdout.slice(r.stdout.search(/^ {2}counter /m)).trimEnd().split("\n");
        assert.ok(table.length >= 3, r.stdout);
        for (const line of table) {
          assert.ok(line.length <= 80, `fits 80 columns: ${JSON.stringify(line)}`);
        }
        assert.match(r.stdout, /^ {6}0 → 18,446,744,073,709,551,615$/m, "before → after in full");
      }
    }
    const json = JSON.parse(
      runCli(["diff", "a.json", "b.json", "--format", "json"], { cwd: dir }).stdout,
    );
    const c = json.changes.find((x: { key: { name?: string } }) => x.key.name === "InSegs");
    assert.equal(c.delta, "18446744073709551615");
    assert.doesNotMatch(c.summary, /e\+/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("`nsnap diff` of a redacted against an unredacted snapshot warns", () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-redact-diff-"));
  try {
    const plain = snap(undefined, { connections: [listen("198.51.100.7", 443)] });
    writeFileSync(join(dir, "plain.json"), serializeSnapshot(normalizeSnapshot(plain), "json"));
    writeFileSync(join(dir, "red.json"), serializeSnapshot(redactSnapshot(plain, KEY), "json"));
    const r = runCli(["diff", "plain.json", "red.json"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^nsnap: warning: only the after snapshot is redacted: /m);
    const same = runCli(["diff", "red.json", "red.json"], { cwd: dir });
    assert.doesNotMatch(same.stderr, /redacted/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

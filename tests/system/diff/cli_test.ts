import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serializeSnapshot } from "../../../src/snapshot/serialize.ts";
import { runCli } from "../../helpers/cli.ts";
import { scenarioAfter, scenarioBefore } from "../../diff/_scenario.ts";

/** Writes the scenario's two snapshots (and any extra files) to a fresh folder. */
function withFiles<T>(extra: Record<string, string>, fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-diff-cli-"));
  try {
    writeFileSync(join(dir, "before.json"), serializeSnapshot(scenarioBefore(), "json"));
    writeFileSync(join(dir, "after.json"), serializeSnapshot(scenarioAfter(), "json"));
    for (const [name, text] of Object.entries(extra)) writeFileSync(join(dir, name), text);
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("nsnap diff exits 0 and prints the report with a one-line summary on top", () => {
  withFiles({}, (dir) => {
    const r = runCli(["diff", "before.json", "after.json"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout.split("\n")[0]!, /^20 changes: 4 listeners/);
    assert.match(r.stdout, /listener-exposure-changed/);
    assert.ok(!r.stdout.includes("\x1b["), "no colour into a pipe");
  });
});

test("--fail-on exits 1 when a named kind occurred and 0 when none did", () => {
  withFiles({}, (dir) => {
    const hit = runCli([
      "diff",
      "before.json",
      "after.json",
      "--fail-on",
      "route-added,listener-opened",
    ], { cwd: dir });
    assert.equal(hit.code, 1, hit.stderr);
    const miss = runCli(["diff", "before.json", "after.json", "--fail-on", "interface-removed"], {
      cwd: dir,
    });
    assert.equal(miss.code, 0, miss.stderr);
  });
});

test("an ignore rule removes the change --fail-on would have gated on (exit 0)", () => {
  withFiles({}, (dir) => {
    const r = runCli([
      "diff",
      "before.json",
      "after.json",
      "--fail-on",
      "listener-opened",
      "--ignore-program",
      "prom*",
    ], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stdout.includes("9090"));
  });
});

test("an unknown kind in --fail-on exits 2 naming it, with no stack trace", () => {
  withFiles({}, (dir) => {
    const r = runCli(["diff", "before.json", "after.json", "--fail-on", "listener-openned"], {
      cwd: dir,
    });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown change kind/);
    assert.match(r.stderr, /"listener-openned"/);
    assert.ok(!r.stderr.includes("    at "));
  });
});

test("an unknown --only section and a missing file exit 2", () => {
  withFiles({}, (dir) => {
    assert.equal(
      runCli(["diff", "before.json", "after.json", "--only", "socks"], { cwd: dir }).code,
      2,
    );
    const r = runCli(["diff", "before.json", "gone.json"], { cwd: dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /gone\.json/);
  });
});

test("a policy file sets --fail-on and ignore rules; a bad one exits 2 naming the file", () => {
  const good = "fail-on: [listener-opened]\nignore-port: [9090]\n";
  const bad = "fail-on: [listener-opened]\nignore-prot: [22]\n";
  withFiles({ "policy.yaml": good, "bad.yaml": bad, "kind.yaml": "fail-on: nope\n" }, (dir) => {
    const ok = runCli(["diff", "before.json", "after.json", "--config", "policy.yaml"], {
      cwd: dir,
    });
    assert.equal(ok.code, 0, ok.stderr);
    const gate = runCli([
      "diff",
      "before.json",
      "after.json",
      "--config",
      "policy.yaml",
      "--fail-on",
      "route-added",
    ], {
      cwd: dir,
    });
    assert.equal(gate.code, 1, gate.stderr);
    const b = runCli(["diff", "before.json", "after.json", "--config", "bad.yaml"], { cwd: dir });
    assert.equal(b.code, 2);
    assert.match(b.stderr, /bad\.yaml/);
    assert.match(b.stderr, /ignore-prot/);
    const k = runCli(["diff", "before.json", "after.json", "--config", "kind.yaml"], { cwd: dir });
    assert.equal(k.code, 2);
    assert.match(k.stderr, /kind\.yaml.*nope/);
  });
});

test("--format json writes nsnap-diff/v1 with counters above 2^53 as exact strings", () => {
  withFiles({}, (dir) => {
    const r = runCli(["diff", "before.json", "after.json", "--format", "json"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.schema, "nsnap-diff/v1");
    assert.equal(doc.before.file, "before.json");
    const c = doc.changes.find((x: { key: { name?: string } }) => x.key.name === "InReceives");
    assert.equal(c.after, "90071992547509910");
    assert.equal(c.delta, 100000);
    const y = runCli(["diff", "before.json", "after.json", "--format", "yaml"], { cwd: dir });
    assert.match(y.stdout, /^schema: nsnap-diff\/v1$/m);
  });
});

test("snapshots of different hosts are compared with a warning on stderr; - reads stdin", () => {
  const other = scenarioAfter();
  other.meta.host.hostname = "web-2";
  withFiles({}, (dir) => {
    const r = runCli(["diff", "before.json", "-"], {
      cwd: dir,
      stdin: serializeSnapshot(other, "json"),
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: .*different hosts \(web-1 and web-2\)/);
    assert.match(r.stdout, /web-1 → web-2/);
  });
});

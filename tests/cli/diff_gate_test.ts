/** `nsnap diff --fail-on` through the CLI in-process: globs, notable, and gates refused with exit 2. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../helpers/cli.ts";
import { runMain } from "../helpers/main.ts";

const A = `${ROOT}snapshots/examples/before.json`, B = `${ROOT}snapshots/examples/after.json`;

test("--only routes --fail-on listener-opened exits 2 in one line: that gate could never trip", async () => {
  const r = await runMain(["diff", A, B, "--only", "routes", "--fail-on", "listener-opened"]);
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr,
    'nsnap: Cannot use --fail-on "listener-opened": its section (listeners) is not compared (--only routes)\n',
  );
  assert.equal(r.stdout, "");
});

test("a policy file's fail-on that --only on the command line leaves out exits 2, naming the file", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-gate-"));
  try {
    const policy = join(dir, "policy.yaml");
    writeFileSync(policy, "fail-on: [listener-opened]\n");
    const r = await runMain(["diff", A, B, "--config", policy, "--only", "routes"]);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /its section \(listeners\) is not compared \(--only routes\) \(from .*policy\.yaml\)\n$/,
    );
    const inFile = join(dir, "only.yaml");
    writeFileSync(inFile, "only: [routes]\nfail-on: [session-opened]\n");
    const f = await runMain(["diff", A, B, "--config", inFile]);
    assert.equal(f.code, 2);
    assert.match(
      f.stderr,
      /^nsnap: Cannot read config .*only\.yaml: fail-on "session-opened": its section \(sessions\) is not compared/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("--fail-on takes globs and notable; an ignore rule that matches nothing is a warning", async () => {
  const glob = await runMain(["diff", A, B, "--fail-on", "listener-*"]);
  const none = await runMain(["diff", A, B, "--fail-on", "interface-renamed"]);
  assert.deepEqual([glob.code, none.code], [1, 0]);
  const warned = await runMain(["diff", A, B, "--ignore-counter", "Tcp", "--only", "counters"]);
  assert.equal(warned.code, 0);
  assert.match(
    warned.stderr,
    /^nsnap: warning: --ignore-counter "Tcp" matches nothing in either snapshot \(counters are named Group\.Name: "Tcp\.\*"\?\)$/m,
  );
  const bad = await runMain(["diff", A, B, "--fail-on", "listener-x*"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /the pattern matches no change kind/);
});

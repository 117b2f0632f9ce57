/**
 * Capture under load, through the real CLI in a fresh network namespace: sockets and processes
 * that appear and vanish during the scan never crash it, and captures running at the same time
 * into one folder never clobber each other.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { cliPrefix, ROOT, runCli } from "../../helpers/cli.ts";
import { canUseNetns, holdSockets, type Netns, withNetns } from "../../helpers/netns.ts";
import { readSnapshot } from "../../../src/snapshot/read.ts";
import type { Snapshot } from "../../../src/model.ts";

const skip = !canUseNetns() ? "needs root and ip netns" : false;

/** Starts the churn helper inside the namespace and waits until it is churning. */
function startChurn(ns: Netns, seconds: number): Promise<void> {
  const script = fileURLToPath(new URL("./_churn.ts", import.meta.url));
  const g = globalThis as { Deno?: unknown };
  const argv = g.Deno
    ? [process.execPath, "run", "-A", "--quiet", script, String(seconds)]
    : [process.execPath, script, String(seconds)];
  const child = ns.spawn(argv);
  return new Promise((resolve, reject) => {
    let out = "", err = "";
    const timer = setTimeout(() => reject(new Error(`churn not ready: ${err}`)), 60_000);
    child.stdout?.on("data", (d: Uint8Array) => {
      out += new TextDecoder().decode(d);
      if (out.includes("ready")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr?.on("data", (d: Uint8Array) => (err += new TextDecoder().decode(d)));
    child.once("exit", (code) => {
      clearTimeout(timer);
      if (!out.includes("ready")) reject(new Error(`churn exited ${code}: ${err}`));
    });
  });
}

/** Every section captured (none in error), and every partial one says why. */
function assertSectionsExplained(s: Snapshot, file: string): void {
  for (const [name, st] of Object.entries(s.meta.sections)) {
    if (st === undefined) continue;
    assert.notEqual(st.status, "error", `${file}: ${name} failed: ${st.error}`);
    if (st.status === "partial") {
      assert.ok((st.warnings?.length ?? 0) > 0, `${file}: ${name} partial without a warning`);
    }
  }
}

test("8 captures while processes and sockets churn all succeed with valid snapshots", {
  skip,
  timeout: 120_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-churn-"));
  try {
    await withNetns("churn", async (ns) => {
      await holdSockets(ns, ["listen:127.0.0.1:7200"]);
      await startChurn(ns, 90);
      const seen: number[] = [];
      for (let i = 0; i < 8; i++) {
        const out = join(dir, `churn-${i}.json`);
        const r = runCli(["capture", "-o", out], { wrap: ns.wrap });
        assert.equal(r.code, 0, `capture ${i}: ${r.stderr}`);
        assert.equal(r.stderr, "", "no crash, no noise");
        assert.equal(r.stdout.trim(), out);
        const s = await readSnapshot(out);
        assertSectionsExplained(s, out);
        seen.push(s.connections.length);
        // The steady listener is always there with its owner.
        const steady = s.connections.find((c) => c.localPort === 7200 && c.state === "LISTEN");
        assert.ok(steady?.pid !== undefined, `capture ${i}: the steady listener keeps its pid`);
        // A live socket whose owner could not be found is counted in a warning, never silent.
        const ownerless = s.connections.filter((c) =>
          (c.inode ?? 0) > 0 && c.pid === undefined && c.state !== "TIME_WAIT"
        );
        if (ownerless.length > 0) {
          const w = s.meta.sections.connections.warnings ?? [];
          assert.ok(
            w.some((x) => /sockets? unknown|exited during the scan/.test(x)),
            `capture ${i}: ${ownerless.length} ownerless sockets without a warning`,
          );
        }
      }
      assert.ok(seen.some((n) => n > 2), `the churn was visible: ${seen}`);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Runs the CLI without blocking, so that several runs overlap. */
function runCliAsync(
  args: string[],
  wrap: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const argv = [...wrap, ...cliPrefix(), ...args];
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d: Uint8Array) => (stdout += new TextDecoder().decode(d)));
    child.stderr.on("data", (d: Uint8Array) => (stderr += new TextDecoder().decode(d)));
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test("6 parallel captures into one folder leave 6 valid snapshots under distinct names", {
  skip,
  timeout: 120_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-parallel-"));
  try {
    await withNetns("parallel", async (ns) => {
      await holdSockets(ns, ["listen:127.0.0.1:7300"]);
      const runs = await Promise.all(
        Array.from({ length: 6 }, () => runCliAsync(["capture", "-o", dir + "/"], ns.wrap)),
      );
      const printed = runs.map((r) => {
        assert.equal(r.code, 0, r.stderr);
        return r.stdout.trim();
      });
      assert.equal(new Set(printed).size, 6, `distinct names printed: ${printed}`);
      const names = readdirSync(dir).sort();
      assert.equal(names.length, 6, `exactly six files, no temporary ones: ${names}`);
      assert.ok(names.every((n) => n.endsWith(".json") && !n.startsWith(".")), `${names}`);
      for (const p of printed) assert.ok(names.includes(p.slice(p.lastIndexOf("/") + 1)), p);
      for (const n of names) {
        const path = join(dir, n);
        assert.equal(statSync(path).mode & 0o777, 0o600);
        const s = await readSnapshot(path);
        assert.ok(s.connections.some((c) => c.localPort === 7300), `${n} holds the listener`);
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

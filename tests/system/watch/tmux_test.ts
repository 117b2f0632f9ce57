/**
 * `nsnap watch` in a real terminal: tmux (80×24) runs it inside a network namespace; a bounded
 * burst of connection attempts to a closed port there moves "TCP resets sent" on the screen (and
 * the count since the start agrees with nstat); the keys switch panes and freeze; q, SIGTERM and
 * SIGHUP each leave the terminal as it was found — the shell's screen back with its previous
 * content, the alternate screen left, `stty -g` unchanged — and a crash does too (a module
 * preloaded to throw from a timer). Run from source under the runtime running the tests (Deno or
 * Bun: raw mode works alike in both) and as the compiled binary.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { nsnapBinary } from "../../helpers/binary.ts";
import { MOD, runCli } from "../../helpers/cli.ts";
import { parseSnapshotBytes } from "../../../src/snapshot/read.ts";
import { canUseNetns, holdSockets, type Netns, withNetns } from "../../helpers/netns.ts";
import { haveTmux, PROMPT, TmuxTerminal } from "./_tmux.ts";

const skip = (!canUseNetns() && "needs root and iproute2 (network namespaces)") ||
  (!haveTmux() && "needs tmux") ||
  (spawnSync("sh", ["-c", "command -v nstat"]).status !== 0 && "needs nstat (iproute2)");

const IS_DENO = (globalThis as { Deno?: unknown }).Deno !== undefined;

/** How to start nsnap: from source under this runtime (with modules to preload), or the binary. */
function nsnapArgv(variant: "source" | "binary", preload?: string): string[] {
  if (variant === "binary") return [nsnapBinary()];
  const pre = preload ? ["--preload", preload] : [];
  return IS_DENO
    ? [process.execPath, "run", "-A", "--quiet", ...pre, MOD]
    : [process.execPath, ...pre, MOD];
}

const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/** A script that runs `nsnap watch ARGS` in the namespace: keeps the typed line short. */
function wrapper(dir: string, ns: Netns, argv: string[], extra: string[]): string {
  const path = join(dir, "w");
  writeFileSync(
    path,
    `#!/bin/sh\nexec ${
      [...ns.wrap, ...argv, "watch", "--interval", "1s", ...extra].map(quote).join(" ")
    }\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

/** The watch process: the child of the pane's shell (the wrapper execs ip, ip execs nsnap). */
function watchPid(term: TmuxTerminal): number {
  const r = spawnSync("pgrep", ["-P", String(term.shellPid())], { encoding: "utf8" });
  const pids = r.stdout.trim().split("\n").filter(Boolean).map(Number);
  assert.equal(pids.length, 1, `one child of the shell: ${r.stdout}`);
  return pids[0]!;
}

interface Session {
  term: TmuxTerminal;
  dir: string;
  before: string;
}

/** Opens the terminal, leaves a mark on the shell's screen, records stty, starts the watch. */
async function startWatch(
  tag: string,
  ns: Netns,
  argv: string[],
  extra: string[] = [],
): Promise<Session> {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-watch-"));
  const term = new TmuxTerminal(tag, 80, 24);
  await term.waitFor(new RegExp(`^${PROMPT.trimEnd().replace("$", "\\$")}`, "m"), 10_000);
  term.type(`echo before-watch-marker; stty -g > ${dir}/before`);
  await term.waitFor(/^before-watch-marker$/m);
  await new Promise((r) => setTimeout(r, 200));
  const before = term.screen();
  const w = wrapper(dir, ns, argv, extra);
  term.type(`${w}; echo "watch-exit=$?"; stty -g > ${dir}/after`);
  await term.waitFor(
    /^nsnap watch {2}\S+ {2}\d\d:\d\d:\d\d UTC {2}every 1s {2}#([2-9]|\d\d)/m,
    60_000,
  );
  assert.equal(term.altScreen(), true, "the watch runs on the alternate screen");
  return { term, dir, before };
}

/** The terminal after the watch ended: as it was, plus the command and its exit line. */
async function assertRestored(s: Session, exit: number): Promise<string> {
  const after = await s.term.waitFor(new RegExp(`^watch-exit=${exit}$`, "m"), 30_000);
  await s.term.waitFor(
    new RegExp(`^watch-exit=${exit}\\n${PROMPT.trimEnd().replace("$", "\\$")}`, "m"),
  );
  assert.equal(s.term.altScreen(), false, "the alternate screen was left");
  const was = s.before.trimEnd().split("\n");
  const now = after.split("\n");
  // Everything the shell showed before is there again, untouched, up to the prompt typed on.
  assert.deepEqual(now.slice(0, was.length - 1), was.slice(0, -1), after);
  assert.ok(now[was.length - 1]!.startsWith(`${PROMPT}${s.dir}/w;`), now[was.length - 1]);
  assert.doesNotMatch(after, /nsnap watch {2}|1-4\/Tab|\[1 Overview\]/, "no watch screen left");
  for (let i = 0; i < 50; i++) {
    try {
      if (readFileSync(join(s.dir, "after"), "utf8") !== "") break;
    } catch { /* not written yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(
    readFileSync(join(s.dir, "after"), "utf8"),
    readFileSync(join(s.dir, "before"), "utf8"),
    "stty -g is the same before and after",
  );
  return after;
}

function close(s: Session): void {
  s.term.close();
  rmSync(s.dir, { recursive: true, force: true });
}

/** Bounded traffic in the namespace: connection attempts to a closed port, each answered by RST. */
function resets(ns: Netns, n: number): void {
  ns.exec(
    "bash",
    "-c",
    `for i in $(seq ${n}); do (exec 3<>/dev/tcp/127.0.0.1/1) 2>/dev/null; done; true`,
  );
}

for (const variant of ["source", "binary"] as const) {
  test(`watch (${variant}): a counter moves with traffic, keys work, q restores the terminal`, {
    skip,
    timeout: 180_000,
  }, async () => {
    await withNetns("watch", async (ns) => {
      await holdSockets(ns, ["listen:127.0.0.1:7000"], 170);
      const s = await startWatch("watch", ns, nsnapArgv(variant));
      try {
        const { term } = s;
        assert.match(term.screen(), /^TCP resets sent +0\.00 +0$/m);
        resets(ns, 40);
        const moved = await term.waitFor(/^TCP resets sent +[\d.,]+ +([1-9][\d,]*)$/m);
        const since = Number(
          /^TCP resets sent +[\d.,]+ +([\d,]+)$/m.exec(moved)![1]!.replaceAll(",", ""),
        );
        assert.ok(since >= 40, `${since} resets since start, 40 attempts made`);
        const nstat = Number(/TcpOutRsts\s+(\d+)/.exec(ns.exec("nstat", "-az", "TcpOutRsts"))?.[1]);
        assert.ok(since <= nstat, `since start ${since} ≤ the namespace's total ${nstat}`);
        for (const line of moved.split("\n")) assert.ok(line.length < 80, line);

        term.key("3");
        await term.waitFor(/^ 1 Overview {3}2 Sessions {2}\[3 Listeners\]/m);
        const listeners = await term.waitFor(/^tcp +127\.0\.0\.1:7000 +\S/m);
        assert.match(ns.exec("ss", "-Htln"), /127\.0\.0\.1:7000/);
        assert.match(listeners, /listening socket/);
        term.key("Tab");
        await term.waitFor(/\[4 Changes\]/);
        term.key("1");
        term.key("f");
        const frozen = await term.waitFor(/FROZEN$/m);
        const stamp = /^nsnap watch {2}\S+ {2}(\S+) UTC/m.exec(frozen)![1];
        await new Promise((r) => setTimeout(r, 2_200));
        assert.equal(/^nsnap watch {2}\S+ {2}(\S+) UTC/m.exec(term.screen())![1], stamp, "frozen");
        term.key("f");
        // A larger window: the screen follows (SIGWINCH), the title spans the new width.
        term.resize(100, 30);
        term.key("f");
        await term.waitFor(/^nsnap watch.{60,} {2}FROZEN$/m);
        // Laid out in 99 columns: the last one is never written.
        assert.ok(term.screen().split("\n").some((l) => l.length === 99 && l.endsWith("FROZEN")));
        // Back to the size the shell had, then compare its screen with what it was.
        term.resize(80, 24);
        await term.waitFor(/^nsnap watch.{40,75} {2}FROZEN$/m);
        term.key("q");
        await assertRestored(s, 0);
      } finally {
        close(s);
      }
    });
  });

  for (
    const signal of variant === "source" ? ["SIGTERM", "SIGHUP"] as const : ["SIGTERM"] as const
  ) {
    test(`watch (${variant}): ${signal} restores the terminal and exits 128+n`, {
      skip,
      timeout: 120_000,
    }, async () => {
      await withNetns("watchsig", async (ns) => {
        const s = await startWatch("watchsig", ns, nsnapArgv(variant));
        try {
          process.kill(watchPid(s.term), signal);
          await assertRestored(s, signal === "SIGTERM" ? 143 : 129);
        } finally {
          close(s);
        }
      });
    });
  }
}

test("watch (source): a crash restores the terminal before its one-line report (exit 70)", {
  skip,
  timeout: 120_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-crash-"));
  try {
    // Thrown from a timer once the watch has drawn a few samples: nothing catches it.
    const crash = join(dir, "crash.mjs");
    // A preloaded module wraps setTimeout: 3.5 s on, the next timer nsnap sets throws when it
    // fires, from nsnap's own loop, as a bug would.
    writeFileSync(
      crash,
      `const real = globalThis.setTimeout, at = Date.now() + 3500;
let armed = true;
globalThis.setTimeout = (fn, ms, ...args) => real(() => {
  if (armed && Date.now() > at) { armed = false; throw new Error("boom from a test"); }
  fn(...args);
}, ms);
`,
    );
    await withNetns("watchcrash", async (ns) => {
      const s = await startWatch("watchcrash", ns, nsnapArgv("source", crash));
      try {
        const after = await assertRestored(s, 70);
        assert.match(after, /^nsnap: internal error: boom from a test$/m);
      } finally {
        close(s);
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("watch --record DIR --keep N: the samples are kept as capture --every keeps them", {
  skip,
  timeout: 120_000,
}, async () => {
  await withNetns("watchrec", async (ns) => {
    const out = mkdtempSync(join(tmpdir(), "nsnap-watchrec-"));
    const s = await startWatch(
      "watchrec",
      ns,
      nsnapArgv("source"),
      ["--record", out, "--keep", "3"],
    );
    try {
      await s.term.waitFor(/REC ([5-9]|\d\d)/);
      s.term.key("q");
      const after = await assertRestored(s, 0);
      assert.match(after, new RegExp(`^nsnap: recorded \\d+ snapshots in ${out}/$`, "m"));
      const files = readdirSync(out);
      assert.equal(files.filter((f) => f.endsWith(".json")).length, 3, files.join());
      assert.deepEqual(files.filter((f) => f.startsWith(".nsnap-")), []);
      for (const f of files) {
        const snap = parseSnapshotBytes(readFileSync(join(out, f)), f);
        assert.equal(snap.meta.periodic?.everyMs, 1000);
        assert.equal(snap.meta.sections.routes.status, "ok", "a recorded sample is a full capture");
      }
    } finally {
      close(s);
      rmSync(out, { recursive: true, force: true });
    }
  });
});

test(
  "watch --once: one plain screen for a script, no terminal needed",
  { skip, timeout: 60_000 },
  async () => {
    await withNetns("watchonce", (ns) => {
      const r = runCli(["watch", "--once", "--interval", "300ms"], { wrap: ns.wrap });
      assert.equal(r.code, 0, r.stderr);
      assert.ok(!r.stdout.includes("\x1b"), "no escape sequence at all");
      assert.match(r.stdout, /^nsnap watch {2}\S+ {2}\d\d:\d\d:\d\d UTC {2}every 300ms {2}#2$/m);
      assert.match(r.stdout, /^TCP resets sent +0\.00 +0$/m);
      for (const line of r.stdout.split("\n")) assert.ok(line.length <= 80, line);
      const refused = runCli(["watch"], { wrap: ns.wrap });
      assert.equal(refused.code, 2);
      assert.match(
        refused.stderr,
        /^nsnap: Cannot watch: standard (output|input) is not a terminal/,
      );
    });
  },
);

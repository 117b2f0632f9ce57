/**
 * A long-running nsnap for the periodic tests: started (from source under the runtime running
 * the tests, or as the compiled binary) with its stdout read line by line as it prints, so a
 * test can act when the n-th path appears, then send it a signal and wait for its end.
 */
import { type ChildProcess, spawn } from "node:child_process";
import process from "node:process";
import { cliPrefix, ROOT } from "../../helpers/cli.ts";

/** How a run ended. */
export interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A running nsnap. */
export interface Running {
  child: ChildProcess;
  /** The lines printed so far. */
  lines: string[];
  /** Resolves once `n` lines have been printed (rejects when the run ends first or after `ms`). */
  lineCount(n: number, ms?: number): Promise<string[]>;
  /** Resolves when the process has ended. */
  ended: Promise<Ended>;
  /**
   * Sends a signal. Not `child.kill()`: Deno's node:child_process then reports the process as
   * killed by that signal even when it handled it and exited with a code of its own.
   */
  signal(sig: NodeJS.Signals): void;
}

/** Starts `nsnap ARGS`, inside `wrap` (ip netns exec NS) when given; `bin` runs the binary. */
export function startNsnap(args: string[], opts: { wrap?: string[]; bin?: string } = {}): Running {
  const argv = [...(opts.wrap ?? []), ...(opts.bin ? [opts.bin] : cliPrefix()), ...args];
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
  });
  const lines: string[] = [];
  let stdout = "", stderr = "", rest = "";
  const waiters: Array<() => void> = [];
  child.stdout!.on("data", (d: Uint8Array) => {
    const text = new TextDecoder().decode(d);
    stdout += text;
    const parts = (rest + text).split("\n");
    rest = parts.pop()!;
    lines.push(...parts);
    for (const w of waiters.splice(0)) w();
  });
  child.stderr!.on("data", (d: Uint8Array) => (stderr += new TextDecoder().decode(d)));
  let done = false;
  const ended = new Promise<Ended>((resolve) =>
    child.once("close", (code, signal) => {
      done = true;
      for (const w of waiters.splice(0)) w();
      resolve({ code, signal, stdout, stderr });
    })
  );
  const lineCount = (n: number, ms = 60_000) =>
    new Promise<string[]>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${n} lines not printed within ${ms} ms: ${stderr}`)),
        ms,
      );
      const check = () => {
        if (lines.length >= n) {
          clearTimeout(timer);
          resolve(lines.slice());
        } else if (done) {
          clearTimeout(timer);
          reject(new Error(`nsnap ended after ${lines.length} lines: ${stderr}`));
        } else waiters.push(check);
      };
      check();
    });
  const signal = (sig: NodeJS.Signals) => process.kill(child.pid!, sig);
  return { child, lines, lineCount, ended, signal };
}

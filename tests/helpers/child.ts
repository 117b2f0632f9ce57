/** Runs a TypeScript file as a child of the current runtime (Deno or Bun), as the tests run. */
import { spawnSync } from "node:child_process";
import process from "node:process";

/** What the child printed and how it ended. */
export interface ChildRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `file ARGS` under the current runtime and waits for it (at most `timeoutMs`). */
export function runChild(file: string, args: string[], timeoutMs = 120_000): ChildRun {
  const g = globalThis as { Deno?: unknown };
  const argv = g.Deno ? ["run", "-A", "--quiet", file, ...args] : [file, ...args];
  const r = spawnSync(process.execPath, argv, {
    encoding: "utf8",
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, DENO_NO_UPDATE_CHECK: "1" },
  });
  return { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

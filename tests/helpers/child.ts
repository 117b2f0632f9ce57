/** Runs a TypeScript file as a child of the current runtime (Deno or Bun), as the tests run. */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import process from "node:process";

/**
 * This process's peak resident memory in MiB: VmHWM from /proc/self/status, which starts afresh
 * at exec (getrusage's maxrss carries over the parent's peak from before the exec).
 */
export function peakRssMiB(): number {
  try {
    const m = /^VmHWM:\s+([0-9]+) kB$/m.exec(readFileSync("/proc/self/status", "utf8"));
    if (m) return Number(m[1]) / 1024;
  } catch { /* not Linux */ }
  return process.resourceUsage().maxRSS / 1024;
}

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

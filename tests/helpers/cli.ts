/** Runs the nsnap CLI as a subprocess of the current runtime, as a user would run it. */
import { spawnSync } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";

/** Absolute path of mod.ts. */
export const MOD = fileURLToPath(new URL("../../mod.ts", import.meta.url));
/** Absolute path of the repository root. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** What one CLI run produced. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** The argv prefix that runs mod.ts under the runtime executing the tests. */
export function cliPrefix(): string[] {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  if (g.Deno) return [process.execPath, "run", "-A", "--quiet", MOD];
  return [process.execPath, MOD];
}

/** Options for one CLI run. */
export interface CliOptions {
  stdin?: string | Uint8Array;
  env?: Record<string, string>;
  cwd?: string;
  /** Prefix the command, e.g. ["ip", "netns", "exec", NAME] to run it inside a namespace. */
  wrap?: string[];
  timeoutMs?: number;
}

/** Runs `nsnap ARGS` and returns its exit code and output. */
export function runCli(args: string[], opts: CliOptions = {}): CliRun {
  const argv = [...(opts.wrap ?? []), ...cliPrefix(), ...args];
  const t0 = performance.now();
  const r = spawnSync(argv[0]!, argv.slice(1), {
    input: opts.stdin,
    env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", ...opts.env },
    cwd: opts.cwd ?? ROOT,
    encoding: "utf8",
    timeout: opts.timeoutMs ?? 60_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  return {
    code: r.status ?? -1,
    stdout: r.stdout ?? "",
    stderr: r.stderr ?? "",
    ms: performance.now() - t0,
  };
}

/**
 * Running external commands (`ip -j`, and on macOS netstat/ifconfig/lsof) behind one interface,
 * so collectors can be driven by recorded outputs in tests.
 */
import { spawnSync } from "node:child_process";

/** The outcome of one command. `ok` is false when it could not start or exited non-zero. */
export interface CommandResult {
  ok: boolean;
  /** Standard output as UTF-8 (a byte that is not UTF-8 becomes U+FFFD). */
  stdout: string;
  /**
   * Standard output as the bytes the command wrote, where the runner has them: names in it
   * (interfaces, from `ip -j`) may hold bytes that are not UTF-8.
   */
  stdoutBytes?: Uint8Array;
  stderr: string;
  /** Why it failed: "not found", "exit 1: …", "timed out". */
  reason?: string;
}

/** Runs a command and returns its output; a function so tests can substitute recorded outputs. */
export type CommandRunner = (argv: readonly string[]) => CommandResult;

const UTF8 = new TextDecoder("utf-8");

/** Runs a command synchronously with a timeout, never throwing. */
export const runCommand: CommandRunner = (argv) => {
  const [cmd, ...rest] = argv;
  if (!cmd) return { ok: false, stdout: "", stderr: "", reason: "empty command" };
  const r = spawnSync(cmd, rest, {
    timeout: 20_000,
    maxBuffer: 512 * 1024 * 1024,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const bytes: Uint8Array = r.stdout ?? new Uint8Array(0);
  const stdout = UTF8.decode(bytes);
  const stderr = r.stderr ? UTF8.decode(r.stderr) : "";
  if (r.error) {
    const code = (r.error as { code?: string }).code;
    const reason = code === "ENOENT" ? `${cmd}: not found` : `${cmd}: ${r.error.message}`;
    return { ok: false, stdout, stdoutBytes: bytes, stderr, reason };
  }
  if (r.status !== 0) {
    const first = stderr.trim().split("\n")[0] ?? "";
    return {
      ok: false,
      stdout,
      stdoutBytes: bytes,
      stderr,
      reason: `${argv.join(" ")}: exit ${r.status ?? r.signal}${first ? `: ${first}` : ""}`,
    };
  }
  return { ok: true, stdout, stdoutBytes: bytes, stderr };
};

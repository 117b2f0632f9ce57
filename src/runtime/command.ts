/**
 * Running external commands (`ip -j`, and on macOS netstat/ifconfig/lsof) behind one interface,
 * so collectors can be driven by recorded outputs in tests.
 */
import { spawnSync } from "node:child_process";

/** The outcome of one command. `ok` is false when it could not start or exited non-zero. */
export interface CommandResult {
  ok: boolean;
  stdout: string;
  stderr: string;
  /** Why it failed: "not found", "exit 1: …", "timed out". */
  reason?: string;
}

/** Runs a command and returns its output; a function so tests can substitute recorded outputs. */
export type CommandRunner = (argv: readonly string[]) => CommandResult;

/** Runs a command synchronously with a timeout, never throwing. */
export const runCommand: CommandRunner = (argv) => {
  const [cmd, ...rest] = argv;
  if (!cmd) return { ok: false, stdout: "", stderr: "", reason: "empty command" };
  const r = spawnSync(cmd, rest, {
    encoding: "utf8",
    timeout: 20_000,
    maxBuffer: 512 * 1024 * 1024,
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (r.error) {
    const code = (r.error as { code?: string }).code;
    const reason = code === "ENOENT" ? `${cmd}: not found` : `${cmd}: ${r.error.message}`;
    return { ok: false, stdout: r.stdout ?? "", stderr: r.stderr ?? "", reason };
  }
  if (r.status !== 0) {
    const first = (r.stderr ?? "").trim().split("\n")[0] ?? "";
    return {
      ok: false,
      stdout: r.stdout ?? "",
      stderr: r.stderr ?? "",
      reason: `${argv.join(" ")}: exit ${r.status ?? r.signal}${first ? `: ${first}` : ""}`,
    };
  }
  return { ok: true, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
};

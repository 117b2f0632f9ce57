/** Runs the nsnap CLI in this process, its standard streams captured (the unit tier's `runCli`). */
import { main } from "../../src/cli/main.ts";
import { redirectStdio } from "../../src/runtime/process.ts";
import type { CliRun } from "./cli.ts";

/**
 * Runs `main(ARGS)` in this process with its standard streams captured: the CLI as a user runs it,
 * minus the process start-up, for the unit tier. Runs must not overlap (the streams are global).
 */
export async function runMain(args: string[], opts: { stdin?: string | Uint8Array } = {}): Promise<
  Omit<CliRun, "ms">
> {
  let stdout = "", stderr = "";
  const decoder = new TextDecoder();
  const input = typeof opts.stdin === "string" ? new TextEncoder().encode(opts.stdin) : opts.stdin;
  const restore = redirectStdio({
    stdout: (text) => {
      stdout += typeof text === "string" ? text : decoder.decode(text);
      return Promise.resolve();
    },
    stderr: (text) => {
      stderr += text;
    },
    stdin: async function* () {
      if (input !== undefined && input.length > 0) yield input;
    },
  });
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    restore();
  }
}

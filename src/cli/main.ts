/**
 * The command line: builds the commander program, runs it, and turns every error into one line
 * and an exit code (0 ok, 1 a --fail-on change or nothing found, 2 usage or input error).
 */
import { Command, CommanderError } from "@commander-js/extra-typings";
import { describeError, EXIT_USAGE, StdoutError } from "../errors.ts";
import { absorbStdoutErrors, writeStderr, writeStdout } from "../runtime/process.ts";
import { escapeControls } from "../util/escape.ts";
import { VERSION } from "../version.ts";
import type { CliContext } from "./context.ts";
import { registerCapture } from "./capture.ts";
import { registerCheck } from "./check.ts";
import { registerDiff } from "./diff.ts";
import { registerShow } from "./show.ts";
import { registerPort } from "./port.ts";
import { registerImport } from "./import.ts";
import { registerSchema } from "./schema.ts";
import { registerCompletions } from "./completions.ts";
import { registerReport } from "./report.ts";
import { registerWatch } from "./watch.ts";

/** Builds the program with every command registered; exported for completions and tests. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command()
    .name("nsnap")
    .description(
      "Network snapshots and diffs: connections with their processes, routes, interfaces, counters.",
    )
    .version(VERSION, "-V, --version", "print the version")
    .option("--debug", "show stack traces for errors")
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      // Help and version text: a reader that went away has what it wanted.
      writeOut: (s) => void writeStdout(s).catch(() => {}),
      writeErr: (s) => writeStderr(s),
      outputError: (s, write) =>
        write(`nsnap: ${escapeControls(s.replace(/^error: /, "").trimEnd())}\n`),
    });
  program.addHelpText(
    "after",
    `
Examples:
  nsnap capture                       write ./snapshots/<host>-<time>.json
  nsnap diff before.json after.json   what changed (exit 1 with --fail-on KINDS)
  nsnap show -tlp                     listening TCP sockets with their programs
  nsnap port 443 incident.json.gz     who holds port 443 in a saved snapshot
  nsnap report a.json b.json          one HTML page for a ticket
  nsnap check policy.yaml             does this host keep its policy (exit 1)
  nsnap watch                         a live view of rates, traffic, sessions`,
  );
  for (
    const register of [
      registerCapture,
      registerDiff,
      registerCheck,
      registerShow,
      registerPort,
      registerImport,
      registerReport,
      registerWatch,
      registerSchema,
      registerCompletions,
    ]
  ) {
    const cmd = register(program, ctx);
    cmd.exitOverride().showSuggestionAfterError(true);
  }
  return program;
}

/** Runs the CLI on the given arguments and returns the exit code; never throws. */
export async function main(argv: string[]): Promise<number> {
  const ctx: CliContext = { exitCode: 0 };
  const debug = argv.includes("--debug");
  const program = buildProgram(ctx);
  absorbStdoutErrors();
  try {
    await program.parseAsync(argv, { from: "user" });
    return ctx.exitCode;
  } catch (err) {
    // The reader of our output went away (`| head`): it has what it wanted; end quietly.
    if (err instanceof StdoutError && err.code === "EPIPE") return ctx.exitCode;
    if (err instanceof CommanderError) {
      // Help and version end with 0; every parsing error has already been printed as one line.
      return err.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    const { code, message } = describeError(err);
    // Messages quote file names and values escaped; this is the last guard for the line.
    writeStderr(`nsnap: ${escapeControls(message)}\n`);
    if (debug && err instanceof Error && err.stack) writeStderr(err.stack + "\n");
    return code;
  }
}

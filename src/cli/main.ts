/**
 * The command line: builds the commander program, runs it, and turns every error into one line
 * and an exit code (0 ok, 1 a --fail-on change or nothing found, 2 usage or input error).
 *
 * Each command's module (and what it imports: the diff engine and its schema, renderers, the
 * HTML report) is loaded only when that command runs: a capture on an idle host takes less time
 * than loading all of them would. `--help`, `help`, `completions` and an unknown command load
 * every command, so that help, completions and suggestions see them all.
 */
import { Command, CommanderError } from "@commander-js/extra-typings";
import { describeError, EXIT_USAGE, StdoutError } from "../errors.ts";
import { writeStderr, writeStdout } from "../runtime/process.ts";
import { escapeControls } from "../util/escape.ts";
import { VERSION } from "../version.ts";
import type { CliContext } from "./context.ts";

/** Registers one command on the program and returns it. */
// deno-lint-ignore no-explicit-any
type Register = (program: Command, ctx: CliContext) => Command<any, any, any>;

/** Every command, in the order help lists them, with the loader of its module. */
const COMMANDS: ReadonlyArray<readonly [string, () => Promise<Register>]> = [
  ["capture", async () => (await import("./capture.ts")).registerCapture],
  ["diff", async () => (await import("./diff.ts")).registerDiff],
  ["check", async () => (await import("./check.ts")).registerCheck],
  ["show", async () => (await import("./show.ts")).registerShow],
  ["port", async () => (await import("./port.ts")).registerPort],
  ["import", async () => (await import("./import.ts")).registerImport],
  ["report", async () => (await import("./report.ts")).registerReport],
  ["watch", async () => (await import("./watch.ts")).registerWatch],
  ["schema", async () => (await import("./schema.ts")).registerSchema],
  ["completions", async () => (await import("./completions.ts")).registerCompletions],
];

/** Other names of commands (commander's aliases), so that they load only their own module. */
const ALIASES: Readonly<Record<string, string>> = { top: "watch" };

/**
 * The command the arguments run, when they name one that needs no other (not `completions`);
 * undefined for help, an unknown command or none at all.
 */
function commandOf(argv: readonly string[]): string | undefined {
  const first = argv.find((a) => !a.startsWith("-"));
  if (first === undefined || first === "completions") return undefined;
  const command = ALIASES[first] ?? first;
  return COMMANDS.some(([name]) => name === command) ? command : undefined;
}

/**
 * Builds the program with every command registered, or only `only` when given; exported for
 * completions and tests.
 */
export async function buildProgram(ctx: CliContext, only?: string): Promise<Command> {
  const registers = await Promise.all(
    COMMANDS.filter(([name]) => only === undefined || name === only).map(([, load]) => load()),
  );
  return buildWith(ctx, registers);
}

function buildWith(ctx: CliContext, registers: readonly Register[]): Command {
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
  for (const register of registers) {
    const cmd = register(program, ctx);
    cmd.exitOverride().showSuggestionAfterError(true);
  }
  return program;
}

/** Runs the CLI on the given arguments and returns the exit code; never throws. */
export async function main(argv: string[]): Promise<number> {
  const ctx: CliContext = { exitCode: 0 };
  const debug = argv.includes("--debug");
  try {
    // `--version` alone needs no command at all.
    const version = argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V");
    const program = version ? buildWith(ctx, []) : await buildProgram(ctx, commandOf(argv));
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

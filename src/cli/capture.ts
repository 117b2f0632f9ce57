/** `nsnap capture`: take a snapshot of this host and write it (prints the path written). */
import { type Command, Option } from "@commander-js/extra-typings";
import { captureSnapshot } from "../collect/mod.ts";
import { UsageError } from "../errors.ts";
import type { CliContext } from "./context.ts";
import { checkOutputOptions, emitSnapshot } from "./output.ts";

/** Parses repeated `--label key=value` options into a record. */
export function parseLabel(
  value: string,
  previous: Record<string, string> = {},
): Record<string, string> {
  const eq = value.indexOf("=");
  const key = eq > 0 ? value.slice(0, eq) : "";
  if (!/^[A-Za-z0-9_.\/-]+$/.test(key)) {
    throw new UsageError(`Cannot use label ${JSON.stringify(value)}: expected key=value`);
  }
  return { ...previous, [key]: value.slice(eq + 1) };
}

/** Registers `nsnap capture` on the program. */
export function registerCapture(program: Command, _ctx: CliContext) {
  return program
    .command("capture")
    .description("capture connections, processes, routes, interfaces and counters into a snapshot")
    .option(
      "-o, --output <path>",
      "file, folder/ or - for stdout (default ./snapshots/<host>-<time>.json)",
    )
    .addOption(
      new Option("--format <format>", "json or yaml (default: from the file name)").choices(
        ["json", "yaml"] as const,
      ),
    )
    .option("--force", "replace an existing file")
    .option(
      "--label <key=value>",
      "add a label to meta.labels (repeatable)",
      parseLabel,
    )
    .option("--cmdline", "record process command lines (secrets masked)")
    .option(
      "--redact",
      "replace addresses, MACs and host names with stable pseudonyms (for public tickets)",
    )
    .option(
      "--redact-key <key>",
      "key for --redact pseudonyms (default: $NSNAP_REDACT_KEY, else random)",
    )
    .addOption(
      new Option("--root <dir>", "read /proc and /sys below this folder (tests)").hideHelp(),
    )
    .addHelpText(
      "after",
      `
Examples:
  nsnap capture                  writes ./snapshots/<host>-<UTC time>.json
  nsnap capture -o before.json --label deploy=1234
  nsnap capture -o incident.yaml.gz --cmdline
  nsnap capture -o - | jq '.connections | length'
  NSNAP_REDACT_KEY=… nsnap capture --redact -o public.json`,
    )
    .action(async (opts) => {
      checkOutputOptions(opts);
      const snapshot = await captureSnapshot({
        cmdline: opts.cmdline ?? false,
        labels: opts.label ?? {},
        ...(opts.root ? { root: opts.root } : {}),
      });
      await emitSnapshot(snapshot, opts);
    });
}

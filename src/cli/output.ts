/**
 * What `capture` and `import` share: their output options, defined once here, and the last step
 * (redact if asked, write, print the path).
 */
import { Option } from "@commander-js/extra-typings";
import type { Snapshot } from "../model.ts";
import { writeSnapshot } from "../snapshot/write.ts";
import { UsageError } from "../errors.ts";
import { dict } from "../util/record.ts";
import { escapeText } from "../util/escape.ts";
import { out } from "./context.ts";
import { tempFiles } from "./signals.ts";

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
  return dict([...Object.entries(previous), [key, value.slice(eq + 1)]]);
}

/** The options that say where and how a snapshot is written, as both commands offer them. */
export const outputOptions = {
  output: () =>
    new Option(
      "-o, --output <path>",
      "file, folder/ or - for stdout (default ./snapshots/<host>-<time>.json)",
    ),
  format: () =>
    new Option("--format <format>", "json or yaml (default: from the file name)").choices(
      ["json", "yaml"] as const,
    ),
  force: () => new Option("--force", "replace an existing file"),
  label: () =>
    new Option("--label <key=value>", "add a label to meta.labels (repeatable)").argParser(
      parseLabel,
    ),
  redact: () =>
    new Option(
      "--redact",
      "replace addresses, MACs and host names with stable pseudonyms (for public tickets)",
    ),
  redactKey: () =>
    new Option(
      "--redact-key <key>",
      "key for --redact pseudonyms (default: $NSNAP_REDACT_KEY, else random)",
    ),
};

/** The output options both commands take. */
export interface SnapshotOutputOptions {
  output?: string;
  format?: "json" | "yaml";
  force?: boolean;
  redact?: boolean;
  redactKey?: string;
}

/** Rejects option combinations that make no sense, before any work is done. */
export function checkOutputOptions(opts: SnapshotOutputOptions): void {
  if (opts.redactKey !== undefined && !opts.redact) {
    throw new UsageError("--redact-key needs --redact");
  }
}

/**
 * Redacts (with --redact), writes the snapshot and prints the path written (nothing for stdout);
 * returns that path (`-` for stdout).
 */
export async function emitSnapshot(
  snapshot: Snapshot,
  opts: SnapshotOutputOptions,
): Promise<string> {
  // Loaded only for --redact: a plain capture need not pay for it.
  const doc = opts.redact ? await redacted(snapshot, opts.redactKey) : snapshot;
  const path = await writeSnapshot(doc, {
    ...(opts.output !== undefined ? { output: opts.output } : {}),
    ...(opts.format ? { format: opts.format } : {}),
    force: opts.force ?? false,
    tempFiles,
  });
  if (path !== "-") await out(escapeText(path));
  return path;
}

async function redacted(snapshot: Snapshot, key: string | undefined): Promise<Snapshot> {
  const [{ redactSnapshot }, { redactKey }] = await Promise.all([
    import("../snapshot/redact.ts"),
    import("./redact_key.ts"),
  ]);
  return redactSnapshot(snapshot, redactKey(key));
}

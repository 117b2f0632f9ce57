/** The last step shared by `capture` and `import`: redact if asked, write, print the path. */
import type { Snapshot } from "../model.ts";
import { redactSnapshot } from "../snapshot/redact.ts";
import { writeSnapshot } from "../snapshot/write.ts";
import { UsageError } from "../errors.ts";
import { redactKey } from "./redact_key.ts";
import { out } from "./context.ts";

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

/** Redacts (with --redact), writes the snapshot and prints the path written (nothing for stdout). */
export async function emitSnapshot(snapshot: Snapshot, opts: SnapshotOutputOptions): Promise<void> {
  const doc = opts.redact ? redactSnapshot(snapshot, redactKey(opts.redactKey)) : snapshot;
  const path = await writeSnapshot(doc, {
    ...(opts.output !== undefined ? { output: opts.output } : {}),
    ...(opts.format ? { format: opts.format } : {}),
    force: opts.force ?? false,
  });
  if (path !== "-") await out(path);
}

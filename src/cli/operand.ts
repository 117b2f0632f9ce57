/**
 * The one loader every reading command uses: an operand is a snapshot file (any format nsnap
 * writes), `-` for standard input, or `live` for a capture made now. A file that happens to be
 * called "live" is reached as `./live`.
 */
import { type CaptureOptions, captureSnapshot } from "../collect/mod.ts";
import type { Snapshot } from "../model.ts";
import { DEFAULT_MAX_BYTES, readSnapshot } from "../snapshot/read.ts";

export { DEFAULT_MAX_BYTES };
export { parseMaxSize, parseSize } from "./size.ts";

/** How to load an operand. */
export interface LoadOptions {
  /** Size limit for files and stdin (bytes, stored and decompressed); default 512 MiB. */
  maxBytes?: number;
  /** Options for `live` captures. */
  capture?: CaptureOptions;
}

/** Loads a snapshot operand: `live` captures now, anything else is read as a snapshot file. */
export function loadOperand(operand: string, opts: LoadOptions = {}): Promise<Snapshot> {
  if (operand === "live") return captureSnapshot(opts.capture ?? {});
  // An explicit --max-size is the limit for YAML of any layout too.
  return readSnapshot(
    operand,
    opts.maxBytes === undefined ? {} : { maxBytes: opts.maxBytes, maxYamlBytes: opts.maxBytes },
  );
}

/** The `--max-size` option's help text, shared by every command that reads snapshots. */
export const MAX_SIZE_HELP =
  "largest snapshot to read, e.g. 512M or 2G (default 512M; YAML not in nsnap's layout 8M)";

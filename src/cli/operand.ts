/**
 * The one loader every reading command uses: an operand is a snapshot file (any format nsnap
 * writes), `-` for standard input, or `live` for a capture made now. A file that happens to be
 * called "live" is reached as `./live`.
 */
import { type CaptureOptions, captureSnapshot } from "../collect/mod.ts";
import { UsageError } from "../errors.ts";
import type { Snapshot } from "../model.ts";
import { DEFAULT_MAX_BYTES, readSnapshot } from "../snapshot/read.ts";

export { DEFAULT_MAX_BYTES };

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

const UNITS: Record<string, number> = { "": 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

/**
 * Parses a `--max-size` value: bytes, or a number with K, M, G or T (binary units; `KiB`,
 * `MB` and `mb` are read the same way).
 * @example parseMaxSize("512M") // 536870912
 */
export function parseMaxSize(value: string): number {
  return parseSize(value, "--max-size");
}

/** Parses a size as `parseMaxSize()` does, naming `flag` in the error (`--max-total`). */
export function parseSize(value: string, flag: string): number {
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(value);
  const n = m ? Number(m[1]) * UNITS[m[2]!.toUpperCase()]! : NaN;
  if (!m || !Number.isFinite(n) || n < 1) {
    throw new UsageError(
      `Cannot use ${flag} ${JSON.stringify(value)}: expected a size such as 512M, 2G or 1048576`,
    );
  }
  return Math.floor(n);
}

/** The `--max-size` option's help text, shared by every command that reads snapshots. */
export const MAX_SIZE_HELP =
  "largest snapshot to read, e.g. 512M or 2G (default 512M; YAML not in nsnap's layout 8M)";

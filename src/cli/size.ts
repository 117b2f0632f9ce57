/**
 * Sizes given on the command line (`--max-size 512M`, `--max-total 2G`). A module of its own, so
 * that a capture (which takes `--max-total`) does not load the snapshot reader and its schema.
 */
import { UsageError } from "../errors.ts";

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

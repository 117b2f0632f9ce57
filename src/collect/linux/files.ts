/** Reading /proc, /sys and /etc files for the Linux collector: the text, or a warning saying why not. */
import { readFileSync } from "node:fs";
import { errnoText } from "../../errors.ts";

/**
 * Reads a text file; undefined when it cannot be read, with "cannot read PATH: REASON" pushed to
 * `warnings` when they are given (files whose absence is normal pass none).
 */
export function readText(path: string, warnings?: string[]): string | undefined {
  try {
    return readFileSync(path, "latin1");
  } catch (err) {
    warnings?.push(`cannot read ${path}: ${errnoText(err)}`);
    return undefined;
  }
}

/** Joins a root ("/" or a fixture tree) and an absolute path without doubling the slash. */
export function under(root: string, path: string): string {
  const base = root === "/" ? "" : root.replace(/\/+$/, "");
  return `${base}${path}`;
}

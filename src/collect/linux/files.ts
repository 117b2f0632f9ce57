/** Reading /proc, /sys and /etc files for the Linux collector: the text, or a warning saying why not. */
import { readFileSync } from "node:fs";
import { errnoText } from "../../errors.ts";

/** The warning for a file or folder the collector cannot read: "cannot read PATH: REASON". */
export function unreadable(path: string, err: unknown): string {
  return `cannot read ${path}: ${errnoText(err)}`;
}

/**
 * Reads a text file; undefined when it cannot be read, with why pushed to `warnings` when they
 * are given (files whose absence is normal pass none).
 */
export function readText(path: string, warnings?: string[]): string | undefined {
  try {
    return readFileSync(path, "latin1");
  } catch (err) {
    warnings?.push(unreadable(path, err));
    return undefined;
  }
}

/** Joins a root ("/" or a fixture tree) and an absolute path without doubling the slash. */
export function under(root: string, path: string): string {
  const base = root === "/" ? "" : root.replace(/\/+$/, "");
  return `${base}${path}`;
}

/** Reading /proc, /sys and /etc files for the Linux collector: the text, or a warning saying why not. */
import { readFileSync } from "node:fs";
import type { Buffer } from "node:buffer";
import { errnoText } from "../../errors.ts";
import { hostText } from "../../util/host_text.ts";

/** The warning for a file or folder the collector cannot read: "cannot read PATH: REASON". */
export function unreadable(path: string | Buffer, err: unknown): string {
  return `cannot read ${typeof path === "string" ? path : hostText(path)}: ${errnoText(err)}`;
}

/**
 * Reads a text file; undefined when it cannot be read, with why pushed to `warnings` when they
 * are given (files whose absence is normal pass none). The bytes are decoded as UTF-8 by the
 * host-text rule (util/host_text.ts): a process or interface name is never garbled, and a byte
 * that is not UTF-8 stays visible as `\xHH`. A path given as bytes (a folder /sys names with
 * bytes that are not UTF-8) is opened as those bytes where the runtime can.
 */
export function readText(path: string | Buffer, warnings?: string[]): string | undefined {
  try {
    return hostText(readFileSync(path));
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

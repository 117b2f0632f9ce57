/** Reading /proc, /sys and /etc files for the Linux collector: the text, or a warning saying why not. */
import type { Buffer } from "node:buffer";
import { errnoText } from "../../errors.ts";
import { formatBytes } from "../../format.ts";
import { hostText } from "../../util/host_text.ts";
import { readFileBoundedSync, TooLargeError } from "../../util/read_bounded.ts";

/**
 * Largest file the collector reads. /proc/net/tcp6 of a million sockets is about 180 MB; a file
 * that goes on past this (a device linked into a `--root` tree) is refused, not read to the end.
 */
export const MAX_HOST_FILE_BYTES = 512 * 1024 * 1024;

/**
 * Reads a file of the host or of a `--root` tree: bounded by the bytes read, a regular file only
 * (a FIFO or a device planted in a tree is refused, never waited on).
 * @throws the system's error, TooLargeError or NotRegularError (util/read_bounded.ts).
 */
export function readHostFile(path: string | Buffer): Uint8Array {
  return readFileBoundedSync(path, MAX_HOST_FILE_BYTES, { regularOnly: true });
}

/** Why a file could not be read, in words ("permission denied", "larger than 512 MiB"). */
export function unreadableReason(err: unknown): string {
  return err instanceof TooLargeError ? `larger than ${formatBytes(err.limit)}` : errnoText(err);
}

/** The warning for a file or folder the collector cannot read: "cannot read PATH: REASON". */
export function unreadable(path: string | Buffer, err: unknown): string {
  return `cannot read ${typeof path === "string" ? path : hostText(path)}: ${
    unreadableReason(err)
  }`;
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
    return hostText(readHostFile(path));
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

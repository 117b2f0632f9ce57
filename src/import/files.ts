/** Reads the files named on `nsnap import`'s command line: a folder stands for its regular files. */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { errnoText, InputError } from "../errors.ts";
import { escapeText } from "../util/escape.ts";
import { readFileBoundedSync, regularFiles, TooLargeError } from "../util/read_bounded.ts";
import { formatBytes } from "../format.ts";
import type { ImportInput } from "./mod.ts";

/** Largest file `nsnap import` reads: saved tool outputs are far smaller. */
const MAX_BYTES = 64 * 1024 * 1024;

function readOne(path: string): ImportInput {
  let bytes: Uint8Array;
  try {
    // Bounded by the bytes read: /dev/zero or a FIFO says its size is 0 and never ends.
    bytes = readFileBoundedSync(path, MAX_BYTES);
  } catch (err) {
    if (err instanceof TooLargeError) {
      throw new InputError(
        `Cannot read ${escapeText(path)}: larger than ${formatBytes(MAX_BYTES)}`,
      );
    }
    throw new InputError(`Cannot read ${escapeText(path)}: ${errnoText(err)}`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new InputError(`Cannot import ${escapeText(path)}: not text (invalid UTF-8)`);
  }
  if (text.trim() === "") {
    throw new InputError(`Cannot import ${escapeText(path)}: the file is empty`);
  }
  return { name: path, text };
}

/**
 * Reads each path; a folder gives every regular file directly in it, in name order. A member
 * that is a FIFO, a socket or a link to a device is not opened: a warning naming it goes to
 * `warnings`.
 */
export function readImportInputs(paths: readonly string[], warnings: string[] = []): ImportInput[] {
  const inputs: ImportInput[] = [];
  for (const path of paths) {
    let isDir = false;
    try {
      isDir = statSync(path).isDirectory();
    } catch (err) {
      throw new InputError(`Cannot read ${escapeText(path)}: ${errnoText(err)}`);
    }
    if (!isDir) {
      inputs.push(readOne(path));
      continue;
    }
    const names = readdirSync(path).sort();
    const files = regularFiles(names.map((n) => join(path, n)), warnings);
    if (files.length === 0) {
      throw new InputError(
        `Cannot import ${escapeText(path)}: the folder has no files (its subfolders are not read)`,
      );
    }
    for (const f of files) inputs.push(readOne(f));
  }
  return inputs;
}

/**
 * Reading a file someone named on the command line, bounded by the bytes actually read. `stat`
 * is no guide: a device (`/dev/zero`), a FIFO or a /proc file says its size is 0 and then never
 * ends, and a file can grow while it is read. These read at most `limit + 1` bytes and refuse
 * the file (`TooLargeError`) when there are more.
 *
 * @module
 */
import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  promises as fsp,
  readSync,
  statSync,
} from "node:fs";
import type { Buffer } from "node:buffer";

/** The file holds more than `limit` bytes; `size` is its size when a regular file said so. */
export class TooLargeError extends RangeError {
  override name = "TooLargeError";
  constructor(readonly limit: number, readonly size?: number) {
    super(`more than ${limit} bytes`);
  }
}

/** The kind of a file that `stat` says, as far as `specialKind()` needs to know. */
export interface FileKindStat {
  isFile(): boolean;
  isDirectory(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
}

/**
 * What a file that is neither a regular file nor a folder is, in words ("a FIFO (named pipe)");
 * undefined for a regular file or a folder.
 */
export function specialKind(st: FileKindStat): string | undefined {
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isFIFO()) return "a FIFO (named pipe)";
  if (st.isSocket()) return "a socket";
  return undefined;
}

/**
 * The warning for a folder's member that is not a regular file, skipped without being opened:
 * "skipped d/h2.json: it is a character device, not a regular file".
 */
export function skippedMember(path: string, st: FileKindStat): string {
  const kind = specialKind(st);
  return `skipped ${path}: ${kind === undefined ? "" : `it is ${kind}, `}not a regular file`;
}

/** The file is not a regular one (a device, a FIFO, a socket) where only a regular file will do. */
/**
 * The regular files among `paths` (links followed); folders are passed over without a word, and
 * anything else (a FIFO, a socket, a device) is left unopened with a warning naming it.
 */
export function regularFiles(paths: readonly string[], warnings: string[]): string[] {
  return paths.filter((p) => {
    let st;
    try {
      st = statSync(p);
    } catch {
      return false;
    }
    if (!st.isFile() && !st.isDirectory()) warnings.push(skippedMember(p, st));
    return st.isFile();
  });
}

export class NotRegularError extends Error {
  override name = "NotRegularError";
  constructor(readonly kind: string) {
    super(`it is ${kind}, not a regular file`);
  }
}

/** Options of a bounded read. */
export interface ReadBoundedOptions {
  /**
   * Read regular files only: the file is opened without waiting (a FIFO without a writer does
   * not block) and anything else is refused with `NotRegularError` before a byte is read. For
   * files found in a tree or a folder, never for an operand (`<(cmd)` is a pipe on purpose).
   */
  regularOnly?: boolean;
}

/** A regular file whose size already says it is too big is refused before a byte is read. */
function checkStat(st: { isFile(): boolean; size: number }, limit: number): void {
  if (st.isFile() && st.size > limit) throw new TooLargeError(limit, st.size);
}

/** A directory where a file was expected (the error's `code` is EISDIR, as the kernel's would be). */
function isDirectoryError(path: string): Error {
  return Object.assign(new Error(`EISDIR: illegal operation on a directory, read '${path}'`), {
    code: "EISDIR",
  });
}

/** Chunk size for reads when the size is unknown. */
const CHUNK = 64 * 1024;

/**
 * One scratch buffer for the synchronous reads of up to 64 KiB whose size is unknown (a /proc file
 * says 0) or past the file's size (the read that finds the end of a small file): a capture reads
 * hundreds of small files, and a fresh 64 KiB buffer for each of those reads cost more than the
 * reads. Synchronous calls never interleave,
 * so one buffer serves them all; what a read returns is copied out of it.
 */
let scratch: Uint8Array | undefined;

/** The bookkeeping of one bounded read: which buffer to fill next, and the bytes so far. */
class Collector {
  #chunks: Uint8Array[] = [];
  #size = 0;
  #want: number;
  #buf: Uint8Array = new Uint8Array(0);
  #fresh = true;

  constructor(
    private readonly limit: number,
    st: { isFile(): boolean; size: number },
    private readonly shared = false,
  ) {
    // A regular file's size is a good first guess, never a limit.
    this.#want = st.isFile() && st.size > 0 ? Math.min(st.size + 1, limit + 1) : CHUNK;
  }

  /** The buffer the next read fills. */
  next(): Uint8Array {
    const want = Math.min(this.#want, this.limit + 1 - this.#size);
    // The first read of a file of known size fills a buffer of its own (usually the only one).
    this.#fresh = !this.shared || (want > CHUNK || (this.#size === 0 && this.#want !== CHUNK));
    this.#buf = this.#fresh
      ? new Uint8Array(want)
      : (scratch ??= new Uint8Array(CHUNK)).subarray(0, want);
    return this.#buf;
  }

  /** Takes the bytes read into the buffer; false at the end of the file. */
  took(n: number): boolean {
    if (n === 0) return false;
    if (!this.#fresh) this.#chunks.push(this.#buf.slice(0, n));
    else this.#chunks.push(n === this.#buf.length ? this.#buf : this.#buf.subarray(0, n));
    this.#size += n;
    if (this.#size > this.limit) throw new TooLargeError(this.limit);
    // Past the expected size, grow the reads so a big pipe is not read 64 KiB at a time.
    this.#want = Math.max(CHUNK, Math.min(this.#size, 16 * 1024 * 1024));
    return true;
  }

  /** All the bytes read, in one array. */
  bytes(): Uint8Array {
    const chunks = this.#chunks;
    if (chunks.length === 1 && chunks[0]!.length === this.#size) return chunks[0]!;
    const out = new Uint8Array(this.#size);
    let off = 0;
    for (const c of chunks) {
      out.set(c, off);
      off += c.length;
    }
    return out;
  }
}

/**
 * Reads a whole file, refusing it once more than `limit` bytes have come.
 * @throws TooLargeError past the limit; NotRegularError (with `regularOnly`) for a device, FIFO
 * or socket; the system's error (ENOENT, EACCES, EISDIR …) otherwise.
 */
export function readFileBoundedSync(
  path: string | Buffer,
  limit: number,
  opts: ReadBoundedOptions = {},
): Uint8Array {
  const fd = openSync(path, opts.regularOnly ? constants.O_RDONLY | constants.O_NONBLOCK : "r");
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw isDirectoryError(String(path));
    const special = opts.regularOnly ? specialKind(st) : undefined;
    if (special !== undefined) throw new NotRegularError(special);
    checkStat(st, limit);
    const c = new Collector(limit, st, true);
    for (let buf = c.next(); c.took(readSync(fd, buf, 0, buf.length, null)); buf = c.next());
    return c.bytes();
  } finally {
    closeSync(fd);
  }
}

/** The same, without blocking the event loop. */
export async function readFileBounded(path: string, limit: number): Promise<Uint8Array> {
  const fh = await fsp.open(path, "r");
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw isDirectoryError(path);
    checkStat(st, limit);
    const c = new Collector(limit, st);
    for (let buf = c.next(); c.took((await fh.read(buf, 0, buf.length, null)).bytesRead);) {
      buf = c.next();
    }
    return c.bytes();
  } finally {
    await fh.close();
  }
}

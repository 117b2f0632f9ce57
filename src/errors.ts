/**
 * Error classes and how the CLI reports them. Usage and input errors exit 2 with one line;
 * `--debug` adds the stack.
 */
import { escapeText, quoteText } from "./util/escape.ts";

/** A mistake on the command line (unknown option, bad value): exit 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Input nsnap cannot use: a missing, unreadable or invalid file. Exit 2. */
export class InputError extends Error {
  override name = "InputError";
}

/**
 * A parser met text it cannot read; names the source, the line number and the raw line. The
 * line is quoted as every message quotes input (quoteText: control, bidi and invisible
 * characters visibly escaped), and so is the source, which may be a file name from a stranger.
 */
export class ParseError extends Error {
  override name = "ParseError";
  constructor(
    readonly source: string,
    readonly line: number,
    readonly raw: string,
    reason: string,
  ) {
    super(
      `${escapeText(source)}:${line}: ${reason}: ${
        quoteText(raw.length > 120 ? raw.slice(0, 117) + "..." : raw)
      }`,
    );
  }
}

/** Writing to standard output failed; `code` is the system's (EPIPE when the reader went away). */
export class StdoutError extends Error {
  override name = "StdoutError";
  readonly code: string | undefined;
  constructor(cause: unknown) {
    super(`Cannot write to standard output: ${errnoText(cause)}`, { cause });
    const code = (cause as { code?: unknown } | null)?.code;
    this.code = typeof code === "string" ? code : undefined;
  }
}

/** System error codes in plain words, the one wording every message uses. */
const ERRNO_WORDS: Readonly<Record<string, string>> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EISDIR: "is a directory",
  ENOTDIR: "a part of the path is not a directory",
  ELOOP: "too many levels of symbolic links",
  ENAMETOOLONG: "file name too long",
  EIO: "input/output error",
  EROFS: "read-only file system",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EFBIG: "file too large",
  EEXIST: "file exists",
  EMFILE: "too many open files",
  ENFILE: "too many open files in the system",
  ESRCH: "no such process",
  ENXIO: "no such device or address",
  EPIPE: "the reader has gone (broken pipe)",
  ECONNRESET: "the connection was reset",
  ENOTCONN: "the socket is not connected",
  ENOTSUP: "operation not supported",
  EINVAL: "invalid argument",
  EINTR: "interrupted",
  EAGAIN: "resource temporarily unavailable",
  EBADF: "bad file descriptor",
  ENOMEM: "out of memory",
  ENODEV: "no such device",
  ENOSYS: "function not implemented",
  ENOBUFS: "no buffer space available",
  EOPNOTSUPP: "operation not supported",
  EPROTONOSUPPORT: "protocol not supported",
  EAFNOSUPPORT: "address family not supported",
};

/**
 * Says what a system error means, in the words every nsnap message uses ("no such file or
 * directory", "permission denied"); an error without a known code gives the first line of its
 * message.
 *
 * @example
 * ```ts
 * import { errnoText } from "./errors.ts";
 * errnoText(Object.assign(new Error("x"), { code: "ENOENT" })); // "no such file or directory"
 * ```
 */
export function errnoText(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown } | null | undefined;
  const code = typeof e?.code === "string" ? e.code : undefined;
  if (code !== undefined && Object.hasOwn(ERRNO_WORDS, code)) return ERRNO_WORDS[code]!;
  const message = typeof e?.message === "string" ? e.message : String(err);
  // Never the runtime's raw text: no "ECODE: " in front, no ", syscall 'path'" behind.
  const line = message.split("\n")[0]!.replace(/^E[A-Z0-9]+: /, "").replace(/, \w+ '.*'$/, "");
  return line.trim() === "" ? (code ?? "unknown error") : line;
}

/**
 * The codes of the errno numbers a system call made through FFI (netlink, bpf) can fail with
 * (asm-generic/errno*.h).
 */
const ERRNO_CODES: Readonly<Record<number, string>> = {
  1: "EPERM",
  2: "ENOENT",
  4: "EINTR",
  9: "EBADF",
  11: "EAGAIN",
  12: "ENOMEM",
  13: "EACCES",
  19: "ENODEV",
  22: "EINVAL",
  23: "ENFILE",
  24: "EMFILE",
  38: "ENOSYS",
  93: "EPROTONOSUPPORT",
  95: "EOPNOTSUPP",
  97: "EAFNOSUPPORT",
  105: "ENOBUFS",
};

/** The errno code and the words nsnap uses for it (errnoText) of an errno number. */
export function errnoName(errno: number): { code: string; text: string } {
  const code = ERRNO_CODES[errno] ?? `E${errno}`;
  return { code, text: errnoText(Object.assign(new Error(`errno ${errno}`), { code })) };
}

/** Exit code for usage and input errors. */
export const EXIT_USAGE = 2;

/** Returns the exit code and the one line the CLI prints for an error. */
export function describeError(err: unknown): { code: number; message: string } {
  if (
    err instanceof UsageError || err instanceof InputError || err instanceof ParseError ||
    err instanceof StdoutError
  ) {
    return { code: EXIT_USAGE, message: err.message };
  }
  const e = err as { code?: string; message?: string; path?: string } | undefined;
  if (e && typeof e.code === "string" && typeof e.message === "string") {
    // A system error that escaped a more specific handler: still one line, still exit 2.
    return { code: EXIT_USAGE, message: `Cannot complete the command: ${errnoText(e)}` };
  }
  return { code: 70, message: `internal error: ${e?.message ?? String(err)}` };
}

/** Describes a value for "expected X, got Y" messages without dumping large data. */
export function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "string") return quoteText(v.length > 40 ? v.slice(0, 37) + "..." : v);
  if (typeof v === "object") return "object";
  return String(v);
}

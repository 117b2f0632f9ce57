/**
 * Error classes and how the CLI reports them. Usage and input errors exit 2 with one line;
 * `--debug` adds the stack.
 */
import { quoteText } from "./util/escape.ts";

/** A mistake on the command line (unknown option, bad value): exit 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Input nsnap cannot use: a missing, unreadable or invalid file. Exit 2. */
export class InputError extends Error {
  override name = "InputError";
}

/** A parser met text it cannot read; names the source, the line number and the raw line. */
export class ParseError extends Error {
  override name = "ParseError";
  constructor(
    readonly source: string,
    readonly line: number,
    readonly raw: string,
    reason: string,
  ) {
    super(
      `${source}:${line}: ${reason}: ${
        JSON.stringify(raw.length > 120 ? raw.slice(0, 117) + "..." : raw)
      }`,
    );
  }
}

/** Exit code for usage and input errors. */
export const EXIT_USAGE = 2;

/** Returns the exit code and the one line the CLI prints for an error. */
export function describeError(err: unknown): { code: number; message: string } {
  if (err instanceof UsageError || err instanceof InputError || err instanceof ParseError) {
    return { code: EXIT_USAGE, message: err.message };
  }
  const e = err as { code?: string; message?: string; path?: string } | undefined;
  if (e && typeof e.code === "string" && typeof e.message === "string") {
    // A system error that escaped a more specific handler: still one line, still exit 2.
    return { code: EXIT_USAGE, message: `${e.message}` };
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

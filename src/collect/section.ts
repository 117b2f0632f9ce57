/**
 * One section of a capture: its value, its status and where it came from, and the two rules every
 * collector follows — a section that fails is an `error` and never sinks the others, and a
 * warning is never dropped (not even when the section then fails).
 */
import { type SectionStatus, sectionStatus } from "../model.ts";
import { errnoText } from "../errors.ts";
import type { CommandResult } from "../runtime/command.ts";
import type { Parsed } from "../parse/text.ts";

/** A section as a collector hands it back. */
export interface Section<T> {
  value: T;
  status: SectionStatus;
  /** What it was read from: "/proc/net", "ip -j", "netstat -rn" … */
  source: string;
}

/** A failed section: the reason, and the warnings gathered before it failed. */
export function failed(error: string, warnings: readonly string[] = []): SectionStatus {
  return warnings.length === 0
    ? { status: "error", error }
    : { status: "error", error, warnings: [...warnings] };
}

/**
 * Runs one section's reader: the warnings it pushes make the section partial, and anything it
 * throws makes it an error (keeping those warnings) with `empty` as its value.
 */
export function section<T>(
  source: string,
  empty: T,
  read: (warnings: string[]) => T,
): Section<T> {
  const warnings: string[] = [];
  try {
    return { value: read(warnings), status: sectionStatus(warnings), source };
  } catch (err) {
    return { value: empty, status: failed(errnoText(err), warnings), source };
  }
}

/**
 * A section read from one command's output: a command that failed, or output the parser cannot
 * read at all (a `ParseError`, or anything else it throws), is the section's error; the parser's
 * warnings make it partial.
 */
export function commandSection<T>(
  result: CommandResult,
  source: string,
  empty: T,
  parse: (text: string) => Parsed<T>,
): Section<T> {
  if (!result.ok) {
    return { value: empty, status: failed(result.reason ?? `${source} failed`), source };
  }
  try {
    const p = parse(result.stdout);
    return { value: p.value, status: sectionStatus(p.warnings), source };
  } catch (err) {
    return { value: empty, status: failed(errnoText(err)), source };
  }
}

/** Adds warnings that mean something is missing: an `ok` section becomes `partial`. */
export function mergeStatus(s: SectionStatus, warnings: readonly string[]): SectionStatus {
  if (warnings.length === 0) return s;
  const all = [...(s.warnings ?? []), ...warnings];
  return s.status === "error" ? { ...s, warnings: all } : { status: "partial", warnings: all };
}

/** Adds notes that take nothing away (processes that exited mid-scan): the status stays. */
export function noteStatus(s: SectionStatus, notes: readonly string[]): SectionStatus {
  if (notes.length === 0) return s;
  return { ...s, warnings: [...(s.warnings ?? []), ...notes] };
}

/**
 * `nsnap diff --fail-on` thresholds (`counter:Tcp.RetransSegs>1%`): measured on the two snapshots
 * as captured (ignore rules shape the report, not the gate) with the same evaluator as a policy's
 * `rates`. The gate trips when a threshold holds; one that cannot be measured is a warning.
 */
import { splitFailOn } from "../diff/kinds.ts";
import { ExpressionError, parseThreshold, type Threshold } from "../check/expr.ts";
import type { DiffSection } from "../diff/types.ts";
import { UsageError } from "../errors.ts";
import type { Snapshot } from "../model.ts";
import { measureThreshold } from "../check/threshold.ts";
import { writeStderr } from "../runtime/process.ts";

/** A `--fail-on` threshold as written and as parsed: the gate trips when it holds. */
export interface FailOnThreshold {
  text: string;
  threshold: Threshold;
}

/** What `--fail-on` names: kind entries (kinds, globs, `notable`), and thresholds. */
export interface FailOn {
  kinds: string[];
  thresholds: FailOnThreshold[];
}

/** Parses threshold texts; `where` names their origin in errors (`--fail-on`, a config file). */
export function parseThresholds(texts: readonly string[], where = "--fail-on"): FailOnThreshold[] {
  return texts.map((text) => {
    try {
      return { text, threshold: parseThreshold(text) };
    } catch (e) {
      if (!(e instanceof ExpressionError)) throw e;
      throw new UsageError(`Cannot use ${where} ${JSON.stringify(text)}: ${e.message}`);
    }
  });
}

/**
 * Parses `--fail-on` values: a value with a comparison operator is a threshold
 * (`counter:Tcp.RetransSegs>1%`, see `check/expr.ts`), anything else a change kind, a glob over
 * kinds or `notable`.
 */
export function parseFailOn(names: readonly string[]): FailOn {
  const split = splitFailOn(names);
  return { kinds: split.kinds, thresholds: parseThresholds(split.thresholds) };
}

/** Refuses a threshold on a section `--only` leaves out (it could never trip). */
export function checkThresholdSections(
  thresholds: readonly FailOnThreshold[],
  only: readonly DiffSection[] | undefined,
): void {
  for (const { text, threshold } of thresholds) {
    const section = threshold.subject.kind === "counter" ? "counters" : "interfaces";
    if (only && !only.includes(section)) {
      throw new UsageError(
        `Cannot use --fail-on ${JSON.stringify(text)} with --only ${
          only.join(",")
        }: it measures ${section}`,
      );
    }
  }
}

/**
 * Measures each threshold; prints on stderr the ones that hold (and those that cannot be
 * measured) and returns true when any holds.
 */
export function failOnThresholds(
  thresholds: readonly FailOnThreshold[],
  before: Snapshot,
  after: Snapshot,
): boolean {
  let tripped = false;
  for (const { text, threshold } of thresholds) {
    for (const m of measureThreshold(threshold, after, before)) {
      if (m.holds === true) {
        tripped = true;
        writeStderr(`nsnap: --fail-on ${text}: ${m.subject} is ${m.observed}\n`);
      } else if (m.holds === undefined) {
        writeStderr(`nsnap: warning: --fail-on ${text} not evaluated: ${m.reason}\n`);
      }
    }
  }
  return tripped;
}

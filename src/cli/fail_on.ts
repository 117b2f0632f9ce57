/**
 * `nsnap diff --fail-on` thresholds (`counter:Tcp.RetransSegs>1%`): measured on the two snapshots
 * as captured (ignore rules shape the report, not the gate) with the same evaluator as a policy's
 * `rates`. The gate trips when a threshold holds; one that cannot be measured is a warning.
 */
import type { FailOnThreshold } from "../diff/kinds.ts";
import type { DiffSection } from "../diff/types.ts";
import { UsageError } from "../errors.ts";
import type { Snapshot } from "../model.ts";
import { measureThreshold } from "../check/threshold.ts";
import { writeStderr } from "../runtime/process.ts";

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

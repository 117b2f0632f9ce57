/**
 * `nsnap schema`: prints the JSON Schema of the snapshot format (`nsnap/v1`), or with `--diff`
 * that of the diff document (`nsnap-diff/v1`), `--fleet-diff` that of the fleet diff document
 * (`nsnap-fleet-diff/v1`), `--policy` that of the check policy (`nsnap-policy/v1`), `--check`
 * that of the check result (`nsnap-check/v1`), `--timeline` that of a timeline
 * (`nsnap-timeline/v1`).
 */
import type { Command } from "@commander-js/extra-typings";
import { policyJsonSchema } from "../check/schema.ts";
import { checkJsonSchema } from "../check/result.ts";
import { diffJsonSchema } from "../diff/schema.ts";
import { fleetDiffJsonSchema } from "../fleet/schema.ts";
import { snapshotJsonSchema } from "../schema.ts";
import { timelineJsonSchema } from "../timeline/schema.ts";
import { UsageError } from "../errors.ts";
import { type CliContext, out } from "./context.ts";

/** The documents whose schema nsnap publishes. */
export type SchemaDocument = "snapshot" | "diff" | "fleet-diff" | "policy" | "check" | "timeline";

const SCHEMAS: Record<SchemaDocument, () => Record<string, unknown>> = {
  snapshot: snapshotJsonSchema,
  diff: diffJsonSchema,
  "fleet-diff": fleetDiffJsonSchema,
  policy: policyJsonSchema,
  check: checkJsonSchema,
  timeline: timelineJsonSchema,
};

/**
 * The text `nsnap schema` prints, committed as schema/nsnap-v1.schema.json; with `--diff`,
 * `--fleet-diff`, `--policy`, `--check` or `--timeline` as schema/nsnap-diff-v1.schema.json,
 * nsnap-fleet-diff-v1.schema.json, nsnap-policy-v1.schema.json, nsnap-check-v1.schema.json or
 * nsnap-timeline-v1.schema.json.
 */
export function schemaText(document: SchemaDocument = "snapshot"): string {
  return JSON.stringify(SCHEMAS[document](), null, 2) + "\n";
}

/** Registers `nsnap schema` on the program. */
export function registerSchema(program: Command, _ctx: CliContext) {
  return program
    .command("schema")
    .description("print the JSON Schema of the snapshot format (nsnap/v1)")
    .option("--diff", "the diff document's schema instead (nsnap-diff/v1)")
    .option("--fleet-diff", "the fleet diff document's schema instead (nsnap-fleet-diff/v1)")
    .option("--policy", "the check policy's schema instead (nsnap-policy/v1)")
    .option("--check", "the check result's schema instead (nsnap-check/v1)")
    .option("--timeline", "the timeline document's schema instead (nsnap-timeline/v1)")
    .addHelpText(
      "after",
      `
Examples:
  nsnap schema > nsnap-v1.schema.json
  nsnap schema --diff > nsnap-diff-v1.schema.json
  nsnap schema --policy > nsnap-policy-v1.schema.json
  nsnap schema | jq '.properties.connections'`,
    )
    .action(async (opts) => {
      const flags = {
        diff: opts.diff,
        "fleet-diff": opts.fleetDiff,
        policy: opts.policy,
        check: opts.check,
        timeline: opts.timeline,
      };
      const chosen = (["diff", "fleet-diff", "policy", "check", "timeline"] as const).filter((d) =>
        flags[d]
      );
      if (chosen.length > 1) {
        throw new UsageError(
          `Cannot print ${chosen.map((d) => `--${d}`).join(" and ")} at once: choose one schema`,
        );
      }
      await out(schemaText(chosen[0] ?? "snapshot"));
    });
}

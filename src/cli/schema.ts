/**
 * `nsnap schema`: prints the JSON Schema of the snapshot format (`nsnap/v1`), with `--diff`
 * that of the diff document (`nsnap-diff/v1`), with `--fleet-diff` that of the fleet diff
 * document (`nsnap-fleet-diff/v1`).
 */
import type { Command } from "@commander-js/extra-typings";
import { diffJsonSchema } from "../diff/schema.ts";
import { fleetDiffJsonSchema } from "../fleet/schema.ts";
import { snapshotJsonSchema } from "../schema.ts";
import { UsageError } from "../errors.ts";
import { type CliContext, out } from "./context.ts";

/** The documents whose schema nsnap publishes. */
export type SchemaDocument = "snapshot" | "diff" | "fleet-diff";

/**
 * The text `nsnap schema` prints, committed as schema/nsnap-v1.schema.json, with `--diff` as
 * schema/nsnap-diff-v1.schema.json, with `--fleet-diff` as schema/nsnap-fleet-diff-v1.schema.json.
 */
export function schemaText(document: SchemaDocument = "snapshot"): string {
  const schema = document === "diff"
    ? diffJsonSchema()
    : document === "fleet-diff"
    ? fleetDiffJsonSchema()
    : snapshotJsonSchema();
  return JSON.stringify(schema, null, 2) + "\n";
}

/** Registers `nsnap schema` on the program. */
export function registerSchema(program: Command, _ctx: CliContext) {
  return program
    .command("schema")
    .description("print the JSON Schema of the snapshot format (nsnap/v1)")
    .option("--diff", "the diff document's schema instead (nsnap-diff/v1)")
    .option("--fleet-diff", "the fleet diff document's schema instead (nsnap-fleet-diff/v1)")
    .addHelpText(
      "after",
      `
Examples:
  nsnap schema > nsnap-v1.schema.json
  nsnap schema --diff > nsnap-diff-v1.schema.json
  nsnap schema --fleet-diff > nsnap-fleet-diff-v1.schema.json
  nsnap schema | jq '.properties.connections'`,
    )
    .action(async (opts) => {
      if (opts.diff && opts.fleetDiff) {
        throw new UsageError("Cannot print two schemas at once: give --diff or --fleet-diff");
      }
      await out(schemaText(opts.diff ? "diff" : opts.fleetDiff ? "fleet-diff" : "snapshot"));
    });
}

/**
 * `nsnap schema`: prints the JSON Schema of the snapshot format (`nsnap/v1`), or with `--diff`
 * that of the diff document (`nsnap-diff/v1`).
 */
import type { Command } from "@commander-js/extra-typings";
import { diffJsonSchema } from "../diff/schema.ts";
import { snapshotJsonSchema } from "../schema.ts";
import { type CliContext, out } from "./context.ts";

/** The documents whose schema nsnap publishes. */
export type SchemaDocument = "snapshot" | "diff";

/**
 * The text `nsnap schema` prints, committed as schema/nsnap-v1.schema.json, and with `--diff`
 * as schema/nsnap-diff-v1.schema.json.
 */
export function schemaText(document: SchemaDocument = "snapshot"): string {
  const schema = document === "diff" ? diffJsonSchema() : snapshotJsonSchema();
  return JSON.stringify(schema, null, 2) + "\n";
}

/** Registers `nsnap schema` on the program. */
export function registerSchema(program: Command, _ctx: CliContext) {
  return program
    .command("schema")
    .description("print the JSON Schema of the snapshot format (nsnap/v1)")
    .option("--diff", "the diff document's schema instead (nsnap-diff/v1)")
    .addHelpText(
      "after",
      `
Examples:
  nsnap schema > nsnap-v1.schema.json
  nsnap schema --diff > nsnap-diff-v1.schema.json
  nsnap schema | jq '.properties.connections'`,
    )
    .action(async (opts) => {
      await out(schemaText(opts.diff ? "diff" : "snapshot"));
    });
}

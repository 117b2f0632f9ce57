/** `nsnap schema`: prints the JSON Schema of the snapshot format (`nsnap/v1`). */
import type { Command } from "@commander-js/extra-typings";
import { snapshotJsonSchema } from "../schema.ts";
import { type CliContext, out } from "./context.ts";

/** The text `nsnap schema` prints, also committed as schema/nsnap-v1.schema.json. */
export function schemaText(): string {
  return JSON.stringify(snapshotJsonSchema(), null, 2) + "\n";
}

/** Registers `nsnap schema` on the program. */
export function registerSchema(program: Command, _ctx: CliContext) {
  return program
    .command("schema")
    .description("print the JSON Schema of the snapshot format (nsnap/v1)")
    .addHelpText(
      "after",
      `
Examples:
  nsnap schema > nsnap-v1.schema.json
  nsnap schema | jq '.properties.connections'`,
    )
    .action(async () => {
      await out(schemaText());
    });
}

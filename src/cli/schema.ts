/** `nsnap schema`: not written yet. */
import type { Command } from "@commander-js/extra-typings";
import type { CliContext } from "./context.ts";

/** Registers `nsnap schema` on the program. */
export function registerSchema(program: Command, _ctx: CliContext) {
  return program.command("schema").description("(not yet available)");
}

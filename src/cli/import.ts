/** `nsnap import`: not written yet. */
import type { Command } from "@commander-js/extra-typings";
import type { CliContext } from "./context.ts";

/** Registers `nsnap import` on the program. */
export function registerImport(program: Command, _ctx: CliContext) {
  return program.command("import").description("(not yet available)");
}

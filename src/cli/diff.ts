/** `nsnap diff`: not written yet. */
import type { Command } from "@commander-js/extra-typings";
import type { CliContext } from "./context.ts";

/** Registers `nsnap diff` on the program. */
export function registerDiff(program: Command, _ctx: CliContext) {
  return program.command("diff").description("(not yet available)");
}

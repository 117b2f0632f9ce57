/** `nsnap show`: not written yet. */
import type { Command } from "@commander-js/extra-typings";
import type { CliContext } from "./context.ts";

/** Registers `nsnap show` on the program. */
export function registerShow(program: Command, _ctx: CliContext) {
  return program.command("show").description("(not yet available)");
}

/** `nsnap completions`: not written yet. */
import type { Command } from "@commander-js/extra-typings";
import type { CliContext } from "./context.ts";

/** Registers `nsnap completions` on the program. */
export function registerCompletions(program: Command, _ctx: CliContext) {
  return program.command("completions").description("(not yet available)");
}

/** `nsnap capture`: not written yet. */
import type { Command } from "@commander-js/extra-typings";
import type { CliContext } from "./context.ts";

/** Registers `nsnap capture` on the program. */
export function registerCapture(program: Command, _ctx: CliContext) {
  return program.command("capture").description("(not yet available)");
}

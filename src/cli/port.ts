/** `nsnap port`: not written yet. */
import type { Command } from "@commander-js/extra-typings";
import type { CliContext } from "./context.ts";

/** Registers `nsnap port` on the program. */
export function registerPort(program: Command, _ctx: CliContext) {
  return program.command("port").description("(not yet available)");
}

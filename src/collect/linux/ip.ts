/** Running iproute2's `ip` and `tc` for the Linux collector, wherever they are installed. */
import type { CommandResult, CommandRunner } from "../../runtime/command.ts";
import { runTool } from "./tools.ts";

/** Runs `ip ARGS` from PATH or an sbin folder; "ip: not found (…)" when it is not installed. */
export function runIp(runner: CommandRunner, args: readonly string[]): CommandResult {
  return runTool(runner, "ip", args, "ip: not found (iproute2 is not installed)");
}

/** Runs `tc ARGS` from PATH or an sbin folder; "tc: not found (…)" when it is not installed. */
export function runTc(runner: CommandRunner, args: readonly string[]): CommandResult {
  return runTool(runner, "tc", args, "tc: not found (iproute2 is not installed)");
}

/** Running iproute2's `ip` and `tc` for the Linux collector, wherever they are installed. */
import type { CommandResult, CommandRunner } from "../../runtime/command.ts";
import { runTool } from "./tools.ts";

/** The reason given when the only `ip` is BusyBox's, which has no JSON output. */
export const BUSYBOX_IP = "ip is BusyBox's, which has no JSON output (-j): install iproute2";

/** BusyBox's `ip` answers `-j` with its usage text and exit 1: not the ip nsnap can use. */
function busybox(r: CommandResult): string | undefined {
  return !r.ok && /BusyBox/.test(r.stderr + r.stdout) ? BUSYBOX_IP : undefined;
}

/**
 * Runs `ip ARGS` from PATH or an sbin folder; "ip: not found (…)" when it is not installed.
 * BusyBox's `ip` is passed over, and when no other is found the reason says so (rather than
 * addresses silently going missing).
 */
export function runIp(runner: CommandRunner, args: readonly string[]): CommandResult {
  return runTool(runner, "ip", args, "ip: not found (iproute2 is not installed)", busybox);
}

/** Runs `tc ARGS` from PATH or an sbin folder; "tc: not found (…)" when it is not installed. */
export function runTc(runner: CommandRunner, args: readonly string[]): CommandResult {
  return runTool(runner, "tc", args, "tc: not found (iproute2 is not installed)");
}

/** Running the network tools (iproute2's ip and tc, nft, iptables-save) wherever installed. */
import type { CommandResult, CommandRunner } from "../../runtime/command.ts";

/**
 * Where a tool may be: on PATH, else the usual sbin folders, which a cron job's or an `env -i`
 * PATH leaves out although the tool is installed.
 */
function places(name: string): string[] {
  return [name, `/usr/sbin/${name}`, `/sbin/${name}`, `/usr/bin/${name}`, `/bin/${name}`];
}

/**
 * Runs `NAME ARGS`, trying each place until one exists; when none does, the result says
 * `missing` (default "NAME: not found").
 */
export function runTool(
  runner: CommandRunner,
  name: string,
  args: readonly string[],
  missing = `${name}: not found`,
): CommandResult {
  let last: CommandResult | undefined;
  for (const path of places(name)) {
    last = runner([path, ...args]);
    if (last.ok || !last.reason?.endsWith(": not found")) return last;
  }
  return { ...last!, reason: missing };
}

/** True when a failed run means the tool is not installed (rather than refused or broken). */
export function isMissing(r: CommandResult, name: string): boolean {
  return !r.ok && (r.reason ?? "").startsWith(`${name}: not found`);
}

/** Running the network tools (iproute2's ip and tc, nft, iptables-save) wherever installed. */
import type { CommandResult, CommandRunner } from "../../runtime/command.ts";
import { hostText } from "../../util/host_text.ts";
import { ipJsonText } from "../../parse/linux/ip_json.ts";

/**
 * Where a tool may be: on PATH, else the usual sbin folders, which a cron job's or an `env -i`
 * PATH leaves out although the tool is installed.
 */
export function toolPlaces(name: string): string[] {
  return [name, `/usr/sbin/${name}`, `/sbin/${name}`, `/usr/bin/${name}`, `/bin/${name}`];
}

/**
 * Runs `NAME ARGS`, trying each place until one exists; when none does, the result says
 * `missing` (default "NAME: not found"). A place whose result `passOver` gives a reason for (a
 * tool of the same name that cannot do the job, such as BusyBox's `ip`) is passed over, and when
 * no other is found that reason is the result's.
 */
export function runTool(
  runner: CommandRunner,
  name: string,
  args: readonly string[],
  missing = `${name}: not found`,
  passOver?: (r: CommandResult) => string | undefined,
): CommandResult {
  let last: CommandResult | undefined;
  let passed: string | undefined;
  for (const path of toolPlaces(name)) {
    last = runner([path, ...args]);
    const why = passOver?.(last);
    if (why !== undefined) {
      passed = why;
      continue;
    }
    if (last.ok || !last.reason?.endsWith(": not found")) return last;
  }
  if (passed !== undefined) return { ...last!, ok: false, reason: passed };
  return { ...last!, reason: missing };
}

/**
 * A tool's text output with the names in it read by the host-text rule (util/host_text.ts): a
 * device name that is not UTF-8 reads `\xHH` there as in /sys and /proc.
 */
export function outputText(r: CommandResult): string {
  return hostText(r.stdoutBytes ?? new TextEncoder().encode(r.stdout));
}

/**
 * A tool's JSON output made valid whatever bytes its strings hold, each read by the host-text
 * rule (ipJsonText): iproute2 writes a name with ESC or a non-UTF-8 byte in it raw.
 */
export function outputJson(r: CommandResult): string {
  return ipJsonText(r.stdoutBytes ?? new TextEncoder().encode(r.stdout));
}

/** True when a failed run means the tool is not installed (rather than refused or broken). */
export function isMissing(r: CommandResult, name: string): boolean {
  return !r.ok && (r.reason ?? "").startsWith(`${name}: not found`);
}

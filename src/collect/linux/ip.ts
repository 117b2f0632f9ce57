/** Running iproute2's `ip` for the Linux collector, wherever it is installed. */
import type { CommandResult, CommandRunner } from "../../runtime/command.ts";

/**
 * Where iproute2's `ip` may be: on PATH, else the usual sbin folders, which a cron job's or an
 * `env -i` PATH leaves out although the tool is installed.
 */
const IP_PLACES = ["ip", "/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"];

/** Runs `ip ARGS`, trying each place until one exists; the result of the last try otherwise. */
export function runIp(runner: CommandRunner, args: readonly string[]): CommandResult {
  let last: CommandResult | undefined;
  for (const ip of IP_PLACES) {
    last = runner([ip, ...args]);
    if (last.ok || !last.reason?.endsWith(": not found")) return last;
  }
  return { ...last!, reason: "ip: not found (iproute2 is not installed)" };
}

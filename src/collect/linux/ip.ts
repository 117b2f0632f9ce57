/** Running iproute2's `ip` for the Linux collector, wherever it is installed. */
import type { CommandResult, CommandRunner } from "../../runtime/command.ts";

/**
 * Where iproute2's `ip` may be: on PATH, else the usual sbin folders, which a cron job's or an
 * `env -i` PATH leaves out although the tool is installed.
 */
const IP_PLACES = ["ip", "/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"];

/** The reason given when the only `ip` is BusyBox's, which has no JSON output. */
export const BUSYBOX_IP = "ip is BusyBox's, which has no JSON output (-j): install iproute2";

/**
 * Runs `ip ARGS`, trying each place until one exists and is iproute2's; the result of the last
 * try otherwise. BusyBox's `ip` answers `-j` with its usage text and exit 1: it is passed over,
 * and when no other is found the reason says so (rather than addresses silently going missing).
 */
export function runIp(runner: CommandRunner, args: readonly string[]): CommandResult {
  let last: CommandResult | undefined;
  let busybox = false;
  for (const ip of IP_PLACES) {
    last = runner([ip, ...args]);
    if (!last.ok && /BusyBox/.test(last.stderr + last.stdout)) {
      busybox = true;
      continue;
    }
    if (last.ok || !last.reason?.endsWith(": not found")) return last;
  }
  if (busybox) return { ...last!, ok: false, reason: BUSYBOX_IP };
  return { ...last!, reason: "ip: not found (iproute2 is not installed)" };
}

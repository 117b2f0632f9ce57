/**
 * Running the network tools inside another network namespace: `nsenter --net=FILE TOOL ARGS`,
 * the tool then seeing that namespace's rules, neighbours, qdiscs and firewall, while nsnap itself
 * never leaves its own. A tool that is not installed reads as "TOOL: not found", as it does in
 * the own namespace, so the readers' fallbacks work the same way in either.
 */
import type { CommandResult, CommandRunner } from "../../../runtime/command.ts";

/** nsenter's words for a program it could not start (util-linux: "failed to execute"). */
const NOT_STARTED = /nsenter: failed to execute [^:]*: No such file or directory/;

/**
 * A runner that runs each command in the network namespace of the file `netns`
 * (`/proc/PID/ns/net`, `/run/netns/NAME`); needs root (setns) and util-linux's nsenter.
 *
 * @example
 * ```ts
 * import { runnerIn } from "./enter.ts";
 * import { runCommand } from "../../../runtime/command.ts";
 * const r = runnerIn("/run/netns/blue", runCommand)(["ip", "-j", "rule"]);
 * console.log(r.ok ? r.stdout : r.reason);
 * ```
 */
export function runnerIn(netns: string, runner: CommandRunner): CommandRunner {
  return (argv): CommandResult => {
    const r = runner(["nsenter", `--net=${netns}`, "--", ...argv]);
    if (r.ok) return r;
    const tool = argv[0] ?? "";
    if (NOT_STARTED.test(r.stderr)) return { ...r, reason: `${tool}: not found` };
    if (r.reason === "nsenter: not found") {
      return { ...r, reason: `nsenter: not found (util-linux), so ${tool} cannot run in ${netns}` };
    }
    return r;
  };
}

/** `nsnap capture`: take a snapshot of this host and write it (prints the path written). */
import { type Command, Option } from "@commander-js/extra-typings";
import { captureSnapshot } from "../collect/mod.ts";
import type { CliContext } from "./context.ts";
import { checkOutputOptions, emitSnapshot, outputOptions } from "./output.ts";
import { capturePeriodically, oneShotRotation, periodicPlan, rotateAfter } from "./periodic.ts";
import { DEFAULT_SNAPSHOT_DIR } from "../snapshot/write.ts";

/** Reads `--netns` values: one of all/current alone, or names, pids, files and globs. */
export function netnsChoice(values: string[]): "all" | "current" | string[] {
  if (values.length === 1 && (values[0] === "all" || values[0] === "current")) {
    return values[0];
  }
  return values;
}

/** What `--netns` says for a capture, in the words of capture and check … live. */
export const NETNS_CAPTURE_HELP = "network namespaces: all, current, or ip netns names, pids, " +
  "namespace files, id globs (repeatable; default: all from the host's namespace, else the " +
  "current one)";

/** Gathers repeated and comma-separated `--netns` values. */
export function netnsValues(v: string, prev: string[] = []): string[] {
  return [...prev, ...v.split(",").map((x) => x.trim()).filter((x) => x !== "")];
}

/** Registers `nsnap capture` on the program. */
export function registerCapture(program: Command, ctx: CliContext) {
  return program
    .command("capture")
    .description("capture connections, processes, routes, interfaces and counters into a snapshot")
    .addOption(outputOptions.output())
    .addOption(outputOptions.format())
    .addOption(outputOptions.force())
    .addOption(outputOptions.label())
    .option("--cmdline", "record process command lines (secrets masked)")
    .option("--tcp-info", "keep every tcp_info field of each TCP session (default: a summary)")
    .option("--no-tcp-info", "keep no tcp_info at all")
    .option("--all-unix", "list every UNIX socket, connected ones too (default: listeners)")
    .option("--no-netlink", "read /proc, /sys and ip -j instead of netlink (or NSNAP_NETLINK=0)")
    .option("--netns <which>", NETNS_CAPTURE_HELP, netnsValues)
    .addOption(outputOptions.redact())
    .addOption(outputOptions.redactKey())
    .option("--every <duration>", "capture periodically, one snapshot per interval (10s, 1m)")
    .option("--count <n>", "with --every: stop after N captures")
    .option("--for <duration>", "with --every: stop after this long (30m, 2h)")
    .option("--keep <n>", "into a folder: keep its newest N snapshots of this host")
    .option("--max-total <size>", "into a folder: keep its snapshots of this host under SIZE")
    .option(
      "--compact",
      "with --every: after the first capture, only listeners, interfaces, counters, settings",
    )
    .addOption(
      new Option("--root <dir>", "read /proc and /sys below this folder (tests)").hideHelp(),
    )
    .addHelpText(
      "after",
      `
Periodic captures (--every): one snapshot per interval into a folder, named
<host>-<UTC time>.json so the files sort by time, each path printed as it is
written (-o - prints one JSON document per line instead). The interval runs
from the start of each capture (no drift); a capture that takes longer is
reported and the next starts at the next interval. --keep and --max-total
(also without --every, after one capture into a folder) remove the oldest of
this host's snapshots there, never any other file. The first
SIGINT, SIGTERM or SIGHUP ends the run once the capture under way is written;
exit 0 for a run without --count/--for, else 128+signal.

Examples:
  nsnap capture                  writes ./snapshots/<host>-<UTC time>.json
  nsnap capture -o before.json --label deploy=1234
  nsnap capture -o incident.yaml.gz --cmdline
  nsnap capture --tcp-info -o db.json  every tcp_info field (ss -ti) per session
  nsnap capture -o - | jq '.connections | length'
  nsnap capture --netns current      only the namespace nsnap runs in
  nsnap capture --netns web,blue     own namespace, container web, netns blue
  NSNAP_REDACT_KEY=… nsnap capture --redact -o public.json
  nsnap capture --every 10s --for 30m -o incident/
  nsnap capture --every 10s --keep 360 --compact -o /var/lib/nsnap/periodic/`,
    )
    .action(async (opts) => {
      checkOutputOptions(opts);
      const plan = periodicPlan(opts, opts);
      const capture = () =>
        captureSnapshot({
          cmdline: opts.cmdline ?? false,
          labels: opts.label ?? {},
          ...(opts.root ? { root: opts.root } : {}),
          ...(opts.netlink === false ? { netlink: false } : {}),
          ...(opts.tcpInfo === undefined ? {} : { tcpInfo: opts.tcpInfo ? "full" : "off" }),
          ...(opts.allUnix ? { allUnix: true } : {}),
          ...(opts.netns ? { netns: netnsChoice(opts.netns) } : {}),
        });
      if (plan) return await capturePeriodically(plan, opts, capture, ctx);
      const rotation = oneShotRotation(opts, opts);
      const path = await emitSnapshot(await capture(), opts);
      if (rotation) await rotateAfter(opts.output ?? `${DEFAULT_SNAPSHOT_DIR}/`, path, rotation);
    });
}

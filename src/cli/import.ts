/** `nsnap import`: build a snapshot from saved outputs (ss, netstat, ip, ifconfig, /proc/net …). */
import { type Command, Option } from "@commander-js/extra-typings";
import { importFiles } from "../import/mod.ts";
import { readImportInputs } from "../import/files.ts";
import { UsageError } from "../errors.ts";
import { parseLabel } from "./capture.ts";
import type { CliContext } from "./context.ts";
import { checkOutputOptions, emitSnapshot } from "./output.ts";

/** Reads `--time` as an instant, written back as ISO 8601 UTC with milliseconds. */
function parseTime(value: string): string {
  const t = Date.parse(value);
  if (Number.isNaN(t)) {
    throw new UsageError(`Cannot use --time ${JSON.stringify(value)}: expected an ISO 8601 time`);
  }
  return new Date(t).toISOString();
}

/** Registers `nsnap import` on the program. */
export function registerImport(program: Command, _ctx: CliContext) {
  return program
    .command("import")
    .description(
      "build a snapshot from saved ss/netstat/ip/ifconfig/lsof outputs and /proc/net files",
    )
    .argument("<files...>", "files, or folders whose files are all imported")
    .option(
      "-o, --output <path>",
      "file, folder/ or - for stdout (default ./snapshots/<host>-<time>.json)",
    )
    .addOption(
      new Option("--format <format>", "json or yaml (default: from the file name)").choices(
        ["json", "yaml"] as const,
      ),
    )
    .option("--force", "replace an existing file")
    .option("--hostname <name>", "host name to record (default: imported)")
    .option("--time <iso>", "capture time to record (default: now)", parseTime)
    .option(
      "--label <key=value>",
      "add a label to meta.labels (repeatable)",
      parseLabel,
    )
    .option(
      "--redact",
      "replace addresses, MACs and host names with stable pseudonyms (for public tickets)",
    )
    .option(
      "--redact-key <key>",
      "key for --redact pseudonyms (default: $NSNAP_REDACT_KEY, else random)",
    )
    .addHelpText(
      "after",
      `
Each file's format is recognised by its content: ss, netstat (-an, -i, -s, -r),
route -n, ip route/addr/link (text or -j), ifconfig, lsof, macOS and FreeBSD
netstat, and /proc/net copies. Sections no file speaks about are marked
"not provided".

Examples:
  nsnap import ss-tulpn.txt ip-addr.txt ip-route.txt -o ticket-1234.json
  nsnap import ./saved/ --hostname web1 --time 2026-01-02T03:04:05Z`,
    )
    .action(async (files, opts) => {
      checkOutputOptions(opts);
      const snapshot = importFiles(readImportInputs(files), {
        ...(opts.hostname !== undefined ? { hostname: opts.hostname } : {}),
        ...(opts.time !== undefined ? { time: opts.time } : {}),
        labels: opts.label ?? {},
      });
      await emitSnapshot(snapshot, opts);
    });
}

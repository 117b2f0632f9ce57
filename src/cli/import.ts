/** `nsnap import`: build a snapshot from saved outputs (ss, netstat, ip, ifconfig, /proc/net …). */
import type { Command } from "@commander-js/extra-typings";
import { importFiles } from "../import/mod.ts";
import { readImportInputs } from "../import/files.ts";
import { UsageError } from "../errors.ts";
import { writeStderr } from "../runtime/process.ts";
import { escapeText } from "../util/escape.ts";
import type { CliContext } from "./context.ts";
import { checkOutputOptions, emitSnapshot, outputOptions } from "./output.ts";

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
    .addOption(outputOptions.output())
    .addOption(outputOptions.format())
    .addOption(outputOptions.force())
    .option("--hostname <name>", "host name to record (default: imported)")
    .option("--time <iso>", "capture time to record (default: now)", parseTime)
    .addOption(outputOptions.label())
    .addOption(outputOptions.redact())
    .addOption(outputOptions.redactKey())
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
      const skipped: string[] = [];
      const inputs = readImportInputs(files, skipped);
      for (const w of skipped) writeStderr(`nsnap: warning: ${escapeText(w)}\n`);
      const snapshot = importFiles(inputs, {
        ...(opts.hostname !== undefined ? { hostname: opts.hostname } : {}),
        ...(opts.time !== undefined ? { time: opts.time } : {}),
        labels: opts.label ?? {},
      });
      await emitSnapshot(snapshot, opts);
    });
}

/**
 * `nsnap report`: one self-contained HTML page for a ticket. One snapshot gives a snapshot
 * report, two give a before/after report, a folder (or three files or more) gives a series of
 * one host's snapshots in capture order; a folder of several hosts with one snapshot each gives
 * a fleet overview, and two folders a fleet diff (as `nsnap diff BEFORE_DIR AFTER_DIR`).
 *
 * Decisions: the page is written like a snapshot (atomically, mode 0600, never over a file
 * without --force, never through a link), since it shows everything its snapshots hold; `-o -`
 * prints it. Without -o (or with -o DIR/) it is nsnap-report-<host>-<UTC time>.html in the current
 * folder (or DIR, which must exist). A folder is read
 * twice (a peek at each file's meta for the capture times, then each file in order) so that
 * only two snapshots are in memory at a time; fleet/series.ts orders it, as for `nsnap diff DIR`.
 * A folder is a fleet when its snapshots (at any depth, as for `nsnap diff DIR DIR`) are of
 * several hosts; one where some host has several snapshots is refused, naming the hosts.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "@commander-js/extra-typings";
import { diffSnapshots } from "../diff/mod.ts";
import { InputError, UsageError } from "../errors.ts";
import { renderReport, type ReportInput, SeriesBuilder } from "../render/html/mod.ts";
import { writeStderr, writeStdout } from "../runtime/process.ts";
import { fileTimestamp, writeFileSafely } from "../snapshot/write.ts";
import { orderSeries, snapshotFilesIn } from "../fleet/series.ts";
import { type CliContext, out } from "./context.ts";
import { tempFiles } from "./signals.ts";
import { escapeText } from "../util/escape.ts";
import { loadOperand, type LoadOptions, MAX_SIZE_HELP, parseMaxSize } from "./operand.ts";
import { fleetDiffReportInput, fleetOverviewInput } from "./fleet.ts";

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A series' files in capture order, one host's (the order and the rule `nsnap diff DIR` uses). */
async function orderedSeries(files: readonly string[], load: LoadOptions, what: string) {
  const ordered = await orderSeries(files, {
    what,
    verb: "report on",
    purpose: "a series",
    ...(load.maxBytes !== undefined ? { maxBytes: load.maxBytes } : {}),
  });
  return ordered.map((f) => f.file);
}

/** Builds the report's input from the operands, reading as little at a time as it can. */
async function inputFor(operands: readonly string[], load: LoadOptions): Promise<ReportInput> {
  if (operands.length === 2 && isFolder(operands[0]!) && isFolder(operands[1]!)) {
    return await fleetDiffReportInput(operands[0]!, operands[1]!, {
      failOn: [],
      diff: {},
      pairBy: "auto",
      maxBytes: load.maxBytes,
    });
  }
  if (operands.length === 1 && isFolder(operands[0]!)) {
    const dir = operands[0]!;
    const fleet = await fleetOverviewInput(dir, load.maxBytes);
    if (fleet) return fleet;
    const skipped: string[] = [];
    const files = snapshotFilesIn(dir, skipped);
    for (const w of skipped) writeStderr(`nsnap: warning: ${escapeText(w)}\n`);
    if (files.length === 0) {
      throw new InputError(
        `Cannot report on folder ${dir}: it holds no snapshot files (.json, .yaml, .yml, optionally .gz)`,
      );
    }
    if (files.length === 1) {
      return { kind: "snapshot", snapshot: await loadOperand(files[0]!, load), file: files[0]! };
    }
    return await seriesInput(await orderedSeries(files, load, `folder ${dir}`), load);
  }
  for (const op of operands) {
    if (isFolder(op)) {
      throw new UsageError(
        `Cannot use folder ${op} with other operands: give one folder, two (a fleet before and after), or snapshot files`,
      );
    }
  }
  if (operands.length === 1) {
    const op = operands[0]!;
    const s = await loadOperand(op, load);
    return op === "live"
      ? { kind: "snapshot", snapshot: s }
      : { kind: "snapshot", snapshot: s, file: op };
  }
  if (operands.length === 2) {
    const [a, b] = operands as [string, string];
    if (a === "-" && b === "-") {
      throw new UsageError("Cannot read both snapshots from stdin: give a file for one of them");
    }
    const before = await loadOperand(a, load);
    const after = await loadOperand(b, load);
    const doc = diffSnapshots(before, after, {
      ...(a !== "live" ? { beforeFile: a } : {}),
      ...(b !== "live" ? { afterFile: b } : {}),
    });
    return { kind: "diff", before, after, doc };
  }
  for (const op of operands) {
    if (op === "-" || op === "live") {
      throw new UsageError(`Cannot use ${op} in a series: give snapshot files or one folder`);
    }
  }
  return await seriesInput(await orderedSeries(operands, load, "these snapshots"), load);
}

async function seriesInput(ordered: readonly string[], load: LoadOptions): Promise<ReportInput> {
  const b = new SeriesBuilder();
  for (const file of ordered) b.add(await loadOperand(file, load), file);
  return { kind: "series", series: b.finish() };
}

function newest(times: readonly string[]): string {
  return [...times].sort().pop() ?? new Date(0).toISOString();
}

/**
 * The default file name: nsnap-report-<host>-<UTC time>.html (`fleet`, `fleet-diff` for fleets),
 * from the newest capture.
 */
function defaultName(input: ReportInput): string {
  const [name, at] = input.kind === "snapshot"
    ? [input.snapshot.meta.host.hostname, input.snapshot.meta.capturedAt]
    : input.kind === "diff"
    ? [input.after.meta.host.hostname, input.after.meta.capturedAt]
    : input.kind === "series"
    ? [input.series.last.meta.host.hostname, input.series.last.meta.capturedAt]
    : input.kind === "fleet"
    ? ["fleet", newest(input.fleet.hosts.map((h) => h.meta.capturedAt))]
    : ["fleet-diff", newest(input.hosts.map((h) => h.after.capturedAt))];
  const host = name.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^\.+/, "") || "host";
  return `nsnap-report-${host}-${fileTimestamp(at)}.html`;
}

/** Registers `nsnap report` on the program. */
export function registerReport(program: Command, _ctx: CliContext) {
  return program
    .command("report")
    .description(
      "one self-contained HTML page: a snapshot, a before/after pair, a series, or a fleet",
    )
    .argument(
      "<snapshots...>",
      "one snapshot, two (before, after), a series folder, a fleet folder, or two fleet folders",
    )
    .option("-o, --output <path>", "file or folder/ to write the page to, - for stdout")
    .option("--force", "replace an existing file")
    .option("--max-size <size>", MAX_SIZE_HELP)
    .addHelpText(
      "after",
      `
The page opens offline and makes no network requests: tables sort, filter and
page in the browser; charts are drawn in the page. It is written like a
snapshot (mode 0600, never over a file without --force) since it shows what
the snapshots hold; redacted snapshots stay redacted.

Examples:
  nsnap report incident.json -o incident.html
  nsnap report before.json after.json -o deploy-1234.html
  nsnap report snapshots/            a series: one host's snapshots by time
  nsnap report snapshots/after/      a fleet: one snapshot per host
  nsnap report snapshots/before/ snapshots/after/   the fleet diff as a page
  nsnap report before.json live -o - > now.html`,
    )
    .action(async (operands, opts) => {
      const load: LoadOptions = opts.maxSize ? { maxBytes: parseMaxSize(opts.maxSize) } : {};
      const input = await inputFor(operands, load);
      const page = renderReport(input);
      if (opts.output === "-") return await writeStdout(page);
      const output = opts.output ?? "";
      // A folder (`-o DIR/` or an existing one) gets the default name inside it.
      const path = output === ""
        ? defaultName(input)
        : output.endsWith("/") || isFolder(output)
        ? join(output, defaultName(input))
        : output;
      await writeFileSafely(path, new TextEncoder().encode(page), {
        force: opts.force ?? false,
        noun: "report",
        tempFiles,
      });
      await out(escapeText(path));
    });
}

/**
 * `nsnap capture --every 10s [--count N | --for 30m] [--keep N] [--max-total SIZE] [--compact]`:
 * one snapshot per interval into a folder (or one JSON document per line on stdout with `-o -`),
 * the oldest removed beyond the limits, until the limits or a signal end the run.
 *
 * Decisions:
 * - The destination is a folder (`-o DIR/`, an existing folder, or ./snapshots/ by default),
 *   where each snapshot gets the generated name `<host>-<UTC time>.json`, so files sort by time
 *   and rotation knows which files are its own; or `-o -`: JSON Lines (one compact document per
 *   line) for a log pipeline, with no rotation. A file name is refused.
 * - Signals: the first SIGINT, SIGTERM, SIGHUP or SIGQUIT ends the run after the capture under
 *   way is written (no temporary file is left, every file is complete); a second one ends it at
 *   once, removing the temporary file. Exit code after a clean stop: 0 when the run had no limit
 *   (`--every` alone: a signal is how such a run ends — `systemctl stop`, a pod's termination —
 *   and must not read as a failure), 128 + the signal's number when it cut short a run that
 *   `--count` or `--for` bounded (the run did not do all it was asked). A line on stderr says
 *   what stopped it.
 * - A capture that overruns its interval is reported on stderr (and in its meta: `overrunMs`);
 *   the next one starts at the next slot.
 * - A write that fails is fatal for the run's first snapshot (the destination is wrong: exit 2)
 *   and a warning afterwards (a disk that filled up in an incident may be freed; the run goes on).
 */
import { statSync } from "node:fs";
import { basename } from "node:path";
import { InputError, UsageError } from "../errors.ts";
import { formatBytes, formatDuration } from "../format.ts";
import type { Snapshot } from "../model.ts";
import { type PeriodicIO, runPeriodic, systemClock } from "../periodic/run.ts";
import { writeStderr, writeStdout } from "../runtime/process.ts";
import { redactSnapshot } from "../snapshot/redact.ts";
import { rotateFolder, type RotationLimits, type RotationResult } from "../snapshot/rotate.ts";
import { serializeSnapshot } from "../snapshot/serialize.ts";
import { DEFAULT_SNAPSHOT_DIR, parseGeneratedName, writeSnapshot } from "../snapshot/write.ts";
import { escapeControls, escapeText } from "../util/escape.ts";
import type { CliContext } from "./context.ts";
import { out } from "./context.ts";
import { parseDuration } from "./duration.ts";
import { parseSize } from "./size.ts";
import type { SnapshotOutputOptions } from "./output.ts";
import { redactKey } from "./redact_key.ts";
import { gracefulStop, signalExitCode, tempFiles } from "./signals.ts";

/** The shortest interval a periodic capture takes. */
export const MIN_EVERY_MS = 100;

/** The periodic options as commander hands them over. */
export interface PeriodicFlags {
  every?: string;
  count?: string;
  for?: string;
  keep?: string;
  maxTotal?: string;
  compact?: boolean;
}

/** The periodic options, checked. */
export interface PeriodicPlan {
  everyMs: number;
  count?: number;
  forMs?: number;
  limits: RotationLimits;
  compact: boolean;
  /** The folder written into, or "-" for JSON Lines on stdout. */
  folder: string;
}

function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!/^[0-9]+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`Cannot use ${flag} ${JSON.stringify(text)}: expected a whole number ≥ 1`);
  }
  return n;
}

function isFolderPath(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function rotationLimits(flags: PeriodicFlags): RotationLimits {
  const limits: RotationLimits = {};
  if (flags.keep !== undefined) limits.keep = positiveInt(flags.keep, "--keep");
  if (flags.maxTotal !== undefined) limits.maxTotalBytes = parseSize(flags.maxTotal, "--max-total");
  return limits;
}

/**
 * The rotation of a one-shot capture into a folder (`capture -o DIR/ --keep N`, as a timer
 * runs it); undefined without `--keep` and `--max-total`. They need a folder.
 */
export function oneShotRotation(
  flags: PeriodicFlags,
  output: SnapshotOutputOptions,
): RotationLimits | undefined {
  if (flags.keep === undefined && flags.maxTotal === undefined) return undefined;
  const o = output.output;
  if (o === "-" || (o !== undefined && !o.endsWith("/") && !isFolderPath(o))) {
    throw new UsageError(
      `Cannot use ${flags.keep !== undefined ? "--keep" : "--max-total"} with ${
        o === "-" ? "-o -" : `file ${escapeText(o)}`
      }: it rotates a folder (-o DIR/)`,
    );
  }
  return rotationLimits(flags);
}

/**
 * Rotates `dir` after `written` (the path just written there) among the files of the same host
 * part: taken from the name written, so that a redacted run rotates its pseudonymous names.
 */
export async function rotateAfter(
  dir: string,
  written: string,
  limits: RotationLimits,
): Promise<RotationResult> {
  const host = parseGeneratedName(basename(written))?.host;
  if (host === undefined) return { remove: [], keep: [], overCap: false, problems: [] };
  const r = await rotateFolder(dir, host, limits);
  for (const p of r.problems) {
    writeStderr(`nsnap: warning: rotation of ${escapeText(dir)}: ${escapeText(p)}\n`);
  }
  return r;
}

/**
 * Checks the periodic flags together with the output options; undefined when `--every` is not
 * given (and then no other periodic flag may be).
 */
export function periodicPlan(
  flags: PeriodicFlags,
  output: SnapshotOutputOptions,
): PeriodicPlan | undefined {
  if (flags.every === undefined) {
    const given = (["count", "for", "compact"] as const).find((k) => flags[k] !== undefined);
    if (given !== undefined) {
      throw new UsageError(
        `Cannot use --${given} without --every: it applies to periodic captures`,
      );
    }
    return undefined;
  }
  const everyMs = parseDuration(flags.every, "--every", MIN_EVERY_MS);
  const plan: PeriodicPlan = {
    everyMs,
    limits: {},
    compact: flags.compact ?? false,
    folder: "-",
  };
  if (flags.count !== undefined) plan.count = positiveInt(flags.count, "--count");
  if (flags.for !== undefined) plan.forMs = parseDuration(flags.for, "--for");
  plan.limits = rotationLimits(flags);
  if (output.force) {
    throw new UsageError("Cannot use --force with --every: each snapshot gets a new name");
  }
  const o = output.output;
  if (o === "-") {
    if (output.format === "yaml") {
      throw new UsageError(
        "Cannot write YAML to stdout with --every: -o - writes JSON Lines (one document per line)",
      );
    }
    const rotating = plan.limits.keep !== undefined || plan.limits.maxTotalBytes !== undefined;
    if (rotating || plan.compact) {
      throw new UsageError(
        `Cannot use ${
          plan.compact ? "--compact" : "--keep or --max-total"
        } with -o -: it needs a folder (-o DIR/)`,
      );
    }
    return plan;
  }
  if (o !== undefined && !o.endsWith("/") && !isFolderPath(o)) {
    throw new UsageError(
      `Cannot capture --every into file ${
        escapeText(o)
      }: give a folder (-o DIR/) or - (one JSON document per line)`,
    );
  }
  plan.folder = o ?? `${DEFAULT_SNAPSHOT_DIR}/`;
  return plan;
}

/** One snapshot as one line of JSON (JSON text has no newline inside a string). */
function jsonLine(s: Snapshot): string {
  return serializeSnapshot(s, "json").replace(/\n\s*/g, "") + "\n";
}

/**
 * How a CLI periodic run writes: redact, write and report the path, rotate, report overruns.
 * Shared by `capture --every` and `watch --record`, which bring their own captures.
 */
export function periodicWriter(
  plan: PeriodicPlan,
  output: SnapshotOutputOptions,
  report: { path(path: string): Promise<void> },
): Omit<PeriodicIO, "capture"> {
  // One key for the whole run, so that every file's pseudonyms match.
  const key = output.redact ? redactKey(output.redactKey) : undefined;
  let written = 0;
  let warnedCap = false;
  return {
    write: async (snapshot) => {
      const doc = key === undefined ? snapshot : redactSnapshot(snapshot, key);
      if (plan.folder === "-") {
        await writeStdout(jsonLine(doc));
        written++;
        return "-";
      }
      let path: string;
      try {
        path = await writeSnapshot(doc, {
          output: plan.folder,
          ...(output.format ? { format: output.format } : {}),
          tempFiles,
        });
      } catch (err) {
        if (written === 0 || !(err instanceof InputError)) throw err;
        writeStderr(`nsnap: warning: ${escapeControls(err.message)}; the run goes on\n`);
        return undefined;
      }
      written++;
      await report.path(escapeText(path));
      return basename(path);
    },
    rotate: async (name) => {
      if (plan.folder === "-") return [];
      const { keep, maxTotalBytes } = plan.limits;
      if (keep === undefined && maxTotalBytes === undefined) return [];
      const r = await rotateAfter(plan.folder, name, plan.limits);
      if (r.overCap && !warnedCap) {
        warnedCap = true;
        writeStderr(
          `nsnap: warning: ${escapeText(name)} alone is larger than --max-total ${
            formatBytes(maxTotalBytes!)
          }; it is kept (the newest file always is)\n`,
        );
      }
      return r.remove;
    },
    overran: (o) => {
      const next = o.next === undefined
        ? "the run ends there"
        : `${o.skipped} ${
          o.skipped === 1 ? "slot" : "slots"
        } skipped, next capture at slot ${o.next}`;
      writeStderr(
        `nsnap: capture of slot ${o.slot} took ${formatDuration(o.tookMs)}, longer than its ${
          formatDuration(o.everyMs)
        } interval: ${next}\n`,
      );
    },
  };
}

/** Runs `capture --every`: captures until the limits or a signal; sets the exit code. */
export async function capturePeriodically(
  plan: PeriodicPlan,
  output: SnapshotOutputOptions,
  capture: () => Promise<Snapshot>,
  ctx: CliContext,
): Promise<void> {
  const controller = new AbortController();
  let stoppedBy: Parameters<typeof signalExitCode>[0] | undefined;
  const disarm = gracefulStop((signal) => {
    stoppedBy = signal;
    controller.abort();
  });
  try {
    const io: PeriodicIO = { capture, ...periodicWriter(plan, output, { path: (p) => out(p) }) };
    const r = await runPeriodic(
      {
        everyMs: plan.everyMs,
        ...(plan.count !== undefined ? { count: plan.count } : {}),
        ...(plan.forMs !== undefined ? { forMs: plan.forMs } : {}),
        compact: plan.compact,
        ...(plan.limits.keep !== undefined ? { keep: plan.limits.keep } : {}),
      },
      io,
      systemClock,
      controller.signal,
    );
    if (r.stopped && stoppedBy !== undefined) {
      const bounded = plan.count !== undefined || plan.forMs !== undefined;
      writeStderr(
        `nsnap: stopped by ${stoppedBy} after ${r.captures} ${
          r.captures === 1 ? "capture" : "captures"
        }${bounded ? " (before the end of the run)" : ""}\n`,
      );
      if (bounded) ctx.exitCode = signalExitCode(stoppedBy);
    }
  } finally {
    disarm();
  }
}

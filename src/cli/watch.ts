/**
 * `nsnap watch` (alias `top`): a full-screen live view of this host, refreshed every
 * `--interval` (1 s): notable counter rates, interface throughput, sessions by state and by remote
 * service, listener accept queues, and the changes since the start. Keys: 1–4 or Tab switch
 * panes, space or f freezes the view, j/k or the arrows scroll the changes, q quits.
 *
 * The view is `watch/model.ts` (state) and `render/watch.ts` (screen text); this file only runs
 * the loop (the periodic capture loop, with its schedule) and the terminal.
 *
 * Decisions:
 * - Each sample is a light capture (sockets without owners, interfaces without addresses,
 *   counters, settings, of every network namespace a capture covers; no routes, rules,
 *   neighbours, qdiscs or firewall, none of the tools those run): what the view needs. A listener whose owner the watch has not
 *   seen makes that sample a capture with owners (the descriptor scan), once per new socket.
 * - `--record DIR` keeps every sample, written as `capture --every` writes (same names, same
 *   rotation: `--keep`, `--max-total`, `--compact`); a recorded sample is a full capture, so the
 *   folder is as good as one `capture --every` makes (`nsnap diff DIR` reads it).
 * - Not a terminal: refused with one line (exit 2), unless `--once`: one plain screen (80
 *   columns, or $COLUMNS) after two samples one interval apart, for scripts and logs.
 * - Leaving: q (or Ctrl-C, which raw mode delivers as a key) ends with exit 0; SIGTERM, SIGHUP or
 *   SIGINT from elsewhere with 128 + the signal. Either way the sample under way is finished (and
 *   recorded), and the terminal is put back as it was — raw mode off, cursor shown, alternate
 *   screen left — also when something crashes (an uncaught error restores it before the one-line
 *   report, exit 70).
 */
import type { Command } from "@commander-js/extra-typings";
import { captureSnapshot } from "../collect/mod.ts";
import { describeError, UsageError } from "../errors.ts";
import { formatDuration } from "../format.ts";
import type { Snapshot } from "../model.ts";
import { type PeriodicIO, runPeriodic, systemClock } from "../periodic/run.ts";
import { renderWatch } from "../render/watch.ts";
import { env, exit, onUncaughtError, writeStderr, writeStdout } from "../runtime/process.ts";
import { openTerminal, terminalProblem } from "../runtime/terminal.ts";
import { escapeControls, escapeText } from "../util/escape.ts";
import {
  addSample,
  needsOwners,
  noteProblem,
  noteRecorded,
  pressKey,
  splitKeys,
  startWatch,
  type WatchState,
} from "../watch/model.ts";
import type { CliContext } from "./context.ts";
import { parseDuration } from "./duration.ts";
import { MIN_EVERY_MS, type PeriodicPlan, periodicPlan, periodicWriter } from "./periodic.ts";
import { gracefulStop, signalExitCode } from "./signals.ts";
import os from "node:os";

/** What every sample leaves out when nothing is recorded: what the view does not show. */
const CHEAP = ["routes", "addresses", "rules", "neighbours", "qdiscs", "firewall"] as const;
/** What a sample leaves out when nothing is recorded and no owner is looked for. */
const LIGHT = ["owners", ...CHEAP] as const;

function colorWanted(): boolean {
  const noColor = env("NO_COLOR");
  return (noColor === undefined || noColor === "") && env("TERM") !== "dumb";
}

/**
 * A frame: each line at its own row (cursor addressing, never a newline, so that a frame drawn
 * for a size the terminal has just left can never scroll the screen), the rest of it cleared.
 * Lines are laid out one column narrower than the terminal: nothing is ever written in the last
 * column, where terminals differ on what the cursor does next.
 */
function frame(lines: readonly string[]): string {
  return lines.map((l, i) => `\x1b[${i + 1};1H${l}\x1b[K`).join("");
}

interface WatchOptions {
  interval?: string;
  record?: string;
  keep?: string;
  maxTotal?: string;
  compact?: boolean;
  once?: boolean;
  cmdline?: boolean;
}

function recordPlan(opts: WatchOptions, everyMs: number): PeriodicPlan | undefined {
  if (opts.record === undefined) {
    const given = (["keep", "maxTotal", "compact"] as const).find((k) => opts[k] !== undefined);
    if (given) {
      throw new UsageError(
        `Cannot use --${given === "maxTotal" ? "max-total" : given} without --record`,
      );
    }
    return undefined;
  }
  const folder = opts.record.endsWith("/") ? opts.record : `${opts.record}/`;
  return periodicPlan({
    every: `${everyMs}ms`,
    ...(opts.keep !== undefined ? { keep: opts.keep } : {}),
    ...(opts.maxTotal !== undefined ? { maxTotal: opts.maxTotal } : {}),
    ...(opts.compact ? { compact: true } : {}),
  }, { output: folder });
}

/** One plain screen after two samples (`--once`). */
async function once(everyMs: number, cmdline: boolean): Promise<void> {
  let state = startWatch(os.hostname(), everyMs);
  for (let i = 0; i < 2; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, everyMs));
    state = addSample(state, await captureSnapshot({ cmdline, skip: [...LIGHT] }));
  }
  const cols = Number(env("COLUMNS") ?? NaN);
  const rows = Number(env("LINES") ?? NaN);
  const lines = renderWatch(state, {
    cols: Number.isInteger(cols) && cols >= 40 ? cols : 80,
    rows: Number.isInteger(rows) && rows >= 10 ? rows : 24,
    color: false,
  });
  // The key line means nothing without a terminal.
  await writeStdout(lines.slice(0, -1).join("\n").trimEnd() + "\n");
}

/** Registers `nsnap watch` (alias `top`) on the program. */
export function registerWatch(program: Command, ctx: CliContext) {
  return program
    .command("watch")
    .alias("top")
    .description("a live full-screen view: counter rates, traffic, sessions, listeners, changes")
    .option("--interval <duration>", "time between samples (default 1s)")
    .option("--record <dir>", "keep every sample in this folder, as capture --every writes")
    .option("--keep <n>", "with --record: keep the newest N snapshots")
    .option("--max-total <size>", "with --record: keep the snapshots under SIZE")
    .option("--compact", "with --record: after the first, compact snapshots")
    .option("--cmdline", "with --record: record process command lines (secrets masked)")
    .option("--once", "print one plain screen (after two samples) and exit: for scripts")
    .addHelpText(
      "after",
      `
Keys: 1-4 or Tab/Shift-Tab switch panes (overview, sessions, listeners,
changes), space or f freezes the view (sampling goes on), j/k or the arrow keys
scroll the changes, q or Ctrl-C quits. The terminal is left as it was found.

Exit codes: 0 after q; 128+n after a signal (SIGTERM 143, SIGHUP 129); 2 when
standard output is not a terminal (use --once) or an option is wrong.

Examples:
  nsnap watch
  nsnap top --interval 2s
  nsnap watch --record incident/ --keep 3600
  nsnap watch --once | mail -s "$(hostname) network" oncall@example.org`,
    )
    .action(async (opts) => {
      const everyMs = opts.interval === undefined
        ? 1000
        : parseDuration(opts.interval, "--interval", MIN_EVERY_MS);
      const plan = recordPlan(opts, everyMs);
      if (opts.once) {
        if (plan) throw new UsageError("Cannot use --record with --once: --once takes no record");
        return await once(everyMs, opts.cmdline ?? false);
      }
      const problem = terminalProblem();
      if (problem !== undefined) {
        throw new UsageError(
          `Cannot watch: ${problem} (use --once for one plain screen, or capture --every to record)`,
        );
      }
      await watch(everyMs, plan, opts.cmdline ?? false, ctx);
    });
}

async function watch(
  everyMs: number,
  plan: PeriodicPlan | undefined,
  cmdline: boolean,
  ctx: CliContext,
): Promise<void> {
  const controller = new AbortController();
  let stoppedBy: Parameters<typeof signalExitCode>[0] | undefined;
  const term = openTerminal();
  const disarm = gracefulStop((signal) => {
    stoppedBy = signal;
    controller.abort();
  });
  const restoreCrash = onUncaughtError((err) => {
    // Put the terminal back first, so the report is readable and the shell usable.
    term.restore();
    const { message } = describeError(err);
    writeStderr(`nsnap: ${escapeControls(message)}\n`);
    exit(70);
  });
  let state: WatchState = startWatch(os.hostname(), everyMs, plan?.folder);
  const color = colorWanted();
  const draw = () => {
    const { cols, rows } = term.size();
    term.write(frame(renderWatch(state, { cols: cols - 1, rows, color })));
  };
  term.onResize(draw);
  term.onInput((data) => {
    const rows = term.size().rows;
    for (const key of splitKeys(data)) state = pressKey(state, key, Math.max(1, rows - 4));
    if (state.quit) controller.abort();
    draw();
  });
  draw();
  // Recorded paths are counted on the title line, not printed over the screen.
  const recorder = plan ? periodicWriter(plan, {}, { path: () => Promise.resolve() }) : undefined;
  const io: PeriodicIO = {
    capture: async () => {
      let s: Snapshot = await captureSnapshot(
        plan ? { cmdline } : { skip: [...LIGHT] },
      );
      // A listener not seen before: this sample finds its owner (once per new socket).
      if (!plan && needsOwners(state, s)) {
        s = await captureSnapshot({ skip: [...CHEAP] });
      }
      state = addSample(state, s);
      draw();
      return s;
    },
    write: async (s) => {
      if (!recorder) return "-";
      const name = await recorder.write(s);
      if (name !== undefined) state = noteRecorded(state);
      return name;
    },
    rotate: (name, s) => recorder?.rotate?.(name, s) ?? Promise.resolve([]),
    overran: (o) => {
      state = noteProblem(
        state,
        `a sample took ${formatDuration(o.tookMs)}, longer than the ${
          formatDuration(o.everyMs)
        } interval: ${o.skipped} skipped`,
      );
      draw();
    },
  };
  try {
    await runPeriodic(
      {
        everyMs,
        ...(plan?.compact ? { compact: true } : {}),
        ...(plan?.limits.keep !== undefined ? { keep: plan.limits.keep } : {}),
      },
      io,
      systemClock,
      controller.signal,
    );
  } finally {
    term.restore();
    restoreCrash();
    disarm();
  }
  if (state.recording) {
    writeStderr(
      `nsnap: recorded ${state.recording.files} snapshots in ${
        escapeText(state.recording.folder)
      }\n`,
    );
  }
  if (stoppedBy !== undefined) ctx.exitCode = signalExitCode(stoppedBy);
}

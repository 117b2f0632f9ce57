/**
 * The CLI's answer to a signal (SIGHUP, SIGINT, SIGQUIT, SIGTERM).
 *
 * While it writes: the temporary files being written are removed and the process ends with
 * 128 + the signal's number (SIGHUP 129, SIGINT 130, SIGQUIT 131, SIGTERM 143). Handlers are
 * installed only while a temporary file exists or a graceful stop is armed; otherwise a signal
 * ends the process as it always would. The library (snapshot/write.ts) only reports its
 * temporary files to this registry, through `WriteOptions.tempFiles`.
 *
 * A long-running command (`capture --every`, `watch`) arms a graceful stop instead: the first
 * signal only tells it to stop (`gracefulStop`), and it finishes the file under way and ends by
 * itself; a second signal ends the process at once as above (temporary files removed).
 */
import { unlinkSync } from "node:fs";
import {
  exit,
  onTerminatingSignal,
  TERMINATING_SIGNALS,
  type TerminatingSignal,
} from "../runtime/process.ts";
import type { TempFileTracker } from "../snapshot/write.ts";

const pending = new Set<string>();
let restore: (() => void) | undefined;
/** The armed graceful stop, and whether a signal has already asked for it. */
let graceful: { stop: (signal: TerminatingSignal) => void; asked: boolean } | undefined;

/** Removes the temporary files being written (also before a crash report ends the process). */
export function removeTempFiles(): void {
  for (const path of pending) {
    try {
      unlinkSync(path);
    } catch { /* never created, or already gone */ }
  }
  pending.clear();
}

function onSignal(signal: TerminatingSignal): void {
  if (graceful && !graceful.asked) {
    graceful.asked = true;
    graceful.stop(signal);
    return;
  }
  removeTempFiles();
  exit(128 + TERMINATING_SIGNALS[signal]);
}

/** Installs the handler while something needs it, and restores the default when nothing does. */
function refresh(): void {
  const needed = pending.size > 0 || graceful !== undefined;
  if (needed) restore ??= onTerminatingSignal(onSignal);
  else if (restore) {
    restore();
    restore = undefined;
  }
}

/** The temporary files of this CLI run, removed if a signal ends it. */
export const tempFiles: TempFileTracker = {
  add(path: string): void {
    pending.add(path);
    refresh();
  },
  delete(path: string): void {
    pending.delete(path);
    refresh();
  },
};

/**
 * Arms a graceful stop: the first terminating signal calls `stop(signal)` and nothing else; a
 * second one ends the process (temporary files removed, exit 128 + n). Returns the disarming
 * function.
 */
export function gracefulStop(stop: (signal: TerminatingSignal) => void): () => void {
  graceful = { stop, asked: false };
  refresh();
  return () => {
    graceful = undefined;
    refresh();
  };
}

/** The exit code a signal stands for (128 + its number). */
export function signalExitCode(signal: TerminatingSignal): number {
  return 128 + TERMINATING_SIGNALS[signal];
}

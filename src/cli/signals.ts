/**
 * The CLI's answer to a signal while it writes: the temporary files being written are removed and
 * the process ends with 128 + the signal's number (SIGHUP 129, SIGINT 130, SIGQUIT 131, SIGTERM
 * 143). Handlers are installed only while a temporary file exists; otherwise a signal ends the
 * process as it always would. The library (snapshot/write.ts) only reports its temporary files
 * to this registry, through `WriteOptions.tempFiles`.
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

function onSignal(signal: TerminatingSignal): never {
  for (const path of pending) {
    try {
      unlinkSync(path);
    } catch { /* never created, or already gone */ }
  }
  pending.clear();
  return exit(128 + TERMINATING_SIGNALS[signal]);
}

/** The temporary files of this CLI run, removed if a signal ends it. */
export const tempFiles: TempFileTracker = {
  add(path: string): void {
    pending.add(path);
    restore ??= onTerminatingSignal(onSignal);
  },
  delete(path: string): void {
    pending.delete(path);
    if (pending.size === 0 && restore) {
      restore();
      restore = undefined;
    }
  },
};

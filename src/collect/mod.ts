/**
 * Capture: chooses the platform once and gathers a snapshot of the host's network state.
 */
import type { Snapshot } from "../model.ts";
import type { CommandRunner } from "../runtime/command.ts";

/** What a capture should gather and how. */
export interface CaptureOptions {
  /** Record command lines (secrets masked). Off by default. */
  cmdline?: boolean;
  /** User labels (`--label key=value`). */
  labels?: Record<string, string>;
  /** Root of the /proc and /sys trees to read (tests point this at a fixture tree). Default "/". */
  root?: string;
  /** Runs external commands (`ip -j`, macOS tools); tests pass recorded outputs. */
  runner?: CommandRunner;
  /** Platform override (tests): "linux" or "darwin". */
  platform?: string;
}

/** Captures a snapshot of this host (Linux reads the kernel; macOS parses its tools' output). */
export function captureSnapshot(_opts: CaptureOptions = {}): Promise<Snapshot> {
  return Promise.reject(new Error("capture is not written yet"));
}

/** State shared by the commands of one CLI run: the exit code to end with, and output helpers. */
import { writeStdout } from "../runtime/process.ts";

/** What a command's action may set while it runs. */
export interface CliContext {
  /** The code the process ends with (0 unless a command sets 1 for --fail-on or "nothing found"). */
  exitCode: number;
}

/** Writes a command's output; adds a final newline when the text lacks one. */
export function out(text: string): Promise<void> {
  return writeStdout(text.endsWith("\n") || text === "" ? text : text + "\n");
}

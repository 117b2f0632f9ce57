/**
 * The terminal of a full-screen command (`nsnap watch`): raw keyboard input, the alternate
 * screen, the cursor hidden, the size and its changes (SIGWINCH), and putting all of it back as
 * it was. `node:process` gives the same calls under Deno and Bun (and Bun's compiled binary):
 * `stdin.setRawMode`, `stdout.columns`/`rows` and the `resize` event.
 *
 * Output is written with `writeSync` on descriptor 1, so a frame is on the screen when the call
 * returns and the restoring sequences are written even from a signal handler or a crash handler
 * that ends the process right after.
 */
import { writeSync } from "node:fs";
import process from "node:process";
import { stdinIsTty, stdoutIsTty } from "./process.ts";

/** Enter the alternate screen, hide the cursor, home, clear. */
const ENTER = "\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J";
/**
 * Clear the alternate screen (a terminal resized meanwhile may carry some of its rows over to
 * the shell's screen: blank ones then), show the cursor, leave the alternate screen (the shell's
 * screen comes back as it was). The cursor's visibility cannot be asked for; shown is what every
 * shell expects.
 */
const LEAVE = "\x1b[H\x1b[2J\x1b[?25h\x1b[?1049l";

/** An open full-screen terminal. */
export interface Terminal {
  /** The size now (at least 1×1). */
  size(): { cols: number; rows: number };
  /** Writes text at once. */
  write(text: string): void;
  /** Calls `handler` with what each key press sent ("q", "\t", "\x1b[A" …). */
  onInput(handler: (data: string) => void): void;
  /** Calls `handler` when the window size changed. */
  onResize(handler: () => void): void;
  /** Puts the terminal back as it was found; safe to call more than once. */
  restore(): void;
}

/** Why a full-screen view cannot run here, or undefined when it can. */
export function terminalProblem(): string | undefined {
  if (!stdoutIsTty()) return "standard output is not a terminal";
  if (!stdinIsTty()) return "standard input is not a terminal";
  if (typeof process.stdin.setRawMode !== "function") return "this runtime has no raw mode";
  return undefined;
}

function writeAll(text: string): void {
  const bytes = new TextEncoder().encode(text);
  for (let off = 0; off < bytes.length;) {
    try {
      off += writeSync(1, bytes, off);
    } catch (err) {
      // A terminal that is not ready takes the rest a moment later.
      if ((err as { code?: string }).code !== "EAGAIN") throw err;
    }
  }
}

/** Takes over the terminal: raw mode, alternate screen, cursor hidden. */
export function openTerminal(): Terminal {
  const stdin = process.stdin;
  const wasRaw = stdin.isRaw === true;
  const inputs: Array<(data: Uint8Array | string) => void> = [];
  const resizes: Array<() => void> = [];
  let open = true;
  stdin.setRawMode(true);
  stdin.resume();
  writeAll(ENTER);
  const decoder = new TextDecoder();
  return {
    size: () => ({
      cols: Math.max(1, process.stdout.columns || 80),
      rows: Math.max(1, process.stdout.rows || 24),
    }),
    write: (text) => {
      if (open) writeAll(text);
    },
    onInput: (handler) => {
      const h = (d: Uint8Array | string) =>
        handler(typeof d === "string" ? d : decoder.decode(d, { stream: true }));
      inputs.push(h);
      stdin.on("data", h);
    },
    onResize: (handler) => {
      resizes.push(handler);
      process.stdout.on("resize", handler);
    },
    restore: () => {
      if (!open) return;
      open = false;
      for (const h of inputs) stdin.off("data", h);
      for (const h of resizes) process.stdout.off("resize", h);
      try {
        stdin.setRawMode(wasRaw);
      } catch { /* the terminal is gone (SIGHUP) */ }
      stdin.pause();
      try {
        writeAll(LEAVE);
      } catch { /* the terminal is gone */ }
    },
  };
}

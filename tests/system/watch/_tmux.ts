/**
 * A terminal for tests: a detached tmux session of a given size running a plain shell, into
 * which a test types (send-keys) and whose screen it reads back (capture-pane -p). The session
 * is named uniquely and killed by `close()`.
 */
import { spawnSync } from "node:child_process";
import process from "node:process";

/** True when tmux is installed. */
export function haveTmux(): boolean {
  return spawnSync("sh", ["-c", "command -v tmux"]).status === 0;
}

function tmux(args: string[]): string {
  const r = spawnSync("tmux", args, { encoding: "utf8", timeout: 10_000 });
  if (r.status !== 0) throw new Error(`tmux ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** The prompt of the test shell: easy to find on the screen. */
export const PROMPT = "nsnap-test$ ";

/** One tmux session with a shell. */
export class TmuxTerminal {
  readonly name: string;
  constructor(tag: string, cols: number, rows: number, env: Record<string, string> = {}) {
    this.name = `nsnap-${tag}-${process.pid}-${Math.floor(Math.random() * 1e6)}`;
    const vars = Object.entries({ PS1: PROMPT, TERM: "xterm-256color", ...env })
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(" ");
    tmux([
      "new-session",
      "-d",
      "-s",
      this.name,
      "-x",
      String(cols),
      "-y",
      String(rows),
      `env ${vars} bash --norc --noprofile -i`,
    ]);
    // Keep the pane's own size whatever other clients attach.
    tmux(["set-option", "-t", this.name, "window-size", "manual"]);
  }

  /** Types `text` literally, then Enter when `enter`. */
  type(text: string, enter = true): void {
    tmux(["send-keys", "-t", this.name, "-l", text]);
    if (enter) tmux(["send-keys", "-t", this.name, "Enter"]);
  }

  /** Sends keys by tmux name (`q`, `Tab`, `Space`, `C-c`). */
  key(...keys: string[]): void {
    tmux(["send-keys", "-t", this.name, ...keys]);
  }

  /** The visible screen, one string per line (trailing blanks dropped, as tmux does). */
  screen(): string {
    return tmux(["capture-pane", "-p", "-t", this.name]);
  }

  /** Whether the pane shows the alternate screen now. */
  altScreen(): boolean {
    return tmux(["display-message", "-p", "-t", this.name, "#{alternate_on}"]).trim() === "1";
  }

  /** The pid of the shell in the pane. */
  shellPid(): number {
    return Number(tmux(["display-message", "-p", "-t", this.name, "#{pane_pid}"]).trim());
  }

  /** Resizes the window (SIGWINCH for what runs in it). */
  resize(cols: number, rows: number): void {
    tmux(["resize-window", "-t", this.name, "-x", String(cols), "-y", String(rows)]);
  }

  /** Waits (bounded) until the screen matches `re`; returns that screen. */
  async waitFor(re: RegExp, ms = 30_000): Promise<string> {
    const end = Date.now() + ms;
    let last = "";
    while (Date.now() < end) {
      last = this.screen();
      if (re.test(last)) return last;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`screen never matched ${re} within ${ms} ms:\n${last}`);
  }

  /** Ends the session and everything in it. */
  close(): void {
    spawnSync("tmux", ["kill-session", "-t", this.name]);
  }
}

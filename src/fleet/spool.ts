/**
 * Holds a document's per-host pieces until the whole fleet has been compared, so that a bad
 * snapshot found at host 150 leaves nothing written, while memory stays bounded: text is kept in
 * memory up to `limit` bytes (default 8 MiB), then moves to a temporary file (mode 0600 in the
 * system's temporary folder; it holds what the snapshots reveal), removed when the spool is
 * closed or the process is interrupted (SIGHUP, SIGINT, SIGQUIT, SIGTERM: exit 128 + n). Where
 * no temporary file can be made, the text stays in memory.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exit, onTerminatingSignal, TERMINATING_SIGNALS } from "../runtime/process.ts";

/** Text written now, read back once later, in order. */
export class Spool {
  #parts: string[] = [];
  #size = 0;
  #fd: number | undefined;
  #dir: string | undefined;
  #fileBytes = 0;
  #stopWatching: (() => void) | undefined;
  readonly #limit: number;
  readonly #encoder = new TextEncoder();

  constructor(limit = 8 * 1024 * 1024) {
    this.#limit = limit;
  }

  /** True once the text went to a temporary file. */
  get onDisk(): boolean {
    return this.#fd !== undefined;
  }

  /** Adds text. */
  write(text: string): void {
    if (this.#fd !== undefined) return this.#toFile(text);
    this.#parts.push(text);
    this.#size += text.length;
    if (this.#size > this.#limit) this.#spill();
  }

  #spill(): void {
    try {
      this.#dir = mkdtempSync(join(tmpdir(), "nsnap-fleet-"));
      // Interrupted (Ctrl-C, a CI timeout): the temporary file goes too.
      this.#stopWatching = onTerminatingSignal((signal) => {
        this.#cleanup();
        exit(128 + TERMINATING_SIGNALS[signal]);
      });
      this.#fd = openSync(join(this.#dir, "hosts"), "wx+", 0o600);
    } catch {
      this.#cleanup();
      return; // no temporary file: keep going in memory
    }
    const parts = this.#parts;
    this.#parts = [];
    this.#size = 0;
    for (const p of parts) this.#toFile(p);
  }

  #toFile(text: string): void {
    const bytes = this.#encoder.encode(text);
    let off = 0;
    while (off < bytes.length) off += writeSync(this.#fd!, bytes, off, bytes.length - off);
    this.#fileBytes += bytes.length;
  }

  /** The text written, in chunks (from a file: at most 1 MiB each, whole UTF-8 characters). */
  *chunks(): Generator<string | Uint8Array> {
    if (this.#fd === undefined) {
      // One piece, so that a small output is one write, as every other command makes it.
      if (this.#size > 0) yield this.#parts.join("");
      return;
    }
    const buf = new Uint8Array(1024 * 1024);
    let pos = 0;
    while (pos < this.#fileBytes) {
      let n = readSync(this.#fd, buf, 0, Math.min(buf.length, this.#fileBytes - pos), pos);
      if (n <= 0) break;
      // End each chunk on a character boundary, so every chunk is whole UTF-8 text.
      if (pos + n < this.#fileBytes) {
        let lead = n - 1;
        while (lead > 0 && (buf[lead]! & 0xc0) === 0x80) lead--;
        const b = buf[lead]!;
        const len = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
        if (lead > 0 && lead + len > n) n = lead;
      }
      pos += n;
      yield buf.slice(0, n);
    }
  }

  /** Drops the text and removes the temporary file. */
  close(): void {
    this.#parts = [];
    this.#cleanup();
  }

  #cleanup(): void {
    this.#stopWatching?.();
    this.#stopWatching = undefined;
    if (this.#fd !== undefined) {
      try {
        closeSync(this.#fd);
      } catch { /* already closed */ }
    }
    this.#fd = undefined;
    if (this.#dir !== undefined) rmSync(this.#dir, { recursive: true, force: true });
    this.#dir = undefined;
  }
}

/**
 * The process the CLI runs in: arguments, environment, exit, standard streams, signals.
 * This folder is the only place that touches `Deno.*`, `Bun.*` or `process.*`.
 */
import process from "node:process";
import { StdoutError } from "../errors.ts";
import { hex } from "../util/hex.ts";

/**
 * node:zlib, loaded when first asked for: loading it takes 2–3 ms of a compiled binary's start,
 * and most runs never compress anything.
 */
export function zlib(): typeof import("node:zlib") {
  return process.getBuiltinModule("node:zlib");
}

/** node:crypto, loaded when first asked for (see zlib()). */
export function nodeCrypto(): typeof import("node:crypto") {
  return process.getBuiltinModule("node:crypto");
}

/** `n` random bytes as hex, from the Web Crypto API (no module to load). */
export function randomHex(n: number): string {
  return hex(crypto.getRandomValues(new Uint8Array(n)));
}

/** The command-line arguments after the program name. */
export function args(): string[] {
  return process.argv.slice(2);
}

/** Reads an environment variable. */
export function env(name: string): string | undefined {
  return process.env[name];
}

/** Ends the process with a code, after stdout has drained. */
export function exit(code: number): never {
  process.exit(code);
}

/** The standard streams as the CLI uses them; `redirectStdio` swaps them for in-process runs. */
export interface Stdio {
  stdout(text: string | Uint8Array): Promise<void>;
  stderr(text: string): void;
  stdin(): AsyncIterable<Uint8Array>;
}

const PROCESS_STDIO: Stdio = {
  stdout: (text) => {
    absorbStdoutErrors();
    return new Promise((resolve, reject) => {
      try {
        process.stdout.write(text, (err) => err ? reject(new StdoutError(err)) : resolve());
      } catch (err) {
        reject(new StdoutError(err));
      }
    });
  },
  stderr: (text) => {
    process.stderr.write(text);
  },
  stdin: () => process.stdin as AsyncIterable<Uint8Array>,
};

let stdio: Stdio = PROCESS_STDIO;

let stdoutGuarded = false;

/** Absorbs standard output's error event: failed writes are reported where they are made. */
function absorbStdoutErrors(): void {
  if (stdoutGuarded) return;
  stdoutGuarded = true;
  process.stdout.on("error", () => {/* reported through the write's callback */});
}

/**
 * Sends standard output and error to `to`, and reads standard input from it, until the returned
 * function is called: the seam that lets tests run `main(argv)` in-process and see its output.
 */
export function redirectStdio(to: Stdio): () => void {
  const previous = stdio;
  stdio = to;
  return () => {
    stdio = previous;
  };
}

/**
 * Writes text to standard output. A failed write (the reader went away: EPIPE; a full disk:
 * ENOSPC) rejects with a `StdoutError`; the stream's own error event is absorbed, so that it
 * never ends the process with a stack trace.
 */
export function writeStdout(text: string | Uint8Array): Promise<void> {
  return stdio.stdout(text);
}

/** Writes text to standard error. */
export function writeStderr(text: string): void {
  stdio.stderr(text);
}

/** Whether stdout is a terminal (colour decisions). */
export function stdoutIsTty(): boolean {
  return stdio === PROCESS_STDIO && Boolean(process.stdout.isTTY);
}

/** Whether standard input is a terminal (then nothing is piped into it). */
export function stdinIsTty(): boolean {
  return stdio === PROCESS_STDIO && Boolean(process.stdin.isTTY);
}

/** Standard input as a stream of byte chunks (the reader decides how much it takes). */
export function stdinChunks(): AsyncIterable<Uint8Array> {
  return stdio.stdin();
}

/** The effective user id, or undefined where the platform has none. */
export function uid(): number | undefined {
  return typeof process.getuid === "function" ? process.getuid() : undefined;
}

/** The operating system as Node names it (linux, darwin, freebsd…). */
export function platform(): string {
  return process.platform;
}

/** The pid of this process. */
export function pid(): number {
  return process.pid;
}

/** The runtime name and version ("deno 2.9.6", "bun 1.4.5", "node 20.x"). */
export function runtimeName(): string {
  const g = globalThis as { Deno?: { version: { deno: string } }; Bun?: { version: string } };
  if (g.Deno) return `deno ${g.Deno.version.deno}`;
  if (g.Bun) return `bun ${g.Bun.version}`;
  return `node ${process.versions.node}`;
}

/** The signals that end a CLI run early, with their numbers (the exit code is 128 + n). */
export const TERMINATING_SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTERM: 15 } as const;

/** One of TERMINATING_SIGNALS. */
export type TerminatingSignal = keyof typeof TERMINATING_SIGNALS;

/**
 * Calls `handler` on SIGHUP, SIGINT, SIGQUIT or SIGTERM instead of the default (ending the
 * process); returns a function that restores the default.
 */
export function onTerminatingSignal(handler: (signal: TerminatingSignal) => void): () => void {
  const names = Object.keys(TERMINATING_SIGNALS) as TerminatingSignal[];
  const listeners = names.map((name) => [name, () => handler(name)] as const);
  for (const [name, h] of listeners) process.on(name, h);
  return () => {
    for (const [name, h] of listeners) process.off(name, h);
  };
}

/** The path of the running executable (the compiled binary, or the runtime). */
export function execPath(): string {
  return process.execPath;
}

/**
 * Calls `handler` for an error nothing caught (an uncaught exception, an unhandled rejection)
 * instead of the runtime's default report; returns a function that restores the default. The
 * handler is expected to end the process.
 */
export function onUncaughtError(handler: (err: unknown) => void): () => void {
  const h = (err: unknown) => handler(err);
  process.on("uncaughtException", h);
  process.on("unhandledRejection", h);
  return () => {
    process.off("uncaughtException", h);
    process.off("unhandledRejection", h);
  };
}

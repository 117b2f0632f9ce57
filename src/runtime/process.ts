/**
 * The process the CLI runs in: arguments, environment, exit, standard streams, signals.
 * This folder is the only place that touches `Deno.*`, `Bun.*` or `process.*`.
 */
import process from "node:process";

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

/** Sets the exit code the process will end with. */
export function setExitCode(code: number): void {
  process.exitCode = code;
}

/** Writes text to standard output. */
export function writeStdout(text: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(text, (err) => err ? reject(err) : resolve());
  });
}

/** Writes text to standard error. */
export function writeStderr(text: string): void {
  process.stderr.write(text);
}

/** Whether stdout is a terminal (colour decisions). */
export function stdoutIsTty(): boolean {
  return Boolean(process.stdout.isTTY);
}

/** Whether standard input is a terminal (then nothing is piped into it). */
export function stdinIsTty(): boolean {
  return Boolean(process.stdin.isTTY);
}

/** Standard input as a stream of byte chunks (the reader decides how much it takes). */
export function stdinChunks(): AsyncIterable<Uint8Array> {
  return process.stdin as AsyncIterable<Uint8Array>;
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

/** Registers a handler for SIGINT/SIGTERM; returns a function that removes it. */
export function onTerminate(handler: (signal: string) => void): () => void {
  const h = (sig: string) => handler(sig);
  process.on("SIGINT", h);
  process.on("SIGTERM", h);
  return () => {
    process.off("SIGINT", h);
    process.off("SIGTERM", h);
  };
}

/** The path of the running executable (the compiled binary, or the runtime). */
export function execPath(): string {
  return process.execPath;
}

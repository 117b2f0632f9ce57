/**
 * Real servers in test namespaces for the identity tests of issue 15: what each needs on this
 * machine (a skip reason otherwise), captures and diffs through the CLI, and bounded waits on what
 * `ss` sees inside the namespace.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../../helpers/cli.ts";
import { canUseNetns, type Netns } from "../../helpers/netns.ts";

/** Python from the system (a pyenv shim earlier in PATH would name the process otherwise). */
export const PYTHON = "/usr/bin/python3";

/** Why a test cannot run here: no namespaces, or a program it names is missing. */
export function skipWithout(...programs: string[]): string | false {
  if (!canUseNetns()) return "needs root and iproute2 to create network namespaces";
  const missing = programs.filter((p) => !findProgram(p));
  return missing.length ? `needs ${missing.join(", ")} (Debian packages; see .ci/run)` : false;
}

/** True when a program exists: an absolute path, or a name found in PATH or an sbin folder. */
function findProgram(p: string): boolean {
  if (p.startsWith("/")) return existsSync(p);
  return ["/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin"].some((d) =>
    existsSync(join(d, p))
  );
}

/** One change of a diff document as the tests read it. */
export interface DocChange {
  kind: string;
  section: string;
  key: Record<string, string | number>;
  summary: string;
  notable?: true;
  count?: number;
  orphaned?: number;
  states?: Record<string, number>;
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
  added?: Array<Record<string, unknown>>;
  removed?: Array<Record<string, unknown>>;
}

/** Captures the namespace (as root, through the CLI) into `file`. */
export function capture(ns: Netns, file: string): void {
  const r = runCli(["capture", "-o", file], { wrap: ns.wrap });
  assert.equal(r.code, 0, r.stderr);
}

/** Runs `nsnap diff A B ARGS` and returns its exit code, text and (with --format json) changes. */
export function diff(a: string, b: string, ...args: string[]): {
  code: number;
  stdout: string;
  stderr: string;
  changes: DocChange[];
} {
  const r = runCli(["diff", a, b, ...args]);
  const json = args.includes("json");
  const changes = json && r.stdout ? (JSON.parse(r.stdout).changes as DocChange[]) : [];
  return { code: r.code, stdout: r.stdout, stderr: r.stderr, changes };
}

/** The kinds of the changes in one section, in document order. */
export function kindsIn(changes: readonly DocChange[], section: string): string[] {
  return changes.filter((c) => c.section === section).map((c) => c.kind);
}

/** The first line of a text report: the summary. */
export function headline(text: string): string {
  return text.split("\n")[0] ?? "";
}

/** Runs a command in the namespace and returns its stdout ("" when it fails). */
export function nsRun(ns: Netns, ...argv: string[]): string {
  const r = spawnSync(ns.wrap[0]!, [...ns.wrap.slice(1), ...argv], {
    encoding: "utf8",
    timeout: 30_000,
  });
  return r.status === 0 ? r.stdout : "";
}

/** Sleeps for a while (the event loop keeps running). */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Waits (at most `ms`) until `ok()` holds; fails the test with `what` otherwise. */
export async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (ok()) return;
    await sleep(100);
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** The sockets `ss -H -tan` or `-uan` lists in the namespace, one line each. */
export function ssLines(ns: Netns, flags: string): string[] {
  return nsRun(ns, "ss", "-H", flags).split("\n").filter((l) => l.trim() !== "");
}

/** How many listening sockets `ss` sees on a TCP address:port in the namespace. */
export function tcpListeners(ns: Netns, endpoint: string): number {
  return ssLines(ns, "-tln").filter((l) => l.split(/\s+/)[3] === endpoint).length;
}

/** Waits until `ss` sees `n` TCP listening sockets on `endpoint`. */
export function untilListening(ns: Netns, endpoint: string, n = 1): Promise<void> {
  return until(`${n} listener(s) on ${endpoint}`, () => tcpListeners(ns, endpoint) === n);
}

/** Kills a process and waits until it is gone. */
export function stop(
  child: ChildProcess,
  signal: "SIGKILL" | "SIGTERM" = "SIGKILL",
): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill(signal);
  });
}

/** The children of a process, from /proc (sorted pids). */
export function childrenOf(pid: number): number[] {
  const r = spawnSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" });
  return (r.stdout ?? "").split("\n").map((s) => Number(s.trim())).filter((n) => n > 0).sort(
    (a, b) => a - b,
  );
}

export { asNobody, NOBODY, sharedDir } from "../../helpers/users.ts";

/**
 * An nginx command line serving `listen` (200 "ok") with 2 workers, everything under `dir`; the
 * master runs as root and the workers as nobody.
 */
export function nginxPrefix(dir: string, listen: string): string[] {
  mkdirSync(join(dir, "logs"), { recursive: true });
  const conf = join(dir, "nginx.conf");
  writeFileSync(
    conf,
    [
      "user nobody nogroup;",
      "worker_processes 2;",
      "daemon off;",
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/logs/error.log;`,
      "events { worker_connections 64; }",
      "http {",
      "  access_log off;",
      ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((t) =>
        `  ${t}_temp_path ${dir}/${t};`
      ),
      `  server { listen ${listen}; return 200 "ok\\n"; }`,
      "}",
    ].join("\n") + "\n",
  );
  return ["nginx", "-p", dir, "-c", conf, "-e", join(dir, "logs/error.log")];
}

/** The compiled executable for tests: `dist/nsnap`, built with the `build` task's command when missing. */
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { ROOT } from "./cli.ts";

/** deno.json, for the build task's command line. */
export const DENO_JSON = JSON.parse(readFileSync(join(ROOT, "deno.json"), "utf8")) as {
  tasks: Record<string, string>;
};

/** package.json, the one place the version lives. */
export const PACKAGE_JSON = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  version: string;
};

/** Returns the path of dist/nsnap, building it first when it is not there yet. */
export function nsnapBinary(): string {
  const path = join(ROOT, "dist/nsnap");
  if (!existsSync(path)) {
    const r = spawnSync("sh", ["-c", DENO_JSON.tasks.build!], { cwd: ROOT, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`cannot build dist/nsnap: ${r.stderr}`);
  }
  return path;
}

/** Copies the binary into a folder (mode 0755), so that any user, and no node_modules, is involved. */
export function copyBinary(dir: string): string {
  const bin = join(dir, "nsnap");
  copyFileSync(nsnapBinary(), bin);
  chmodSync(bin, 0o755);
  return bin;
}

/** What one run produced. */
export interface BinaryRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the binary with nothing in its environment but a minimal PATH, after an optional prefix. */
export function runBare(bin: string, args: string[], wrap: string[] = [], cwd?: string): BinaryRun {
  const argv = [...wrap, "env", "-i", "PATH=/usr/bin:/bin", bin, ...args];
  const r = spawnSync(argv[0]!, argv.slice(1), {
    encoding: "utf8",
    timeout: 60_000,
    cwd: cwd ?? process.cwd(),
  });
  return { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

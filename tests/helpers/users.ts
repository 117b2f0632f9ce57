/** Running test programs as another user: nobody, with a home and caches it may write. */
import { chmodSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A scratch folder every user may use (the runtimes' caches go here when run as nobody). */
export function sharedDir(tag: string): string {
  const d = mkdtempSync(join(tmpdir(), `nsnap-${tag}-`));
  chmodSync(d, 0o777);
  return d;
}

/** The uid and gid of `nobody`. */
export const NOBODY = 65534;

/** The prefix that runs a command as nobody, with a home and caches it can write. */
export function asNobody(home: string): string[] {
  return [
    "setpriv",
    `--reuid=${NOBODY}`,
    `--regid=${NOBODY}`,
    "--clear-groups",
    "env",
    `HOME=${home}`,
    `DENO_DIR=${home}/deno`,
    `XDG_CACHE_HOME=${home}/cache`,
    `BUN_INSTALL_CACHE_DIR=${home}/bun`,
  ];
}

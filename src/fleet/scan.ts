/**
 * Finding a fleet's snapshots: every snapshot file below a folder, at any depth, so that both
 * Ansible layouts work — `fetch` stores `DEST/<inventory_hostname>/<path>`, nsnap's playbook
 * writes `snapshots/<phase>/<inventory_hostname>.json`.
 *
 * Decisions:
 * - A snapshot file is named `*.json`, `*.yaml`, `*.yml`, `*.json.gz` or `*.yaml.gz` (the names
 *   `nsnap capture` writes; `*.yml.gz` too). Other files are not looked at.
 * - Names starting with a dot (files and folders: `.git`, `.ansible`, editor swap files) are
 *   skipped, as `ls` does.
 * - Symbolic links are followed; a folder reached twice (a link loop) is read once.
 * - A file named like a snapshot that is not a regular file (a FIFO, a socket, a link to a
 *   device) is never opened: it is skipped with a warning naming it, never silently.
 * - The list is sorted by relative path (code-unit order), so every later step is deterministic.
 */
import { readdirSync, realpathSync, statSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../errors.ts";
import { skippedMember } from "../util/read_bounded.ts";

/** The names of snapshot files. */
export const SNAPSHOT_FILE = /\.(?:json|ya?ml)(?:\.gz)?$/i;

/** The name patterns, for messages. */
export const SNAPSHOT_PATTERNS = "*.json, *.yaml, *.yml, *.json.gz, *.yaml.gz";

/** True when the operand names an existing folder (`-` and `live` never do). */
export function isFolder(operand: string): boolean {
  if (operand === "-" || operand === "live") return false;
  try {
    return statSync(operand).isDirectory();
  } catch {
    return false;
  }
}

function reason(err: unknown): string {
  const code = (err as { code?: string }).code;
  if (code === "ENOENT") return "no such file or folder";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "ELOOP") return "too many levels of symbolic links";
  return (err as Error).message ?? String(err);
}

/**
 * Every snapshot file below `folder`, as paths relative to it with `/` between parts, sorted.
 * A special file named like a snapshot is left out with a warning pushed to `warnings`.
 * @throws InputError when a folder cannot be read, or none of its files is a snapshot.
 */
export function listSnapshotFiles(folder: string, warnings: string[] = []): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const walk = (dir: string, rel: string) => {
    let real: string;
    try {
      real = realpathSync(dir);
    } catch (err) {
      throw new InputError(`Cannot read folder ${dir}: ${reason(err)}`);
    }
    if (seen.has(real)) return;
    seen.add(real);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (err) {
      throw new InputError(`Cannot read folder ${dir}: ${reason(err)}`);
    }
    for (const name of names.sort()) {
      if (name.startsWith(".")) continue;
      const path = join(dir, name), relPath = rel === "" ? name : `${rel}/${name}`;
      let st;
      try {
        st = statSync(path);
      } catch (err) {
        // A dangling link named like a snapshot is a snapshot nsnap cannot read: say so.
        if (SNAPSHOT_FILE.test(name)) {
          throw new InputError(`Cannot read snapshot ${path}: ${reason(err)}`);
        }
        continue;
      }
      if (st.isDirectory()) walk(path, relPath);
      else if (!SNAPSHOT_FILE.test(name)) continue;
      else if (st.isFile()) out.push(relPath);
      else warnings.push(skippedMember(path, st));
    }
  };
  walk(folder, "");
  if (out.length === 0) {
    throw new InputError(`Cannot read folder ${folder}: no snapshots in it (${SNAPSHOT_PATTERNS})`);
  }
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The part of a relative path that names a host when nothing else does: the path without its
 * snapshot extension (`web-1.json.gz` → `web-1`, `web-1/tmp/nsnap.json` → `web-1/tmp/nsnap`).
 */
export function pathKey(relPath: string): string {
  return relPath.replace(SNAPSHOT_FILE, "");
}

/**
 * The snapshots of a folder, for `nsnap check POLICY DIR` (one snapshot file = one host): a
 * plain walk, deliberately simple — the fleet pairing of `nsnap diff DIR DIR` lives elsewhere.
 *
 * Decisions: files named like snapshots (`.json`, `.yaml`, `.yml`, each optionally `.gz`) at any
 * depth (Ansible's fetch writes `DEST/<host>/…`), sorted by relative path; hidden entries and
 * symbolic links are skipped (a link could lead out of the folder or around in a loop); at most
 * 16 levels deep. A link or a special file (FIFO, socket, device) named like a snapshot is never
 * opened and never skipped silently: a warning names it.
 */
import { type Dirent, lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { errnoText, InputError } from "../errors.ts";
import { escapeText } from "../util/escape.ts";
import { skippedMember } from "../util/read_bounded.ts";

const SNAPSHOT_NAME = /\.(json|ya?ml)(\.gz)?$/i;
const MAX_DEPTH = 16;

/** What a folder entry is, from lstat (a runtime's Dirent may not tell a socket); never opened. */
function kindOf(dir: string, rel: string, e: Dirent) {
  try {
    return lstatSync(join(dir, rel));
  } catch {
    return e;
  }
}

/** Relative paths of the snapshot files under `dir`, sorted; what was skipped goes to `warnings`. */
export function snapshotFiles(dir: string, warnings: string[] = []): string[] {
  const out: string[] = [];
  const walk = (rel: string, depth: number) => {
    let entries;
    try {
      entries = readdirSync(join(dir, rel), { withFileTypes: true });
    } catch (e) {
      throw new InputError(`Cannot read folder ${escapeText(join(dir, rel))}: ${errnoText(e)}`);
    }
    for (const e of entries) {
      if (e.name.startsWith(".")) continue;
      const path = rel === "" ? e.name : join(rel, e.name);
      if (e.isDirectory() && depth < MAX_DEPTH) walk(path, depth + 1);
      else if (!SNAPSHOT_NAME.test(e.name)) continue;
      else if (e.isFile()) out.push(path);
      else if (e.isSymbolicLink()) {
        warnings.push(`skipped ${join(dir, path)}: a symbolic link (not followed in a folder)`);
      } else if (!e.isDirectory()) {
        warnings.push(skippedMember(join(dir, path), kindOf(dir, path, e)));
      }
    }
  };
  walk("", 0);
  return out.sort();
}

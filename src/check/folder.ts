/**
 * The snapshots of a folder, for `nsnap check POLICY DIR` (one snapshot file = one host): a
 * plain walk, deliberately simple — the fleet pairing of `nsnap diff DIR DIR` lives elsewhere.
 *
 * Decisions: files named like snapshots (`.json`, `.yaml`, `.yml`, each optionally `.gz`) at any
 * depth (Ansible's fetch writes `DEST/<host>/…`), sorted by relative path; hidden entries and
 * symbolic links are skipped (a link could lead out of the folder or around in a loop); at most
 * 16 levels deep.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../errors.ts";

const SNAPSHOT_NAME = /\.(json|ya?ml)(\.gz)?$/i;
const MAX_DEPTH = 16;

/** Relative paths of the snapshot files under `dir`, sorted. */
export function snapshotFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string, depth: number) => {
    let entries;
    try {
      entries = readdirSync(join(dir, rel), { withFileTypes: true });
    } catch (e) {
      const code = (e as { code?: string }).code;
      throw new InputError(
        `Cannot read folder ${join(dir, rel)}: ${
          code === "EACCES" ? "permission denied" : (e as Error).message
        }`,
      );
    }
    for (const e of entries) {
      if (e.name.startsWith(".")) continue;
      const path = rel === "" ? e.name : join(rel, e.name);
      if (e.isDirectory() && depth < MAX_DEPTH) walk(path, depth + 1);
      else if (e.isFile() && SNAPSHOT_NAME.test(e.name)) out.push(path);
    }
  };
  walk("", 0);
  return out.sort();
}

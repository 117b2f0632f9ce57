/**
 * Rotation of a folder of periodic snapshots: the oldest go once there are more than `keep`, or
 * once they take more than `maxTotalBytes` together.
 *
 * Decisions:
 * - Only files nsnap wrote are candidates: regular files (never a link, folder or device) named
 *   as `writeSnapshot()` names them (`parseGeneratedName()`), for the same host part as the
 *   snapshot just written. Anything else in the folder — notes, another host's snapshots, a file
 *   named by hand, a temporary file being written — is never removed, nor counted.
 * - Age is the capture time in the name (then its copy number), not the file's mtime, which a
 *   copy or a restore changes.
 * - The newest file is never removed, even when it alone is larger than the cap: the caller is
 *   told (`overCap`) so that it can say so.
 * - Files of earlier runs into the same folder count too: a service restarted every day keeps
 *   `keep` files, not `keep` per run.
 * - `plan()` is pure (names and sizes in, names to remove out); `rotateFolder()` reads the
 *   folder, removes, and reports what it could not remove rather than failing the run.
 */
import { promises as fsp } from "node:fs";
import { join } from "node:path";
import { errnoText } from "../errors.ts";
import { type GeneratedName, parseGeneratedName } from "./write.ts";

/** How many and how much a folder of snapshots may hold. */
export interface RotationLimits {
  /** The most files kept (at least 1). */
  keep?: number;
  /** The most bytes the files may take together. */
  maxTotalBytes?: number;
}

/** One candidate file: its name and size. */
export interface RotationFile {
  name: string;
  bytes: number;
}

/** What a rotation decided. */
export interface RotationPlan {
  /** Names to remove, oldest first. */
  remove: string[];
  /** Names kept, oldest first. */
  keep: string[];
  /** True when the newest file alone is larger than `maxTotalBytes`. */
  overCap: boolean;
}

function order(a: GeneratedName & RotationFile, b: GeneratedName & RotationFile): number {
  if (a.timestamp !== b.timestamp) return a.timestamp < b.timestamp ? -1 : 1;
  if (a.copy !== b.copy) return a.copy - b.copy;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Which of `files` to remove for `host`: names not generated for that host are left out of the
 * plan entirely (neither kept nor removed).
 *
 * @example
 * ```ts
 * import { planRotation } from "./rotate.ts";
 * const files = ["h-20260101T000000.000Z.json", "h-20260101T000010.000Z.json", "notes.txt"]
 *   .map((name) => ({ name, bytes: 100 }));
 * planRotation(files, "h", { keep: 1 }).remove; // ["h-20260101T000000.000Z.json"]
 * ```
 */
export function planRotation(
  files: readonly RotationFile[],
  host: string,
  limits: RotationLimits,
): RotationPlan {
  const ours = files.flatMap((f) => {
    const g = parseGeneratedName(f.name);
    return g && g.host === host ? [{ ...g, ...f }] : [];
  }).sort(order);
  const keep = Math.max(1, limits.keep ?? Infinity);
  let start = Math.max(0, ours.length - keep);
  if (limits.maxTotalBytes !== undefined) {
    let total = 0;
    for (let i = start; i < ours.length; i++) total += ours[i]!.bytes;
    while (total > limits.maxTotalBytes && start < ours.length - 1) total -= ours[start++]!.bytes;
  }
  const newest = ours[ours.length - 1];
  return {
    remove: ours.slice(0, start).map((f) => f.name),
    keep: ours.slice(start).map((f) => f.name),
    overCap: limits.maxTotalBytes !== undefined && newest !== undefined &&
      newest.bytes > limits.maxTotalBytes,
  };
}

/** What a rotation of a folder did. */
export interface RotationResult extends RotationPlan {
  /** Problems met (a file that could not be removed), in words; the run goes on. */
  problems: string[];
}

/** Applies `planRotation()` to a folder: removes the oldest of `host`'s snapshots in `dir`. */
export async function rotateFolder(
  dir: string,
  host: string,
  limits: RotationLimits,
): Promise<RotationResult> {
  const problems: string[] = [];
  const files: RotationFile[] = [];
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch (err) {
    return { remove: [], keep: [], overCap: false, problems: [`cannot list: ${errnoText(err)}`] };
  }
  for (const name of names) {
    if (parseGeneratedName(name)?.host !== host) continue;
    try {
      const st = await fsp.lstat(join(dir, name));
      if (st.isFile()) files.push({ name, bytes: st.size });
    } catch { /* gone meanwhile */ }
  }
  const plan = planRotation(files, host, limits);
  const removed: string[] = [];
  for (const name of plan.remove) {
    try {
      await fsp.unlink(join(dir, name));
      removed.push(name);
    } catch (err) {
      if ((err as { code?: string }).code === "ENOENT") removed.push(name);
      else problems.push(`cannot remove ${name}: ${errnoText(err)}`);
    }
  }
  return { ...plan, remove: removed, problems };
}

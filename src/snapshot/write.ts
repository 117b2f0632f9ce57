/**
 * Writing snapshots: to a file (atomically, mode 0600, never over an existing file without
 * `force`, never through a symbolic link), into a folder under a generated name, or to stdout.
 *
 * How a file is published: the text goes to a temporary file created exclusively (O_EXCL, 0600) in
 * the destination folder and is synced; then `link(temp, final)` publishes it, which fails if the
 * name is taken (so two writers can never clobber each other), and the temporary name is removed.
 * With `force`, `rename(temp, final)` replaces the old file in one step. Any failure, SIGINT or
 * SIGTERM removes the temporary file.
 *
 * The snapshot is written as given: callers normalise it first (`normalizeSnapshot`).
 */
import { promises as fsp, unlinkSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { errnoText, InputError, UsageError } from "../errors.ts";
import type { Snapshot } from "../model.ts";
import { exit, onTerminate, pid, writeStdout } from "../runtime/process.ts";
import { serializeSnapshot, type SnapshotFormat } from "./serialize.ts";

/** Where and how to write a snapshot. */
export interface WriteOptions {
  /** A file, a folder (`DIR/` or an existing folder), or `-` for stdout. Default `./snapshots/`. */
  output?: string;
  /** json or yaml; default from the file's extension, else json. */
  format?: SnapshotFormat;
  /** Replace an existing file. */
  force?: boolean;
  /** Folder that relative paths start from (default: the process's working directory). */
  cwd?: string;
}

/** The folder snapshots go to when no `-o` is given. */
export const DEFAULT_SNAPSHOT_DIR = "snapshots";

/** Format and compression named by a file's extension (.json .yaml .yml, each optionally .gz). */
export function formatFromName(name: string): { format?: SnapshotFormat; gzip: boolean } {
  const lower = name.toLowerCase();
  const gzip = lower.endsWith(".gz");
  const stem = gzip ? lower.slice(0, -3) : lower;
  if (stem.endsWith(".json")) return { format: "json", gzip };
  if (stem.endsWith(".yaml") || stem.endsWith(".yml")) return { format: "yaml", gzip };
  return { gzip };
}

/** `2026-11-25T15:08:12.345Z` → `20261125T150812.345Z` (safe in file names, sorts by time). */
export function fileTimestamp(iso: string): string {
  const d = new Date(iso);
  const t = Number.isNaN(d.getTime()) ? new Date() : d;
  return t.toISOString().replace(/[-:]/g, "");
}

/** The generated file name, without extension: `<hostname>-<UTC timestamp>`. */
function generatedStem(s: Snapshot): string {
  const host = s.meta.host.hostname.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^\.+/, "") ||
    "host";
  return `${host}-${fileTimestamp(s.meta.capturedAt)}`;
}

/** Writes a snapshot and returns the path written (`-` for stdout). */
export async function writeSnapshot(snapshot: Snapshot, opts: WriteOptions = {}): Promise<string> {
  const cwd = opts.cwd ?? ".";
  const output = opts.output;
  if (output === "-") {
    await writeStdout(serializeSnapshot(snapshot, opts.format ?? "json"));
    return "-";
  }

  let shownDir: string, file: string | undefined;
  if (output === undefined) {
    shownDir = DEFAULT_SNAPSHOT_DIR;
  } else if (output.endsWith("/") || (await isDirectory(resolve(cwd, output)))) {
    shownDir = output.endsWith("/") && output.length > 1 ? output.slice(0, -1) : output;
  } else {
    shownDir = dirname(output);
    file = basename(output);
  }
  const dir = resolve(cwd, shownDir);

  if (file === undefined) {
    // A generated name in a folder, created if missing; a taken name gets a numbered suffix.
    const format = opts.format ?? "json";
    try {
      await fsp.mkdir(dir, { recursive: true });
    } catch (err) {
      throw new InputError(
        `Cannot write snapshot into ${shownDir}: ${systemReason(err, shownDir)}`,
      );
    }
    const stem = generatedStem(snapshot);
    const data = encode(snapshot, format, false);
    const ext = format === "yaml" ? ".yaml" : ".json";
    const nameAt = (i: number) =>
      i === 0 ? `${stem}${ext}` : i < 10_000 ? `${stem}-${i + 1}${ext}` : undefined;
    const name = await publish(data, dir, shownDir, nameAt, false, "snapshot");
    return join(shownDir, name);
  }

  const named = formatFromName(file);
  if (opts.format && named.format && opts.format !== named.format) {
    throw new UsageError(
      `--format ${opts.format} does not match the extension of ${output} (${named.format})`,
    );
  }
  const format = opts.format ?? named.format ?? "json";
  const only = (i: number) => (i === 0 ? file : undefined);
  await publish(
    encode(snapshot, format, named.gzip),
    dir,
    shownDir,
    only,
    opts.force ?? false,
    "snapshot",
  );
  return output!;
}

/**
 * Writes other output (an HTML report) the way snapshots are written: atomically, mode 0600,
 * never over an existing file without `force`, never through a symbolic link. `noun` names the
 * thing in error messages ("Cannot write report r.html: file exists …").
 */
export async function writeFileSafely(
  output: string,
  data: Uint8Array,
  opts: { force?: boolean; noun: string; cwd?: string },
): Promise<void> {
  const shownDir = dirname(output);
  const file = basename(output);
  const only = (i: number) => (i === 0 ? file : undefined);
  await publish(
    data,
    resolve(opts.cwd ?? ".", shownDir),
    shownDir,
    only,
    opts.force ?? false,
    opts.noun,
  );
}

function encode(s: Snapshot, format: SnapshotFormat, gzip: boolean): Uint8Array {
  const bytes = new TextEncoder().encode(serializeSnapshot(s, format));
  return gzip ? gzipSync(bytes) : bytes;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await fsp.stat(path)).isDirectory();
  } catch {
    return false;
  }
}

function systemReason(err: unknown, shownDir: string): string {
  if ((err as { code?: unknown }).code === "ENOENT") return `folder ${shownDir} does not exist`;
  return errnoText(err);
}

/**
 * Writes `data` to a temporary file in `dir` and publishes it under the first free name that
 * `nameAt(0, 1, …)` offers (or replaces the only one with `force`); returns the name used.
 */
async function publish(
  data: Uint8Array,
  dir: string,
  shownDir: string,
  nameAt: (i: number) => string | undefined,
  force: boolean,
  noun: string,
): Promise<string> {
  const shown = (name: string) => (shownDir === "." ? name : join(shownDir, name));
  const first = nameAt(0)!;
  // A single name that is taken or a link is refused before anything is written.
  if (nameAt(1) === undefined) await checkTarget(join(dir, first), shown(first), force, noun);

  const tmp = join(dir, `.${first}.${pid()}.${Math.random().toString(36).slice(2, 10)}.tmp`);
  let tmpExists = false;
  const removeTmp = () => {
    untrack(tmp);
    if (!tmpExists) return;
    tmpExists = false;
    try {
      unlinkSync(tmp);
    } catch { /* already gone */ }
  };
  track(tmp);
  let current = first;
  try {
    try {
      const fh = await fsp.open(tmp, "wx", 0o600);
      tmpExists = true;
      try {
        await fh.writeFile(data);
        await fh.sync();
      } finally {
        await fh.close();
      }
    } catch (err) {
      throw new InputError(`Cannot write ${noun} ${shown(first)}: ${systemReason(err, shownDir)}`);
    }
    for (let i = 0, name = nameAt(0); name !== undefined; name = nameAt(++i)) {
      current = name;
      const target = join(dir, name);
      if (force) {
        await checkTarget(target, shown(name), true, noun);
        await fsp.rename(tmp, target);
        tmpExists = false;
        await syncDir(dir);
        return name;
      }
      if (await linkNoClobber(tmp, target)) {
        removeTmp();
        await syncDir(dir);
        return name;
      }
    }
    throw new InputError(
      `Cannot write ${noun} ${shown(current)}: file exists (use --force to replace it)`,
    );
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`Cannot write ${noun} ${shown(current)}: ${systemReason(err, shownDir)}`);
  } finally {
    removeTmp();
  }
}

/** Temporary files being written now; SIGINT/SIGTERM removes them before the process ends. */
const pending = new Set<string>();
let stopWatching: (() => void) | undefined;

function track(tmp: string): void {
  pending.add(tmp);
  stopWatching ??= onTerminate((signal) => {
    for (const t of pending) {
      try {
        unlinkSync(t);
      } catch { /* already gone */ }
    }
    exit(signal === "SIGINT" ? 130 : 143);
  });
}

function untrack(tmp: string): void {
  pending.delete(tmp);
  if (pending.size === 0 && stopWatching) {
    stopWatching();
    stopWatching = undefined;
  }
}

/** Refuses a symbolic link always, and an existing file unless `force`. */
async function checkTarget(
  path: string,
  shown: string,
  force: boolean,
  noun: string,
): Promise<void> {
  let st;
  try {
    st = await fsp.lstat(path);
  } catch {
    return; // free (or unreachable, which the write itself will report)
  }
  if (st.isSymbolicLink()) {
    throw new InputError(
      `Cannot write ${noun} ${shown}: it is a symbolic link (refusing to write through it)`,
    );
  }
  if (st.isDirectory()) throw new InputError(`Cannot write ${noun} ${shown}: is a directory`);
  if (!force) {
    throw new InputError(`Cannot write ${noun} ${shown}: file exists (use --force to replace it)`);
  }
}

/** Publishes `tmp` as `target` unless `target` exists; false when the name is taken. */
async function linkNoClobber(tmp: string, target: string): Promise<boolean> {
  try {
    await fsp.link(tmp, target);
    return true;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "EEXIST") return false;
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "ENOSYS" && code !== "EOPNOTSUPP") {
      throw err;
    }
  }
  // No hard links on this file system: claim the name exclusively, then rename over the claim.
  try {
    await (await fsp.open(target, "wx", 0o600)).close();
  } catch (err) {
    if ((err as { code?: string }).code === "EEXIST") return false;
    throw err;
  }
  await fsp.rename(tmp, target);
  return true;
}

/** Makes the new directory entry durable; best effort (not every platform can open a folder). */
async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await fsp.open(dir, "r");
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch { /* durability of the entry is a bonus, not a requirement */ }
}

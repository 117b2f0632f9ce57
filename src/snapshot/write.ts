/**
 * Writing snapshots: to a file (atomically, mode 0600, never over an existing file without
 * `force`, never through a symbolic link, never onto a device, FIFO or socket), into a folder
 * under a generated name, or to stdout (`-`).
 *
 * How a file is published: the text goes to a temporary file created exclusively (O_EXCL, 0600) in
 * the destination folder under a short name (`.nsnap-<12 hex>.tmp`, so that any name the file
 * system allows for the snapshot is allowed for its temporary file too) and is synced; then
 * `link(temp, final)` publishes it, which fails if the name is taken (so two writers can never
 * clobber each other), and the temporary name is removed. With `force`, `rename(temp, final)`
 * replaces the old file in one step. Any failure removes the temporary file. A folder created for
 * `-o DIR/` (or the default ./snapshots/) is 0700 whatever the umask.
 *
 * This module installs no signal handler and never exits: a caller that wants the temporary file
 * removed when a signal ends the process passes `tempFiles` (the CLI does, see cli/signals.ts).
 *
 * The snapshot is written as given: callers normalise it first (`normalizeSnapshot`).
 */
import { promises as fsp } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { errnoText, InputError, UsageError } from "../errors.ts";
import type { Snapshot } from "../model.ts";
import { randomHex, writeStdout, zlib } from "../runtime/process.ts";
import { escapeText } from "../util/escape.ts";
import { specialKind } from "../util/read_bounded.ts";
import {
  serializeSnapshot,
  serializeSnapshotBytes,
  serializeSnapshotPieces,
  type SnapshotFormat,
} from "./serialize.ts";

/** Someone who removes temporary files if the process is ended while they exist. */
export interface TempFileTracker {
  /** A temporary file now exists at `path`. */
  add(path: string): void;
  /** It is gone (published or removed). */
  delete(path: string): void;
}

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
  /** Told about each temporary file while it exists (for cleanup on a signal). */
  tempFiles?: TempFileTracker;
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

/** A host name as it starts generated file names: only `A-Za-z0-9._-`, no leading dot. */
export function hostFileStem(hostname: string): string {
  return hostname.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^\.+/, "") || "host";
}

/** The generated file name, without extension: `<hostname>-<UTC timestamp>`. */
function generatedStem(s: Snapshot): string {
  return `${hostFileStem(s.meta.host.hostname)}-${fileTimestamp(s.meta.capturedAt)}`;
}

/** The parts of a name that `writeSnapshot()` generates into a folder. */
export interface GeneratedName {
  /** The host part (`hostFileStem()`). */
  host: string;
  /** The UTC timestamp part, `20261125T150812.345Z`: sorts as the capture time does. */
  timestamp: string;
  /** The number of a name that was taken (`-2` … `-10000`), 1 for none. */
  copy: number;
  format: SnapshotFormat;
}

const GENERATED = /^(.+)-(\d{8}T\d{6}\.\d{3}Z)(?:-(\d{1,5}))?\.(json|yaml)$/;

/**
 * Reads a file name as one `writeSnapshot()` generates (`<host>-<UTC time>[-n].json|.yaml`);
 * undefined for any other name. Rotation removes only files named so.
 *
 * @example
 * ```ts
 * import { parseGeneratedName } from "./write.ts";
 * parseGeneratedName("web-1-20261125T150812.345Z-2.json");
 * // { host: "web-1", timestamp: "20261125T150812.345Z", copy: 2, format: "json" }
 * parseGeneratedName("notes.json"); // undefined
 * ```
 */
export function parseGeneratedName(name: string): GeneratedName | undefined {
  const m = GENERATED.exec(name);
  if (!m || m[1]!.startsWith(".")) return undefined;
  const copy = m[3] === undefined ? 1 : Number(m[3]);
  if (m[3] !== undefined && (copy < 2 || copy > 10_000 || m[3].startsWith("0"))) return undefined;
  return { host: m[1]!, timestamp: m[2]!, copy, format: m[4] as SnapshotFormat };
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

  const tracker = opts.tempFiles;
  if (file === undefined) {
    // A generated name in a folder, created if missing; a taken name gets a numbered suffix.
    const format = opts.format ?? "json";
    await makeFolder(dir, shownDir, output ?? `${DEFAULT_SNAPSHOT_DIR}/`);
    const stem = generatedStem(snapshot);
    const data = content(snapshot, format, false);
    const ext = format === "yaml" ? ".yaml" : ".json";
    const nameAt = (i: number) =>
      i === 0 ? `${stem}${ext}` : i < 10_000 ? `${stem}-${i + 1}${ext}` : undefined;
    const name = await publish(data, dir, shownDir, nameAt, false, "snapshot", tracker);
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
  const data = content(snapshot, format, named.gzip);
  await publish(data, dir, shownDir, only, opts.force ?? false, "snapshot", tracker);
  return output!;
}

/**
 * Writes other output (an HTML report) the way snapshots are written: atomically, mode 0600,
 * never over an existing file without `force`, never through a symbolic link, never onto a
 * device, FIFO or socket. `noun` names the thing in error messages ("Cannot write report r.html:
 * file exists …").
 */
export async function writeFileSafely(
  output: string,
  data: Uint8Array,
  opts: { force?: boolean; noun: string; cwd?: string; tempFiles?: TempFileTracker },
): Promise<void> {
  const shownDir = dirname(output);
  const file = basename(output);
  const only = (i: number) => (i === 0 ? file : undefined);
  const dir = resolve(opts.cwd ?? ".", shownDir);
  await publish(data, dir, shownDir, only, opts.force ?? false, opts.noun, opts.tempFiles);
}

/**
 * What a file gets: the gzipped bytes, or the text as pieces that are encoded and written one
 * after the other (a 100k-socket snapshot's text then never exists whole).
 */
function content(
  s: Snapshot,
  format: SnapshotFormat,
  gzip: boolean,
): Uint8Array | Iterable<string> {
  return gzip
    ? zlib().gzipSync(serializeSnapshotBytes(s, format))
    : serializeSnapshotPieces(s, format);
}

/** Writes bytes, or text pieces encoded into one reused buffer, to an open file. */
async function writeContent(
  fh: { write(b: Uint8Array, off: number, len: number): Promise<unknown> },
  data: Uint8Array | Iterable<string>,
): Promise<void> {
  if (data instanceof Uint8Array) {
    for (let at = 0; at < data.length;) {
      const r = await fh.write(data, at, data.length - at) as { bytesWritten: number };
      at += r.bytesWritten;
    }
    return;
  }
  const encoder = new TextEncoder();
  let buf = new Uint8Array(1 << 20);
  // Small pieces gather in the buffer: one write per MiB, not one per piece.
  let used = 0;
  for (const piece of data) {
    if (used + piece.length * 3 > buf.length) {
      if (used > 0) await writeContent(fh, buf.subarray(0, used));
      used = 0;
      if (piece.length * 3 > buf.length) buf = new Uint8Array(piece.length * 3);
    }
    used += encoder.encodeInto(piece, buf.subarray(used)).written;
  }
  if (used > 0) await writeContent(fh, buf.subarray(0, used));
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await fsp.stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Creates the folder (and missing parents) as 0700, or says in words why it cannot. */
async function makeFolder(dir: string, shownDir: string, asGiven: string): Promise<void> {
  try {
    await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    const code = (err as { code?: string }).code;
    const why = code === "EEXIST"
      ? `${escapeText(shownDir)} is a file, not a folder`
      : code === "ENOTDIR"
      ? "a part of the path is a file, not a folder"
      : systemReason(err, shownDir);
    throw new InputError(`Cannot write snapshot into ${escapeText(asGiven)}: ${why}`);
  }
}

function systemReason(err: unknown, shownDir: string): string {
  if ((err as { code?: string }).code === "ENOENT") {
    return `folder ${escapeText(shownDir)} does not exist`;
  }
  return errnoText(err);
}

/**
 * Writes `data` to a temporary file in `dir` and publishes it under the first free name that
 * `nameAt(0, 1, …)` offers (or replaces the only one with `force`); returns the name used.
 */
async function publish(
  data: Uint8Array | Iterable<string>,
  dir: string,
  shownDir: string,
  nameAt: (i: number) => string | undefined,
  force: boolean,
  noun: string,
  tracker: TempFileTracker | undefined,
): Promise<string> {
  const shown = (name: string) => escapeText(shownDir === "." ? name : join(shownDir, name));
  const first = nameAt(0)!;
  // A single name that is taken, a link or a special file is refused before anything is written.
  if (nameAt(1) === undefined) await checkTarget(join(dir, first), shown(first), force, noun);

  const tmp = join(dir, `.nsnap-${randomHex(6)}.tmp`);
  let tmpExists = false;
  const removeTmp = async () => {
    if (tmpExists) {
      tmpExists = false;
      try {
        await fsp.unlink(tmp);
      } catch { /* already gone */ }
    }
    tracker?.delete(tmp);
  };
  let current = first;
  try {
    try {
      // Tracked before it exists, so that a signal in between still finds it.
      tracker?.add(tmp);
      const fh = await fsp.open(tmp, "wx", 0o600);
      tmpExists = true;
      try {
        await writeContent(fh, data);
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
        await removeTmp();
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
    await removeTmp();
  }
}

/**
 * Refuses a symbolic link, a folder and a special file (device, FIFO, socket: replacing
 * /dev/null with a file would break every program that writes to it) always, and an existing
 * file unless `force`.
 */
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
  const special = specialKind(st);
  if (special !== undefined) {
    throw new InputError(
      `Cannot write ${noun} ${shown}: it is ${special}, not a regular file (use -o - to write to standard output)`,
    );
  }
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

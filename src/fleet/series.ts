/**
 * A series: one host's snapshots in one folder, in capture order. `nsnap diff DIR` (a timeline)
 * and `nsnap report DIR` (the series page) both read a folder through here, so they see the
 * same files in the same order and refuse the same folders.
 *
 * Decisions:
 * - The snapshot files directly in the folder (`*.json`, `*.yaml`, `*.yml`, each optionally
 *   `.gz`; names starting with a dot skipped, as `ls` does), not below it: a periodic run's
 *   folder. Subfolders are a fleet's layout (`nsnap diff BEFORE AFTER`).
 * - Order: capture time (`meta.capturedAt`), then file name. Each file's meta is peeked at
 *   (peek.ts) without loading its sockets; a file the peek cannot read is read whole, so a bad
 *   file is refused in the reader's words before any work is done.
 * - One host: snapshots are the same host when their machine ids match, or, where either has
 *   none, their host names. A folder of several hosts is refused, naming them.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { errnoText, InputError } from "../errors.ts";
import type { Meta } from "../model.ts";
import { readSnapshot } from "../snapshot/read.ts";
import { formatFromName } from "../snapshot/write.ts";
import { escapeText } from "../util/escape.ts";
import { regularFiles } from "../util/read_bounded.ts";
import { peekHead } from "./peek.ts";

/**
 * The snapshot files directly in a folder, by name (subfolders are not read). One named like a
 * snapshot that is not a regular file (a FIFO, a link to a device) is never opened: a warning
 * naming it is pushed to `warnings`.
 */
export function snapshotFilesIn(dir: string, warnings: string[] = []): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (err) {
    throw new InputError(`Cannot read folder ${escapeText(dir)}: ${errnoText(err)}`);
  }
  return regularFiles(
    names
      .filter((n) => !n.startsWith(".") && formatFromName(n).format !== undefined)
      .map((n) => join(dir, n)),
    warnings,
  );
}

/** One file of a series, as ordering found it. */
export interface SeriesFile {
  file: string;
  capturedAt: string;
  hostname: string;
  machineId?: string;
}

/** The meta of a file: peeked at, else read whole (which reports a bad file in its words). */
async function metaOf(file: string, maxBytes: number | undefined): Promise<Meta> {
  const head = await peekHead(file);
  if (head !== undefined) return head.meta;
  return (await readSnapshot(file, maxBytes === undefined ? {} : { maxBytes })).meta;
}

/** The hosts of a series, for the refusal: "web-1, web-2" (machine ids where names repeat). */
function hostList(files: readonly SeriesFile[]): string[] {
  const seen = new Map<string, SeriesFile>();
  for (const f of files) seen.set(`${f.machineId ?? ""}\0${f.hostname}`, f);
  const names = [...seen.values()];
  const dup = (n: string) => names.filter((x) => x.hostname === n).length > 1;
  return names.map((f) =>
    escapeText(
      dup(f.hostname) && f.machineId
        ? `${f.hostname} (machine ${f.machineId.slice(0, 8)})`
        : f.hostname,
    )
  );
}

/** True when two files are the same host: machine ids when both have one, else host names. */
function sameHost(a: SeriesFile, b: SeriesFile): boolean {
  if (a.machineId !== undefined && b.machineId !== undefined) return a.machineId === b.machineId;
  return a.hostname === b.hostname;
}

/**
 * Orders `files` by capture time and checks they are one host's; `what` names them in errors
 * ("folder incident/"), `purpose` says what needs one host ("a timeline").
 * @throws InputError for a file that cannot be read, a capture time that is not one, or
 *   snapshots of several hosts.
 */
export async function orderSeries(
  files: readonly string[],
  opts: { what: string; purpose: string; verb: string; maxBytes?: number },
): Promise<SeriesFile[]> {
  const seen: Array<SeriesFile & { t: number }> = [];
  for (const file of files) {
    const meta = await metaOf(file, opts.maxBytes);
    const t = Date.parse(meta.capturedAt);
    if (!Number.isFinite(t)) {
      throw new InputError(
        `Cannot order snapshot ${escapeText(file)}: its capture time ${
          JSON.stringify(meta.capturedAt)
        } is not a time`,
      );
    }
    const f: SeriesFile & { t: number } = {
      file,
      t,
      capturedAt: meta.capturedAt,
      hostname: meta.host.hostname,
    };
    if (meta.host.machineId !== undefined) f.machineId = meta.host.machineId;
    seen.push(f);
  }
  const first = seen[0];
  if (first !== undefined && seen.some((f) => !sameHost(first, f))) {
    const hosts = hostList(seen);
    const shown = hosts.slice(0, 5).join(", ") + (hosts.length > 5 ? ", …" : "");
    throw new InputError(
      `Cannot ${opts.verb} ${opts.what}: it holds snapshots of ${hosts.length} hosts (${shown}); ${opts.purpose} needs one host's snapshots`,
    );
  }
  seen.sort((a, b) => a.t - b.t || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return seen.map(({ t: _t, ...f }) => f);
}

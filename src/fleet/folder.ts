/**
 * Reading a fleet folder: every snapshot file below it (scan.ts), each known by what a peek at
 * its `meta` says (peek.ts). A file the peek cannot read is loaded whole once, its `meta` kept
 * and the rest dropped, so that a bad file is reported in the reader's words before anything is
 * compared.
 */
import { join } from "node:path";
import type { Meta } from "../model.ts";
import { readSnapshot } from "../snapshot/read.ts";
import type { FleetSource } from "./mod.ts";
import type { Member } from "./pair.ts";
import { peekHead } from "./peek.ts";
import { listSnapshotFiles } from "./scan.ts";

/** How to read a folder's snapshots. */
export interface FolderOptions {
  /** Size limit per snapshot (bytes), as `--max-size`. */
  maxBytes?: number;
}

function member(folder: string, rel: string, meta: Meta): Member {
  return {
    rel,
    file: join(folder, rel),
    hostname: meta.host.hostname,
    machineId: meta.host.machineId,
    labels: meta.labels,
    capturedAt: meta.capturedAt,
  };
}

/** Finds a folder's snapshots and reads who each one is. */
export async function readFleetFolder(
  folder: string,
  opts: FolderOptions = {},
): Promise<FleetSource> {
  const members: Member[] = [];
  const warnings: string[] = [];
  for (const rel of listSnapshotFiles(folder, warnings)) {
    const file = join(folder, rel);
    const head = await peekHead(file);
    const meta = head?.meta ?? (await readSnapshot(file, readOptions(opts))).meta;
    members.push(member(folder, rel, meta));
  }
  return { folder, members, warnings };
}

function readOptions(opts: FolderOptions) {
  return opts.maxBytes === undefined ? {} : { maxBytes: opts.maxBytes };
}

/** Loads a member's whole snapshot. */
export function loadMember(m: Member, opts: FolderOptions = {}) {
  return readSnapshot(m.file, readOptions(opts));
}

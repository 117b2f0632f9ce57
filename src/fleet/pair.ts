/**
 * Pairing a fleet's snapshots: which snapshot of the BEFORE folder and which of the AFTER folder
 * are the same host. Pure: works on what a peek read from each file's `meta`.
 *
 * The rule (`--pair-by auto`, the default), in three rounds, each over what is still unpaired:
 *   1. the same machine id (`meta.host.machineId`);
 *   2. the same hostname, where at least one of the two has no machine id (two different machine
 *      ids are two different hosts, whatever their names);
 *   3. the same relative path without its extension (`web-1.json` ~ `web-1.yaml.gz`), where the
 *      two are not told apart by machine ids or identifying hostnames.
 * A hostname identifies a host unless it is empty, `localhost`, `localhost.localdomain` or
 * `imported` (what `nsnap import` records without `--hostname`).
 *
 * Two snapshots of one folder that this rule takes for the same host are an error naming both,
 * and so is a snapshot that could pair with two others: nothing is guessed. Everything left
 * unpaired is returned — a host that vanished (BEFORE only) or appeared (AFTER only).
 *
 * `--pair-by machine-id|hostname|path|label:KEY` uses that one key instead; a snapshot without
 * it is an error.
 */
import { InputError, UsageError } from "../errors.ts";
import { pathKey } from "./scan.ts";

/** One snapshot of a fleet folder, as far as pairing needs it. */
export interface Member {
  /** Path relative to its folder, `/`-separated. */
  rel: string;
  /** Path for messages and documents (the folder joined with `rel`). */
  file: string;
  hostname: string;
  machineId?: string | undefined;
  labels: Readonly<Record<string, string>>;
  capturedAt: string;
}

/** How snapshots are paired. */
export type PairBy = "auto" | "machine-id" | "hostname" | "path" | `label:${string}`;

/** What made a pair. */
export type PairedBy = "machine-id" | "hostname" | "path" | "label";

/** One host: its snapshot before and after. */
export interface Pair {
  before: Member;
  after: Member;
  by: PairedBy;
}

/** The outcome: pairs, and the snapshots of each folder that have no partner. */
export interface Pairing {
  pairs: Pair[];
  /** In BEFORE only: hosts that vanished. */
  vanished: Member[];
  /** In AFTER only: hosts that appeared. */
  appeared: Member[];
}

const ANONYMOUS = new Set(["", "localhost", "localhost.localdomain", "imported"]);

/** True when a hostname can tell hosts apart (see the module comment). */
export function identifyingHostname(hostname: string): boolean {
  return !ANONYMOUS.has(hostname.toLowerCase());
}

/**
 * Reads a `--pair-by` value.
 * @throws UsageError for anything but auto, machine-id, hostname, path or label:KEY.
 */
export function parsePairBy(text: string): PairBy {
  if (["auto", "machine-id", "hostname", "path"].includes(text)) return text as PairBy;
  if (/^label:.+$/.test(text)) return text as PairBy;
  throw new UsageError(
    `Cannot use --pair-by ${
      JSON.stringify(text)
    }: expected auto, machine-id, hostname, path or label:KEY`,
  );
}

/** A short description of a member for messages: its file and what identifies it. */
function described(m: Member): string {
  const id = m.machineId !== undefined ? `, machine id ${m.machineId}` : "";
  return `${m.file} (host ${JSON.stringify(m.hostname)}${id})`;
}

function duplicate(a: Member, b: Member, why: string): InputError {
  return new InputError(
    `Cannot pair the fleet's snapshots: ${a.file} and ${b.file} are the same host (${why}); ` +
      `keep one snapshot per host in each folder`,
  );
}

/** The one key of a `--pair-by` other than auto; throws when a member lacks it. */
function singleKey(m: Member, by: Exclude<PairBy, "auto">): string {
  if (by === "path") return pathKey(m.rel);
  if (by === "hostname") return m.hostname;
  if (by === "machine-id") {
    if (m.machineId === undefined) {
      throw new InputError(
        `Cannot pair ${m.file} by machine id: it has none (captured by an older nsnap, or ` +
          `/etc/machine-id unreadable); use --pair-by auto or hostname`,
      );
    }
    return m.machineId;
  }
  const label = by.slice("label:".length);
  const v = m.labels[label];
  if (v === undefined) {
    throw new InputError(`Cannot pair ${m.file} by label ${label}: it has no such label`);
  }
  return v;
}

function pairBySingleKey(
  before: readonly Member[],
  after: readonly Member[],
  by: Exclude<PairBy, "auto">,
): Pairing {
  const what = by === "path" ? "same path" : by.startsWith("label:") ? `same ${by}` : `same ${by}`;
  const index = (ms: readonly Member[]) => {
    const m = new Map<string, Member>();
    for (const x of ms) {
      const k = singleKey(x, by);
      const other = m.get(k);
      if (other) throw duplicate(other, x, `${what} ${JSON.stringify(k)}`);
      m.set(k, x);
    }
    return m;
  };
  const a = index(before), b = index(after);
  const pairs: Pair[] = [];
  const paired = new Set<Member>();
  const pairedBy: PairedBy = by.startsWith("label:") ? "label" : by as PairedBy;
  for (const [k, x] of a) {
    const y = b.get(k);
    if (y) {
      pairs.push({ before: x, after: y, by: pairedBy });
      paired.add(x).add(y);
    }
  }
  return {
    pairs,
    vanished: before.filter((m) => !paired.has(m)),
    appeared: after.filter((m) => !paired.has(m)),
  };
}

/** True when the auto rule takes two snapshots for the same host. */
function sameHost(a: Member, b: Member): string | undefined {
  if (a.machineId !== undefined && b.machineId !== undefined) {
    return a.machineId === b.machineId ? `same machine id ${a.machineId}` : undefined;
  }
  const ha = identifyingHostname(a.hostname), hb = identifyingHostname(b.hostname);
  if (ha && hb) {
    return a.hostname === b.hostname
      ? `same hostname ${JSON.stringify(a.hostname)}, and ${
        a.machineId === undefined ? a.file : b.file
      } has no machine id`
      : undefined;
  }
  if (ha || hb) return undefined;
  return pathKey(a.rel) === pathKey(b.rel)
    ? `same path ${pathKey(a.rel)}, no other identity`
    : undefined;
}

/** Refuses two snapshots of one folder that are the same host; linear in the folder's size. */
function checkFolder(members: readonly Member[]): void {
  const byId = new Map<string, Member>(), byName = new Map<string, Member[]>();
  const byPath = new Map<string, Member>();
  for (const m of members) {
    if (m.machineId !== undefined) {
      const o = byId.get(m.machineId);
      if (o) throw duplicate(o, m, sameHost(o, m)!);
      byId.set(m.machineId, m);
    }
    if (identifyingHostname(m.hostname)) {
      const list = byName.get(m.hostname);
      if (list) {
        // Same name: fine only when both have (different) machine ids.
        const o = list.find((x) => sameHost(x, m) !== undefined);
        if (o) throw duplicate(o, m, sameHost(o, m)!);
        list.push(m);
      } else byName.set(m.hostname, [m]);
    } else if (m.machineId === undefined) {
      const k = pathKey(m.rel);
      const o = byPath.get(k);
      if (o) throw duplicate(o, m, sameHost(o, m)!);
      byPath.set(k, m);
    }
  }
}

/**
 * Pairs the snapshots of two folders (see the module comment for the rule). The result does
 * not depend on the order of the inputs: pairs come sorted by the after snapshot's path,
 * unpaired snapshots by their own.
 * @throws InputError when one folder holds two snapshots of one host, or a pairing is ambiguous.
 *
 * @example
 * ```ts
 * import { pairMembers } from "./pair.ts";
 * const m = (rel: string, hostname: string, machineId?: string) =>
 *   ({ rel, file: rel, hostname, machineId, labels: {}, capturedAt: "" });
 * const p = pairMembers([m("a/web-1.json", "web-1", "1")], [m("b/x.json", "web-1b", "1")]);
 * console.log(p.pairs[0]?.by); // "machine-id"
 * ```
 */
export function pairMembers(
  before: readonly Member[],
  after: readonly Member[],
  by: PairBy = "auto",
): Pairing {
  const sortRel = (ms: readonly Member[]) =>
    [...ms].sort((x, y) => (x.rel < y.rel ? -1 : x.rel > y.rel ? 1 : 0));
  const a = sortRel(before), b = sortRel(after);
  if (by !== "auto") return sorted(pairBySingleKey(a, b, by));
  checkFolder(a);
  checkFolder(b);
  const pairs: Pair[] = [];
  const paired = new Set<Member>();
  const round = (
    keyOf: (m: Member) => string | undefined,
    compatible: (x: Member, y: Member) => boolean,
    pairedBy: PairedBy,
  ) => {
    const index = (ms: readonly Member[]) => {
      const idx = new Map<string, Member[]>();
      for (const m of ms) {
        if (paired.has(m)) continue;
        const k = keyOf(m);
        if (k === undefined) continue;
        const l = idx.get(k);
        if (l) l.push(m);
        else idx.set(k, [m]);
      }
      return idx;
    };
    const ia = index(a), ib = index(b);
    for (const [k, xs] of ia) {
      const ys = ib.get(k);
      if (!ys) continue;
      for (const x of xs) {
        const fits = ys.filter((y) => !paired.has(y) && compatible(x, y));
        if (fits.length === 0) continue;
        const rivals = xs.filter((o) => o !== x && !paired.has(o) && compatible(o, fits[0]!));
        if (fits.length > 1 || rivals.length > 0) {
          const [p, q] = fits.length > 1 ? [fits[0]!, fits[1]!] : [x, rivals[0]!];
          const target = fits.length > 1 ? x : fits[0]!;
          throw new InputError(
            `Cannot pair ${described(target)}: it could be the same host as ${described(p)} ` +
              `or ${
                described(q)
              }; give each host a machine id or a distinct hostname, or use --pair-by`,
          );
        }
        pairs.push({ before: x, after: fits[0]!, by: pairedBy });
        paired.add(x).add(fits[0]!);
      }
    }
  };
  round((m) => m.machineId, () => true, "machine-id");
  round(
    (m) => (identifyingHostname(m.hostname) ? m.hostname : undefined),
    (x, y) => x.machineId === undefined || y.machineId === undefined,
    "hostname",
  );
  round(
    (m) => pathKey(m.rel),
    (x, y) =>
      !(x.machineId !== undefined && y.machineId !== undefined) &&
      !(identifyingHostname(x.hostname) && identifyingHostname(y.hostname)),
    "path",
  );
  return sorted({
    pairs,
    vanished: a.filter((m) => !paired.has(m)),
    appeared: b.filter((m) => !paired.has(m)),
  });
}

function sorted(p: Pairing): Pairing {
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return {
    pairs: [...p.pairs].sort((x, y) => cmp(x.after.rel, y.after.rel)),
    vanished: [...p.vanished].sort((x, y) => cmp(x.rel, y.rel)),
    appeared: [...p.appeared].sort((x, y) => cmp(x.rel, y.rel)),
  };
}

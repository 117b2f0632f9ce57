/**
 * The fleet diff engine: given two folders' snapshots, paired (pair.ts), it loads and compares
 * one host at a time, hands each host's full diff to `onHost` (which may write it out and drop
 * it), rolls the changes up (rollup.ts) and returns everything else of the `nsnap-fleet-diff/v1`
 * document. Memory: the two snapshots of the host being compared, plus the roll-up.
 *
 * @example
 * ```ts
 * import { diffFleet, type FleetSource } from "./mod.ts";
 * import { pairMembers } from "./pair.ts";
 * import { readSnapshot } from "../snapshot/read.ts";
 * declare const before: FleetSource, after: FleetSource;
 * const pairing = pairMembers(before.members, after.members);
 * const report = await diffFleet(before, after, pairing, (m) => readSnapshot(m.file), {});
 * console.log(report.head.summary.changedHosts, report.head.rollup[0]?.summary);
 * ```
 */
import type { Snapshot } from "../model.ts";
import { type DiffOptions, diffSnapshots } from "../diff/mod.ts";
import type { DiffDocument } from "../diff/types.ts";
import { ALL_KINDS, gateTrips, parseGate } from "../diff/kinds.ts";
import { naturalCompare, uniqueNames } from "./names.ts";
import type { Member, PairBy, Pairing } from "./pair.ts";
import { DEFAULT_OUTLIER_SHARE, FleetRollup, outlierMaxHosts } from "./rollup.ts";
import { ownAddresses } from "./scope.ts";
import {
  FLEET_DIFF_SCHEMA_ID,
  type FleetGate,
  type FleetHead,
  type HostEntry,
  type SnapshotRef,
  type UnpairedHost,
} from "./schema.ts";

export * from "./schema.ts";
export {
  type Member,
  type Pair,
  type PairBy,
  type Pairing,
  pairMembers,
  parsePairBy,
} from "./pair.ts";
export { DEFAULT_OUTLIER_SHARE, isOutlier, outlierMaxHosts } from "./rollup.ts";

/**
 * Kinds `--fail-on` takes for folders only: a host missing from one side, and `outlier` (a
 * roll-up line seen on a small minority of hosts).
 */
export const FLEET_KINDS = ["host-vanished", "host-appeared", "outlier"] as const;

/** A kind of `FLEET_KINDS`. */
export type FleetKind = typeof FLEET_KINDS[number];

/** One folder of a fleet diff: its path and its snapshots. */
export interface FleetSource {
  folder: string;
  members: Member[];
  /** What reading the folder warned of (a member skipped: not a regular file). */
  warnings?: string[];
}

/** How to compare the fleet: the per-host diff options, and the fleet's own. */
export interface FleetDiffOptions extends Omit<DiffOptions, "beforeFile" | "afterFile"> {
  /** How the snapshots were paired (recorded in the document). */
  pairBy?: PairBy;
  /** Share of hosts at or below which a change is an outlier (default 0.1). */
  outlierShare?: number;
  /** `--fail-on`: kind entries (kinds, globs over kinds, `notable`) and fleet kinds. */
  failOn?: readonly string[];
}

/** One host's line in a text report: counts only. */
export interface HostLine {
  name: string;
  pairedBy: HostEntry["pairedBy"];
  total: number;
  notable: number;
  bySection: DiffDocument["summary"]["bySection"];
}

/** What `diffFleet` returns: the document without its hosts, and each host's counts. */
export interface FleetReport {
  head: FleetHead;
  hosts: HostLine[];
}

function ref(m: Member): SnapshotRef {
  const r: SnapshotRef = {
    file: m.file,
    hostname: m.hostname,
    capturedAt: m.capturedAt,
    labels: { ...m.labels },
  };
  if (m.machineId !== undefined) r.machineId = m.machineId;
  return r;
}

/**
 * Compares every paired host, one at a time, in report order (natural order of their names).
 * `load` reads a member's snapshot; `onHost` receives each host's entry with its full diff.
 */
export async function diffFleet(
  before: FleetSource,
  after: FleetSource,
  pairing: Pairing,
  load: (m: Member) => Promise<Snapshot>,
  opts: FleetDiffOptions,
  onHost: (entry: HostEntry) => void | Promise<void> = () => {},
): Promise<FleetReport> {
  const allNames = uniqueNames([
    ...pairing.pairs.map((p) => p.after),
    ...pairing.vanished,
    ...pairing.appeared,
  ]);
  const np = pairing.pairs.length, nv = pairing.vanished.length;
  const byName = <T>(items: readonly T[], offset: number) =>
    items.map((item, i) => ({ item, name: allNames[offset + i]! }))
      .sort((a, b) => naturalCompare(a.name, b.name));
  const pairs = byName(pairing.pairs, 0);
  const vanished: UnpairedHost[] = byName(pairing.vanished, np)
    .map(({ item, name }) => ({ name, snapshot: ref(item) }));
  const appeared: UnpairedHost[] = byName(pairing.appeared, np + nv)
    .map(({ item, name }) => ({ name, snapshot: ref(item) }));

  const share = opts.outlierShare ?? DEFAULT_OUTLIER_SHARE;
  const rollup = new FleetRollup(pairs.map((p) => p.name), share);
  const failOn = new Set<string>(opts.failOn ?? []);
  const gate = parseGate(
    [...failOn].filter((k) => !(FLEET_KINDS as readonly string[]).includes(k)),
  );
  const gateHosts: string[] = [], gateKinds = new Set<string>();
  const warnings: string[] = [...(before.warnings ?? []), ...(after.warnings ?? [])];
  const lines: HostLine[] = [];
  const byKind: Record<string, number> = {};
  let changes = 0, notable = 0, changedHosts = 0;
  const diffOpts: DiffOptions = {};
  if (opts.only) diffOpts.only = opts.only;
  if (opts.detail !== undefined) diffOpts.detail = opts.detail;
  if (opts.ignore) diffOpts.ignore = opts.ignore;

  for (let i = 0; i < pairs.length; i++) {
    const { item: pair, name } = pairs[i]!;
    // One host at a time: its two snapshots are dropped before the next host is read.
    let a: Snapshot | undefined = await load(pair.before);
    let b: Snapshot | undefined = await load(pair.after);
    const doc = diffSnapshots(a, b, {
      ...diffOpts,
      beforeFile: pair.before.file,
      afterFile: pair.after.file,
    });
    const ctx = { before: ownAddresses(a.interfaces), after: ownAddresses(b.interfaces) };
    a = b = undefined;
    rollup.add(i, doc, ctx);
    for (const w of doc.warnings) warnings.push(`${name}: ${w}`);
    const s = doc.summary;
    changes += s.total;
    notable += s.notable;
    if (s.total > 0) changedHosts++;
    for (const [k, v] of Object.entries(s.byKind)) byKind[k] = (byKind[k] ?? 0) + v;
    const hit = doc.changes.filter((c) => gateTrips(gate, c));
    if (hit.length > 0) {
      gateHosts.push(name);
      for (const c of hit) gateKinds.add(c.kind);
    }
    lines.push({
      name,
      pairedBy: pair.by,
      total: s.total,
      notable: s.notable,
      bySection: s.bySection,
    });
    await onHost({
      name,
      pairedBy: pair.by,
      before: ref(pair.before),
      after: ref(pair.after),
      diff: doc,
    });
  }
  for (const [kind, list] of [["host-vanished", vanished], ["host-appeared", appeared]] as const) {
    if (failOn.has(kind) && list.length > 0) {
      gateKinds.add(kind);
      for (const h of list) gateHosts.push(h.name);
    }
  }

  const { rollup: lines_, tallies } = rollup.finish();
  // Outliers are notable: `outlier` and `notable` both trip on them, naming their hosts.
  const byOutlier = failOn.has("outlier"), byNotable = gate.entries.some((e) => e.notable);
  for (const line of lines_) {
    if (!line.outlier || !(byOutlier || byNotable)) continue;
    gateKinds.add(byOutlier ? "outlier" : line.kind);
    gateHosts.push(...line.hosts);
  }
  const head: FleetHead = {
    schema: FLEET_DIFF_SCHEMA_ID,
    before: { folder: before.folder, snapshots: before.members.length },
    after: { folder: after.folder, snapshots: after.members.length },
    pairBy: opts.pairBy ?? "auto",
    outlierShare: share,
    outlierMaxHosts: outlierMaxHosts(pairs.length, share),
    warnings,
    summary: {
      hosts: pairs.length,
      vanished: vanished.length,
      appeared: appeared.length,
      changedHosts,
      changes,
      notable,
      outliers: lines_.filter((l) => l.outlier).length,
      byKind: {},
    },
    vanished,
    appeared,
    rollup: lines_,
    tallies,
  };
  // Kinds in report order, as a diff's summary has them.
  head.summary.byKind = Object.fromEntries(
    Object.keys(byKind).sort((x, y) => kindRank(x) - kindRank(y)).map((k) => [k, byKind[k]!]),
  );
  if (opts.only) head.sections = [...opts.only];
  if (failOn.size > 0) {
    const gate: FleetGate = {
      failOn: [...failOn],
      tripped: gateKinds.size > 0,
      hosts: [...new Set(gateHosts)],
      kinds: [...gateKinds].sort((x, y) => kindRank(x) - kindRank(y)),
    };
    head.gate = gate;
  }
  return { head, hosts: lines };
}

function kindRank(kind: string): number {
  const i = (ALL_KINDS as readonly string[]).indexOf(kind);
  return i < 0 ? ALL_KINDS.length + FLEET_KINDS.indexOf(kind as FleetKind) : i;
}

/**
 * The `nsnap-fleet-diff/v1` document, defined once: its TypeScript types, reading it back
 * (`parseFleetDiffDocument`) and the published JSON Schema (`nsnap schema --fleet-diff`) come
 * from these definitions, as for the diff document (diff/schema.ts), whose documents it embeds.
 *
 * A fleet diff keeps every paired host's full `nsnap-diff/v1` document (`hosts[].diff`), the
 * roll-up of identical changes across hosts (`rollup`), counters and traffic as sums and
 * distributions (`tallies`), and every snapshot that found no partner (`vanished`,
 * `appeared`). Hosts are named once (`name`, unique in the document) and referred to by name.
 * Exact integers are `bigint` in memory and, on disk, a JSON number while safe, a decimal string
 * beyond. Objects are open: later versions add fields within v1.
 */
import { z } from "zod";
import * as S from "../schema.ts";
import { CHANGES, DiffDocument, DiffSection } from "../diff/schema.ts";
import { TALLIED_KINDS } from "./keys.ts";

/** The schema identifier of a fleet diff document. */
export const FLEET_DIFF_SCHEMA_ID = "nsnap-fleet-diff/v1";

const uint = () => z.int().nonnegative();
const count = () => z.int().positive();

const ChangeKind = z.enum(CHANGES.map((c) => c.shape.kind.value) as [
  typeof CHANGES[number]["shape"]["kind"]["value"],
]);

const HostName = z.string().meta({
  description: "A host's name, unique in this document: its hostname, or its path where the " +
    "hostname names no one, with a machine id or path added where two would be the same.",
});

const HostNames = z.array(HostName).meta({ description: "Host names, in report order." });

/** A fleet key: a change's key without what differs per host (docs/diff.md, "Fleets"). */
const FleetKey = z.record(z.string(), z.union([z.string(), z.int()])).meta({
  id: "FleetKey",
  description: "The change's key with host-specific parts taken out: the host's own " +
    "addresses become scopes such as <own private IPv4>; pids, times and counts are left out.",
});

/** One snapshot file of the fleet, as the pairing read it. */
export const SnapshotRef = z.object({
  file: z.string(),
  hostname: z.string(),
  machineId: z.string().optional(),
  capturedAt: z.string(),
  labels: z.record(z.string(), z.string()),
}).meta({ id: "FleetSnapshotRef" });

/** What paired two snapshots. */
export const PairedBy = z.enum(["machine-id", "hostname", "path", "label"]);

/** A snapshot with no partner in the other folder. */
export const UnpairedHost = z.object({
  name: HostName,
  snapshot: SnapshotRef,
}).meta({ id: "FleetUnpairedHost" });

/** One paired host and its full diff. */
export const HostEntry = z.object({
  name: HostName,
  pairedBy: PairedBy,
  before: SnapshotRef,
  after: SnapshotRef,
  diff: DiffDocument,
}).meta({ id: "FleetHostEntry" });

const Example = z.object({
  host: HostName,
  summary: z.string().meta({ description: "The change as that host's diff words it." }),
});

const outlier = () =>
  z.literal(true).optional().meta({
    description: "Seen on a small minority of hosts: at most outlierMaxHosts, and fewer " +
      "than half of the paired hosts.",
  });

/** Identical changes on several hosts: one line. */
export const FleetChange = z.object({
  kind: ChangeKind,
  section: DiffSection,
  key: FleetKey,
  what: z.string().meta({
    description: "The change without its hosts; the hosts' own values where all hosts share " +
      "them, else scopes.",
  }),
  summary: z.string().meta({ description: "One line: kind, what, and on which hosts." }),
  hosts: HostNames.meta({ description: "The hosts with this change." }),
  missing: HostNames.meta({ description: "The paired hosts without it." }),
  changes: count().meta({ description: "How many per-host changes this line stands for." }),
  sockets: count().optional().meta({
    description: "Sessions: the sum of the per-host counts (sockets opened or closed).",
  }),
  notable: z.literal(true).optional().meta({
    description: "A host's change was notable, or the line is an outlier.",
  }),
  outlier: outlier(),
  example: Example,
}).meta({ id: "FleetChange" });

/** Where a distribution's extreme was seen. */
const Extreme = z.object({ value: z.number(), host: HostName });

/** Per-host values of a tally. */
const Distribution = z.object({
  of: z.enum(["perSecond", "after"]).meta({
    description: "perSecond: each host's rate (counters; traffic in bytes/s); after: each " +
      "host's value after (gauges).",
  }),
  hosts: count().meta({ description: "How many hosts had a value." }),
  min: Extreme,
  median: z.number(),
  max: Extreme,
}).meta({ id: "FleetDistribution" });

/** Counters, gauges and interface traffic: a sum and a distribution, not identical lines. */
export const Tally = z.object({
  kind: z.enum(TALLIED_KINDS),
  section: DiffSection,
  key: FleetKey,
  what: z.string(),
  summary: z.string(),
  hosts: HostNames,
  missing: HostNames,
  changes: count(),
  total: S.CounterValue.meta({
    description: "Sum over the hosts, exact: of the deltas (counters), of after − before " +
      "(gauges), of rx+tx bytes (traffic).",
  }),
  distribution: Distribution.optional().meta({
    description: "Absent when no host has a value (no interval, or every counter reset).",
  }),
  notable: z.literal(true).optional(),
  notableHosts: HostNames.optional().meta({
    description: "Hosts where the change was notable.",
  }),
  resetHosts: HostNames.optional().meta({
    description: "Traffic: hosts whose counters restarted, with no delta.",
  }),
}).meta({ id: "FleetTally" });

/** The counts of the report. */
export const FleetSummary = z.object({
  hosts: uint().meta({ description: "Paired hosts." }),
  vanished: uint(),
  appeared: uint(),
  changedHosts: uint().meta({ description: "Paired hosts with at least one change." }),
  changes: uint().meta({ description: "Every change of every paired host." }),
  notable: uint().meta({ description: "Notable changes of every paired host." }),
  outliers: uint().meta({ description: "Roll-up lines flagged as outliers." }),
  byKind: z.partialRecord(ChangeKind, count()),
});

/** The verdict of `--fail-on` over the fleet. */
export const FleetGate = z.object({
  failOn: z.array(z.string()).meta({
    description: "Change kinds, globs and notable, and the folder kinds host-vanished, " +
      "host-appeared and outlier.",
  }),
  tripped: z.boolean(),
  hosts: HostNames.meta({
    description: "Hosts with a change of those kinds, or on an outlier line that tripped it.",
  }),
  kinds: z.array(z.string()).meta({
    description: "The kinds that occurred; outlier when outlier lines tripped `outlier`.",
  }),
});

/** One folder of the comparison. */
const FleetSide = z.object({ folder: z.string(), snapshots: uint() });

/** The whole fleet diff. */
export const FleetDiffDocument = z.object({
  schema: z.literal(FLEET_DIFF_SCHEMA_ID),
  before: FleetSide,
  after: FleetSide,
  pairBy: z.string().meta({
    description:
      "auto (machine id, else hostname, else path), machine-id, hostname, path, label:KEY",
  }),
  outlierShare: z.number().min(0).max(1),
  outlierMaxHosts: uint().meta({
    description: "The most hosts an outlier is seen on: max(1, floor(outlierShare × hosts)).",
  }),
  sections: z.array(DiffSection).optional().meta({ description: "--only, when given." }),
  warnings: z.array(z.string()),
  summary: FleetSummary,
  gate: FleetGate.optional().meta({ description: "Present with --fail-on." }),
  vanished: z.array(UnpairedHost).meta({ description: "In BEFORE only." }),
  appeared: z.array(UnpairedHost).meta({ description: "In AFTER only." }),
  rollup: z.array(FleetChange),
  tallies: z.array(Tally),
  hosts: z.array(HostEntry).meta({ description: "Every paired host, in report order." }),
});

/** The fleet diff document. */
export type FleetDiffDocument = z.output<typeof FleetDiffDocument>;
/** One line of the roll-up. */
export type FleetChange = z.output<typeof FleetChange>;
/** A counter, gauge or traffic tally. */
export type Tally = z.output<typeof Tally>;
/** One paired host with its diff. */
export type HostEntry = z.output<typeof HostEntry>;
/** A snapshot without a partner. */
export type UnpairedHost = z.output<typeof UnpairedHost>;
/** A snapshot as the document refers to it. */
export type SnapshotRef = z.output<typeof SnapshotRef>;
/** The report's counts. */
export type FleetSummary = z.output<typeof FleetSummary>;
/** The `--fail-on` verdict. */
export type FleetGate = z.output<typeof FleetGate>;
/** The document without its hosts: what is known once every host has been compared. */
export type FleetHead = Omit<FleetDiffDocument, "hosts">;

/**
 * Reads a fleet diff document from its JSON (or YAML) value, integers back to `bigint`.
 *
 * @example
 * ```ts
 * import { parseFleetDiffDocument } from "./schema.ts";
 * declare const text: string; // nsnap diff before/ after/ --format json
 * const doc = parseFleetDiffDocument(JSON.parse(text));
 * for (const line of doc.rollup.filter((l) => l.outlier)) console.log(line.summary);
 * ```
 */
export function parseFleetDiffDocument(value: unknown): FleetDiffDocument {
  return FleetDiffDocument.parse(value);
}

/** Produces the published JSON Schema of `nsnap-fleet-diff/v1` (the on-disk form). */
export function fleetDiffJsonSchema(): Record<string, unknown> {
  return S.publishedJsonSchema(
    FleetDiffDocument,
    "urn:nsnap:schema:nsnap-fleet-diff-v1",
    "nsnap fleet diff document (nsnap-fleet-diff/v1)",
  );
}

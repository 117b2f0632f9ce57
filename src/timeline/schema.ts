/**
 * The `nsnap-timeline/v1` document (`nsnap diff DIR --format json`), defined once: its types,
 * reading one back (`parseTimelineDocument`) and the published JSON Schema (`nsnap schema
 * --timeline`, committed as schema/nsnap-timeline-v1.schema.json).
 *
 * A timeline is one host's snapshots in capture order (`snapshots`), the step from each to the
 * next (`steps`: the diff's changes a timeline lists, the rates of the notable counters and of
 * interface traffic, sessions opened and closed), the roll-up of what changed across the series
 * (`events`: each thing with its history and one line telling it), the notable counters over
 * the whole series (`counters`), and the warnings of the steps, counted. Changes are
 * `nsnap-diff/v1` changes, as `nsnap diff A B` writes them. Exact integers are JSON numbers while
 * |v| ≤ 2^53-1 and decimal strings beyond; objects are open (fields may be added within v1).
 */
import { z } from "zod";
import { Change, DiffSection, Exact } from "../diff/schema.ts";
import { publishedJsonSchema } from "../schema.ts";

/** The schema identifier of a timeline document. */
export const TIMELINE_SCHEMA_ID = "nsnap-timeline/v1";

const uint = () => z.int().nonnegative();
const Rate = z.number().nonnegative().nullable().meta({
  description: "Per second over the step; null where unknown (missing on a side, went " +
    "backwards, the host rebooted, or the section was not compared).",
});

/** One snapshot of the series, as the timeline knows it. */
export const TimelineSnapshot = z.object({
  file: z.string().optional(),
  capturedAt: z.string(),
  sockets: uint(),
  listeners: uint(),
  sessions: uint().nullable().meta({
    description: "Connected sockets; null where the snapshot left sessions out (compact).",
  }),
  slot: uint().optional().meta({ description: "meta.periodic.slot of a periodic capture." }),
  overrunMs: uint().optional().meta({ description: "meta.periodic.overrunMs, when it overran." }),
  compact: z.literal(true).optional().meta({ description: "A compact capture (meta.compact)." }),
}).meta({ id: "TimelineSnapshot" });

/** Traffic of one interface over one step. */
export const TrafficRates = z.object({
  rx: Rate.meta({ description: "Bytes received per second." }),
  tx: Rate.meta({ description: "Bytes sent per second." }),
  errors: Rate.meta({ description: "Receive and transmit errors per second." }),
  drops: Rate.meta({ description: "Receive and transmit drops per second." }),
}).meta({ id: "TrafficRates" });

/** From one snapshot to the next. */
export const TimelineStep = z.object({
  from: uint().meta({ description: "Index of the earlier snapshot in snapshots." }),
  to: uint().meta({ description: "Index of the later snapshot (from + 1)." }),
  at: z.string().meta({ description: "Capture time of the later snapshot." }),
  seconds: z.number().positive().optional(),
  sections: z.array(DiffSection).meta({ description: "The sections compared in this step." }),
  warnings: z.array(z.string()),
  changes: z.array(Change).meta({
    description: "Every change but the plain movement of counters, gauges and interface " +
      "traffic (the rates give those); notable ones always.",
  }),
  sessions: z.object({ opened: uint(), closed: uint() }).optional().meta({
    description: "Connected sockets opened and closed in the step; absent when sessions were " +
      "not compared.",
  }),
  counterRates: z.record(z.string(), Rate).meta({
    description: "The notable counters a series follows (Tcp.RetransSegs, " +
      "TcpExt.ListenOverflows, Udp.InErrors, Ip.InDiscards …), per second.",
  }),
  counterDeltas: z.record(z.string(), Exact).meta({
    description: "The exact increase of each of those that moved.",
  }),
  traffic: z.record(z.string(), TrafficRates).meta({
    description: "Per interface present on both sides, by name; one of another network " +
      "namespace than the snapshots' own as NAMESPACE/NAME (docker:web/eth0).",
  }),
}).meta({ id: "TimelineStep" });

/** One change in an event's history. */
export const EventEntry = z.object({
  step: uint(),
  at: z.string(),
  kind: z.string().meta({ description: "The change's kind (nsnap-diff/v1)." }),
  summary: z.string(),
});

/** Everything that happened to one thing during the series. */
export const TimelineEvent = z.object({
  section: DiffSection,
  subject: z.string().meta({ description: 'What changed: "listener tcp 0.0.0.0:9200 (python3)".' }),
  key: z.record(z.string(), z.unknown()).meta({
    description: "The key of its changes, as in nsnap-diff/v1 (ListenerKey, RouteKey, " +
      "InterfaceKey, CounterKey …): strings and numbers.",
  }),
  namespace: z.string().optional().meta({
    description: "The network namespace it is in (its stable id, as in nsnap-diff/v1), in a " +
      "series of captures across namespaces; absent for the snapshots' own.",
  }),
  history: z.array(EventEntry).min(1),
  summary: z.string().meta({
    description: 'The story in one line: "… opened at 10:42:10, closed at 10:44:30".',
  }),
}).meta({ id: "TimelineEvent" });

/** A notable counter over the whole series. */
export const CounterSpan = z.object({
  total: Exact.meta({ description: "Sum of its increases over the steps." }),
  maxPerSecond: z.number().nonnegative(),
  maxAt: z.string().meta({ description: "End of the step with the highest rate." }),
  steps: uint().meta({ description: "Steps in which it moved." }),
}).meta({ id: "CounterSpan" });

/** The whole timeline. */
export const TimelineDocument = z.object({
  schema: z.literal(TIMELINE_SCHEMA_ID),
  host: z.string(),
  machineId: z.string().optional(),
  folder: z.string().optional(),
  first: z.string().meta({ description: "Capture time of the first snapshot." }),
  last: z.string().meta({ description: "Capture time of the last snapshot." }),
  everyMs: z.int().positive().optional().meta({
    description: "The interval of the periodic run, when every snapshot names the same one.",
  }),
  snapshots: z.array(TimelineSnapshot).min(2),
  steps: z.array(TimelineStep).min(1),
  events: z.array(TimelineEvent),
  counters: z.record(z.string(), CounterSpan).meta({
    description: "The notable counters that moved, over the whole series.",
  }),
  warnings: z.array(z.object({ text: z.string(), steps: uint() })).meta({
    description: "Each distinct warning of the steps, with how many steps had it.",
  }),
  summary: z.object({
    snapshots: uint(),
    steps: uint(),
    stepsWithChanges: uint(),
    changes: uint(),
    notable: uint(),
    events: uint(),
    byKind: z.record(z.string(), uint()),
  }),
});

/** The timeline document as nsnap builds it (bigints in memory). */
export type TimelineDocument = z.output<typeof TimelineDocument>;
/** One step of a timeline. */
export type TimelineStep = z.output<typeof TimelineStep>;
/** One snapshot of a timeline. */
export type TimelineSnapshot = z.output<typeof TimelineSnapshot>;

/**
 * Reads a timeline document from its JSON (or YAML) value, integers back to `bigint`.
 *
 * @example
 * ```ts ignore
 * import { parseTimelineDocument } from "./schema.ts";
 * const doc = parseTimelineDocument(JSON.parse(text));
 * ```
 */
export function parseTimelineDocument(value: unknown): TimelineDocument {
  return TimelineDocument.parse(value);
}

/** Produces the published JSON Schema of `nsnap-timeline/v1` (the on-disk form). */
export function timelineJsonSchema(): Record<string, unknown> {
  return publishedJsonSchema(
    TimelineDocument,
    "urn:nsnap:schema:nsnap-timeline-v1",
    "nsnap timeline (nsnap-timeline/v1)",
  );
}

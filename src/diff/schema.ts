/**
 * The `nsnap-diff/v1` document, defined once: the TypeScript types (`types.ts`), the kind
 * vocabulary (`kinds.ts`), reading a document back (`parseDiffDocument`) and the published JSON
 * Schema (`nsnap schema --diff`) all come from these definitions.
 *
 * A change is a union keyed by `kind`. Every kind is one entry of `CHANGES`, made by `change()`:
 * its name, its section, its one-line meaning and the fields it carries beyond the common ones
 * (`kind`, `section`, `summary`, `notable`); `key` is required. To add a kind:
 *   1. add its `change(…)` entry to `CHANGES`, among its section's kinds (a new section also goes
 *      into `DiffSection`, `SOURCE` in mod.ts and `SECTION_TITLES` in render/diff_common.ts);
 *   2. build it in its section's file: the object literal is checked against the entry;
 *   3. give it a row in docs/diff.md and regenerate schema/nsnap-diff-v1.schema.json
 *      (`nsnap schema --diff`); tests/diff/schema_test.ts wants a real document that has it.
 * `--fail-on`, the kind list in `diff --help`, `ALL_KINDS` and `CHANGE_KINDS` follow by themselves;
 * a kind that another kind's `--fail-on` should also catch goes into `GATED_WITH`.
 *
 * Exact integers (counter values, deltas) are `bigint` in memory. On disk they are a JSON number
 * while |v| ≤ 2^53-1 and a decimal string beyond, like snapshot counters; readers accept both.
 * Objects are open (more fields may follow in later versions); the tests hold the definitions
 * to what the engine writes by a round trip that would lose any undeclared field.
 */
import { z } from "zod";
import * as S from "../schema.ts";

/** The schema identifier of a diff document. */
export const DIFF_SCHEMA_ID = "nsnap-diff/v1";

/** The sections of a diff, in report order. */
export const DiffSection = z.enum(["listeners", "sessions", "routes", "interfaces", "counters"]);

/** An exact integer: a JSON number while safe, a decimal string beyond; `bigint` in memory. */
export const Exact = S.CounterValue.meta({
  id: "Exact",
  description: "Exact integer: a JSON number while |v| ≤ 2^53-1, a decimal string beyond that.",
});

const uint = () => z.int().nonnegative();
const count = () => z.int().positive();

// ---- What the kinds carry -----------------------------------------------------------------

/** A listening address and port: the key of most listener kinds. */
const ListenerKey = z.object({
  protocol: S.Protocol,
  family: S.Family,
  address: z.string(),
  port: S.Connection.shape.localPort,
}).meta({ id: "ListenerKey" });

/** One listening address and port with the process holding it. */
export const ListenerSide = ListenerKey.extend({
  program: z.string().optional().meta({
    description: "Executable name of the master holder (process name without one), when known.",
  }),
  pid: uint().optional(),
  startTime: z.string().optional(),
  exe: z.string().optional(),
  pids: z.array(uint()).optional().meta({
    description: "Every master pid holding a socket on this address (SO_REUSEPORT).",
  }),
  instances: z.int().min(2).optional().meta({
    description: "How many sockets listen on this address (SO_REUSEPORT), when more than one.",
  }),
}).meta({ id: "ListenerSide" });

/** One socket (instance) of a listening address, with its owner where known. */
export const InstanceSide = z.object({
  program: z.string().optional(),
  pid: uint().optional(),
  startTime: z.string().optional(),
  exe: z.string().optional(),
  inode: uint().optional(),
}).meta({ id: "InstanceSide" });

/** How the reach of a listener changed: loopback < one address < every address. */
export const Exposure = z.enum(["widened", "narrowed", "moved"]);

/** Sessions grouped by service port and remote address (the default view). */
const InboundGroupKey = z.object({
  direction: z.literal("inbound"),
  protocol: S.Protocol,
  localPort: S.Connection.shape.localPort,
  remoteAddress: z.string(),
});

/** Sessions grouped by remote address and port (the default view). */
const OutboundGroupKey = z.object({
  direction: z.literal("outbound"),
  protocol: S.Protocol,
  remoteAddress: z.string(),
  remotePort: S.Connection.shape.remotePort,
});

/** One 5-tuple (`--detail`). */
const TupleKey = z.object({
  protocol: S.Protocol,
  localAddress: z.string(),
  localPort: S.Connection.shape.localPort,
  remoteAddress: z.string(),
  remotePort: S.Connection.shape.remotePort,
});

const SessionKey = z.union([InboundGroupKey, OutboundGroupKey, TupleKey]).meta({
  id: "SessionKey",
});

/** A group's total on one side. */
const Tally = z.object({ count: uint() }).meta({ id: "Tally" });

/** One 5-tuple's socket on one side (`--detail`). */
export const SessionSide = z.object({
  state: z.string(),
  pid: uint().optional(),
  program: z.string().optional(),
}).meta({ id: "SessionSide" });

const SessionEnd = z.union([Tally, SessionSide]);

/** How many sockets are in each state (half-closed sessions). */
const StateCounts = z.record(z.string(), count()).meta({ id: "StateCounts" });

/** The route fields whose change makes a `route-changed`. */
export const RouteField = z.enum([
  "gateway",
  "interface",
  "source",
  "protocol",
  "scope",
  "nexthops",
]);

const RouteKey = z.object({
  family: S.Family,
  table: S.Route.shape.table,
  type: z.string(),
  destination: z.string(),
  metric: uint(),
  interface: z.string().optional().meta({
    description: "Present when several routes share the rest of the key, and for IPv6 " +
      "link-local and multicast routes.",
  }),
}).meta({ id: "RouteKey" });

/** A route as the snapshot has it. */
const Route = S.Route.meta({ id: "Route" });

const InterfaceKey = z.object({ interface: z.string() }).meta({ id: "InterfaceKey" });

/** An interface as an added or removed one is reported. */
export const InterfaceSide = z.object({
  name: z.string(),
  mtu: uint().optional(),
  operState: z.string().optional(),
  mac: z.string().optional(),
  flags: z.array(z.string()),
  addresses: z.array(z.string()).meta({ description: "address/prefix, sorted" }),
}).meta({ id: "InterfaceSide" });

/** The settings of an interface that changed, on one side. */
export const InterfaceSettings = z.object({
  mtu: uint().optional(),
  operState: z.string().optional(),
  mac: z.string().optional(),
  speedMbps: z.int().optional(),
  flags: z.array(z.string()).optional(),
}).meta({ id: "InterfaceSettings" });

/** /proc/net/dev counters (values, or deltas), as exact integers. */
const InterfaceCounters = S.InterfaceStats.meta({ id: "InterfaceCounters" });

/** Per-second rates of the /proc/net/dev counters that moved. */
const InterfaceRates = z.object(
  Object.fromEntries(S.INTERFACE_STAT_NAMES.map((n) => [n, z.number().optional()])) as {
    [K in S.InterfaceStatName]: z.ZodOptional<z.ZodNumber>;
  },
).meta({ id: "InterfaceRates" });

const CounterKey = z.object({
  group: z.string(),
  name: z.string().meta({ description: '"*" with group "*": every counter (a reboot).' }),
}).meta({ id: "CounterKey" });

const BootTime = z.object({ bootTime: z.string() });

const rate = () =>
  z.number().meta({ description: "Increase per second between the captures, 3 decimals." });

// ---- The kinds ----------------------------------------------------------------------------

/** The fields every change has; `fields` add to them or narrow them. */
function change<
  const K extends string,
  const Sec extends z.output<typeof DiffSection>,
  const F extends z.ZodRawShape & { key: z.ZodType },
>(kind: K, section: Sec, description: string, fields: F) {
  return z.object({
    kind: z.literal(kind),
    section: z.literal(section),
    summary: z.string().meta({ description: "One line in plain words." }),
    notable: z.literal(true).optional().meta({
      description: "Set on the changes an operator should look at first.",
    }),
  }).extend(fields).meta({ id: kind, description });
}

/** Every kind of change, grouped by section in report order: the one place a kind is declared. */
export const CHANGES = [
  change("listener-opened", "listeners", "a new listening socket (TCP LISTEN or bound UDP)", {
    key: ListenerKey,
    after: ListenerSide,
  }),
  change("listener-closed", "listeners", "a listening socket went away", {
    key: ListenerKey,
    before: ListenerSide,
  }),
  change(
    "listener-owner-changed",
    "listeners",
    "another program now holds the listening address and port",
    { key: ListenerKey, before: ListenerSide, after: ListenerSide },
  ),
  change(
    "listener-restarted",
    "listeners",
    "same program, new pid or start time (what a deploy does)",
    { key: ListenerKey, before: ListenerSide, after: ListenerSide },
  ),
  change(
    "listener-instance-added",
    "listeners",
    "another socket listens on an address that already had one (SO_REUSEPORT)",
    {
      key: ListenerKey,
      before: ListenerSide,
      after: ListenerSide,
      count: count().meta({ description: "How many sockets appeared." }),
      added: z.array(InstanceSide),
    },
  ),
  change(
    "listener-instance-removed",
    "listeners",
    "one of several sockets on a listening address went away; the others remain",
    {
      key: ListenerKey,
      before: ListenerSide,
      after: ListenerSide,
      count: count().meta({ description: "How many sockets went away." }),
      removed: z.array(InstanceSide),
    },
  ),
  change(
    "listener-exposure-changed",
    "listeners",
    "same port and program, address widened or narrowed",
    {
      key: z.object({
        protocol: S.Protocol,
        port: S.Connection.shape.localPort,
        program: z.string().meta({ description: "Empty when the owner is unknown." }),
      }),
      before: ListenerSide,
      after: ListenerSide,
      exposure: Exposure,
    },
  ),
  change(
    "session-opened",
    "sessions",
    "connected sockets that appeared (grouped unless --detail)",
    {
      key: SessionKey,
      count: count().meta({ description: "How many sockets opened." }),
      before: Tally.optional(),
      after: SessionEnd,
    },
  ),
  change(
    "session-closed",
    "sessions",
    "connected sockets that went away (grouped unless --detail)",
    {
      key: SessionKey,
      count: count().meta({ description: "How many sockets closed." }),
      before: SessionEnd,
      after: Tally.optional(),
    },
  ),
  change(
    "session-half-closed",
    "sessions",
    "established sessions left half-closed: CLOSE_WAIT, FIN_WAIT2 … (grouped unless --detail)",
    {
      key: SessionKey,
      count: count().meta({ description: "How many sessions were left half-closed." }),
      before: SessionEnd,
      after: SessionEnd,
      states: StateCounts.meta({ description: "The states they are in now, with counts." }),
      orphaned: count().optional().meta({
        description: "How many no process holds any more (its owner exited or was killed).",
      }),
    },
  ),
  change(
    "session-unanswered",
    "sessions",
    "connection attempts to one peer pile up in SYN_SENT: the peer does not answer",
    { key: OutboundGroupKey, before: Tally, after: Tally, notable: z.literal(true) },
  ),
  change(
    "session-state-buildup",
    "sessions",
    "TIME_WAIT, CLOSE_WAIT or SYN_RECV sockets piled up",
    { key: z.object({ state: z.string() }), before: Tally, after: Tally, notable: z.literal(true) },
  ),
  change("route-added", "routes", "a route appeared", { key: RouteKey, after: Route }),
  change("route-removed", "routes", "a route went away", { key: RouteKey, before: Route }),
  change(
    "route-changed",
    "routes",
    "gateway, interface, source, protocol or scope of a route changed",
    { key: RouteKey, before: Route, after: Route, changed: z.array(RouteField).min(1) },
  ),
  change("interface-added", "interfaces", "an interface appeared", {
    key: InterfaceKey,
    after: InterfaceSide,
  }),
  change("interface-removed", "interfaces", "an interface went away", {
    key: InterfaceKey,
    before: InterfaceSide,
  }),
  change(
    "interface-renamed",
    "interfaces",
    "an interface has another name (same index and MAC); the key names it as it was",
    {
      key: InterfaceKey,
      before: InterfaceSide,
      after: InterfaceSide,
    },
  ),
  change(
    "interface-changed",
    "interfaces",
    "MTU, state, flags, MAC or addresses of an interface changed",
    {
      key: InterfaceKey,
      before: InterfaceSettings,
      after: InterfaceSettings,
      addressesAdded: z.array(z.string()).optional(),
      addressesRemoved: z.array(z.string()).optional(),
    },
  ),
  change(
    "interface-traffic",
    "interfaces",
    "bytes, packets, errors or drops counted by an interface, with rates",
    {
      key: InterfaceKey,
      before: InterfaceCounters,
      after: InterfaceCounters,
      delta: InterfaceCounters.optional().meta({ description: "Absent with reset." }),
      perSecond: InterfaceRates.optional(),
      reset: z.literal(true).optional().meta({
        description: "A counter went backwards or the host rebooted: no deltas.",
      }),
    },
  ),
  change(
    "counter-increased",
    "counters",
    "a protocol counter moved (delta and per-second rate)",
    { key: CounterKey, before: Exact, after: Exact, delta: Exact, perSecond: rate().optional() },
  ),
  change(
    "counter-reset",
    "counters",
    "a counter went backwards, or the host rebooted between snapshots",
    {
      key: CounterKey,
      before: z.union([Exact, BootTime]),
      after: z.union([Exact, BootTime]),
    },
  ),
  change(
    "gauge-changed",
    "counters",
    "a gauge (Tcp.CurrEstab, sockstat) has another value",
    { key: CounterKey, before: Exact, after: Exact },
  ),
  change(
    "setting-changed",
    "counters",
    "a protocol setting (Ip.Forwarding, Tcp.RtoMin …) has another value",
    { key: CounterKey, before: Exact, after: Exact },
  ),
] as const;

/**
 * Kinds that a `--fail-on` of another kind also gates: a new socket on a listening address is a
 * listener opened to whoever gates on new listeners, one gone is a listener closed.
 */
export const GATED_WITH = {
  "listener-instance-added": "listener-opened",
  "listener-instance-removed": "listener-closed",
} as const satisfies Partial<Record<typeof CHANGES[number]["shape"]["kind"]["value"], string>>;

/** One change between the two snapshots, any kind. */
export const Change = z.discriminatedUnion("kind", CHANGES);

// ---- The document -------------------------------------------------------------------------

/** Where one side of the diff came from. */
export const DiffSide = z.object({
  host: z.string(),
  capturedAt: z.string(),
  file: z.string().optional(),
  bootTime: z.string().optional(),
}).meta({ id: "DiffSide" });

const ChangeKind = z.enum(CHANGES.map((c) => c.shape.kind.value) as [
  typeof CHANGES[number]["shape"]["kind"]["value"],
]);

/** Counts by kind and section, and how many changes are notable. */
export const DiffSummary = z.object({
  total: uint(),
  notable: uint(),
  byKind: z.partialRecord(ChangeKind, count()),
  bySection: z.partialRecord(DiffSection, count()),
});

/** The TCP socket-state census before and after (every state seen on either side). */
export const TcpStateTable = z.record(z.string(), z.object({ before: uint(), after: uint() }));

/** The whole diff. */
export const DiffDocument = z.object({
  schema: z.literal(DIFF_SCHEMA_ID),
  before: DiffSide,
  after: DiffSide,
  intervalSeconds: z.number().positive().optional().meta({
    description: "Seconds between the captures; absent when a capture time cannot be read.",
  }),
  sections: z.array(DiffSection).meta({
    description: "The sections compared (after --only and unusable sections are taken out).",
  }),
  warnings: z.array(z.string()),
  tcpStates: TcpStateTable.optional().meta({ description: "Present when sessions were compared." }),
  changes: z.array(Change),
  summary: DiffSummary,
});

/**
 * Reads a diff document from its JSON (or YAML) value, integers back to `bigint`.
 *
 * @example
 * ```ts
 * import { parseDiffDocument } from "./schema.ts";
 * const doc = parseDiffDocument(JSON.parse('{"schema":"nsnap-diff/v1","before":{"host":"a",' +
 *   '"capturedAt":"2026-01-01T00:00:00.000Z"},"after":{"host":"a","capturedAt":' +
 *   '"2026-01-01T00:01:00.000Z"},"sections":[],"warnings":[],"changes":[],' +
 *   '"summary":{"total":0,"notable":0,"byKind":{},"bySection":{}}}'));
 * console.log(doc.changes.length); // 0
 * ```
 */
export function parseDiffDocument(value: unknown): z.output<typeof DiffDocument> {
  return DiffDocument.parse(value);
}

/** Produces the published JSON Schema of `nsnap-diff/v1` (the on-disk form). */
export function diffJsonSchema(): Record<string, unknown> {
  return S.publishedJsonSchema(
    DiffDocument,
    "urn:nsnap:schema:nsnap-diff-v1",
    "nsnap diff document (nsnap-diff/v1)",
  );
}

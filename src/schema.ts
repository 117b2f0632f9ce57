/**
 * The `nsnap/v1` snapshot schema, defined once: the TypeScript types, the loader's validation and
 * the published JSON Schema (`nsnap schema`) all come from these definitions.
 *
 * Counters are `bigint` in memory. On disk a counter is a JSON number while it is a safe integer
 * (|v| ≤ 2^53-1) and a decimal string beyond that; readers accept both.
 */
import { z } from "zod";

/** The schema identifier every snapshot carries. */
export const SCHEMA_ID = "nsnap/v1";

/** Smallest counter value accepted: -2^63, the floor of the kernel's signed 64-bit values. */
export const COUNTER_MIN = -(2n ** 63n);
/** Largest counter value accepted: 2^64-1, the ceiling of the kernel's unsigned 64-bit counters. */
export const COUNTER_MAX = 2n ** 64n - 1n;

/**
 * A lossless integer counter: a safe JSON integer or a decimal string, held as `bigint`, from
 * -2^63 (settings such as `Tcp.MaxConn` are signed: -1 means "no limit") to 2^64-1.
 */
export const CounterValue = z
  .union([z.int(), z.string().regex(/^-?[0-9]{1,20}$/, "expected a decimal integer string")])
  .transform((v) => BigInt(v))
  .pipe(z.bigint().min(COUNTER_MIN).max(COUNTER_MAX))
  .meta({
    description:
      "Integer counter from -2^63 to 2^64-1: a JSON number up to 2^53-1, a decimal string above that.",
  });

const uint = () => z.int().nonnegative();
const port = () => z.int().min(0).max(65535);

export const Protocol = z.enum(["tcp", "udp"]);
export const Family = z.enum(["inet", "inet6"]);

export const Connection = z.object({
  protocol: Protocol,
  family: Family,
  localAddress: z.string(),
  localPort: port(),
  remoteAddress: z.string(),
  remotePort: port(),
  state: z.string(),
  recvQ: uint(),
  sendQ: uint(),
  uid: uint().optional().meta({ description: "Absent where the source does not show it (macOS)." }),
  inode: uint().optional().meta({ description: "Absent where the source does not show it." }),
  pid: uint().optional().meta({ description: "The holder whose parent does not also hold it." }),
  pids: z.array(uint()).optional().meta({ description: "Every process holding the socket." }),
});

export const ProcessInfo = z.object({
  pid: uint(),
  ppid: uint().optional(),
  name: z.string().meta({
    description: "Process name (comm, at most 15 bytes), or what the source tool calls it.",
  }),
  exe: z.string().optional(),
  invokedAs: z.string().optional().meta({
    description: "The name argv[0] gives the program (its file name, a title cut off), or the " +
      "applet of a multi-call binary (busybox httpd: httpd); recorded without --cmdline.",
  }),
  user: z.string().optional(),
  uid: uint().optional(),
  startTime: z.string().optional().meta({
    description: "ISO 8601 UTC; pid + startTime identify a process.",
  }),
  cmdline: z.array(z.string()).optional().meta({
    description: "Only with --cmdline; secrets masked.",
  }),
});

export const Nexthop = z.object({
  gateway: z.string().optional(),
  interface: z.string().optional(),
  weight: uint().optional(),
});

export const Route = z.object({
  family: Family,
  table: uint().meta({ description: "Kernel table id; 254 is main, 255 local." }),
  type: z.string(),
  destination: z.string().meta({ description: "CIDR" }),
  gateway: z.string().optional(),
  interface: z.string().optional(),
  metric: uint(),
  protocol: z.string().optional(),
  scope: z.string().optional(),
  source: z.string().optional(),
  flags: z.array(z.string()).optional(),
  nexthops: z.array(Nexthop).optional(),
});

/** The /proc/net/dev columns, in kernel order. */
export const INTERFACE_STAT_NAMES = [
  "rxBytes",
  "rxPackets",
  "rxErrors",
  "rxDropped",
  "rxFifo",
  "rxFrame",
  "rxCompressed",
  "rxMulticast",
  "txBytes",
  "txPackets",
  "txErrors",
  "txDropped",
  "txFifo",
  "txCollisions",
  "txCarrier",
  "txCompressed",
] as const;
export type InterfaceStatName = typeof INTERFACE_STAT_NAMES[number];

export const InterfaceStats = z.object(
  Object.fromEntries(INTERFACE_STAT_NAMES.map((n) => [n, CounterValue.optional()])) as {
    [K in InterfaceStatName]: z.ZodOptional<typeof CounterValue>;
  },
);

export const InterfaceAddress = z.object({
  family: Family,
  address: z.string(),
  prefixLength: z.int().min(0).max(128),
  scope: z.string().optional(),
  broadcast: z.string().optional(),
});

export const NetInterface = z.object({
  name: z.string(),
  index: uint().optional(),
  mac: z.string().optional(),
  mtu: uint().optional(),
  flags: z.array(z.string()),
  operState: z.string().optional(),
  speedMbps: z.int().optional(),
  addresses: z.array(InterfaceAddress),
  stats: InterfaceStats.optional(),
});

export const Counters = z.record(z.string(), z.record(z.string(), CounterValue));

/**
 * Kernel settings that change network behaviour, keyed by sysctl name (`net.ipv4.ip_forward`),
 * each value as /proc/sys has it with its whitespace made one space ("32768 60999").
 */
export const Settings = z.record(z.string(), z.string()).meta({
  description: "Kernel settings by sysctl name; values as text, whitespace made one space.",
});

export const SectionStatus = z.object({
  status: z.enum(["ok", "partial", "error"]),
  warnings: z.array(z.string()).optional(),
  error: z.string().optional(),
});

export const SECTION_NAMES = [
  "connections",
  "processes",
  "routes",
  "interfaces",
  "counters",
] as const;
export type SectionName = typeof SECTION_NAMES[number];

/**
 * Sections added within `nsnap/v1`: optional in a snapshot and in `meta.sections` (a snapshot
 * written before them has neither: not captured, which is not the same as empty).
 */
export const OPTIONAL_SECTION_NAMES = ["settings"] as const;
export type OptionalSectionName = typeof OPTIONAL_SECTION_NAMES[number];

/** Where a capture of a periodic run (`capture --every`, `watch --record`) sits in its run. */
export const Periodic = z.object({
  everyMs: z.int().positive().meta({ description: "The run's interval, in milliseconds." }),
  slot: uint().meta({
    description: "The slot of this capture: it started about runStartedAt + slot × everyMs. " +
      "A gap in the slots of consecutive files is a capture that overran its interval.",
  }),
  runStartedAt: z.string().meta({
    description: "When the run's first capture started (ISO 8601 UTC, ms): names the run.",
  }),
  overrunMs: uint().optional().meta({
    description: "How much longer than its interval this capture took (the next slot's " +
      "start had passed when it was ready to be written); absent when it did not overrun.",
  }),
}).meta({ description: "Set on the captures of a periodic run." });

/** What a compact capture (`capture --every --compact`) holds; the sections it left out. */
export const Compact = z.object({
  base: z.string().meta({
    description: "File name of the run's full capture this one abbreviates (in the same " +
      "folder), for what a compact file leaves out.",
  }),
  sections: z.array(z.string()).meta({
    description: "What this file holds: listeners (connections without sessions, and their " +
      "owners in processes), interfaces, counters, settings. Every other section is left " +
      "out, and marked so in meta.sections (status error, 'not captured: compact mode'); " +
      "a diff never compares what either side left out.",
  }),
}).meta({ description: "Set on a compact capture; absent on a full one." });

export const Meta = z.object({
  capturedAt: z.string().meta({ description: "ISO 8601 UTC with milliseconds" }),
  durationMs: z.number().nonnegative(),
  host: z.object({
    hostname: z.string(),
    machineId: z.string().optional().meta({
      description: "The host's unique id: /etc/machine-id on Linux (32 hex digits), the " +
        "IOPlatformUUID on macOS; absent when unreadable. Pairs a fleet's snapshots.",
    }),
    os: z.string(),
    kernel: z.string().optional(),
    arch: z.string().optional(),
    bootTime: z.string().optional(),
  }),
  netns: z.object({ inode: uint().optional(), name: z.string().optional() }).optional(),
  tool: z.object({ name: z.string(), version: z.string(), runtime: z.string() }),
  privileges: z.object({ uid: z.int().optional(), root: z.boolean() }),
  labels: z.record(z.string(), z.string()),
  source: z.object({
    kind: z.enum(["capture", "import"]),
    formats: z.array(z.string()).optional(),
    files: z.array(z.string()).optional(),
  }).optional(),
  redacted: z.boolean().optional(),
  periodic: Periodic.optional(),
  compact: Compact.optional(),
  sections: z.object({
    connections: SectionStatus,
    processes: SectionStatus,
    routes: SectionStatus,
    interfaces: SectionStatus,
    counters: SectionStatus,
    settings: SectionStatus.optional(),
  }),
});

export const Snapshot = z.object({
  schema: z.literal(SCHEMA_ID),
  meta: Meta,
  connections: z.array(Connection),
  processes: z.record(z.string().regex(/^[0-9]+$/), ProcessInfo),
  routes: z.array(Route),
  interfaces: z.array(NetInterface),
  counters: Counters,
  settings: Settings.optional(),
});

/**
 * The JSON Schema (draft 2020-12) of a document nsnap writes, in its on-disk form (integers as
 * number|string), under its published id and title.
 */
export function publishedJsonSchema(
  schema: z.ZodType,
  id: string,
  title: string,
): Record<string, unknown> {
  const s = z.toJSONSchema(schema, { io: "input", target: "draft-2020-12" }) as Record<
    string,
    unknown
  >;
  return { $schema: s.$schema, $id: id, title, ...s };
}

/** Produces the published JSON Schema of `nsnap/v1` (the on-disk form, counters as number|string). */
export function snapshotJsonSchema(): Record<string, unknown> {
  return publishedJsonSchema(Snapshot, "urn:nsnap:schema:nsnap-v1", "nsnap snapshot (nsnap/v1)");
}

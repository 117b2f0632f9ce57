/**
 * The snapshot model: types inferred from the schema in `schema.ts`, plus the small helpers every
 * part of nsnap shares (section status, counter encoding).
 */
import type { z } from "zod";
import type * as S from "./schema.ts";

// From fields.ts, not schema.ts: these values must not make a capture build the zod schema.
export {
  INTERFACE_STAT_NAMES,
  NAMESPACE_KINDS,
  OPTIONAL_SECTION_NAMES,
  QDISC_COUNTER_NAMES,
  QDISC_GAUGE_NAMES,
  RULE_ACTIONS,
  SCHEMA_ID,
  SECTION_NAMES,
} from "./fields.ts";
export type {
  AnySectionName,
  InterfaceStatName,
  OptionalSectionName,
  QdiscCounterName,
  QdiscGaugeName,
  SectionName,
} from "./fields.ts";

export type Protocol = z.output<typeof S.Protocol>;
export type Family = z.output<typeof S.Family>;
export type Connection = z.output<typeof S.Connection>;
export type SocketTimer = z.output<typeof S.SocketTimer>;
export type TcpInfo = z.output<typeof S.TcpInfo>;
export type UnixSocket = z.output<typeof S.UnixSocket>;
export type RawSocket = z.output<typeof S.RawSocket>;
export type PacketSocket = z.output<typeof S.PacketSocket>;
export type ProcessInfo = z.output<typeof S.ProcessInfo>;
export type Route = z.output<typeof S.Route>;
export type Nexthop = z.output<typeof S.Nexthop>;
export type NetInterface = z.output<typeof S.NetInterface>;
export type InterfaceAddress = z.output<typeof S.InterfaceAddress>;
export type InterfaceStats = z.output<typeof S.InterfaceStats>;
export type Counters = Record<string, Record<string, bigint>>;
export type Namespace = z.output<typeof S.Namespace>;
export type NamespaceKind = Namespace["kind"];
export type NamespaceContainer = z.output<typeof S.NamespaceContainer>;
export type NamespaceSection = z.output<typeof S.NamespaceSection>;
export type PortBinding = z.output<typeof S.PortBinding>;
export type Forward = z.output<typeof S.Forward>;
export type NamespaceExposure = z.output<typeof S.NamespaceExposure>;
export type PublishedPort = z.output<typeof S.PublishedPort>;
export type NumberRange = z.output<typeof S.NumberRange>;
export type Rule = z.output<typeof S.Rule>;
export type Neighbour = z.output<typeof S.Neighbour>;
export type Settings = Record<string, string>;
export type QdiscStats = z.output<typeof S.QdiscStats>;
export type Qdisc = z.output<typeof S.Qdisc>;
export type FirewallRule = z.output<typeof S.FirewallRule>;
export type FirewallChain = z.output<typeof S.FirewallChain>;
export type FirewallTable = z.output<typeof S.FirewallTable>;
export type Firewall = z.output<typeof S.Firewall>;
export type SectionStatus = z.output<typeof S.SectionStatus>;
export type Meta = z.output<typeof S.Meta>;
export type PeriodicMeta = z.output<typeof S.Periodic>;
export type CompactMeta = z.output<typeof S.Compact>;
export type Snapshot = z.output<typeof S.Snapshot>;

/** Largest integer a JSON number carries exactly. */
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Encodes a counter for disk: a number while it is safe, a decimal string beyond. */
export function encodeCounter(v: bigint): number | string {
  return v <= MAX_SAFE && v >= -MAX_SAFE ? Number(v) : v.toString();
}

/** Builds a section status from its warnings: `ok` when there are none, else `partial`. */
export function sectionStatus(warnings: readonly string[]): SectionStatus {
  return warnings.length === 0 ? { status: "ok" } : { status: "partial", warnings: [...warnings] };
}

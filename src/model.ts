/**
 * The snapshot model: types inferred from the schema in `schema.ts`, plus the small helpers every
 * part of nsnap shares (section status, counter encoding).
 */
import type { z } from "zod";
import type * as S from "./schema.ts";

export {
  INTERFACE_STAT_NAMES,
  OPTIONAL_SECTION_NAMES,
  SCHEMA_ID,
  SECTION_NAMES,
} from "./schema.ts";
export type { InterfaceStatName, OptionalSectionName, SectionName } from "./schema.ts";

export type Protocol = z.output<typeof S.Protocol>;
export type Family = z.output<typeof S.Family>;
export type Connection = z.output<typeof S.Connection>;
export type ProcessInfo = z.output<typeof S.ProcessInfo>;
export type Route = z.output<typeof S.Route>;
export type Nexthop = z.output<typeof S.Nexthop>;
export type NetInterface = z.output<typeof S.NetInterface>;
export type InterfaceAddress = z.output<typeof S.InterfaceAddress>;
export type InterfaceStats = z.output<typeof S.InterfaceStats>;
export type Counters = Record<string, Record<string, bigint>>;
export type Settings = Record<string, string>;
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

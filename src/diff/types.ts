/**
 * The `nsnap-diff/v1` document's types, inferred from the definitions in `schema.ts`: what
 * `diffSnapshots()` returns and what the json/yaml formats write (bigints encoded like snapshot
 * counters: a number while safe, a decimal string beyond).
 */
import type { z } from "zod";
import type * as D from "./schema.ts";

export { DIFF_SCHEMA_ID } from "./schema.ts";

/** The sections of a diff. */
export type DiffSection = z.output<typeof D.DiffSection>;

/** One change between the two snapshots: a union keyed by `kind`. */
export type Change = z.output<typeof D.Change>;

/** Every kind of change. */
export type ChangeKind = Change["kind"];

/** The change of one kind, with the fields that kind carries. */
export type ChangeOf<K extends ChangeKind> = Extract<Change, { kind: K }>;

/** The changes of one section. */
export type ChangeIn<S extends DiffSection> = Extract<Change, { section: S }>;

/** What identifies the thing a change concerns. */
export type ChangeKey = Change["key"];

/** One listening address and port with the process holding it. */
export type ListenerSide = z.output<typeof D.ListenerSide>;

/** One socket (instance) of a listening address, with its owner where known. */
export type InstanceSide = z.output<typeof D.InstanceSide>;

/** One 5-tuple's socket on one side (`--detail`). */
export type SessionSide = z.output<typeof D.SessionSide>;

/** How the reach of a listener changed. */
export type Exposure = z.output<typeof D.Exposure>;

/** The route fields whose change makes a `route-changed`. */
export type RouteField = z.output<typeof D.RouteField>;

/** The rule fields whose change makes a `rule-changed`. */
export type RuleField = z.output<typeof D.RuleField>;

/** The neighbour fields whose change makes a `neighbour-changed`. */
export type NeighbourField = z.output<typeof D.NeighbourField>;

/** The qdisc fields whose change makes a `qdisc-changed`. */
export type QdiscField = z.output<typeof D.QdiscField>;

/** The chain fields whose change makes a `firewall-chain-changed`. */
export type FirewallChainField = z.output<typeof D.FirewallChainField>;

/** A firewall rule as a change shows it. */
export type FirewallRuleSide = z.output<typeof D.FirewallRuleSide>;

/** A firewall chain's head as a change shows it. */
export type FirewallChainSide = z.output<typeof D.FirewallChainSide>;

/** An interface as an added or removed one is reported. */
export type InterfaceSide = z.output<typeof D.InterfaceSide>;

/** The settings of an interface that changed, on one side. */
export type InterfaceSettings = z.output<typeof D.InterfaceSettings>;

/** Where one side of the diff came from. */
export type DiffSide = z.output<typeof D.DiffSide>;

/** Counts by kind and section, and how many changes are notable. */
export type DiffSummary = z.output<typeof D.DiffSummary>;

/** The TCP socket-state census before and after (every state seen on either side). */
export type TcpStateTable = z.output<typeof D.TcpStateTable>;

/** The whole diff. */
export type DiffDocument = z.output<typeof D.DiffDocument>;

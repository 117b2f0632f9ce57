/**
 * The `nsnap-diff/v1` document: what `diffSnapshots()` returns and what the json/yaml formats
 * write (bigints encoded like snapshot counters: a number while safe, a decimal string beyond).
 */
import type { ChangeKind, DiffSection } from "./kinds.ts";

/** The schema identifier of a diff document. */
export const DIFF_SCHEMA_ID = "nsnap-diff/v1";

/** A plain key/value record that identifies what changed. */
export type ChangeKey = Record<string, string | number>;

/** One change between the two snapshots. */
export interface Change {
  kind: ChangeKind;
  section: DiffSection;
  key: ChangeKey;
  before?: unknown;
  after?: unknown;
  /** One line in plain words. */
  summary: string;
  /** Sessions: how many sockets opened or closed in the group. */
  count?: number;
  /** Counters and traffic: the exact increase (a bigint, or a record of them for traffic). */
  delta?: bigint | Record<string, bigint>;
  /** Counters and traffic: increase per second between the two capture times. */
  perSecond?: number | Record<string, number>;
  /** Set on the changes an operator should look at first. */
  notable?: true;
  /** Extra structured detail some kinds carry (changed field names, exposure direction …). */
  [extra: string]: unknown;
}

/** Where one side of the diff came from. */
export interface DiffSide {
  file?: string;
  host: string;
  capturedAt: string;
  bootTime?: string;
}

/** Counts by kind and section, and how many changes are notable. */
export interface DiffSummary {
  total: number;
  notable: number;
  byKind: Partial<Record<ChangeKind, number>>;
  bySection: Partial<Record<DiffSection, number>>;
}

/** The TCP socket-state census before and after (every state seen on either side). */
export type TcpStateTable = Record<string, { before: number; after: number }>;

/** The whole diff. */
export interface DiffDocument {
  schema: typeof DIFF_SCHEMA_ID;
  before: DiffSide;
  after: DiffSide;
  /** Seconds between the two captures (absent when a capture time cannot be read). */
  intervalSeconds?: number;
  /** The sections compared (after `--only` and unusable sections are taken out). */
  sections: DiffSection[];
  /** Things the reader should know: different hosts, a section that failed to capture … */
  warnings: string[];
  /** TCP states before → after (present when sessions were compared). */
  tcpStates?: TcpStateTable;
  changes: Change[];
  summary: DiffSummary;
}

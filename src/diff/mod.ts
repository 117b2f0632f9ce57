/**
 * The diff engine: `diffSnapshots(before, after, opts)` compares two snapshots section by section
 * and returns an `nsnap-diff/v1` document. Pure: no I/O, deterministic output.
 *
 * @example
 * ```ts
 * import type { Snapshot } from "../model.ts";
 * import { diffSnapshots, isKind } from "./mod.ts";
 * declare const a: Snapshot, b: Snapshot;
 * const doc = diffSnapshots(a, b, { only: ["listeners"], ignore: { ports: ["22"] } });
 * for (const c of doc.changes.filter(isKind("listener-opened"))) console.log(c.after.port);
 * ```
 */
import type { SectionName, Snapshot } from "../model.ts";
import { type PortRange, socketRules } from "../net/sockets.ts";
import { COMPACT_REASON, leftOut } from "../snapshot/compact.ts";
import { DIFF_SECTIONS, type DiffSection, type Gate, gateTrips } from "./kinds.ts";
import { diffCounters } from "./counters.ts";
import { applyIgnore, type IgnoreRules, unusedIgnoreRules } from "./ignore.ts";
import { diffInterfaces } from "./interfaces.ts";
import { diffListeners } from "./listeners.ts";
import { diffRoutes } from "./routes.ts";
import { diffSessions, stateBuildups, tcpStates } from "./sessions.ts";
import {
  type Change,
  DIFF_SCHEMA_ID,
  type DiffDocument,
  type DiffSide,
  type DiffSummary,
} from "./types.ts";
import { append, secondsBetween, swappedOperands } from "./util.ts";

export * from "./types.ts";
export * from "./kinds.ts";
export { diffJsonSchema, parseDiffDocument } from "./schema.ts";
export {
  applyIgnore,
  compileIgnore,
  globToRegExp,
  type IgnoreRules,
  mergeIgnore,
  unusedIgnoreRules,
} from "./ignore.ts";

/** What to compare and what to leave out. */
export interface DiffOptions {
  /** Only these sections (default: all). */
  only?: readonly DiffSection[];
  /** List every session 5-tuple instead of groups. */
  detail?: boolean;
  /** Things to leave out of both snapshots before comparing. */
  ignore?: IgnoreRules;
  /**
   * UDP ports that are services even inside the ephemeral range (an unconnected UDP socket on
   * one is a listener, not a client).
   */
  udpServices?: readonly PortRange[];
  /** File names to record in the document's `before.file` / `after.file`. */
  beforeFile?: string;
  afterFile?: string;
}

/** The snapshot section each diff section is computed from. */
const SOURCE: Record<DiffSection, SectionName> = {
  listeners: "connections",
  sessions: "connections",
  routes: "routes",
  interfaces: "interfaces",
  counters: "counters",
};

function side(s: Snapshot, file: string | undefined): DiffSide {
  const d: DiffSide = { host: s.meta.host.hostname, capturedAt: s.meta.capturedAt };
  if (file !== undefined) d.file = file;
  if (s.meta.host.bootTime !== undefined) d.bootTime = s.meta.host.bootTime;
  return d;
}

/** Counts changes by kind and section. */
export function summarize(changes: readonly Change[]): DiffSummary {
  const byKind: Partial<Record<Change["kind"], number>> = {};
  const bySection: Partial<Record<DiffSection, number>> = {};
  let notable = 0;
  for (const c of changes) {
    byKind[c.kind] = (byKind[c.kind] ?? 0) + 1;
    bySection[c.section] = (bySection[c.section] ?? 0) + 1;
    if (c.notable) notable++;
  }
  return { total: changes.length, notable, byKind, bySection };
}

/** Compares two snapshots and returns the `nsnap-diff/v1` document. */
export function diffSnapshots(
  before: Snapshot,
  after: Snapshot,
  opts: DiffOptions = {},
): DiffDocument {
  const warnings = operandWarnings(before, after);
  // Reversed operands would make every counter go backwards: what is compared is the structure.
  const swapped = swappedOperands(before, after) !== undefined;
  if (opts.ignore) {
    for (const w of unusedIgnoreRules([before, after], opts.ignore)) warnings.push(w);
  }
  if (Boolean(before.meta.redacted) !== Boolean(after.meta.redacted)) {
    warnings.push(
      `only the ${
        before.meta.redacted ? "before" : "after"
      } snapshot is redacted: its addresses, MACs and names are pseudonyms, so most changes below are the redaction (redact both with one key to compare)`,
    );
  }
  const a = opts.ignore ? applyIgnore(before, opts.ignore) : before;
  const b = opts.ignore ? applyIgnore(after, opts.ignore) : after;
  const rules = {
    before: socketRules(a, { udpServices: opts.udpServices }),
    after: socketRules(b, { udpServices: opts.udpServices }),
  };
  const wanted = new Set<DiffSection>(opts.only ?? DIFF_SECTIONS);
  const sections: DiffSection[] = [];
  for (const s of DIFF_SECTIONS) {
    if (!wanted.has(s)) continue;
    if (s === "counters" && swapped) continue;
    const src = SOURCE[s];
    const bad = [a, b].find((x) => x.meta.sections[src].status === "error");
    if (bad) {
      // Comparing a section that was not captured would report everything as gone or new.
      const which = bad === a ? "before" : "after";
      const reason = bad.meta.sections[src].error;
      const w = `${s} not compared: the ${which} snapshot has no ${src}${
        reason ? ` (${reason})` : ""
      }`;
      if (!warnings.includes(w)) warnings.push(w);
      continue;
    }
    const compact = [a, b].find((x) => leftOut(x, s));
    if (compact) {
      // A compact capture left the section out on purpose: not "everything closed".
      const which = compact === a ? "before" : "after";
      const w = `${s} not compared: the ${which} snapshot is compact (${COMPACT_REASON})`;
      if (!warnings.includes(w)) warnings.push(w);
      continue;
    }
    sections.push(s);
  }
  const changes: Change[] = [];
  let states: DiffDocument["tcpStates"];
  for (const s of sections) {
    switch (s) {
      case "listeners":
        append(changes, diffListeners(a, b, rules));
        break;
      case "sessions":
        states = tcpStates(a, b);
        append(changes, diffSessions(a, b, rules, opts.detail === true));
        append(changes, stateBuildups(states));
        break;
      case "routes":
        append(changes, diffRoutes(a, b));
        break;
      case "interfaces":
        append(changes, diffInterfaces(a, b, { traffic: !swapped, warnings }));
        break;
      case "counters":
        append(changes, diffCounters(a, b));
        break;
    }
  }
  const doc: DiffDocument = {
    schema: DIFF_SCHEMA_ID,
    before: side(before, opts.beforeFile),
    after: side(after, opts.afterFile),
    sections,
    warnings,
    changes,
    summary: summarize(changes),
  };
  const secs = secondsBetween(before, after);
  if (secs !== undefined) doc.intervalSeconds = secs;
  if (states !== undefined) doc.tcpStates = states;
  return doc;
}

/** What makes the snapshots doubtful to compare: other hosts, namespaces, swapped operands. */
function operandWarnings(before: Snapshot, after: Snapshot): string[] {
  const warnings: string[] = [];
  const ha = before.meta.host.hostname, hb = after.meta.host.hostname;
  if (ha !== hb) {
    warnings.push(`the snapshots come from different hosts (${ha} and ${hb}); compared anyway`);
  } else {
    const na = before.meta.netns, nb = after.meta.netns;
    const other = (na?.inode !== undefined && nb?.inode !== undefined && na.inode !== nb.inode) ||
      (na?.name !== undefined && nb?.name !== undefined && na.name !== nb.name);
    if (other) {
      const name = (n: typeof na) => n?.name ?? `inode ${n?.inode}`;
      warnings.push(
        `the snapshots come from different network namespaces (${name(na)} and ${
          name(nb)
        }); compared anyway`,
      );
    }
  }
  const swapped = swappedOperands(before, after);
  if (swapped !== undefined) {
    warnings.push(
      `${swapped}: the operands look swapped (give the older snapshot first); counters and interface traffic not compared`,
    );
  }
  return warnings;
}

/** True when a change trips the gate (the `--fail-on` test). */
export function hasKind(doc: DiffDocument, gate: Gate): boolean {
  return doc.changes.some((c) => gateTrips(gate, c));
}

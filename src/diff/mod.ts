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
import { type ChangeKind, DIFF_SECTIONS, type DiffSection } from "./kinds.ts";
import { diffCounters } from "./counters.ts";
import { applyIgnore, type IgnoreRules } from "./ignore.ts";
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
import { append, secondsBetween } from "./util.ts";

export * from "./types.ts";
export * from "./kinds.ts";
export { diffJsonSchema, parseDiffDocument } from "./schema.ts";
export {
  applyIgnore,
  compileIgnore,
  globToRegExp,
  type IgnoreRules,
  mergeIgnore,
} from "./ignore.ts";

/** What to compare and what to leave out. */
export interface DiffOptions {
  /** Only these sections (default: all). */
  only?: readonly DiffSection[];
  /** List every session 5-tuple instead of groups. */
  detail?: boolean;
  /** Things to leave out of both snapshots before comparing. */
  ignore?: IgnoreRules;
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
  const byKind: Partial<Record<ChangeKind, number>> = {};
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
  const warnings: string[] = [];
  if (before.meta.host.hostname !== after.meta.host.hostname) {
    warnings.push(
      `the snapshots come from different hosts (${before.meta.host.hostname} and ${after.meta.host.hostname}); compared anyway`,
    );
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
  const wanted = new Set<DiffSection>(opts.only ?? DIFF_SECTIONS);
  const sections: DiffSection[] = [];
  for (const s of DIFF_SECTIONS) {
    if (!wanted.has(s)) continue;
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
    sections.push(s);
  }
  const changes: Change[] = [];
  let states: DiffDocument["tcpStates"];
  for (const s of sections) {
    switch (s) {
      case "listeners":
        append(changes, diffListeners(a, b));
        break;
      case "sessions":
        states = tcpStates(a, b);
        append(changes, diffSessions(a, b, opts.detail === true));
        append(changes, stateBuildups(states));
        break;
      case "routes":
        append(changes, diffRoutes(a, b));
        break;
      case "interfaces":
        append(changes, diffInterfaces(a, b));
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

/** True when any change has one of the kinds (the `--fail-on` test). */
export function hasKind(doc: DiffDocument, kinds: readonly ChangeKind[]): boolean {
  const set = new Set<string>(kinds);
  return doc.changes.some((c) => set.has(c.kind));
}

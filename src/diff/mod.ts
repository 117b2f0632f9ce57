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
import type { AnySectionName, Snapshot } from "../model.ts";
import { type PortRange, socketRules } from "../net/sockets.ts";
import { COMPACT_REASON, leftOut } from "../snapshot/compact.ts";
import { DIFF_SECTIONS, type DiffSection, type Gate, gateTrips } from "./kinds.ts";
import { diffCounters } from "./counters.ts";
import { applyIgnore, type IgnoreRules, unusedIgnoreRules } from "./ignore.ts";
import { diffInterfaces, interfaceRenames, underNewNames } from "./interfaces.ts";
import { diffListeners } from "./listeners.ts";
import { diffRoutes } from "./routes.ts";
import { diffRules } from "./rules.ts";
import { diffNeighbours } from "./neighbours.ts";
import { diffQdiscs } from "./qdiscs.ts";
import { diffFirewall } from "./firewall.ts";
import { diffSettings } from "./settings.ts";
import { diffSessions, stateBuildups, tcpStates } from "./sessions.ts";
import { diffListenQueues, diffTcpHealth } from "./tcp_health.ts";
import { diffUnixListeners } from "./unix_sockets.ts";
import { diffRawPacket } from "./raw_packet.ts";
import {
  type Change,
  DIFF_SCHEMA_ID,
  type DiffDocument,
  type DiffSide,
  type DiffSummary,
} from "./types.ts";
import { append, secondsBetween, swappedOperands } from "./util.ts";
import {
  diffNamespaceSet,
  diffPublishing,
  filterNamespaces,
  type NamespacePart,
  plainOwnRecords,
  recreated,
  splitByNamespace,
  tagChange,
} from "./namespaces.ts";
import { namespaceTitle, ownNamespaceId } from "../net/namespaces.ts";

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
  /** Only the namespaces matching these globs (`--netns`; ids, containers, netns and pod names). */
  netns?: readonly string[];
  /** File names to record in the document's `before.file` / `after.file`. */
  beforeFile?: string;
  afterFile?: string;
}

/** The snapshot section each diff section is computed from (namespaces: their own list). */
const SOURCE: Record<DiffSection, AnySectionName | undefined> = {
  namespaces: undefined,
  listeners: "connections",
  sessions: "connections",
  sockets: "connections",
  routes: "routes",
  rules: "rules",
  neighbours: "neighbours",
  interfaces: "interfaces",
  qdiscs: "qdiscs",
  firewall: "firewall",
  settings: "settings",
  counters: "counters",
};

/** Whether a snapshot has a section at all (sections added within v1 may be absent). */
function has(s: Snapshot, name: AnySectionName): boolean {
  return s[name] !== undefined && s.meta.sections[name] !== undefined;
}

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
  const a = prepare(before, opts);
  const b = prepare(after, opts);
  const wanted = new Set<DiffSection>(opts.only ?? DIFF_SECTIONS);
  const changes: Change[] = [];
  const sections = new Set<DiffSection>();
  let states: DiffDocument["tcpStates"];
  // Other namespaces whose UNIX listeners were not compared, by reason: said once at the end.
  const uncompared = new Map<string, string[]>();
  const compare = (x: Snapshot, y: Snapshot, part?: NamespacePart, fresh = false) => {
    const r = compareSections(x, y, wanted, opts, swapped || fresh, warnings, part, uncompared);
    for (const s of r.sections) sections.add(s);
    for (const c of r.changes) changes.push(part ? tagChange(c, part, y) : c);
    return r;
  };
  if (a.namespaces && b.namespaces) {
    const pa = splitByNamespace(a), pb = splitByNamespace(b);
    const own = (ps: NamespacePart[], s: Snapshot) => ps.find((p) => p.id === ownNamespaceId(s))!;
    states = compare(own(pa, a).snapshot, own(pb, b).snapshot).states;
    if (wanted.has("namespaces")) {
      sections.add("namespaces");
      const rules = {
        before: socketRules(a, { udpServices: opts.udpServices }),
        after: socketRules(b, { udpServices: opts.udpServices }),
      };
      const others = (ps: NamespacePart[], s: Snapshot) =>
        ps.filter((p) => p.id !== ownNamespaceId(s));
      append(changes, diffNamespaceSet(others(pa, a), others(pb, b), rules));
    }
    const byId = new Map(pa.map((p) => [p.id, p]));
    for (const p of pb) {
      if (p.id === ownNamespaceId(b)) continue;
      const q = byId.get(p.id);
      // A namespace re-created between the snapshots counts from zero again: like reversed
      // operands, its counters and interface traffic are not compared.
      if (q && q.id !== ownNamespaceId(a)) compare(q.snapshot, p.snapshot, p, recreated(q, p));
    }
    warnings.push(...uncomparedWarnings(uncompared));
  } else {
    const one = (s: Snapshot) =>
      s.namespaces ? splitByNamespace(s).find((p) => p.id === ownNamespaceId(s))!.snapshot : s;
    const multi = a.namespaces ?? b.namespaces;
    if (multi) {
      const which = a.namespaces ? "after" : "before";
      const others = multi.filter((n) => !n.own).length;
      warnings.push(
        `the ${which} snapshot holds one network namespace: only the snapshots' own are compared (${others} other namespaces of the ${
          which === "after" ? "before" : "after"
        } one are not)`,
      );
    }
    states = compare(one(a), one(b)).states;
  }
  const ordered = DIFF_SECTIONS.filter((s) => sections.has(s));
  const doc: DiffDocument = {
    schema: DIFF_SCHEMA_ID,
    before: side(before, opts.beforeFile),
    after: side(after, opts.afterFile),
    sections: ordered,
    warnings,
    changes,
    summary: summarize(changes),
  };
  const secs = secondsBetween(before, after);
  if (secs !== undefined) doc.intervalSeconds = secs;
  if (states !== undefined) doc.tcpStates = states;
  return doc;
}

/**
 * The "UNIX listeners not compared" warnings of other namespaces: one per reason, naming the
 * namespaces (a compact file or an nsnap 0.1.0 capture says it of every container), not one each.
 */
function uncomparedWarnings(byReason: ReadonlyMap<string, string[]>): string[] {
  return [...byReason].map(([reason, where]) => {
    if (where.length === 1) return `${where[0]}: UNIX listeners not compared: ${reason}`;
    const shown = where.slice(0, 3).join(", ") + (where.length > 3 ? ", …" : "");
    return `UNIX listeners not compared in ${where.length} namespaces (${shown}): ${reason}`;
  });
}

/** A snapshot with the ignore rules and the namespace filter applied. */
function prepare(s: Snapshot, opts: DiffOptions): Snapshot {
  const plain = plainOwnRecords(s);
  const ignored = opts.ignore ? applyIgnore(plain, opts.ignore) : plain;
  return filterNamespaces(ignored, { only: opts.netns, ignore: opts.ignore?.namespaces });
}

/**
 * Compares the sections of two single-namespace snapshots (or one namespace's parts): the
 * sections compared, the changes, the TCP state table. A section either snapshot failed to
 * capture is left out with a warning (naming the namespace of a part).
 */
function compareSections(
  a: Snapshot,
  b: Snapshot,
  wanted: ReadonlySet<DiffSection>,
  opts: DiffOptions,
  swapped: boolean,
  warnings: string[],
  part?: NamespacePart,
  uncompared?: Map<string, string[]>,
): { sections: DiffSection[]; changes: Change[]; states?: DiffDocument["tcpStates"] } {
  const rules = {
    before: socketRules(a, { udpServices: opts.udpServices }),
    after: socketRules(b, { udpServices: opts.udpServices }),
  };
  const title = part && (part.namespace ? namespaceTitle(part.namespace) : part.id);
  const where = title === undefined ? "" : `${title}: `;
  const sections: DiffSection[] = [];
  for (const s of DIFF_SECTIONS) {
    if (!wanted.has(s)) continue;
    if (s === "counters" && swapped) continue;
    const src = SOURCE[s];
    if (src === undefined) continue;
    // Raw and packet sockets are lists of netlink captures (within the connections section).
    const present = (x: Snapshot) =>
      has(x, src) &&
      (s !== "sockets" || x.rawSockets !== undefined || x.packetSockets !== undefined);
    const missing = [a, b].filter((x) => !present(x));
    if (missing.length === 2) continue;
    const compact = [a, b].find((x) => leftOut(x, s));
    if (compact) {
      // A compact capture left the section out on purpose: not "everything closed" (said once,
      // not once per namespace).
      const which = compact === a ? "before" : "after";
      const w = `${s} not compared: the ${which} snapshot is compact (${COMPACT_REASON})`;
      if (!warnings.includes(w)) warnings.push(w);
      continue;
    }
    if (missing.length === 1) {
      // Older snapshots and other platforms lack the sections added within v1: not compared.
      const which = missing[0] === a ? "before" : "after";
      const what = s === "sockets" && has(missing[0]!, src)
        ? "raw or packet sockets"
        : `${src} section`;
      const w = `${where}${s} not compared: the ${which} snapshot has no ${what}`;
      if (!warnings.includes(w)) warnings.push(w);
      continue;
    }
    const bad = [a, b].find((x) => x.meta.sections[src]?.status === "error");
    if (bad) {
      // Comparing a section that was not captured would report everything as gone or new.
      const which = bad === a ? "before" : "after";
      const reason = bad.meta.sections[src]?.error;
      const w = `${where}${s} not compared: the ${which} snapshot has no ${src}${
        reason ? ` (${reason})` : ""
      }`;
      if (!warnings.includes(w)) warnings.push(w);
      continue;
    }
    sections.push(s);
  }
  const changes: Change[] = [];
  let states: DiffDocument["tcpStates"];
  // Sections that know an interface by its name see the before side under the new names of the
  // interfaces renamed: a rename is one interface-renamed, not route, neighbour or qdisc churn.
  const byNew = underNewNames(a, interfaceRenames(a, b));
  for (const s of sections) {
    switch (s) {
      case "listeners":
        append(changes, diffListeners(a, b, rules));
        append(changes, diffListenQueues(a, b, rules));
        append(changes, diffPublishing(a, b, rules));
        if (a.unixSockets && b.unixSockets) append(changes, diffUnixListeners(a, b));
        else if (a.unixSockets || b.unixSockets) {
          const reason = `the ${a.unixSockets ? "after" : "before"} snapshot has no UNIX sockets`;
          if (title !== undefined && uncompared) {
            const list = uncompared.get(reason) ?? [];
            if (!list.includes(title)) list.push(title);
            uncompared.set(reason, list);
          } else {
            const w = `${where}UNIX listeners not compared: ${reason}`;
            if (!warnings.includes(w)) warnings.push(w);
          }
        }
        break;
      case "sessions":
        states = tcpStates(a, b);
        append(changes, diffSessions(a, b, rules, opts.detail === true));
        append(changes, stateBuildups(states));
        append(changes, diffTcpHealth(a, b, rules));
        break;
      case "sockets":
        append(changes, diffRawPacket(byNew, b));
        break;
      case "routes":
        append(changes, diffRoutes(byNew, b));
        break;
      case "rules":
        append(changes, diffRules(byNew, b));
        break;
      case "neighbours":
        append(changes, diffNeighbours(byNew, b));
        break;
      case "interfaces":
        append(changes, diffInterfaces(a, b, { traffic: !swapped, warnings }));
        break;
      case "qdiscs":
        append(changes, diffQdiscs(byNew, b, { drops: !swapped }));
        break;
      case "firewall":
        append(changes, diffFirewall(a, b));
        break;
      case "settings":
        append(changes, diffSettings(a, b));
        break;
      case "counters":
        append(changes, diffCounters(a, b));
        break;
    }
  }
  return states === undefined ? { sections, changes } : { sections, changes, states };
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
      `${swapped}: the operands look swapped (give the older snapshot first); counters, interface traffic and qdisc drops not compared`,
    );
  }
  return warnings;
}

/** True when a change trips the gate (the `--fail-on` test). */
export function hasKind(doc: DiffDocument, gate: Gate): boolean {
  return doc.changes.some((c) => gateTrips(gate, c));
}

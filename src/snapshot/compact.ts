/**
 * Compact captures for long periodic runs (`capture --every --compact`): after the run's first
 * full capture, each file keeps what a long watch needs — the listener set (every socket but
 * the connected ones, and the processes holding them), interfaces, counters and settings — and
 * says in its meta what it left out, so that no reader takes a section left out for one that
 * emptied.
 *
 * Decisions:
 * - `meta.compact = {base, sections}`: `base` names the full capture the file abbreviates,
 *   `sections` what the file holds (`COMPACT_SECTIONS`). The diff compares only sections both
 *   sides hold: sessions and routes of a compact file are never reported as closed or removed.
 * - `meta.sections` marks each section left out as `error: "not captured: compact mode"` (what
 *   every reader already skips), and the two kept in part as `partial` with a warning:
 *   connections (no sessions) and processes (only the owners of what is kept).
 * - Kept sockets are those that are not sessions (`isSession`): TCP LISTEN, every unconnected
 *   UDP socket (services and clients alike, so that a later `--udp-service` reads them as it
 *   would in a full capture) and unbound ones. Which of them are listeners is decided by the
 *   reader's rules, as for a full capture.
 * - Any top-level section besides those is dropped (and its status, if it has one, marked as
 *   above): a section added to the schema later is left out of compact files until it is added
 *   here on purpose.
 * - A capture across network namespaces keeps its `namespaces` (each one's identity, counters
 *   and settings; named in `meta.compact.sections`) and `forwards` (how the listeners kept are
 *   reached), so that every record kept still names a namespace the file lists and a diff pairs
 *   the namespaces as it does for full captures; each namespace's own section statuses are
 *   marked as the top-level ones are (routes left out, connections without sessions).
 */
import type { CompactMeta, Meta, Namespace, SectionStatus, Snapshot } from "../model.ts";
import { isSession } from "../net/sockets.ts";
import { dict } from "../util/record.ts";

/** What a compact file holds, as named in `meta.compact.sections`. */
export const COMPACT_SECTIONS = ["listeners", "interfaces", "counters", "settings"] as const;

/** The reason every section left out of a compact file carries. */
export const COMPACT_REASON = "not captured: compact mode";

/** The snapshot sections a compact file keeps whole. */
const KEPT_WHOLE = new Set(["interfaces", "counters", "settings"]);

/** A namespace's entry with its section statuses marked as a compact file's are. */
function compactNamespace(ns: Namespace): Namespace {
  const sections: Namespace["sections"] = {};
  for (const [name, st] of Object.entries(ns.sections)) {
    if (name === "connections") {
      sections[name] = st.status === "error" ? st : {
        ...st,
        status: "partial",
        warnings: [...st.warnings ?? [], `sessions ${COMPACT_REASON}`],
      };
    } else if (KEPT_WHOLE.has(name)) sections[name] = st;
    else sections[name] = { status: "error", error: COMPACT_REASON };
  }
  return { ...ns, sections };
}

function withWarning(st: SectionStatus, warning: string): SectionStatus {
  if (st.status === "error") return st;
  return { ...st, status: "partial", warnings: [...(st.warnings ?? []), warning] };
}

/**
 * The compact form of a full capture: sessions, routes and every other section left out, and
 * `meta.compact` naming the `base` file (the run's full capture).
 *
 * @example
 * ```ts
 * import type { Snapshot } from "../model.ts";
 * import { compactSnapshot } from "./compact.ts";
 * declare const full: Snapshot;
 * const small = compactSnapshot(full, "web-1-20261125T150812.345Z.json");
 * small.meta.sections.routes; // { status: "error", error: "not captured: compact mode" }
 * ```
 */
export function compactSnapshot(s: Snapshot, base: string): Snapshot {
  const connections = s.connections.filter((c) => !isSession(c));
  const holders = new Set<string>();
  for (const c of connections) {
    for (const p of c.pids ?? (c.pid === undefined ? [] : [c.pid])) holders.add(String(p));
  }
  const processes = dict(Object.entries(s.processes).filter(([pid]) => holders.has(pid)));
  const sections = { ...s.meta.sections } as Record<string, SectionStatus | undefined>;
  for (const name of Object.keys(sections)) {
    if (name === "connections" || name === "processes" || KEPT_WHOLE.has(name)) continue;
    if (sections[name] !== undefined) sections[name] = { status: "error", error: COMPACT_REASON };
  }
  sections.connections = withWarning(
    s.meta.sections.connections,
    `sessions ${COMPACT_REASON} (listeners and unconnected sockets only)`,
  );
  sections.processes = withWarning(
    s.meta.sections.processes,
    `only the holders of listeners and unconnected sockets: compact mode`,
  );
  const compact: CompactMeta = {
    base,
    sections: [...COMPACT_SECTIONS, ...(s.namespaces ? ["namespaces"] : [])],
  };
  const meta: Meta = { ...s.meta, compact, sections: sections as Meta["sections"] };
  const out: Snapshot = {
    schema: s.schema,
    meta,
    connections,
    processes,
    routes: [],
    interfaces: s.interfaces,
    counters: s.counters,
  };
  if (s.settings !== undefined) out.settings = s.settings;
  if (s.namespaces !== undefined) out.namespaces = s.namespaces.map(compactNamespace);
  if (s.forwards !== undefined) out.forwards = s.forwards;
  return out;
}

/**
 * True when `s` is a compact capture that left out `section` (a diff section or a snapshot
 * section name): its data there is not the host's.
 */
export function leftOut(s: Pick<Snapshot, "meta">, section: string): boolean {
  const c = s.meta.compact;
  if (c === undefined) return false;
  if (section === "connections" || section === "processes") return false;
  return !c.sections.includes(section);
}

/**
 * The kinds of change a diff reports and the sections they belong to: the vocabulary that
 * `--fail-on` and `--only` accept, so an unknown name is a usage error rather than a silent no-op.
 */
import { UsageError } from "../errors.ts";

/** The sections of a diff, in report order. */
export const DIFF_SECTIONS = ["listeners", "sessions", "routes", "interfaces", "counters"] as const;
export type DiffSection = typeof DIFF_SECTIONS[number];

/** Every kind of change, grouped by section, in report order. */
export const CHANGE_KINDS = {
  listeners: [
    "listener-opened",
    "listener-closed",
    "listener-owner-changed",
    "listener-restarted",
    "listener-exposure-changed",
  ],
  sessions: ["session-opened", "session-closed", "session-state-buildup"],
  routes: ["route-added", "route-removed", "route-changed"],
  interfaces: ["interface-added", "interface-removed", "interface-changed", "interface-traffic"],
  counters: ["counter-increased", "counter-reset", "gauge-changed", "setting-changed"],
} as const;

export type ChangeKind = typeof CHANGE_KINDS[DiffSection][number];

/** All kinds as one flat list, in report order. */
export const ALL_KINDS: readonly ChangeKind[] = DIFF_SECTIONS.flatMap((s) => CHANGE_KINDS[s]);

/** One-line meaning of each kind, for help text and documentation. */
export const KIND_DESCRIPTIONS: Record<ChangeKind, string> = {
  "listener-opened": "a new listening socket (TCP LISTEN or bound UDP)",
  "listener-closed": "a listening socket went away",
  "listener-owner-changed": "another program now holds the listening address and port",
  "listener-restarted": "same program, new pid or start time (what a deploy does)",
  "listener-exposure-changed": "same port and program, address widened or narrowed",
  "session-opened": "connected sockets that appeared (grouped unless --detail)",
  "session-closed": "connected sockets that went away (grouped unless --detail)",
  "session-state-buildup": "TIME_WAIT, CLOSE_WAIT or SYN_RECV sockets piled up",
  "route-added": "a route appeared",
  "route-removed": "a route went away",
  "route-changed": "gateway, interface, source, protocol or scope of a route changed",
  "interface-added": "an interface appeared",
  "interface-removed": "an interface went away",
  "interface-changed": "MTU, state, flags, MAC or addresses of an interface changed",
  "interface-traffic": "bytes, packets, errors or drops counted by an interface, with rates",
  "counter-increased": "a protocol counter moved (delta and per-second rate)",
  "counter-reset": "a counter went backwards, or the host rebooted between snapshots",
  "gauge-changed": "a gauge (Tcp.CurrEstab, sockstat) has another value",
  "setting-changed": "a protocol setting (Ip.Forwarding, Tcp.RtoMin …) has another value",
};

/** The section a kind belongs to. */
export function sectionOfKind(kind: ChangeKind): DiffSection {
  for (const s of DIFF_SECTIONS) {
    if ((CHANGE_KINDS[s] as readonly string[]).includes(kind)) return s;
  }
  throw new Error(`Cannot find the section of kind ${kind}`);
}

/** Splits a comma list, trimming blanks (`"a, b,,c"` → `["a","b","c"]`). */
export function splitList(text: string): string[] {
  return text.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

/** Parses `--fail-on` names; an unknown kind is a UsageError that lists the known ones. */
export function parseKinds(names: readonly string[]): ChangeKind[] {
  const known = new Set<string>(ALL_KINDS);
  for (const n of names) {
    if (!known.has(n)) {
      throw new UsageError(
        `Cannot use --fail-on ${JSON.stringify(n)}: unknown change kind (known: ${
          ALL_KINDS.join(", ")
        })`,
      );
    }
  }
  return names as ChangeKind[];
}

/** Parses `--only` names; an unknown section is a UsageError that lists the known ones. */
export function parseSections(names: readonly string[]): DiffSection[] {
  const known = new Set<string>(DIFF_SECTIONS);
  if (names.length === 0) {
    throw new UsageError(
      `Cannot use --only: no section named (known: ${DIFF_SECTIONS.join(", ")})`,
    );
  }
  for (const n of names) {
    if (!known.has(n)) {
      throw new UsageError(
        `Cannot use --only ${JSON.stringify(n)}: unknown section (known: ${
          DIFF_SECTIONS.join(", ")
        })`,
      );
    }
  }
  return names as DiffSection[];
}

/**
 * The vocabulary of a diff, derived from the kinds table in `schema.ts`: the sections, the kinds
 * of change and the section each belongs to — what `--fail-on` and `--only` accept, so an unknown
 * name is a usage error rather than a silent no-op.
 */
import { UsageError } from "../errors.ts";
import { parsePortRange, type PortRange } from "../net/sockets.ts";
import { globToRegExp } from "./ignore.ts";
import { CHANGES, DiffSection as SectionSchema, GATED_WITH } from "./schema.ts";
import type { Change, ChangeIn, ChangeKind, ChangeOf, DiffSection } from "./types.ts";

export type { ChangeKind, DiffSection } from "./types.ts";

/** The sections of a diff, in report order. */
export const DIFF_SECTIONS: readonly DiffSection[] = SectionSchema.options;

/** All kinds as one flat list, in report order. */
export const ALL_KINDS: readonly ChangeKind[] = CHANGES.map((c) => c.shape.kind.value);

/** The section each kind belongs to. */
export const KIND_SECTIONS = Object.fromEntries(
  CHANGES.map((c) => [c.shape.kind.value, c.shape.section.value]),
) as Readonly<Record<ChangeKind, DiffSection>>;

/** Every kind of change, grouped by section, in report order. */
export const CHANGE_KINDS: Readonly<Record<DiffSection, readonly ChangeKind[]>> = (() => {
  const out = {} as Record<DiffSection, readonly ChangeKind[]>;
  for (const s of DIFF_SECTIONS) out[s] = ALL_KINDS.filter((k) => KIND_SECTIONS[k] === s);
  return out;
})();

/** One-line meaning of each kind, for help text and documentation. */
export const KIND_DESCRIPTIONS = Object.fromEntries(
  CHANGES.map((c) => [c.shape.kind.value, c.description ?? ""]),
) as Readonly<Record<ChangeKind, string>>;

/**
 * A type guard for changes of one kind, so their fields are typed.
 *
 * @example
 * ```ts
 * import { type DiffDocument, isKind } from "./mod.ts";
 * declare const doc: DiffDocument;
 * for (const c of doc.changes.filter(isKind("listener-exposure-changed"))) {
 *   console.log(c.key.port, c.exposure);
 * }
 * ```
 */
export function isKind<K extends ChangeKind>(kind: K): (c: Change) => c is ChangeOf<K> {
  return (c): c is ChangeOf<K> => c.kind === kind;
}

/** A type guard for changes of one section, so their keys are typed. */
export function inSection<S extends DiffSection>(section: S): (c: Change) => c is ChangeIn<S> {
  return (c): c is ChangeIn<S> => c.section === section;
}

/** Splits a comma list, trimming blanks (`"a, b,,c"` → `["a","b","c"]`). */
export function splitList(text: string): string[] {
  return text.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

/** The word in `--fail-on` that gates on every notable change, whatever its kind. */
export const NOTABLE = "notable";

/** One `--fail-on` entry and what it selects. */
export interface GateEntry {
  /** As written: a kind, a glob over kinds (`listener-*`), or `notable`. */
  text: string;
  /** The kinds it names, with the kinds gated with them (`GATED_WITH`). */
  kinds: readonly ChangeKind[];
  /** True for `notable`. */
  notable: boolean;
}

/** What `--fail-on` trips on. */
export interface Gate {
  entries: readonly GateEntry[];
}

/** The kinds a gate on `kind` also trips on: itself and the kinds declared gated with it. */
function withGated(kinds: readonly ChangeKind[]): ChangeKind[] {
  const out = new Set<ChangeKind>(kinds);
  for (const [finer, coarse] of Object.entries(GATED_WITH)) {
    if (out.has(coarse as ChangeKind)) out.add(finer as ChangeKind);
  }
  return ALL_KINDS.filter((k) => out.has(k));
}

/**
 * Parses `--fail-on` entries: kinds, globs over kinds (`listener-*`, `*-removed`) and the word
 * `notable`. A kind also gates the kinds declared with it (`listener-opened` trips on
 * `listener-instance-added` too). An entry that names no kind is a UsageError listing them.
 *
 * @example
 * ```ts
 * import { gateTrips, parseGate } from "./kinds.ts";
 * const gate = parseGate(["listener-opened", "notable"]);
 * gateTrips(gate, { kind: "route-added", notable: true }); // true
 * ```
 */
export function parseGate(names: readonly string[]): Gate {
  const entries = names.map((text): GateEntry => {
    if (text === NOTABLE) return { text, kinds: [], notable: true };
    const re = /[*?[]/.test(text) ? globToRegExp(text) : undefined;
    const named = ALL_KINDS.filter((k) => (re ? re.test(k) : k === text));
    if (named.length === 0) {
      throw new UsageError(
        `Cannot use --fail-on ${JSON.stringify(text)}: ${
          re ? "the pattern matches no change kind" : "unknown change kind"
        } (known: ${NOTABLE}, ${
          ALL_KINDS.join(", ")
        }; or a threshold such as counter:Tcp.RetransSegs>1%)`,
      );
    }
    return { text, kinds: withGated(named), notable: false };
  });
  return { entries };
}

/** True when a change trips the gate. */
export function gateTrips(gate: Gate, c: Pick<Change, "kind" | "notable">): boolean {
  return gate.entries.some((e) => (e.notable ? c.notable === true : e.kinds.includes(c.kind)));
}

/**
 * Why a gate cannot work with the sections compared: an entry whose every kind lies in a section
 * left out by `--only` would never trip. Undefined when every entry can.
 */
export function gateConflict(gate: Gate, only: readonly DiffSection[]): string | undefined {
  const compared = new Set(only);
  for (const e of gate.entries) {
    if (e.notable || e.kinds.some((k) => compared.has(KIND_SECTIONS[k]))) continue;
    const secs = [...new Set(e.kinds.map((k) => KIND_SECTIONS[k]))];
    return `Cannot use --fail-on ${JSON.stringify(e.text)}: ${
      secs.length === 1 ? `its section (${secs[0]}) is` : `its sections (${secs.join(", ")}) are`
    } not compared (--only ${only.join(",")})`;
  }
  return undefined;
}

/**
 * Parses UDP service ports or ranges (`51820`, `"60000-60100"`) for `--udp-service` and the
 * policy file's `udp-services`; a bad one is a UsageError.
 */
export function parsePortRanges(items: readonly (string | number)[], option: string): PortRange[] {
  return items.map((item) => {
    const r = parsePortRange(item);
    if (r === undefined) {
      throw new UsageError(
        `Cannot use --${option} ${
          JSON.stringify(String(item))
        }: expected a port or a range like 60000-60100`,
      );
    }
    return r;
  });
}

/** True for a `--fail-on` value that is a threshold (`counter:Tcp.RetransSegs>1%`), not a kind. */
export function looksLikeThreshold(text: string): boolean {
  return /[<>=!]/.test(text);
}

/**
 * `--fail-on` values split: kind entries (kinds, globs, `notable`; checked by `parseGate`), and
 * threshold texts (parsed by the CLI).
 */
export interface FailOnNames {
  kinds: string[];
  thresholds: string[];
}

/** Splits `--fail-on` values into kind entries and thresholds; an unknown kind is a UsageError. */
export function splitFailOn(names: readonly string[]): FailOnNames {
  const kinds: string[] = [], thresholds: string[] = [];
  for (const n of names) (looksLikeThreshold(n) ? thresholds : kinds).push(n);
  parseGate(kinds);
  return { kinds, thresholds };
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

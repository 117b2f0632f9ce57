/**
 * The vocabulary of a diff, derived from the kinds table in `schema.ts`: the sections, the kinds
 * of change and the section each belongs to — what `--fail-on` and `--only` accept, so an unknown
 * name is a usage error rather than a silent no-op.
 */
import { UsageError } from "../errors.ts";
import { CHANGES, DiffSection as SectionSchema } from "./schema.ts";
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

/** Parses `--fail-on` names; an unknown kind is a UsageError that lists the known ones. */
export function parseKinds(names: readonly string[]): ChangeKind[] {
  const known = new Set<string>(ALL_KINDS);
  for (const n of names) {
    if (!known.has(n)) {
      throw new UsageError(
        `Cannot use --fail-on ${JSON.stringify(n)}: unknown change kind (known: ${
          ALL_KINDS.join(", ")
        }; or a threshold such as counter:Tcp.RetransSegs>1%)`,
      );
    }
  }
  return names as ChangeKind[];
}

/** True for a `--fail-on` value that is a threshold (`counter:Tcp.RetransSegs>1%`), not a kind. */
export function looksLikeThreshold(text: string): boolean {
  return /[<>=!]/.test(text);
}

/** `--fail-on` values split: change kinds (checked), and threshold texts (parsed by the CLI). */
export interface FailOnNames {
  kinds: ChangeKind[];
  thresholds: string[];
}

/** Splits `--fail-on` values into change kinds and thresholds; an unknown kind is a UsageError. */
export function splitFailOn(names: readonly string[]): FailOnNames {
  const kinds: string[] = [], thresholds: string[] = [];
  for (const n of names) (looksLikeThreshold(n) ? thresholds : kinds).push(n);
  return { kinds: parseKinds(kinds), thresholds };
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

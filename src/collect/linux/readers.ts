/**
 * Sections with more than one source: a list of readers tried in order, the first that answers
 * makes the section and is recorded as its `source`. This is where a faster source is put in
 * front of a slower one (netlink before `ip -j`), one reader at a time.
 *
 * Decisions:
 * - A reader that cannot answer at all (its tool is missing, the kernel refuses) says why with
 *   `unavailable()`, and one whose output cannot be read throws; either way the next one is
 *   tried. When one answers, the reasons of those before it
 *   are warnings only if it knows less than they would have (`lesser`): falling back from
 *   netlink to `ip -j` loses nothing, from `ip -j` to /proc/net/arp it does.
 * - When none answers, the section is an error naming every reason.
 */
import type { Place } from "../contract.ts";
import type { DumpOptions, DumpResult } from "./netlink.ts";
import { failed, type Section, section } from "../section.ts";

/** Why a reader could not answer. */
export interface Unavailable {
  unavailable: string;
}

/** The answer of a reader that cannot read its source at all. */
export function unavailable(reason: string): Unavailable {
  return { unavailable: reason };
}

function isUnavailable(x: unknown): x is Unavailable {
  return typeof x === "object" && x !== null && typeof (x as Unavailable).unavailable === "string";
}

/** One source of a section. */
export interface Reader<T> {
  /** What it reads, recorded as the section's source: "ip -j", "netlink", "/proc/net/arp". */
  source: string;
  /** What it cannot show that the readers before it could (makes the section partial). */
  lesser?: string;
  /** The value (pushing what it could not read to `warnings`), or why it cannot answer. */
  read: (place: Place, warnings: string[]) => T | Unavailable;
}

/** Reads a section from the first of its readers that answers. */
export function readSection<T>(
  place: Place,
  readers: readonly Reader<T>[],
  empty: T,
): Section<T> {
  const reasons: string[] = [];
  for (const reader of readers) {
    let gave: Unavailable | undefined;
    const s = section(reader.source, empty, (warnings) => {
      const v = reader.read(place, warnings);
      if (isUnavailable(v)) {
        gave = v;
        return empty;
      }
      if (reader.lesser !== undefined && reasons.length > 0) {
        warnings.unshift(`${reasons.join("; ")}: read ${reader.source} instead (${reader.lesser})`);
      }
      return v;
    });
    if (gave === undefined && s.status.status !== "error") return s;
    reasons.push(gave?.unavailable ?? s.status.error ?? `${reader.source} failed`);
  }
  const source = readers.map((r) => r.source).join(", ");
  return { value: empty, status: failed(reasons.join("; ") || "no source"), source };
}

/** The readers, without the netlink ones when the capture does not read netlink. */
export function withNetlink<T>(readers: readonly Reader<T>[], netlink: boolean): Reader<T>[] {
  return readers.filter((r) => netlink || r.source !== "netlink");
}

/**
 * A netlink dump made in the place's namespace (with interface `names` when the caller has
 * them): its records, its warnings pushed, or why it cannot answer — including a part it could
 * not finish, so that the next reader reads the whole section instead.
 */
export function dumpIn<T>(
  place: Place,
  dump: (o: DumpOptions) => DumpResult<T>,
  warnings: string[],
  names?: ReadonlyMap<number, string>,
): T[] | Unavailable {
  const r = dump({
    ...(place.netns === undefined ? {} : { netns: place.netns }),
    ...(names === undefined ? {} : { names }),
  });
  if (!r.ok) return unavailable(r.reason);
  if (r.incomplete.length > 0) {
    return unavailable(r.warnings.join("; ") || `${r.incomplete.join(", ")} unread`);
  }
  warnings.push(...r.warnings);
  return r.records;
}

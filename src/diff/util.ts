/** Small helpers the diff sections share: stable ordering and owner lookup. */
import type { Connection, ProcessInfo, Snapshot } from "../model.ts";
import type { Change } from "./types.ts";

/** Pads a number so that string order is numeric order (ports, metrics, tables). */
export function pad(n: number): string {
  return String(n).padStart(10, "0");
}

/** Orders changes by the sort keys they were built with, ties by their text. */
export function sortByKey(items: Array<[string, Change]>): Change[] {
  // Two changes of one sort key (records a hand-made file repeats) fall back to their text, so
  // the input's order never decides the output's.
  const texts = new Map<Change, string>();
  const text = (c: Change) => {
    let t = texts.get(c);
    if (t === undefined) texts.set(c, t = canonicalText(c));
    return t;
  };
  return items.sort((a, b) => {
    if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
    const ta = text(a[1]), tb = text(b[1]);
    return ta < tb ? -1 : ta > tb ? 1 : 0;
  }).map((x) => x[1]);
}

/** A value as JSON, bigints included: what ties are broken by. */
function canonicalText(x: unknown): string {
  return JSON.stringify(x, (_k, v) => (typeof v === "bigint" ? `${v}n` : v));
}

/** The process that owns a socket (its master holder), when the snapshot knows it. */
export function ownerOf(snap: Snapshot, c: Connection): ProcessInfo | undefined {
  return c.pid === undefined ? undefined : snap.processes[String(c.pid)];
}

/** Parses an ISO time to epoch ms, or undefined. */
export function epochMs(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : undefined;
}

/** Seconds between two capture times, or undefined when unknown or not positive. */
export function secondsBetween(a: Snapshot, b: Snapshot): number | undefined {
  const t0 = epochMs(a.meta.capturedAt), t1 = epochMs(b.meta.capturedAt);
  if (t0 === undefined || t1 === undefined || t1 <= t0) return undefined;
  return (t1 - t0) / 1000;
}

/** A rate with at most 3 decimals, so documents stay readable and deterministic. */
export function rate(delta: bigint, seconds: number | undefined): number | undefined {
  if (seconds === undefined) return undefined;
  return Math.round((Number(delta) / seconds) * 1000) / 1000;
}

/** The two boot times when both snapshots name one and the two differ (a reboot in between). */
export function bootTimes(a: Snapshot, b: Snapshot): [string, string] | undefined {
  const ta = a.meta.host.bootTime, tb = b.meta.host.bootTime;
  const x = epochMs(ta), y = epochMs(tb);
  // Boot times derived from uptime jitter by a second or so; only a real gap is a reboot.
  if (x === undefined || y === undefined || Math.abs(x - y) <= 5000) return undefined;
  return [ta!, tb!];
}

/**
 * Why the operands look swapped — the "after" snapshot was captured before the "before" one, or
 * comes from an earlier boot — or undefined when they are in order (or it cannot be told).
 */
export function swappedOperands(a: Snapshot, b: Snapshot): string | undefined {
  const t0 = epochMs(a.meta.capturedAt), t1 = epochMs(b.meta.capturedAt);
  if (t0 !== undefined && t1 !== undefined && t1 < t0) {
    return `the after snapshot (${b.meta.capturedAt}) was captured before the before snapshot (${a.meta.capturedAt})`;
  }
  const x = epochMs(a.meta.host.bootTime), y = epochMs(b.meta.host.bootTime);
  if (x !== undefined && y !== undefined && y < x - 5000) {
    return `the after snapshot comes from an earlier boot (${b.meta.host.bootTime}) than the before snapshot (${a.meta.host.bootTime})`;
  }
  return undefined;
}

/** True when the host rebooted between the snapshots. */
export function rebooted(a: Snapshot, b: Snapshot): boolean {
  return bootTimes(a, b) !== undefined;
}

/** Appends every item of `src` to `dst` (no spread: 100k-item spreads overflow the stack). */
export function append<T>(dst: T[], src: Iterable<T>): void {
  for (const x of src) dst.push(x);
}

/**
 * Items by their key; when several share a key (which one snapshot should not have, but a
 * hand-made or imported one may), they are put in a canonical order and the later ones get
 * `#2`, `#3` … so none is lost and the input's order changes nothing. `text` gives what the
 * canonical order sorts by (the whole item by default): it must not hold what a reorder moves.
 */
export function keyed<T>(
  items: readonly T[],
  key: (x: T) => string,
  text: (x: T) => unknown = (x) => x,
): Map<string, T> {
  const groups = new Map<string, T[]>();
  for (const x of items) {
    const k = key(x);
    const g = groups.get(k);
    if (g) g.push(x);
    else groups.set(k, [x]);
  }
  const out = new Map<string, T>();
  for (const [k, g] of groups) {
    if (g.length === 1) {
      out.set(k, g[0]!);
      continue;
    }
    g.map((x) => [canonicalText(text(x)), x] as const).sort((
      p,
      q,
    ) => (p[0] < q[0] ? -1 : p[0] > q[0] ? 1 : 0))
      .forEach(([, x], i) => out.set(i === 0 ? k : `${k} #${i + 1}`, x));
  }
  return out;
}

/**
 * The roll-up: each host's diff is added as it is made (and can then be dropped), and at the end
 * identical changes across hosts are one line with the hosts that have it and those that do not;
 * counters, gauges and interface traffic are a sum and a distribution of the per-host values.
 * Memory grows with the number of distinct fleet keys, not with the size of the snapshots.
 *
 * Outliers: a line seen on at most `max(1, floor(outlierShare × N))` of the N paired hosts, and
 * on fewer than half of them, is flagged `outlier` (and notable): a host that did what the others
 * did not. The default share is 0.1 (`--outlier-share`). Tallies are distributions, not changes:
 * they carry the hosts with the lowest and the highest value instead.
 */
import { ALL_KINDS, DIFF_SECTIONS } from "../diff/kinds.ts";
import type { Change, ChangeKind, ChangeOf, DiffDocument } from "../diff/types.ts";
import { type FleetKey, fleetKey, type HostContext, isTallied, type TalliedKind } from "./keys.ts";
import type { FleetChange, Tally } from "./schema.ts";
import { naturalCompare } from "./names.ts";

/** The default share of hosts at or below which a change is an outlier. */
export const DEFAULT_OUTLIER_SHARE = 0.1;

/** How many hosts at most an outlier is seen on, of `hosts` paired hosts. */
export function outlierMaxHosts(hosts: number, share: number): number {
  return Math.max(1, Math.floor(share * hosts + 1e-9));
}

/** True when a change seen on `seen` of `hosts` hosts is an outlier. */
export function isOutlier(seen: number, hosts: number, share: number): boolean {
  return seen <= outlierMaxHosts(hosts, share) && 2 * seen < hosts;
}

interface LineAcc {
  kind: ChangeKind;
  section: Change["section"];
  key: FleetKey;
  what: string;
  literal: string;
  sameLiteral: boolean;
  hosts: number[];
  changes: number;
  sockets: number;
  notable: boolean;
  example: { host: number; summary: string };
}

interface TallyAcc {
  kind: TalliedKind;
  section: Change["section"];
  key: FleetKey;
  what: string;
  hosts: number[];
  changes: number;
  total: bigint;
  values: { value: number; host: number }[];
  notableHosts: number[];
  resetHosts: number[];
}

function pushHost(list: number[], host: number): void {
  if (list[list.length - 1] !== host) list.push(host);
}

function sortText(kind: ChangeKind, key: FleetKey): string {
  const kindRank = String(ALL_KINDS.indexOf(kind)).padStart(3, "0");
  return kindRank + "\0" + Object.values(key).join("\0");
}

function mapKey(kind: string, key: FleetKey): string {
  return `${kind}\0${JSON.stringify(key)}`;
}

/**
 * "on 3 of 40 hosts: a, b, c", "on 37 of 40 hosts; not on x, y, z", "on all 40 hosts" or "on
 * the only host, a" (a fleet of one): the
 * shorter list is named, at most `cap` names, each shown through `show` (escaping, for text).
 */
export function hostsPhrase(
  hosts: readonly string[],
  missing: readonly string[],
  cap = 10,
  show: (name: string) => string = (n) => n,
): string {
  const n = hosts.length, total = hosts.length + missing.length;
  const list = (names: readonly string[]) =>
    names.length <= cap
      ? names.map(show).join(", ")
      : `${names.slice(0, cap).map(show).join(", ")} and ${names.length - cap} more`;
  if (missing.length === 0) {
    return total === 1 ? `on the only host, ${list(hosts)}` : `on all ${total} hosts`;
  }
  if (n <= missing.length) return `on ${n} of ${total} hosts: ${list(hosts)}`;
  return `on ${n} of ${total} hosts; not on ${list(missing)}`;
}

function median(sorted: readonly number[]): number {
  const m = sorted.length >> 1;
  return sorted.length % 2 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;

/** Collects per-host diffs into the fleet's roll-up. */
export class FleetRollup {
  readonly #names: readonly string[];
  readonly #share: number;
  readonly #lines = new Map<string, LineAcc>();
  readonly #tallies = new Map<string, TallyAcc>();

  /** `names` are the paired hosts in report order; hosts are added by their index in it. */
  constructor(names: readonly string[], outlierShare = DEFAULT_OUTLIER_SHARE) {
    this.#names = names;
    this.#share = outlierShare;
  }

  /** Adds one host's diff; hosts must be added in increasing index order. */
  add(host: number, doc: DiffDocument, ctx: HostContext): void {
    for (const c of doc.changes) {
      if (isTallied(c.kind)) this.#tally(host, c as ChangeOf<TalliedKind>);
      else this.#line(host, c, ctx);
    }
  }

  #line(host: number, c: Change, ctx: HostContext): void {
    const f = fleetKey(c, ctx);
    const k = mapKey(c.kind, f.key);
    let acc = this.#lines.get(k);
    if (!acc) {
      acc = {
        kind: c.kind,
        section: c.section,
        key: f.key,
        what: f.what,
        literal: f.literal,
        sameLiteral: true,
        hosts: [],
        changes: 0,
        sockets: 0,
        notable: false,
        example: { host, summary: c.summary },
      };
      this.#lines.set(k, acc);
    } else if (acc.sameLiteral && acc.literal !== f.literal) acc.sameLiteral = false;
    pushHost(acc.hosts, host);
    acc.changes++;
    if (c.kind === "session-opened" || c.kind === "session-closed") acc.sockets += c.count;
    if (c.notable) acc.notable = true;
  }

  #tally(host: number, c: ChangeOf<TalliedKind>): void {
    const key: FleetKey = c.kind === "interface-traffic"
      ? { interface: c.key.interface }
      : { group: c.key.group, name: c.key.name };
    const k = mapKey(c.kind, key);
    let acc = this.#tallies.get(k);
    if (!acc) {
      acc = {
        kind: c.kind,
        section: c.section,
        key,
        what: c.kind === "interface-traffic"
          ? `interface ${c.key.interface} traffic (rx+tx bytes)`
          : `${c.key.group}.${c.key.name}`,
        hosts: [],
        changes: 0,
        total: 0n,
        values: [],
        notableHosts: [],
        resetHosts: [],
      };
      this.#tallies.set(k, acc);
    }
    pushHost(acc.hosts, host);
    acc.changes++;
    if (c.notable) pushHost(acc.notableHosts, host);
    if (c.kind === "counter-increased") {
      acc.total += c.delta;
      if (c.perSecond !== undefined) acc.values.push({ value: c.perSecond, host });
    } else if (c.kind === "gauge-changed") {
      acc.total += c.after - c.before;
      acc.values.push({ value: Number(c.after), host });
    } else {
      if (c.reset) pushHost(acc.resetHosts, host);
      if (c.delta) acc.total += (c.delta.rxBytes ?? 0n) + (c.delta.txBytes ?? 0n);
      if (c.perSecond) {
        acc.values.push({
          value: round3((c.perSecond.rxBytes ?? 0) + (c.perSecond.txBytes ?? 0)),
          host,
        });
      }
    }
  }

  /** The lines and tallies, in report order (section, kind, key). */
  finish(): { rollup: FleetChange[]; tallies: Tally[] } {
    const names = this.#names, n = names.length;
    const split = (hosts: readonly number[]) => {
      const has = new Set(hosts);
      return {
        hosts: hosts.map((h) => names[h]!),
        missing: names.filter((_, i) => !has.has(i)),
      };
    };
    const order = (section: string, text: string) =>
      `${DIFF_SECTIONS.indexOf(section as never)}\0${text}`;
    // Natural order, so that 10.0.0.20 comes before 10.0.0.120 and port 80 before 443.
    const cmp = (a: [string, unknown], b: [string, unknown]) => naturalCompare(a[0], b[0]);

    const lines: Array<[string, FleetChange]> = [];
    for (const acc of this.#lines.values()) {
      const { hosts, missing } = split(acc.hosts);
      const what = acc.sameLiteral ? acc.literal : acc.what;
      const line: FleetChange = {
        kind: acc.kind,
        section: acc.section,
        key: acc.key,
        what,
        summary: `${acc.kind} ${what} ${hostsPhrase(hosts, missing)}`,
        hosts,
        missing,
        changes: acc.changes,
        example: { host: names[acc.example.host]!, summary: acc.example.summary },
      };
      if (acc.sockets > 0) line.sockets = acc.sockets;
      const outlier = isOutlier(hosts.length, n, this.#share);
      if (acc.notable || outlier) line.notable = true;
      if (outlier) line.outlier = true;
      lines.push([order(acc.section, sortText(acc.kind, acc.key)), line]);
    }

    const tallies: Array<[string, Tally]> = [];
    for (const acc of this.#tallies.values()) {
      const { hosts, missing } = split(acc.hosts);
      const t: Tally = {
        kind: acc.kind,
        section: acc.section,
        key: acc.key,
        what: acc.what,
        summary: "",
        hosts,
        missing,
        changes: acc.changes,
        total: acc.total,
      };
      if (acc.values.length > 0) {
        // Ties go to the host first in report order, so the result never depends on input order.
        const vs = [...acc.values].sort((a, b) => a.value - b.value || a.host - b.host);
        const lo = vs[0]!;
        let hi = vs[vs.length - 1]!;
        for (const v of vs) if (v.value === hi.value && v.host < hi.host) hi = v;
        t.distribution = {
          of: acc.kind === "gauge-changed" ? "after" : "perSecond",
          hosts: vs.length,
          min: { value: lo.value, host: names[lo.host]! },
          median: round3(median(vs.map((v) => v.value))),
          max: { value: hi.value, host: names[hi.host]! },
        };
      }
      if (acc.notableHosts.length > 0) {
        t.notable = true;
        t.notableHosts = acc.notableHosts.map((h) => names[h]!);
      }
      if (acc.resetHosts.length > 0) t.resetHosts = acc.resetHosts.map((h) => names[h]!);
      t.summary = `${acc.kind} ${acc.what} ${hostsPhrase(hosts, missing)}: total ${acc.total}` +
        (t.distribution
          ? `, ${
            t.distribution.of === "after" ? "after" : "per second"
          } min ${t.distribution.min.value} (${t.distribution.min.host}), median ${t.distribution.median}, max ${t.distribution.max.value} (${t.distribution.max.host})`
          : "");
      tallies.push([order(acc.section, sortText(acc.kind, acc.key)), t]);
    }
    return {
      rollup: lines.sort(cmp).map(([, l]) => l),
      tallies: tallies.sort(cmp).map(([, t]) => t),
    };
  }
}

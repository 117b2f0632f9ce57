/**
 * Interfaces, keyed by name: added, removed, renamed (an interface gone and one new with the same
 * index and MAC: one device), changed (MTU, state, flags, MAC, addresses), and traffic: the delta
 * and per-second rate of every /proc/net/dev counter that moved (`interface-traffic`). A counter
 * that went backwards makes the traffic a reset, never a negative delta. A name listed twice in
 * one snapshot (an import that merged two sources badly) is one interface with the addresses of
 * both, and a warning.
 */
import {
  INTERFACE_STAT_NAMES,
  type InterfaceAddress,
  type InterfaceStatName,
  type NetInterface,
  type Snapshot,
} from "../model.ts";
import type { Change, ChangeOf, InterfaceSettings, InterfaceSide } from "./types.ts";
import { rate, rebooted, secondsBetween, sortByKey } from "./util.ts";
import { formatBytes, formatCount } from "../format.ts";

/** What the interfaces diff is told besides the snapshots. */
export interface InterfaceDiffOptions {
  /** Compare traffic counters (not when the operands look swapped). */
  traffic: boolean;
  /** Where to say that a snapshot lists an interface twice. */
  warnings: string[];
}

function byName(snap: Snapshot, which: string, warnings: string[]): Map<string, NetInterface> {
  const out = new Map<string, NetInterface>();
  const twice = new Set<string>();
  for (const i of snap.interfaces) {
    const had = out.get(i.name);
    if (!had) {
      out.set(i.name, i);
      continue;
    }
    twice.add(i.name);
    const known = new Set(had.addresses.map(addr));
    out.set(i.name, {
      ...i,
      ...had,
      addresses: [...had.addresses, ...i.addresses.filter((x) => !known.has(addr(x)))],
    });
  }
  for (const name of [...twice].sort()) {
    warnings.push(
      `the ${which} snapshot lists interface ${
        JSON.stringify(name)
      } more than once; compared as one with the addresses of all`,
    );
  }
  return out;
}

/** One device under two names: gone from one snapshot, new in the other, same index and MAC. */
function renames(
  a: ReadonlyMap<string, NetInterface>,
  b: ReadonlyMap<string, NetInterface>,
): Map<string, string> {
  const id = (i: NetInterface) =>
    i.index !== undefined && i.mac !== undefined && i.mac !== "00:00:00:00:00:00"
      ? `${i.index} ${i.mac}`
      : undefined;
  const fresh = new Map<string, string[]>();
  for (const [name, ib] of b) {
    const k = id(ib);
    if (k !== undefined && !a.has(name)) fresh.set(k, [...(fresh.get(k) ?? []), name]);
  }
  const gone = new Map<string, string[]>();
  for (const [name, ia] of a) {
    const k = id(ia);
    if (k !== undefined && !b.has(name)) gone.set(k, [...(gone.get(k) ?? []), name]);
  }
  const out = new Map<string, string>();
  for (const [k, olds] of gone) {
    const news = fresh.get(k);
    // Only a one-to-one match is a rename; anything else stays removed + added.
    if (olds.length === 1 && news?.length === 1) out.set(olds[0]!, news[0]!);
  }
  return out;
}

/**
 * The interfaces renamed between two snapshots (old name → new name): gone under one name and
 * new under another with the same index and MAC, one to one — what `interface-renamed` reports.
 */
export function interfaceRenames(before: Snapshot, after: Snapshot): Map<string, string> {
  return renames(byName(before, "before", []), byName(after, "after", []));
}

/**
 * The before snapshot with renamed interfaces called by their new names wherever a record is
 * tied to an interface by name: routes and their next hops, neighbours, queueing disciplines,
 * rules' iif/oif, raw and packet sockets bound to a device. A rename is then one `interface-renamed`, not churn in every section keyed by
 * the name. Returns the snapshot itself when nothing was renamed.
 */
export function underNewNames(before: Snapshot, renamed: ReadonlyMap<string, string>): Snapshot {
  if (renamed.size === 0) return before;
  const name = (n: string | undefined) => (n === undefined ? n : renamed.get(n) ?? n);
  const moved = <T extends object>(records: readonly T[] | undefined, keys: readonly string[]) =>
    records?.map((r) => {
      const rec = r as Record<string, unknown>;
      if (!keys.some((k) => typeof rec[k] === "string" && renamed.has(rec[k] as string))) return r;
      const copy = { ...rec };
      for (const k of keys) if (typeof copy[k] === "string") copy[k] = name(copy[k] as string);
      return copy as T;
    });
  const out: Snapshot = {
    ...before,
    routes: before.routes.map((r) => {
      const hops = r.nexthops?.some((h) => h.interface !== undefined && renamed.has(h.interface));
      if (!hops && (r.interface === undefined || !renamed.has(r.interface))) return r;
      const copy = { ...r };
      if (r.interface !== undefined) copy.interface = name(r.interface)!;
      if (hops) {
        copy.nexthops = r.nexthops!.map((h) =>
          h.interface === undefined ? h : { ...h, interface: name(h.interface)! }
        );
      }
      return copy;
    }),
  };
  const neighbours = moved(before.neighbours, ["interface"]);
  if (neighbours !== undefined) out.neighbours = neighbours;
  const qdiscs = moved(before.qdiscs, ["interface"]);
  if (qdiscs !== undefined) out.qdiscs = qdiscs;
  const rules = moved(before.rules, ["iif", "oif"]);
  if (rules !== undefined) out.rules = rules;
  const raw = moved(before.rawSockets, ["interface"]);
  if (raw !== undefined) out.rawSockets = raw;
  const packet = moved(before.packetSockets, ["interface"]);
  if (packet !== undefined) out.packetSockets = packet;
  return out;
}

function addr(a: InterfaceAddress): string {
  return `${a.address}/${a.prefixLength}`;
}

function sideOf(i: NetInterface): InterfaceSide {
  const known: Pick<InterfaceSide, "mtu" | "operState" | "mac"> = {};
  if (i.mtu !== undefined) known.mtu = i.mtu;
  if (i.operState !== undefined) known.operState = i.operState;
  if (i.mac !== undefined) known.mac = i.mac;
  return {
    name: i.name,
    ...known,
    flags: [...i.flags].sort(),
    addresses: i.addresses.map(addr).sort(),
  };
}

/** Compares the interfaces of two snapshots, their settings and their traffic. */
export function diffInterfaces(
  before: Snapshot,
  after: Snapshot,
  opts: InterfaceDiffOptions = { traffic: true, warnings: [] },
): Change[] {
  const a = byName(before, "before", opts.warnings), b = byName(after, "after", opts.warnings);
  const seconds = secondsBetween(before, after);
  const reboot = rebooted(before, after);
  const renamed = renames(a, b);
  const renamedTo = new Set(renamed.values());
  const items: Array<[string, Change]> = [];
  for (const [name, ia] of a) {
    const newName = renamed.get(name);
    const ib = b.get(newName ?? name);
    if (newName !== undefined && ib) {
      const settings = compareSettings(ia, ib);
      items.push([`${name} 1`, {
        kind: "interface-renamed",
        section: "interfaces",
        key: { interface: name },
        before: sideOf(ia),
        after: sideOf(ib),
        summary: `interface ${name} renamed to ${newName} (index ${ia.index}, MAC ${ia.mac})${
          settings ? `; ${settings.summary.replace(/^interface [^:]*: /, "")}` : ""
        }`,
      }]);
      const traffic = opts.traffic ? compareTraffic(ia, ib, seconds, reboot) : undefined;
      if (traffic) items.push([`${newName} 3`, traffic]);
      continue;
    }
    if (!ib) {
      items.push([`${name} 1`, {
        kind: "interface-removed",
        section: "interfaces",
        key: { interface: name },
        before: sideOf(ia),
        summary: `interface ${name} removed`,
      }]);
      continue;
    }
    const settings = compareSettings(ia, ib);
    if (settings) items.push([`${name} 2`, settings]);
    const traffic = opts.traffic ? compareTraffic(ia, ib, seconds, reboot) : undefined;
    if (traffic) items.push([`${name} 3`, traffic]);
  }
  for (const [name, ib] of b) {
    if (a.has(name) || renamedTo.has(name)) continue;
    const addrs = ib.addresses.map(addr).sort();
    items.push([`${name} 0`, {
      kind: "interface-added",
      section: "interfaces",
      key: { interface: name },
      after: sideOf(ib),
      summary: `interface ${name} added${ib.operState ? ` (${ib.operState})` : ""}${
        addrs.length ? ` with ${addrs.join(", ")}` : ""
      }`,
    }]);
  }
  return sortByKey(items);
}

function compareSettings(
  ia: NetInterface,
  ib: NetInterface,
): ChangeOf<"interface-changed"> | undefined {
  const before: InterfaceSettings = {}, after: InterfaceSettings = {};
  const words: string[] = [];
  const scalar = <F extends "mtu" | "operState" | "mac" | "speedMbps">(f: F, label: string) => {
    const x = ia[f], y = ib[f];
    if (x === y || x === undefined || y === undefined) return;
    before[f] = x;
    after[f] = y;
    words.push(`${label} ${x} → ${y}`);
  };
  scalar("mtu", "MTU");
  scalar("operState", "state");
  scalar("mac", "MAC");
  scalar("speedMbps", "speed (Mb/s)");
  const fa = new Set(ia.flags), fb = new Set(ib.flags);
  const flagsOn = [...fb].filter((f) => !fa.has(f)).sort();
  const flagsOff = [...fa].filter((f) => !fb.has(f)).sort();
  if (flagsOn.length || flagsOff.length) {
    before.flags = [...ia.flags].sort();
    after.flags = [...ib.flags].sort();
    words.push(
      [
        ...flagsOn.map((f) => `+${f}`),
        ...flagsOff.map((f) => `-${f}`),
      ].join(" ").replace(/^/, "flags "),
    );
  }
  const aa = new Set(ia.addresses.map(addr)), ab = new Set(ib.addresses.map(addr));
  const added = [...ab].filter((x) => !aa.has(x)).sort();
  const removed = [...aa].filter((x) => !ab.has(x)).sort();
  for (const x of added) words.push(`address ${x} added`);
  for (const x of removed) words.push(`address ${x} removed`);
  if (words.length === 0) return undefined;
  const change: ChangeOf<"interface-changed"> = {
    kind: "interface-changed",
    section: "interfaces",
    key: { interface: ia.name },
    before,
    after,
    summary: `interface ${ia.name}: ${words.join("; ")}`,
  };
  if (added.length) change.addressesAdded = added;
  if (removed.length) change.addressesRemoved = removed;
  return change;
}

function compareTraffic(
  ia: NetInterface,
  ib: NetInterface,
  seconds: number | undefined,
  reboot: boolean,
): ChangeOf<"interface-traffic"> | undefined {
  const sa = ia.stats, sb = ib.stats;
  if (!sa || !sb) return undefined;
  const delta: Partial<Record<InterfaceStatName, bigint>> = {};
  const perSecond: Partial<Record<InterfaceStatName, number>> = {};
  const before: Partial<Record<InterfaceStatName, bigint>> = {};
  const after: Partial<Record<InterfaceStatName, bigint>> = {};
  let wentBack = reboot, moved = false;
  for (const n of INTERFACE_STAT_NAMES) {
    const x = sa[n], y = sb[n];
    if (x === undefined || y === undefined || x === y) continue;
    moved = true;
    before[n] = x;
    after[n] = y;
    if (y < x) wentBack = true;
    delta[n] = y - x;
    const r = rate(y - x, seconds);
    if (r !== undefined) perSecond[n] = r;
  }
  if (!moved) return undefined;
  if (wentBack) {
    return {
      kind: "interface-traffic",
      section: "interfaces",
      key: { interface: ib.name },
      before,
      after,
      reset: true,
      summary: `interface ${ib.name}: counters restarted from zero (${
        reboot ? "host rebooted" : "interface re-created or counters wrapped"
      }); no deltas`,
    };
  }
  const d = (n: InterfaceStatName) => delta[n] ?? 0n;
  const rateText = (n: InterfaceStatName) =>
    perSecond[n] !== undefined ? ` (${formatBytes(BigInt(Math.round(perSecond[n]!)))}/s)` : "";
  const words = [
    `rx ${formatBytes(d("rxBytes"))}${rateText("rxBytes")}`,
    `tx ${formatBytes(d("txBytes"))}${rateText("txBytes")}`,
    `${formatCount(d("rxPackets") + d("txPackets"))} packets`,
  ];
  const errors = d("rxErrors") + d("txErrors");
  const drops = d("rxDropped") + d("txDropped");
  // Which way: rx trouble is on the wire or in this host's queues, tx trouble on the way out.
  for (
    const [rx, tx, what] of [["rxErrors", "txErrors", "errors"], [
      "rxDropped",
      "txDropped",
      "drops",
    ]] as const
  ) {
    if (d(rx) > 0n) words.push(`${formatCount(d(rx))} rx ${what}`);
    if (d(tx) > 0n) words.push(`${formatCount(d(tx))} tx ${what}`);
  }
  const change: ChangeOf<"interface-traffic"> = {
    kind: "interface-traffic",
    section: "interfaces",
    key: { interface: ib.name },
    before,
    after,
    delta,
    summary: `interface ${ib.name}: ${words.join(", ")}`,
  };
  if (seconds !== undefined) change.perSecond = perSecond;
  if (errors > 0n || drops > 0n) change.notable = true;
  return change;
}

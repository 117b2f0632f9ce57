/**
 * Ignore rules: ports, programs, interfaces, addresses/CIDRs and counters a team does not want
 * in its diffs. Rules are applied to both snapshots before comparing, so an ignored thing can
 * neither appear, disappear nor take part in a pairing.
 */
import { UsageError } from "../errors.ts";
import type { Connection, Counters, Snapshot } from "../model.ts";
import { type Cidr, cidrContains, parseCidr } from "../net/address.ts";
import { globToRegExp } from "../net/glob.ts";
import { namespacePicker } from "../net/namespaces.ts";
import { exeName, programName } from "../net/programs.ts";
import { ownerOf } from "./util.ts";
import { dict } from "../util/record.ts";

export { globToRegExp };

/** Ignore rules as a user writes them (flags or the `ignore` map of a config file). */
export interface IgnoreRules {
  /** Ports or ranges: `22`, `"8000-8100"`. */
  ports?: Array<string | number>;
  /** Program globs (program, process name or executable file name): `"node*"`. */
  programs?: string[];
  /** Interface globs: `"veth*"`, `"docker0"`. */
  interfaces?: string[];
  /** Addresses or CIDRs: `"10.0.0.0/8"`, `"fe80::/10"`. */
  addresses?: string[];
  /** Counter globs over `Group.Name`: `"TcpExt.TCP*"`. */
  counters?: string[];
  /**
   * Namespace globs, over ids and container, netns and pod names: `"pod:kube-system/*"`.
   * Applied with the namespace filter (namespaces.ts), not by `applyIgnore`.
   */
  namespaces?: string[];
}

/** Rules ready to match. */
interface Compiled {
  ports: Array<[number, number]>;
  programs: RegExp[];
  interfaces: RegExp[];
  addresses: Cidr[];
  counters: RegExp[];
}

function parsePort(p: string | number): [number, number] {
  const text = String(p).trim();
  const m = /^([0-9]{1,5})(?:-([0-9]{1,5}))?$/.exec(text);
  const lo = m ? Number(m[1]) : NaN, hi = m?.[2] !== undefined ? Number(m[2]) : lo;
  if (!m || lo > 65535 || hi > 65535 || hi < lo) {
    throw new UsageError(
      `Cannot use ignore port ${JSON.stringify(text)}: expected a port or a range like 8000-8100`,
    );
  }
  return [lo, hi];
}

function parseAddress(a: string): Cidr {
  const c = parseCidr(a.trim());
  if (!c) {
    throw new UsageError(
      `Cannot use ignore address ${
        JSON.stringify(a)
      }: expected an address or a CIDR like 10.0.0.0/8`,
    );
  }
  return c;
}

/** Validates and compiles rules; a bad port or address is a UsageError. */
export function compileIgnore(rules: IgnoreRules): Compiled {
  return {
    ports: (rules.ports ?? []).map(parsePort),
    programs: (rules.programs ?? []).map(globToRegExp),
    interfaces: (rules.interfaces ?? []).map(globToRegExp),
    addresses: (rules.addresses ?? []).map(parseAddress),
    counters: (rules.counters ?? []).map(globToRegExp),
  };
}

/** Merges rule sets (config file and flags add up). */
export function mergeIgnore(...sets: IgnoreRules[]): IgnoreRules {
  const out: Required<IgnoreRules> = {
    ports: [],
    programs: [],
    interfaces: [],
    addresses: [],
    counters: [],
    namespaces: [],
  };
  for (const s of sets) {
    for (const k of Object.keys(out) as Array<keyof IgnoreRules>) {
      (out[k] as unknown[]).push(...(s[k] ?? []));
    }
  }
  return out;
}

function isEmpty(c: Compiled): boolean {
  return !c.ports.length && !c.programs.length && !c.interfaces.length && !c.addresses.length &&
    !c.counters.length;
}

/** The counter names of a snapshot as `Group.Name`. */
function counterNames(snap: Snapshot): string[] {
  return Object.entries(snap.counters).flatMap(([g, vals]) =>
    Object.keys(vals).map((n) => `${g}.${n}`)
  );
}

/**
 * The rules that match nothing in any of the snapshots, as warnings: a rule that never applies is
 * usually a typo (`--ignore-counter Tcp` where `Tcp.*` was meant), and would hide nothing.
 */
export function unusedIgnoreRules(snaps: readonly Snapshot[], rules: IgnoreRules): string[] {
  const c = compileIgnore(rules);
  const out: string[] = [];
  const warn = (option: string, text: string | number, hint = "") =>
    out.push(
      `--${option} ${JSON.stringify(String(text))} matches nothing in either snapshot${hint}`,
    );
  const conns = snaps.flatMap((s) => s.connections);
  (rules.ports ?? []).forEach((text, i) => {
    const [lo, hi] = c.ports[i]!;
    const hit = (p: number) => p !== 0 && p >= lo && p <= hi;
    if (!conns.some((x) => hit(x.localPort) || hit(x.remotePort))) warn("ignore-port", text);
  });
  (rules.programs ?? []).forEach((text, i) => {
    const re = c.programs[i]!;
    const hit = snaps.some((s) =>
      Object.values(s.processes).some((p) =>
        [p.name, programName(p), exeName(p.exe)].some((n) => n !== undefined && re.test(n))
      )
    );
    if (!hit) warn("ignore-program", text);
  });
  (rules.namespaces ?? []).forEach((text) => {
    const hit = snaps.some((s) =>
      (s.namespaces ?? []).some((n) => namespacePicker(s, [text])(n.id))
    );
    if (!hit) warn("ignore-netns", text);
  });
  (rules.interfaces ?? []).forEach((text, i) => {
    const re = c.interfaces[i]!;
    const hit = snaps.some((s) =>
      s.interfaces.some((x) => re.test(x.name)) ||
      s.routes.some((r) => r.interface !== undefined && re.test(r.interface))
    );
    if (!hit) warn("ignore-interface", text);
  });
  (rules.addresses ?? []).forEach((text, i) => {
    const cidr = c.addresses[i]!;
    const inside = (a: string | undefined) => a !== undefined && cidrContains(cidr, a);
    const hit = snaps.some((s) =>
      s.connections.some((x) =>
        inside(x.localAddress) || (x.remotePort !== 0 && inside(x.remoteAddress))
      ) ||
      s.routes.some((r) => inside(r.destination.split("/")[0]) || inside(r.gateway)) ||
      s.interfaces.some((x) => x.addresses.some((a) => inside(a.address)))
    );
    if (!hit) warn("ignore-address", text);
  });
  (rules.counters ?? []).forEach((text, i) => {
    const re = c.counters[i]!;
    if (snaps.some((s) => counterNames(s).some((n) => re.test(n)))) return;
    warn(
      "ignore-counter",
      text,
      text.includes(".") ? "" : ` (counters are named Group.Name: ${JSON.stringify(`${text}.*`)}?)`,
    );
  });
  return out;
}

/** Returns the snapshot without what the rules ignore (the input is not modified). */
export function applyIgnore(snap: Snapshot, rules: IgnoreRules): Snapshot {
  const c = compileIgnore(rules);
  if (isEmpty(c)) return snap;
  const any = (res: RegExp[], s: string | undefined) =>
    s !== undefined && res.some((r) => r.test(s));
  const portHit = (p: number) => c.ports.some(([lo, hi]) => p >= lo && p <= hi);
  // An unspecified remote (0.0.0.0, ::) is no address anyone means to ignore.
  const addrHit = (a: string) => c.addresses.some((cidr) => cidrContains(cidr, a));
  const keepConn = (x: Connection): boolean => {
    if (portHit(x.localPort) || (x.remotePort !== 0 && portHit(x.remotePort))) return false;
    if (addrHit(x.localAddress) || (x.remotePort !== 0 && addrHit(x.remoteAddress))) return false;
    if (c.programs.length) {
      const p = ownerOf(snap, x);
      if (p && [p.name, programName(p), exeName(p.exe)].some((n) => any(c.programs, n))) {
        return false;
      }
    }
    return true;
  };
  const routeHit = (dest: string, gw: string | undefined) => {
    const slash = dest.indexOf("/");
    const net = slash >= 0 ? dest.slice(0, slash) : dest;
    return addrHit(net) || (gw !== undefined && addrHit(gw));
  };
  /** The interface a per-interface sysctl is about (`net.ipv4.conf.eth0/100.rp_filter`). */
  const settingInterface = (name: string) =>
    /^net\.ipv[46]\.(?:conf|neigh)\.([^.]+)\./.exec(name)?.[1]?.replaceAll("/", ".");
  const keepCounters = (from: Counters): Counters => {
    const counters: Counters = dict();
    for (const [g, vals] of Object.entries(from)) {
      const kept = dict<bigint>();
      for (const [n, v] of Object.entries(vals)) if (!any(c.counters, `${g}.${n}`)) kept[n] = v;
      counters[g] = kept;
    }
    return counters;
  };
  const counters = keepCounters(snap.counters);
  const extra: Partial<Snapshot> = {};
  if (snap.rules) {
    extra.rules = snap.rules.filter((r) =>
      !any(c.interfaces, r.iif) && !any(c.interfaces, r.oif) &&
      !(r.from !== undefined && routeHit(r.from, undefined)) &&
      !(r.to !== undefined && routeHit(r.to, undefined))
    );
  }
  if (snap.neighbours) {
    extra.neighbours = snap.neighbours.filter((n) =>
      !any(c.interfaces, n.interface) && !addrHit(n.address)
    );
  }
  if (snap.qdiscs) extra.qdiscs = snap.qdiscs.filter((q) => !any(c.interfaces, q.interface));
  if (snap.settings && c.interfaces.length) {
    const kept = dict<string>();
    for (const [k, v] of Object.entries(snap.settings)) {
      if (!any(c.interfaces, settingInterface(k))) kept[k] = v;
    }
    extra.settings = kept;
  }
  if (snap.namespaces && c.counters.length) {
    extra.namespaces = snap.namespaces.map((n) =>
      n.counters ? { ...n, counters: keepCounters(n.counters) } : n
    );
  }
  return {
    ...snap,
    ...extra,
    connections: snap.connections.filter(keepConn),
    routes: snap.routes.filter((r) =>
      !any(c.interfaces, r.interface) && !routeHit(r.destination, r.gateway)
    ),
    interfaces: snap.interfaces.filter((i) => !any(c.interfaces, i.name)).map((i) =>
      c.addresses.length ? { ...i, addresses: i.addresses.filter((a) => !addrHit(a.address)) } : i
    ),
    counters,
  };
}

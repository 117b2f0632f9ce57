/**
 * Merging what several imported files said into one set of sections. Sockets are merged by
 * 5-tuple (owners from ss -p, netstat -p and lsof joined on), interfaces by name (ip addr + ip -s
 * link + /proc/net/dev …), routes by identity (two listings of one table give each route once),
 * counters by group and name, rules, neighbours and qdiscs by their identity (what one input
 * knows fills what another did not: ip neigh's state and arp -an's entries), settings by name,
 * firewall tables by syntax, family and name. A section no input spoke about is `error: not
 * provided`, or, for the sections added within v1 (rules, neighbours …), left out.
 *
 * Two records of one input are always two records (two sockets can share a 5-tuple: SO_REUSEPORT,
 * two DHCP clients); a record of another input joins one not yet matched from that input.
 */
import type {
  AnySectionName,
  Connection,
  Counters,
  Firewall,
  InterfaceAddress,
  Neighbour,
  NetInterface,
  OptionalSectionName,
  ProcessInfo,
  Qdisc,
  Route,
  Rule,
  SectionName,
  SectionStatus,
  Settings,
} from "../model.ts";
import { OPTIONAL_SECTION_NAMES, SECTION_NAMES } from "../model.ts";
import { masterPid, socketTupleKey } from "../net/sockets.ts";
import { routeKeyWithInterface } from "../net/routes.ts";
import { describeRule, ruleKey } from "../net/rules.ts";
import { neighbourKey } from "../net/neighbours.ts";
import { qdiscKey } from "../net/qdiscs.ts";
import { firewallTableKey } from "../net/firewall.ts";
import { counterGroup } from "../parse/text.ts";
import { dict } from "../util/record.ts";
import type { Contribution } from "./formats.ts";

/** One input's contribution, with the section its format speaks about. */
export interface InputPart {
  contribution: Contribution;
  section: AnySectionName;
}

/** The merged sections of an import. */
export interface Merged {
  connections: Connection[];
  processes: Record<string, ProcessInfo>;
  routes: Route[];
  interfaces: NetInterface[];
  counters: Counters;
  rules?: Rule[];
  neighbours?: Neighbour[];
  settings?: Settings;
  qdiscs?: Qdisc[];
  firewall?: Firewall;
  status: Record<SectionName, SectionStatus> & Partial<Record<OptionalSectionName, SectionStatus>>;
}

/** Records of several inputs, merged by key; `join` completes a record with another input's. */
function joinAcross<T>(
  parts: readonly InputPart[],
  pick: (c: Contribution) => readonly T[] | undefined,
  key: (x: T) => string,
  copy: (x: T) => T,
  join: (into: T, from: T) => void,
  compatible: (a: T, b: T) => boolean = () => true,
): { list: T[]; byKey: Map<string, T> } {
  const groups = new Map<string, { item: T; inputs: Set<number> }[]>();
  const byKey = new Map<string, T>();
  parts.forEach((part, input) => {
    for (const x of pick(part.contribution) ?? []) {
      const k = key(x);
      const group = groups.get(k) ?? [];
      groups.set(k, group);
      const had = group.find((g) => !g.inputs.has(input) && compatible(g.item, x));
      if (had) {
        had.inputs.add(input);
        join(had.item, x);
        continue;
      }
      const item = copy(x);
      group.push({ item, inputs: new Set([input]) });
      if (!byKey.has(k)) byKey.set(k, item);
    }
  });
  return { list: [...groups.values()].flatMap((g) => g.map((x) => x.item)), byKey };
}

/**
 * Rules by their identity (family, priority, selectors). One given by two inputs is kept once,
 * and said: the same rule twice (two listings of one table, or an `ip -6 rule` listing read as
 * IPv4) in one warning, one that two inputs give another action in one warning each.
 */
function mergeRules(parts: readonly InputPart[], warnings: string[]): Rule[] {
  const same: string[] = [];
  const { list } = joinAcross<Rule>(parts, (c) => c.rules, ruleKey, (r) => ({ ...r }), (a, b) => {
    const fam = a.family === "inet6" ? "IPv6" : "IPv4";
    if (describeRule(a) === describeRule(b)) same.push(`${fam} ${describeRule(a)}`);
    else {
      warnings.push(
        `two inputs give ${fam} rule ${a.priority} another action: kept \`${describeRule(a)}\`, ` +
          `left out \`${describeRule(b)}\``,
      );
    }
  });
  if (same.length > 0) {
    warnings.push(
      `${same.length} rule${same.length === 1 ? " is" : "s are"} in more than one input, kept ` +
        `once each (\`${same[0]}\`${same.length > 1 ? ", …" : ""})`,
    );
  }
  return list;
}

/** Sockets by 5-tuple, with lsof's holders joined on; warns about sockets only lsof saw. */
function mergeConnections(parts: readonly InputPart[]): { list: Connection[]; warnings: string[] } {
  const { list, byKey } = joinAcross<Connection>(
    parts,
    (c) => c.connections,
    socketTupleKey,
    (c) => ({ ...c }),
    (c, conn) => {
      if (c.uid === undefined && conn.uid !== undefined) c.uid = conn.uid;
      if (c.inode === undefined && conn.inode !== undefined) c.inode = conn.inode;
      if (conn.pids) c.pids = [...new Set([...(c.pids ?? []), ...conn.pids])];
      if (c.pid === undefined && conn.pid !== undefined) c.pid = conn.pid;
    },
    // Both know their inodes and they differ: two sockets.
    (a, b) => a.inode === undefined || b.inode === undefined || a.inode === b.inode,
  );
  const warnings: string[] = [];
  let lsofOnly = 0;
  const ppid = new Map<number, number>();
  for (const s of parts.flatMap((p) => p.contribution.lsof ?? [])) {
    if (s.ppid !== undefined) ppid.set(s.pid, s.ppid);
    const k = socketTupleKey(s);
    let c = byKey.get(k);
    if (!c) {
      // A socket only lsof saw: its queues are not known, and lsof does not print them.
      lsofOnly++;
      c = {
        protocol: s.protocol,
        family: s.family,
        localAddress: s.localAddress,
        localPort: s.localPort,
        remoteAddress: s.remoteAddress ?? (s.family === "inet6" ? "::" : "0.0.0.0"),
        remotePort: s.remotePort ?? 0,
        state: s.state ?? (s.protocol === "udp" ? "UNCONN" : "UNKNOWN"),
        recvQ: 0,
        sendQ: 0,
      };
      byKey.set(k, c);
      list.push(c);
    }
    c.pids = [...new Set([...(c.pids ?? []), s.pid])];
  }
  if (lsofOnly > 0) {
    warnings.push(`${lsofOnly} sockets seen only by lsof: queue sizes unknown, written as 0`);
  }
  for (const c of list) {
    if (!c.pids || c.pids.length === 0) continue;
    const pids = [...c.pids].sort((a, b) => a - b);
    c.pids = pids;
    c.pid = masterPid(pids, (p) => ppid.get(p));
  }
  return { list, warnings };
}

function sameAddress(a: InterfaceAddress, b: InterfaceAddress): boolean {
  return a.family === b.family && a.address === b.address && a.prefixLength === b.prefixLength;
}

/** Interfaces by name: what one input knows fills what another did not. */
function mergeInterfaces(parts: readonly InputPart[]): NetInterface[] {
  const list: NetInterface[] = [];
  for (const itf of parts.flatMap((p) => p.contribution.interfaces ?? [])) {
    const had = list.find((x) => x.name === itf.name);
    if (!had) {
      list.push({ ...itf, flags: [...itf.flags], addresses: [...itf.addresses] });
      continue;
    }
    if (had.index === undefined && itf.index !== undefined) had.index = itf.index;
    if (had.mac === undefined && itf.mac !== undefined) had.mac = itf.mac;
    if (had.mtu === undefined && itf.mtu !== undefined) had.mtu = itf.mtu;
    if (had.flags.length === 0) had.flags = [...itf.flags];
    if (had.operState === undefined && itf.operState !== undefined) had.operState = itf.operState;
    if (had.speedMbps === undefined && itf.speedMbps !== undefined) had.speedMbps = itf.speedMbps;
    for (const a of itf.addresses) {
      if (!had.addresses.some((x) => sameAddress(x, a))) had.addresses.push(a);
    }
    if (itf.stats) had.stats = { ...itf.stats, ...had.stats };
  }
  return list;
}

/** Routes by identity (key, interface and gateway): `table all` plus `ip -6 route` gives each once. */
function mergeRoutes(parts: readonly InputPart[]): Route[] {
  return joinAcross<Route>(
    parts,
    (c) => c.routes,
    (r) => `${routeKeyWithInterface(r)} via ${r.gateway ?? "-"}`,
    (r) => ({ ...r }),
    (r, other) => {
      if (r.protocol === undefined && other.protocol !== undefined) r.protocol = other.protocol;
      if (r.scope === undefined && other.scope !== undefined) r.scope = other.scope;
      if (r.source === undefined && other.source !== undefined) r.source = other.source;
      if (r.nexthops === undefined && other.nexthops !== undefined) r.nexthops = other.nexthops;
    },
  ).list;
}

/** Counters by group and name; the first input to give a value keeps it. */
function mergeCounters(parts: readonly InputPart[]): Counters {
  const counters: Counters = dict();
  for (const c of parts.map((p) => p.contribution.counters ?? {})) {
    for (const [g, values] of Object.entries(c)) {
      const group = counterGroup(counters, g);
      for (const [name, v] of Object.entries(values)) {
        if (!Object.hasOwn(group, name)) group[name] = v;
      }
    }
  }
  return counters;
}

/** Neighbours by identity: ip neigh's state and MAC fill an arp -an entry's gaps. */
function mergeNeighbours(parts: readonly InputPart[]): Neighbour[] {
  return joinAcross<Neighbour>(
    parts,
    (c) => c.neighbours,
    neighbourKey,
    (n) => ({ ...n }),
    (n, other) => {
      if (n.mac === undefined && other.mac !== undefined) n.mac = other.mac;
      if (n.state === undefined && other.state !== undefined) n.state = other.state;
      if (n.router === undefined && other.router !== undefined) n.router = other.router;
    },
  ).list;
}

/** Qdiscs by identity and handle: one listing's options fill another's, counters likewise. */
function mergeQdiscs(parts: readonly InputPart[]): Qdisc[] {
  return joinAcross<Qdisc>(
    parts,
    (c) => c.qdiscs,
    (q) => `${qdiscKey(q)} ${q.handle}`,
    (q) => ({ ...q }),
    (q, other) => {
      if (q.options === undefined && other.options !== undefined) q.options = other.options;
      if (q.stats === undefined && other.stats !== undefined) q.stats = other.stats;
    },
  ).list;
}

/** Firewall tables: the first input to give a table keeps it. */
function mergeFirewall(parts: readonly InputPart[]): Firewall {
  const seen = new Set<string>();
  const tables = [];
  for (const t of parts.flatMap((p) => p.contribution.firewall ?? [])) {
    const k = firewallTableKey(t);
    if (seen.has(k)) continue;
    seen.add(k);
    tables.push(t);
  }
  return { tables };
}

/** Settings by name; the first input to give a value keeps it. */
function mergeSettings(parts: readonly InputPart[]): Settings {
  const out: Settings = dict();
  for (const s of parts.map((p) => p.contribution.settings ?? {})) {
    for (const [k, v] of Object.entries(s)) if (!Object.hasOwn(out, k)) out[k] = v;
  }
  return out;
}

/** Which sections a contribution speaks about. */
function provides(c: Contribution): AnySectionName[] {
  const out: AnySectionName[] = [];
  if (c.connections !== undefined || c.lsof !== undefined) out.push("connections");
  if (c.processes !== undefined) out.push("processes");
  if (c.routes !== undefined) out.push("routes");
  if (c.interfaces !== undefined) out.push("interfaces");
  if (c.counters !== undefined) out.push("counters");
  if (c.rules !== undefined) out.push("rules");
  if (c.neighbours !== undefined) out.push("neighbours");
  if (c.settings !== undefined) out.push("settings");
  if (c.qdiscs !== undefined) out.push("qdiscs");
  if (c.firewall !== undefined) out.push("firewall");
  return out;
}

/** Merges every input's contribution into sections with their statuses. */
export function mergeParts(parts: readonly InputPart[]): Merged {
  const conns = mergeConnections(parts);
  const processes = dict<ProcessInfo>();
  for (const p of parts.flatMap((x) => x.contribution.processes ?? [])) {
    const key = String(p.pid);
    const had = processes[key];
    processes[key] = had ? { ...p, ...had } : p;
  }
  const provided = new Set(parts.flatMap((p) => provides(p.contribution)));
  const warnings = Object.fromEntries(
    [...SECTION_NAMES, ...OPTIONAL_SECTION_NAMES].map((s) => [s, [] as string[]]),
  ) as Record<AnySectionName, string[]>;
  for (const p of parts) {
    warnings[p.section].push(...p.contribution.warnings);
    for (const [s, w] of Object.entries(p.contribution.sectionWarnings ?? {})) {
      warnings[s as AnySectionName].push(...w);
    }
  }
  warnings.connections.push(...conns.warnings);
  const rules = provided.has("rules") ? mergeRules(parts, warnings.rules) : undefined;
  const status = Object.fromEntries(SECTION_NAMES.map((s) => {
    const w = warnings[s];
    const st: SectionStatus = !provided.has(s)
      ? (w.length === 0 ? { status: "error", error: "not provided" } : {
        status: "error",
        error: "not provided",
        warnings: w,
      })
      : w.length === 0
      ? { status: "ok" }
      : { status: "partial", warnings: w };
    return [s, st];
  })) as Merged["status"];
  const merged: Merged = {
    connections: conns.list,
    processes,
    routes: mergeRoutes(parts),
    interfaces: mergeInterfaces(parts),
    counters: mergeCounters(parts),
    status,
  };
  for (const s of OPTIONAL_SECTION_NAMES) {
    if (!provided.has(s)) continue;
    const w = warnings[s];
    status[s] = w.length === 0 ? { status: "ok" } : { status: "partial", warnings: w };
  }
  if (rules) merged.rules = rules;
  if (provided.has("neighbours")) merged.neighbours = mergeNeighbours(parts);
  if (provided.has("settings")) merged.settings = mergeSettings(parts);
  if (provided.has("qdiscs")) merged.qdiscs = mergeQdiscs(parts);
  if (provided.has("firewall")) merged.firewall = mergeFirewall(parts);
  return merged;
}

/**
 * A capture across network namespaces: which namespaces it covers (`--netns`), each one read
 * inside itself, its records tagged with the namespace's id, and its status per section — one
 * namespace failing never sinks the others. The own namespace (the one nsnap runs in) is read by
 * the collector as always; owners of every namespace's sockets come from its one descriptor scan.
 *
 * Decisions:
 * - Default (`auto`): every namespace when nsnap runs in the host's (initial) namespace; only
 *   its own when started inside another one (`ip netns exec`, a container), as `ss` would —
 *   `--netns all` captures every namespace from there too.
 * - `--netns current` gives a snapshot of one namespace (no `namespaces` list), as before.
 * - `--netns NAME|PID|PATH|GLOB` (repeatable) adds to the own namespace the ones it names: an
 *   `ip netns` name, a process, a namespace file, or a glob over ids and names. A value that names
 *   none is a usage error (exit 2), not an empty capture.
 */
import type {
  Connection,
  Namespace,
  NamespaceSection,
  Neighbour,
  NetInterface,
  PacketSocket,
  Qdisc,
  RawSocket,
  Route,
  Rule,
  UnixSocket,
} from "../../../model.ts";
import { UsageError } from "../../../errors.ts";
import { namespacePicker } from "../../../net/namespaces.ts";
import type { Section } from "../../section.ts";
import type { Place, SkippedPart, TcpInfoDetail } from "../../contract.ts";
import { inNetns, netlinkAvailable } from "../../../runtime/netlink.ts";
import { countersIn } from "../counters.ts";
import { readOverNetlink } from "./netlink_read.ts";
import { collectSettings } from "../settings.ts";
import { readText, under } from "../files.ts";
import { collectFirewall, type LegacyNames } from "../firewall.ts";
import { collectNeighbours } from "../neighbours.ts";
import { collectQdiscs } from "../qdiscs.ts";
import { collectRules } from "../rules.ts";
import { runnerIn } from "./enter.ts";
import { inHostNamespace, namespaceFileInode } from "./discover.ts";
import { type NamespacePlan, type NamespacesPlanned, planNamespaces } from "./mod.ts";
import {
  interfacesIn,
  interfacesThere,
  type NamespaceRead,
  otherSocketsIn,
  readFromProc,
  routesIn,
  routesThere,
  socketsIn,
} from "./read.ts";
import type { ProcNetFiles } from "../sockets.ts";

/** Which namespaces a capture covers: `auto`, `all`, `current`, or names/pids/paths/globs. */
export type NetnsChoice = "auto" | "all" | "current" | readonly string[];

/** Reads one other namespace's sections. */
export type NamespaceReader = (plan: NamespacePlan) => NamespaceRead;

/** What a capture across namespaces adds to the own namespace's sections. */
export interface Across {
  /** Every namespace captured, the own one first (its sections are filled in by the caller). */
  namespaces: Namespace[];
  /** The records of the other namespaces, each with its `namespace`. */
  connections: Connection[];
  unix: UnixSocket[];
  raw: RawSocket[];
  packet: PacketSocket[];
  routes: Route[];
  interfaces: NetInterface[];
  rules: Rule[];
  neighbours: Neighbour[];
  qdiscs: Qdisc[];
  /** What the discovery could not do. */
  warnings: string[];
  /** Processes whose namespace could not be read. */
  unreadable: number;
  /** The own namespace's id. */
  ownId: string;
  /** True when the own namespace is the host's. */
  ownIsHost: boolean;
}

/** The plans a `--netns` choice picks, the own one first; undefined for one namespace. */
export function selectPlans(
  root: string,
  planned: NamespacesPlanned,
  choice: NetnsChoice,
): NamespacePlan[] | undefined {
  const own = planned.plans.find((p) => p.record.own);
  if (!own) return undefined;
  if (choice === "current") return undefined;
  if (choice === "auto") {
    return planned.ownInode === planned.hostInode ? [own, ...others(planned, own)] : undefined;
  }
  if (choice === "all") return [own, ...others(planned, own)];
  if (choice.length === 1 && choice[0] === "current") return undefined;
  if (choice.includes("all")) return [own, ...others(planned, own)];
  const picked = new Set<NamespacePlan>();
  const snapshotLike = { namespaces: planned.plans.map((p) => p.record) };
  for (const pick of choice) {
    if (pick === "current") continue;
    const hits = planned.plans.filter((p) => matches(root, p, pick, snapshotLike));
    if (hits.length === 0) {
      const known = planned.plans.map((p) => p.record.id).join(", ");
      throw new UsageError(
        `Cannot capture network namespace ${
          JSON.stringify(pick)
        }: no such namespace (known: ${known})`,
      );
    }
    for (const h of hits) picked.add(h);
  }
  picked.delete(own);
  return [own, ...planned.plans.filter((p) => picked.has(p))];
}

function others(planned: NamespacesPlanned, own: NamespacePlan): NamespacePlan[] {
  return planned.plans.filter((p) => p !== own);
}

function matches(
  root: string,
  p: NamespacePlan,
  pick: string,
  snapshot: { namespaces: Namespace[] },
): boolean {
  if (/^[0-9]+$/.test(pick)) return p.found.pids.includes(Number(pick));
  if (pick.startsWith("/")) {
    const inode = namespaceFileInode(under(root, pick), undefined);
    return typeof inode === "number" && inode === p.found.inode;
  }
  if (p.found.names.includes(pick)) return true;
  return namespacePicker(snapshot, [pick])(p.record.id);
}

/** Reads a namespace from /proc/PID/net when a process is in it; else says why it cannot. */
export function procReader(root: string, allUnix = false): NamespaceReader {
  return (plan) => {
    if (plan.pid !== undefined) {
      return readFromProc(under(root, `/proc/${plan.pid}/net`), `/proc/${plan.pid}/net`, allUnix);
    }
    const none = <T>(value: T): Section<T> => ({
      value,
      status: { status: "error", error: "no process runs in it, and netlink cannot be used" },
      source: plan.netnsPath,
    });
    return {
      connections: none([]),
      routes: none([]),
      interfaces: none([]),
      counters: none({}),
    };
  };
}

/**
 * Reads a namespace of the live host: sockets, links, addresses and routes over netlink in it
 * (where the FFI is there and `how.netlink` is not false; else, or for a dump the kernel
 * refuses, from /proc, with routes of every table and the links' addresses, MTU, flags and MAC
 * from `ip -j` run in it where it can be entered), tcp_info as `how.tcpInfo` asks (none by
 * default), the counters from /proc/PID/net of a process in it, or from /proc/thread-self/net
 * after entering it when nothing runs in it; its settings from /proc/sys/net after entering it (setns: CAP_SYS_ADMIN). Its
 * rules, neighbours and qdiscs with the own namespace's readers — over netlink in it, else `ip`
 * and `tc` run in it with nsenter — and its firewall with `nsenter … nft` only where it has a
 * table (firewall.ts). What cannot be entered is said in the section, and the rest is still read.
 */
export function hostReader(
  place: Place,
  how: {
    netlink?: boolean;
    tcpInfo?: TcpInfoDetail;
    allUnix?: boolean;
    skip?: ReadonlySet<SkippedPart>;
  } = {},
): NamespaceReader {
  // The own namespace's choice (`--no-netlink`, NSNAP_NETLINK=0) holds for the others too.
  const useNetlink = (how.netlink ?? true) && netlinkAvailable().ok;
  return (plan) => {
    const path = plan.netnsPath;
    const inside = <T>(fn: () => Section<T>, empty: T, source: string): Section<T> => {
      const r = inNetns(path, fn);
      if (r.ok) return { ...r.value, source: `${source} (setns)` };
      const error = plan.pid === undefined ? `${r.reason}; nothing runs in it` : r.reason;
      return { value: empty, status: { status: "error", error }, source };
    };
    const dir = plan.pid === undefined ? "/proc/thread-self/net" : `/proc/${plan.pid}/net`;
    const proc = <T>(read: (d: string, src: string) => Section<T>, empty: T) => () =>
      plan.pid === undefined
        ? inside(() => read(dir, dir), empty, dir)
        : read(under(place.root, dir), dir);
    const allUnix = how.allUnix ?? false;
    const files: ProcNetFiles = {
      shown: dir,
      read: (fn, empty, warnings) => {
        if (plan.pid !== undefined) return fn(under(place.root, dir));
        const r = inNetns(path, () => fn(dir));
        if (r.ok) return r.value;
        warnings.push(`cannot read ${dir} inside the namespace: ${r.reason}`);
        return empty;
      },
    };
    const sections = {
      connections: proc(socketsIn, [] as Connection[]),
      others: (names?: ReadonlyMap<number, string>) =>
        proc(
          (d, src) => otherSocketsIn(d, src, allUnix, names),
          { unix: [], raw: [], packet: [] } as ReturnType<typeof otherSocketsIn>["value"],
        )(),
      files,
      routes: proc(routesIn, [] as Route[]),
      interfaces: proc(interfacesIn, [] as NetInterface[]),
      counters: proc(countersIn, {}),
    };
    // Where setns is refused (no CAP_SYS_ADMIN), nsenter would be refused too: run nothing.
    const entry = inNetns(path, () => true);
    const there: Place = {
      root: place.root,
      runner: runnerIn(path, place.runner),
      netns: path,
      uid: place.uid,
    };
    const enters = entry.ok || entry.code !== "EPERM";
    const wanted = (part: SkippedPart) => !how.skip?.has(part);
    const read: NamespaceRead = useNetlink
      ? readOverNetlink(path, sections, how.tcpInfo, allUnix)
      : {
        connections: sections.connections(),
        others: sections.others(),
        // What /proc lacks (policy tables; IPv4 addresses, MTU, flags, MAC), ip run in it has.
        routes: enters && wanted("routes")
          ? routesThere(there, sections.routes)
          : sections.routes(),
        interfaces: enters ? interfacesThere(there, sections.interfaces) : sections.interfaces(),
        counters: sections.counters(),
      };
    read.settings = inside(() => collectSettings(place), {}, "/proc/sys");
    if (!entry.ok && entry.code === "EPERM") {
      const refused = <T>(value: T): Section<T> => ({
        value,
        status: { status: "error", error: `${entry.reason} (entering it needs CAP_SYS_ADMIN)` },
        source: useNetlink ? "netlink" : "nsenter",
      });
      read.rules = refused([]);
      read.neighbours = refused([]);
      read.qdiscs = refused([]);
      read.firewall = refused({ tables: [] });
      return read;
    }
    const names = read.linkNames;
    if (wanted("rules")) read.rules = collectRules(there, useNetlink);
    if (wanted("neighbours")) read.neighbours = collectNeighbours(there, useNetlink, names);
    if (wanted("qdiscs")) read.qdiscs = collectQdiscs(there, useNetlink, names);
    if (wanted("firewall")) {
      read.firewall = collectFirewall(there, useNetlink, legacyNamesOf(plan, place.root));
    }
    return read;
  };
}

/** The x_tables names files of a namespace: its process's /proc/PID/net, else read inside it. */
function legacyNamesOf(plan: NamespacePlan, root: string): LegacyNames {
  if (plan.pid !== undefined) {
    return (file) => readText(under(root, `/proc/${plan.pid}/net/${file}`));
  }
  return (file) => {
    const r = inNetns(plan.netnsPath, () => readText(`/proc/thread-self/net/${file}`));
    return r.ok ? r.value : undefined;
  };
}

/** A section's status as a namespace entry records it. */
export function namespaceSection(s: Section<unknown>): NamespaceSection {
  const out: NamespaceSection = { status: s.status.status, source: s.source };
  if (s.status.warnings?.length) out.warnings = [...s.status.warnings];
  if (s.status.error !== undefined) out.error = s.status.error;
  return out;
}

/** Tags records with their namespace, in place (a busy namespace has many). */
function tag<T extends { namespace?: string | undefined }>(
  items: T[],
  id: string,
  into: T[],
): void {
  for (const x of items) {
    x.namespace = id;
    into.push(x);
  }
}

/** The sections a namespace's entry can list (each when it was read there). */
const NAMESPACE_SECTIONS = [
  "connections",
  "otherSockets",
  "routes",
  "interfaces",
  "counters",
  "settings",
  "rules",
  "neighbours",
  "qdiscs",
  "firewall",
] as const;

/** A list section of another namespace: its status in the entry, its records tagged into `into`. */
function tagSection<T extends { namespace?: string | undefined }>(
  name: "rules" | "neighbours" | "qdiscs",
  s: Section<T[]>,
  ns: Namespace,
  into: T[],
): void {
  ns.sections[name] = namespaceSection(s);
  tag(s.value, ns.id, into);
}

/**
 * Plans and reads the namespaces a choice covers, below `root`; undefined when the capture is of
 * one namespace. A namespace whose reader throws is an error in its sections, never the end of
 * the capture.
 *
 * @example
 * ```ts
 * import { captureAcross, procReader } from "./capture.ts";
 * const across = captureAcross("/", "all", procReader("/"));
 * console.log(across?.namespaces.map((n) => n.id));
 * ```
 */
export function captureAcross(
  root: string,
  choice: NetnsChoice,
  read: NamespaceReader,
  selfPid?: number,
): Across | undefined {
  // The own namespace alone: nothing to discover (an idle container's capture stays cheap).
  if (choice === "current" || (choice === "auto" && inHostNamespace(root) === false)) {
    return undefined;
  }
  const planned = planNamespaces(root, selfPid === undefined ? {} : { selfPid });
  const plans = selectPlans(root, planned, choice);
  if (!plans) return undefined;
  const out: Across = {
    namespaces: [],
    connections: [],
    unix: [],
    raw: [],
    packet: [],
    routes: [],
    interfaces: [],
    rules: [],
    neighbours: [],
    qdiscs: [],
    warnings: planned.warnings,
    unreadable: planned.denied,
    ownId: plans[0]!.record.id,
    ownIsHost: plans[0]!.record.kind === "host",
  };
  for (const plan of plans) {
    const ns = plan.record;
    out.namespaces.push(ns);
    if (ns.own) continue;
    let r: NamespaceRead;
    try {
      r = read(plan);
    } catch (err) {
      const error = `Cannot read namespace ${ns.id}: ${(err as Error).message}`;
      for (const name of NAMESPACE_SECTIONS) ns.sections[name] = { status: "error", error };
      continue;
    }
    tag(r.connections.value, ns.id, out.connections);
    if (r.others) {
      tag(r.others.value.unix, ns.id, out.unix);
      tag(r.others.value.raw, ns.id, out.raw);
      tag(r.others.value.packet, ns.id, out.packet);
    }
    tag(r.routes.value, ns.id, out.routes);
    tag(r.interfaces.value, ns.id, out.interfaces);
    ns.counters = r.counters.value;
    ns.sections = {
      connections: namespaceSection(r.connections),
      routes: namespaceSection(r.routes),
      interfaces: namespaceSection(r.interfaces),
      counters: namespaceSection(r.counters),
    };
    // Its UNIX, raw and packet sockets: a diff compares them only where this read them.
    if (r.others) ns.sections.otherSockets = namespaceSection(r.others);
    if (r.settings) {
      ns.sections.settings = namespaceSection(r.settings);
      if (r.settings.status.status !== "error") ns.settings = r.settings.value;
    }
    if (r.rules) tagSection("rules", r.rules, ns, out.rules);
    if (r.neighbours) tagSection("neighbours", r.neighbours, ns, out.neighbours);
    if (r.qdiscs) tagSection("qdiscs", r.qdiscs, ns, out.qdiscs);
    if (r.firewall) {
      ns.sections.firewall = namespaceSection(r.firewall);
      if (r.firewall.status.status !== "error") ns.firewall = r.firewall.value;
    }
  }
  if (planned.denied > 0) {
    out.warnings.push(
      `the namespaces of ${planned.denied} processes are unknown: their /proc/PID/ns/net cannot be read (permission denied)`,
    );
  }
  return out;
}

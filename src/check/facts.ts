/**
 * What `nsnap check` reads from a snapshot, each fact through one function, so that when another
 * part of nsnap changes a rule (issue 15's program identity, issue 18's namespaces, issue 17's
 * settings, rules and neighbours) the switch is made here, once.
 *
 * Decisions:
 * - A listener is what `isListener()` in net/sockets.ts says, the one rule show, port and diff
 *   use: TCP LISTEN, or UDP UNCONN on a port that is no UDP client's — a client's being an
 *   unconnected UDP socket on a port inside the ephemeral range, not reserved, with no TCP
 *   listener on the same port, held by a process (`isUdpClient`). The range is the policy's
 *   `ephemeral-ports`, else the snapshot's `ip_local_port_range`, else the platform's default.
 * - A program is `programName()` of net/programs.ts, the one rule show, port and diff use.
 * - Sockets with the same protocol, family, address, port and owner are one listener fact with a
 *   socket count (SO_REUSEPORT instances, pre-fork workers sharing one socket are one socket).
 * - Sections a snapshot does not have (namespaces, settings, routing rules, neighbours) are
 *   `undefined`, never empty: a rule on them is "not evaluated", never a silent pass.
 */
import type { Connection, Namespace, ProcessInfo, Snapshot } from "../model.ts";
import { recordNamespaceId } from "../net/namespaces.ts";
import {
  endpoint,
  isListener,
  isUdpClient as isClient,
  LINUX_EPHEMERAL,
  listenerKey,
  type PortRange,
  socketRules,
} from "../net/sockets.ts";
import { programName as theProgramName } from "../net/programs.ts";
import { ownerOf } from "../diff/util.ts";
import { ADDRESS_SCOPES, type AddressScope, addressScope } from "../net/scope.ts";

/** Linux's default ephemeral port range (net.ipv4.ip_local_port_range). */
export const DEFAULT_EPHEMERAL: PortRange = LINUX_EPHEMERAL;

/** The program a process runs, as show, port and diff name it: the one rule, called from here. */
export function programName(p: ProcessInfo): string {
  return theProgramName(p);
}

/** One listening address and its owner, with how many sockets it has. */
export interface ListenerFact {
  protocol: "tcp" | "udp";
  family: "inet" | "inet6";
  address: string;
  port: number;
  /** Where the bound address can be reached from (`any` for 0.0.0.0 and ::). */
  scope: AddressScope;
  /** The owner's program, when the snapshot knows the owner. */
  program?: string;
  pid?: number;
  user?: string;
  uid?: number;
  /**
   * The namespace identity (`host`, `docker:web`, `pod:shop/web-0` …, net/namespaces.ts), when
   * the snapshot has namespaces.
   */
  namespace?: string;
  /**
   * Who reaches it across namespaces (net/namespace_exposure.ts): `published` (then `scope` is
   * that of the host addresses it is published on), `host-network`, or `internal` (nothing on
   * the host leads to it: it reaches no address scope).
   */
  exposure?: "published" | "host-network" | "internal";
  /** Sockets on this address with this owner. */
  sockets: number;
}

/** The network namespaces of a snapshot, or undefined when it is of one namespace. */
export function namespacesOf(snap: Snapshot): readonly Namespace[] | undefined {
  return snap.namespaces;
}

/** The scope a published listener reaches: the widest of the host addresses it is published on. */
function publishedScope(c: Connection): AddressScope | undefined {
  const ports = c.exposure?.published;
  if (!ports?.length) return undefined;
  const scopes = ports.map((p) => addressScope(p.hostAddress));
  return ADDRESS_SCOPES[Math.max(...scopes.map((x) => ADDRESS_SCOPES.indexOf(x)))];
}

/** The sysctl settings a snapshot holds (issue 17), name → value text, or undefined. */
export function sysctlsOf(snap: Snapshot): Readonly<Record<string, string>> | undefined {
  const s = (snap as { settings?: unknown }).settings;
  if (s === null || typeof s !== "object") return undefined;
  const out: Record<string, string> = Object.create(null);
  // A list of {name, value} or a map name → value, whichever the settings section becomes.
  const entries: Array<[unknown, unknown]> = Array.isArray(s)
    ? s.map((e) => [(e as { name?: unknown }).name, (e as { value?: unknown }).value])
    : Object.entries(s as Record<string, unknown>);
  for (const [k, v] of entries) {
    if (typeof k !== "string") continue;
    if (typeof v === "string" || typeof v === "number" || typeof v === "bigint") out[k] = String(v);
    else if (Array.isArray(v)) out[k] = v.join(" ");
  }
  return out;
}

/** A record of a section the snapshot schema does not define yet, read as plain fields. */
export type LooseRecord = Readonly<Record<string, unknown>>;

function looseList(snap: Snapshot, key: string): readonly LooseRecord[] | undefined {
  const v = (snap as unknown as Record<string, unknown>)[key];
  return Array.isArray(v) ? v.filter((x) => x !== null && typeof x === "object") : undefined;
}

/** The policy-routing rules (`ip rule`, issue 17), or undefined when not captured. */
export function routingRulesOf(snap: Snapshot): readonly LooseRecord[] | undefined {
  return looseList(snap, "rules");
}

/** The neighbour entries (ARP/NDP, issue 17), or undefined when not captured. */
export function neighboursOf(snap: Snapshot): readonly LooseRecord[] | undefined {
  return looseList(snap, "neighbours");
}

/** The ephemeral port range: the policy's, else the snapshot's, else its platform's default. */
export function ephemeralRange(snap: Snapshot, fromPolicy?: PortRange): PortRange {
  return socketRules(snap, { ephemeral: fromPolicy }).ephemeral;
}

/** The listeners of a snapshot and the UDP client sockets left out of them. */
export interface Listeners {
  facts: ListenerFact[];
  /** Unconnected UDP sockets taken for clients (`isUdpClient`). */
  udpClients: number;
  range: PortRange;
}

/** Gathers a snapshot's listeners as facts, in a stable order (protocol, port, address). */
export function listenerFacts(snap: Snapshot, fromPolicy?: PortRange): Listeners {
  const rules = socketRules(snap, { ephemeral: fromPolicy });
  const byKey = new Map<string, ListenerFact>();
  let udpClients = 0;
  for (const c of snap.connections) {
    if (isClient(c, rules)) {
      udpClients++;
      continue;
    }
    if (!isListener(c, rules)) continue;
    const owner = ownerOf(snap, c);
    const program = owner ? programName(owner) : undefined;
    const namespace = snap.namespaces ? recordNamespaceId(c, snap) : undefined;
    const key = `${listenerKey(c)} ${program ?? ""} ${owner?.user ?? c.uid ?? ""}`;
    const seen = byKey.get(key);
    if (seen) {
      seen.sockets++;
      continue;
    }
    const f: ListenerFact = {
      protocol: c.protocol,
      family: c.family,
      address: c.localAddress,
      port: c.localPort,
      scope: publishedScope(c) ?? addressScope(c.localAddress),
      sockets: 1,
    };
    if (namespace !== undefined) f.namespace = namespace;
    if (c.exposure !== undefined) f.exposure = c.exposure.kind;
    if (program !== undefined) f.program = program;
    if (c.pid !== undefined) f.pid = c.pid;
    const user = owner?.user;
    if (user !== undefined) f.user = user;
    const uid = c.uid ?? owner?.uid;
    if (uid !== undefined) f.uid = uid;
    byKey.set(key, f);
  }
  const facts = [...byKey.values()].sort((a, b) =>
    a.protocol.localeCompare(b.protocol) || a.port - b.port || a.family.localeCompare(b.family) ||
    a.address.localeCompare(b.address) ||
    (a.program ?? "").localeCompare(b.program ?? "") ||
    (a.namespace ?? "").localeCompare(b.namespace ?? "")
  );
  return { facts, udpClients, range: rules.ephemeral };
}

/** A listener as people read it: `tcp 0.0.0.0:8080 (python3, pid 12, user root)`. */
export function listenerText(f: ListenerFact): string {
  const who = [
    f.program ?? "owner unknown",
    ...(f.pid !== undefined ? [`pid ${f.pid}`] : []),
    ...(f.user !== undefined ? [`user ${f.user}`] : f.uid !== undefined ? [`uid ${f.uid}`] : []),
    ...(f.sockets > 1 ? [`${f.sockets} sockets`] : []),
  ];
  const where = f.namespace !== undefined && f.namespace !== "host" ? ` in ${f.namespace}` : "";
  return `${f.protocol} ${endpoint(f.address, f.port)}${where} (${who.join(", ")})`;
}

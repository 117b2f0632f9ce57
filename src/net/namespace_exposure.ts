/**
 * NamespaceExposure across network namespaces: which host address and port reach a listener that lives in
 * another namespace (a container's), so that a container's `0.0.0.0:80` is never shown as public
 * when nothing on the host leads to it. Pure: a snapshot's records in, one `NamespaceExposure` per
 * listener out; the capture stores the answer in `connections[].exposure`.
 *
 * Rules, for a listener L in namespace N:
 * 1. N is not the host's and L is bound to loopback (127.0.0.0/8, ::1): `internal` — a forward
 *    to the container's address never reaches a loopback socket, whatever is published.
 * 2. N is not the host's, and something on the host leads to L: `published`, with each host
 *    address and port and what says so —
 *    - `docker`: a port binding of a Docker container in N (`-p 127.0.0.1:8080:80`) on L's port
 *      and protocol;
 *    - `docker-proxy`: a forward of the host's docker-proxy to an address of N on L's port;
 *    - `dnat`: a DNAT rule of the host's firewall to an address of N on L's port.
 *    A forward to an address reaches L when L is bound to that address or to its family's
 *    wildcard (an IPv4 address also reaches a dual-stack `::` listener, not a v6only one).
 * 3. N is not the host's and nothing leads to L: `internal` (reachable inside N, and from the
 *    host and the peers of its links, never from another machine through the host).
 * 4. N is the host's and L's owner runs in a container (host-network: `--network host`, a pod
 *    with hostNetwork): `host-network`, naming the container; the host's exposure applies.
 * 5. Any other listener of the host: no exposure here (its reach is its address's, net/exposure.ts).
 */
import type {
  Connection,
  Forward,
  Namespace,
  NamespaceContainer,
  NamespaceExposure,
  NetInterface,
  PublishedPort,
} from "../model.ts";
import { isLoopback, isWildcard } from "./address.ts";
import { endpoint, isListener, type SocketRules } from "./sockets.ts";
import { namespaceTitle } from "./namespaces.ts";

/** What the evaluator reads of a snapshot. */
export interface ExposureInput {
  connections: readonly Connection[];
  interfaces: readonly NetInterface[];
  namespaces?: readonly Namespace[] | undefined;
  forwards?: readonly Forward[] | undefined;
  /**
   * What tells UDP services from clients (net/sockets.ts); without it every bound, unconnected
   * UDP socket counts as a listener.
   */
  socketRules?: SocketRules | undefined;
}

const ALL_UDP: SocketRules = { ephemeral: [1, 0], services: [], tcpPorts: new Set() };

type Via = PublishedPort["via"][number];

/** True when a forward to `to` reaches a socket bound to `bound` (the rule in the header). */
export function reaches(bound: string, to: string, v6only?: boolean): boolean {
  if (bound === to) return true;
  if (bound === "0.0.0.0") return !to.includes(":");
  if (bound === "::") return to.includes(":") || v6only !== true;
  return false;
}

function v6onlyOf(c: Connection): boolean | undefined {
  const v = (c as { v6only?: unknown }).v6only;
  return typeof v === "boolean" ? v : undefined;
}

/** The published ports of one listener, merged by host address and port, sorted. */
function publishedPorts(
  c: Connection,
  ns: Namespace,
  addresses: ReadonlySet<string>,
  forwards: readonly Forward[],
): PublishedPort[] {
  const found = new Map<string, PublishedPort>();
  const add = (hostAddress: string, hostPort: number, via: Via) => {
    const key = `${hostAddress} ${hostPort}`;
    const p = found.get(key) ?? { hostAddress, hostPort, via: [] };
    if (!p.via.includes(via)) p.via.push(via);
    found.set(key, p);
  };
  for (const ct of ns.containers ?? []) {
    for (const b of ct.ports ?? []) {
      if (b.protocol !== c.protocol || b.containerPort !== c.localPort) continue;
      if (b.hostAddress === "") {
        add("0.0.0.0", b.hostPort, "docker");
        add("::", b.hostPort, "docker");
      } else add(b.hostAddress, b.hostPort, "docker");
    }
  }
  for (const f of forwards) {
    if (f.protocol !== c.protocol || f.toPort !== c.localPort) continue;
    const inside = f.namespace === ns.id || f.namespace === undefined && addresses.has(f.toAddress);
    if (!inside || !reaches(c.localAddress, f.toAddress, v6onlyOf(c))) continue;
    add(f.hostAddress, f.hostPort, f.via);
  }
  for (const p of found.values()) p.via.sort();
  return [...found.values()].sort((a, b) =>
    a.hostPort - b.hostPort || (a.hostAddress.includes(":") ? 1 : 0) -
      (b.hostAddress.includes(":") ? 1 : 0) ||
    (a.hostAddress < b.hostAddress ? -1 : a.hostAddress > b.hostAddress ? 1 : 0)
  );
}

/** Whether any binding or forward names the listener's port in its namespace. */
function portPublished(c: Connection, ns: Namespace, forwards: readonly Forward[]): number[] {
  const ports = new Set<number>();
  for (const ct of ns.containers ?? []) {
    for (const b of ct.ports ?? []) {
      if (b.protocol === c.protocol && b.containerPort === c.localPort) ports.add(b.hostPort);
    }
  }
  for (const f of forwards) {
    if (f.namespace === ns.id && f.protocol === c.protocol && f.toPort === c.localPort) {
      ports.add(f.hostPort);
    }
  }
  return [...ports].sort((a, b) => a - b);
}

/** A published port as people read it: `127.0.0.1:8080`, `[::]:8080`. */
export function publishedText(p: Pick<PublishedPort, "hostAddress" | "hostPort">): string {
  return endpoint(p.hostAddress, p.hostPort);
}

/** The container among a namespace's containers whose processes include `pid`. */
function containerOfPid(
  containers: readonly NamespaceContainer[],
  pids: readonly number[],
): NamespaceContainer | undefined {
  for (const ct of containers) {
    if (pids.some((p) => p === ct.pid || ct.pids?.includes(p))) return ct;
  }
  return undefined;
}

function containerWords(ct: NamespaceContainer): string {
  if (ct.pod !== undefined) {
    return `pod ${ct.podNamespace}/${ct.pod}${ct.name ? ` (${ct.name})` : ""}`;
  }
  return `container ${ct.name ?? ct.id.slice(0, 12)}`;
}

/**
 * The exposure of every listener the rules in the header decide, by connection. A snapshot of
 * one namespace (no `namespaces`) gives an empty map.
 *
 * @example
 * ```ts
 * import { namespaceExposure } from "./namespace_exposure.ts";
 * namespaceExposure({ connections: [], interfaces: [] }).size; // 0
 * ```
 */
export function namespaceExposure(s: ExposureInput): Map<Connection, NamespaceExposure> {
  const out = new Map<Connection, NamespaceExposure>();
  const namespaces = s.namespaces ?? [];
  if (namespaces.length === 0) return out;
  const own = namespaces.find((n) => n.own);
  const byId = new Map(namespaces.map((n) => [n.id, n]));
  const addresses = new Map<string, Set<string>>();
  for (const i of s.interfaces) {
    const id = i.namespace ?? own?.id ?? "";
    let set = addresses.get(id);
    if (!set) addresses.set(id, set = new Set());
    for (const a of i.addresses) set.add(a.address);
  }
  for (const n of namespaces) {
    for (const ct of n.containers ?? []) {
      for (const a of ct.addresses ?? []) {
        let set = addresses.get(n.id);
        if (!set) addresses.set(n.id, set = new Set());
        set.add(a);
      }
    }
  }
  const forwards = s.forwards ?? [];
  for (const c of s.connections) {
    if (!isListener(c, s.socketRules ?? ALL_UDP)) continue;
    const ns = c.namespace === undefined ? own : byId.get(c.namespace);
    if (ns === undefined) continue;
    if (ns.kind === "host") {
      const ct = containerOfPid(ns.containers ?? [], c.pids ?? (c.pid ? [c.pid] : []));
      if (ct === undefined) continue;
      const e: NamespaceExposure = {
        kind: "host-network",
        summary: `host-network ${containerWords(ct)}: the host's exposure applies`,
      };
      if (ct.name !== undefined) e.container = ct.name;
      out.set(c, e);
      continue;
    }
    if (ns.own) continue; // nsnap ran inside this namespace: nothing to say from the host
    const title = namespaceTitle(ns);
    if (isLoopback(c.localAddress)) {
      const ports = portPublished(c, ns, forwards);
      const note = ports.length
        ? ` (published host port ${ports.join(", ")} does not reach it)`
        : "";
      out.set(c, {
        kind: "internal",
        summary: `internal: bound to ${c.localAddress} inside ${title}${note}`,
      });
      continue;
    }
    const published = publishedPorts(c, ns, addresses.get(ns.id) ?? new Set(), forwards);
    if (published.length > 0) {
      out.set(c, {
        kind: "published",
        summary: `published on host ${published.map(publishedText).join(", ")}`,
        published,
      });
      continue;
    }
    const where = isWildcard(c.localAddress) ? "" : ` (bound to ${c.localAddress})`;
    out.set(c, { kind: "internal", summary: `internal: not published on the host${where}` });
  }
  return out;
}

/**
 * A fast check for connections, the one list that reaches 100k entries: zod takes ~300 ms for
 * 100k sockets, this ~20 ms. It accepts only what the schema in schema.ts accepts (the tests hold
 * the two together with generated and mutated connections); anything else goes to zod, which
 * then also words the error.
 */
import type { Connection, NamespaceExposure } from "../model.ts";

const isUint = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isPort = (v: unknown): v is number => isUint(v) && v <= 65535;

/** Returns the connection (unknown keys dropped, keys in schema order) or undefined if not plainly valid. */
export function fastConnection(x: unknown): Connection | undefined {
  if (x === null || typeof x !== "object" || Array.isArray(x)) return undefined;
  const c = x as Record<string, unknown>;
  const { protocol, family, localAddress, localPort, remoteAddress, remotePort, state } = c;
  if (protocol !== "tcp" && protocol !== "udp") return undefined;
  if (family !== "inet" && family !== "inet6") return undefined;
  if (typeof localAddress !== "string" || typeof remoteAddress !== "string") return undefined;
  if (typeof state !== "string" || !isPort(localPort) || !isPort(remotePort)) return undefined;
  const { recvQ, sendQ, uid, inode, pid, pids } = c;
  if (!isUint(recvQ) || !isUint(sendQ)) return undefined;
  const o: Connection = {
    protocol,
    family,
    localAddress,
    localPort,
    remoteAddress,
    remotePort,
    state,
    recvQ,
    sendQ,
  };
  if (uid !== undefined) {
    if (!isUint(uid)) return undefined;
    o.uid = uid;
  }
  if (inode !== undefined) {
    if (!isUint(inode)) return undefined;
    o.inode = inode;
  }
  if (pid !== undefined) {
    if (!isUint(pid)) return undefined;
    o.pid = pid;
  }
  if (pids !== undefined) {
    if (!Array.isArray(pids) || !pids.every(isUint)) return undefined;
    o.pids = pids.slice();
  }
  const { namespace, exposure } = c;
  if (namespace !== undefined) {
    if (typeof namespace !== "string") return undefined;
    o.namespace = namespace;
  }
  if (exposure !== undefined) {
    const e = fastExposure(exposure);
    if (e === undefined) return undefined;
    o.exposure = e;
  }
  return o;
}

const EXPOSURE_KINDS = new Set(["published", "host-network", "internal"]);
const VIA = new Set(["docker", "docker-proxy", "dnat"]);

/** A listener's exposure (captures across namespaces), keys in schema order, or undefined. */
function fastExposure(x: unknown): NamespaceExposure | undefined {
  if (x === null || typeof x !== "object" || Array.isArray(x)) return undefined;
  const { kind, summary, published, container } = x as Record<string, unknown>;
  if (typeof kind !== "string" || !EXPOSURE_KINDS.has(kind) || typeof summary !== "string") {
    return undefined;
  }
  const e: NamespaceExposure = { kind: kind as NamespaceExposure["kind"], summary };
  if (published !== undefined) {
    if (!Array.isArray(published)) return undefined;
    const list: NonNullable<NamespaceExposure["published"]> = [];
    for (const p of published) {
      if (p === null || typeof p !== "object" || Array.isArray(p)) return undefined;
      const { hostAddress, hostPort, via } = p as Record<string, unknown>;
      if (typeof hostAddress !== "string" || !isPort(hostPort) || !Array.isArray(via)) {
        return undefined;
      }
      if (!via.every((v) => typeof v === "string" && VIA.has(v))) return undefined;
      list.push({ hostAddress, hostPort, via: via.slice() as typeof list[number]["via"] });
    }
    e.published = list;
  }
  if (container !== undefined) {
    if (typeof container !== "string") return undefined;
    e.container = container;
  }
  return e;
}

/** The keys and ':' characters an exposure holds, for the duplicate-key count. */
function exposureCounts(e: NamespaceExposure): { keys: number; colons: number } {
  let keys = 2, colons = countColons(e.summary);
  if (e.container !== undefined) {
    keys++;
    colons += countColons(e.container);
  }
  if (e.published) {
    keys++;
    for (const p of e.published) {
      keys += 3;
      colons += countColons(p.hostAddress);
      for (const v of p.via) colons += countColons(v);
    }
  }
  return { keys, colons };
}

/** What the fast path found: the connections, and the keys and ':' characters they hold. */
export interface FastConnections {
  connections: Connection[];
  /** Keys of the accepted connections (schema keys only), for the JSON duplicate-key count. */
  keys: number;
  /** ':' characters inside their string values (IPv6 addresses). */
  colons: number;
}

/** Checks a whole list; undefined as soon as one entry needs the full schema. */
export function fastConnections(list: unknown): FastConnections | undefined {
  if (!Array.isArray(list)) return undefined;
  const connections = new Array<Connection>(list.length);
  let keys = 0, colons = 0;
  for (let i = 0; i < list.length; i++) {
    const c = fastConnection(list[i]);
    if (c === undefined) return undefined;
    connections[i] = c;
    keys += 9 + (c.uid === undefined ? 0 : 1) + (c.inode === undefined ? 0 : 1) +
      (c.pid === undefined ? 0 : 1) + (c.pids === undefined ? 0 : 1) +
      (c.namespace === undefined ? 0 : 1);
    colons += countColons(c.localAddress) + countColons(c.remoteAddress) + countColons(c.state) +
      (c.namespace === undefined ? 0 : countColons(c.namespace));
    if (c.exposure !== undefined) {
      const n = exposureCounts(c.exposure);
      keys += 1 + n.keys;
      colons += n.colons;
    }
  }
  return { connections, keys, colons };
}

/** Counts ':' in a string. */
export function countColons(s: string): number {
  let k = 0;
  for (let p = s.indexOf(":"); p >= 0; p = s.indexOf(":", p + 1)) k++;
  return k;
}

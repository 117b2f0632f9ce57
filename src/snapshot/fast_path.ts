/**
 * A fast check for connections, the one list that reaches 100k entries: zod takes ~300 ms for
 * 100k sockets, this ~20 ms. It accepts only what the schema in schema.ts accepts (the tests hold
 * the two together with generated and mutated connections); anything else goes to zod, which
 * then also words the error.
 */
import type { Connection, NamespaceExposure, SocketTimer, TcpInfo } from "../model.ts";
import {
  COUNTER_MAX,
  COUNTER_MIN,
  FIELDS,
  TCP_INFO_FIELDS,
  type TcpInfoFieldKind,
} from "../fields.ts";

const isUint = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isPort = (v: unknown): v is number => isUint(v) && v <= 65535;
const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);
/** What the schema's CounterValue accepts: an integer, or a decimal string of up to 20 digits. */
const COUNTER_TEXT = /^-?[0-9]{1,20}$/;

const TCP_INFO_KINDS = new Map<string, TcpInfoFieldKind>(TCP_INFO_FIELDS);

/** A timer, or undefined if not plainly valid. */
function fastTimer(v: unknown): SocketTimer | undefined {
  if (!isObject(v)) return undefined;
  const { name, expiresMs, retrans } = v;
  if (typeof name !== "string" || !isUint(expiresMs) || !isUint(retrans)) return undefined;
  return { name, expiresMs, retrans };
}

/**
 * tcp_info (unknown keys dropped, counters as bigint, keys in schema order), or undefined if not
 * plainly valid. `keys` gets its key count and the ':' characters of its strings.
 */
function fastTcpInfo(v: unknown, count: { keys: number; colons: number }): TcpInfo | undefined {
  if (!isObject(v)) return undefined;
  const out: Record<string, unknown> = {};
  let known = 0;
  for (const [name, kind] of TCP_INFO_FIELDS) {
    const x = v[name];
    if (x === undefined) continue;
    known++;
    if (kind === "uint") {
      if (!isUint(x)) return undefined;
      out[name] = x;
    } else if (kind === "counter") {
      if (Number.isSafeInteger(x)) out[name] = BigInt(x as number);
      else if (typeof x === "string" && COUNTER_TEXT.test(x)) {
        const v = BigInt(x);
        if (v < COUNTER_MIN || v > COUNTER_MAX) return undefined;
        out[name] = v;
      } else return undefined;
    } else if (kind === "bool") {
      if (typeof x !== "boolean") return undefined;
      out[name] = x;
    } else {
      if (typeof x !== "string") return undefined;
      out[name] = x;
      count.colons += countColons(x);
    }
  }
  if (out.rtt === undefined || out.rttvar === undefined || out.retrans === undefined) return;
  if (out.totalRetrans === undefined || out.lost === undefined) return undefined;
  // Unknown keys are dropped, as zod drops them; they still count for the duplicate check.
  let keys = 0;
  for (const k in v) {
    keys++;
    if (!TCP_INFO_KINDS.has(k)) return undefined;
  }
  count.keys += keys;
  return known === keys ? out as TcpInfo : undefined;
}

/**
 * Returns the connection (keys in schema order) or undefined if not plainly valid or when it
 * holds a key the schema does not know. `count`, when given, gets the keys of its nested objects
 * and the ':' characters of their strings.
 */
export function fastConnection(
  x: unknown,
  count: { keys: number; colons: number } = { keys: 0, colons: 0 },
): Connection | undefined {
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
  const { interface: dev, v6only, backlog, timer, mark, cgroupId, tcpInfo } = c;
  if (dev !== undefined) {
    if (typeof dev !== "string") return undefined;
    o.interface = dev;
    count.colons += countColons(dev);
  }
  if (v6only !== undefined) {
    if (typeof v6only !== "boolean") return undefined;
    o.v6only = v6only;
  }
  if (backlog !== undefined) {
    if (!isUint(backlog)) return undefined;
    o.backlog = backlog;
  }
  if (timer !== undefined) {
    const t = fastTimer(timer);
    if (t === undefined) return undefined;
    o.timer = t;
    count.keys += Object.keys(timer as object).length;
    count.colons += countColons(t.name);
  }
  if (mark !== undefined) {
    if (!isUint(mark)) return undefined;
    o.mark = mark;
  }
  if (cgroupId !== undefined) {
    if (!isUint(cgroupId)) return undefined;
    o.cgroupId = cgroupId;
  }
  if (tcpInfo !== undefined) {
    const t = fastTcpInfo(tcpInfo, count);
    if (t === undefined) return undefined;
    o.tcpInfo = t;
  }
  const { namespace, exposure } = c;
  if (namespace !== undefined) {
    if (typeof namespace !== "string") return undefined;
    o.namespace = namespace;
    count.colons += countColons(namespace);
  }
  if (exposure !== undefined) {
    const e = fastExposure(exposure);
    if (e === undefined) return undefined;
    o.exposure = e;
    const n = exposureCounts(e);
    count.keys += n.keys;
    count.colons += n.colons;
  }
  return o;
}

/** The optional keys of a connection (after the nine every one has), counted for the duplicate check. */
const OPTIONAL_KEYS = FIELDS.connection.slice(9) as ReadonlyArray<keyof Connection>;

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
  const count = { keys: 0, colons: 0 };
  for (let i = 0; i < list.length; i++) {
    const c = fastConnection(list[i], count);
    if (c === undefined) return undefined;
    connections[i] = c;
    let keys = 9;
    for (const k of OPTIONAL_KEYS) if (c[k] !== undefined) keys++;
    count.keys += keys;
    count.colons += countColons(c.localAddress) + countColons(c.remoteAddress) +
      countColons(c.state);
  }
  return { connections, keys: count.keys, colons: count.colons };
}

/** Counts ':' in a string. */
export function countColons(s: string): number {
  let k = 0;
  for (let p = s.indexOf(":"); p >= 0; p = s.indexOf(":", p + 1)) k++;
  return k;
}

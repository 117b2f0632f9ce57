/**
 * Snapshot text: JSON or YAML, deterministic (keys in schema order, lists as given — normalise
 * first), counters lossless (a number up to 2^53-1, a decimal string beyond), a final newline.
 *
 * JSON layout: the document is indented, but each connection, process and route sits on one line,
 * so a 100k-socket snapshot stays compact, greps well and diffs line by line.
 *
 * YAML layout: block style throughout, emitted here rather than by the `yaml` package, whose
 * document model takes seconds per 100k sockets. Strings are plain only when no YAML reader
 * (1.1 or 1.2) can take them for anything else — identifiers and dotted IPv4 — and are otherwise
 * double-quoted with JSON escapes, which YAML shares; no anchors, no folding. The `yaml` package
 * reads it back (see read.ts), and the round-trip tests hold the two to each other.
 */
import type {
  Connection,
  Counters,
  Firewall,
  InterfaceStats,
  Namespace,
  NetInterface,
  Qdisc,
  Snapshot,
} from "../model.ts";
import { encodeCounter, SCHEMA_ID } from "../model.ts";
import { FIELDS } from "../fields.ts";
import { dict } from "../util/record.ts";
import { escapeYamlUnprintable } from "../util/escape.ts";
import {
  isOrderedConnection,
  orderConnection,
  orderFirewall,
  orderForward,
  orderInterface,
  orderMeta,
  orderNamespace,
  orderNeighbour,
  orderPacketSocket,
  orderProcess,
  orderQdisc,
  orderRawSocket,
  orderRoute,
  orderRule,
  orderSettings,
  orderUnixSocket,
} from "./normalize.ts";

/** The two text formats a snapshot is written in. */
export type SnapshotFormat = "json" | "yaml";

/** Serialises a snapshot as JSON or YAML text ending in a newline. */
export function serializeSnapshot(s: Snapshot, format: SnapshotFormat): string {
  return format === "yaml" ? serializeYaml(s) : serializeJson(s);
}

type DiskCounters = Record<string, Record<string, number | string>>;

function encodeCounters(c: Counters): DiskCounters {
  const out: DiskCounters = dict();
  for (const [group, values] of Object.entries(c)) {
    const g = dict<number | string>();
    for (const [name, v] of Object.entries(values)) g[name] = encodeCounter(v);
    out[group] = g;
  }
  return out;
}

/** An interface in its on-disk form: keys in schema order, stats encoded. */
function diskInterface(i: NetInterface): Record<string, unknown> {
  const o: Record<string, unknown> = { ...orderInterface(i) };
  if (i.stats) {
    const stats: Record<string, number | string> = {};
    for (const [k, v] of Object.entries(o.stats as InterfaceStats)) {
      if (v !== undefined) stats[k] = encodeCounter(v);
    }
    o.stats = stats;
  }
  return o;
}

/** A namespace in its on-disk form: keys in schema order, its counters encoded. */
function diskNamespace(n: Namespace): Record<string, unknown> {
  const o: Record<string, unknown> = { ...orderNamespace(n) };
  if (n.counters) o.counters = encodeCounters(n.counters);
  if (n.settings) o.settings = orderSettings(n.settings);
  if (n.firewall) o.firewall = diskFirewall(n.firewall);
  return o;
}

/** A qdisc in its on-disk form: keys in schema order, counters encoded. */
function diskQdisc(q: Qdisc): Record<string, unknown> {
  const o: Record<string, unknown> = { ...orderQdisc(q) };
  if (q.stats) {
    const stats: Record<string, number | string> = {};
    for (const [k, v] of Object.entries(o.stats as Record<string, bigint | undefined>)) {
      if (v !== undefined) stats[k] = encodeCounter(v);
    }
    o.stats = stats;
  }
  return o;
}

/** The firewall in its on-disk form: rule counters encoded. */
function diskFirewall(f: Firewall): Record<string, unknown> {
  return {
    tables: orderFirewall(f).tables.map((t) => ({
      ...t,
      chains: t.chains.map((c) => ({
        ...c,
        rules: c.rules.map((r) =>
          r.counters
            ? {
              ...r,
              counters: {
                packets: encodeCounter(r.counters.packets),
                bytes: encodeCounter(r.counters.bytes),
              },
            }
            : r
        ),
      })),
    })),
  };
}

/** The sections added within v1, in schema order, each only when the snapshot has it. */
function optionalSections(s: Snapshot): Array<[string, unknown, "lines" | "nested"]> {
  const out: Array<[string, unknown, "lines" | "nested"]> = [];
  if (s.rules) out.push(["rules", s.rules.map(orderRule), "lines"]);
  if (s.neighbours) out.push(["neighbours", s.neighbours.map(orderNeighbour), "lines"]);
  if (s.settings) out.push(["settings", orderSettings(s.settings), "nested"]);
  if (s.qdiscs) out.push(["qdiscs", s.qdiscs.map(diskQdisc), "lines"]);
  if (s.firewall) out.push(["firewall", diskFirewall(s.firewall), "nested"]);
  return out;
}

const CONNECTION_KEY_INDEX = new Map<string, number>(FIELDS.connection.map((k, i) => [k, i]));

/** True when a connection already has only schema keys, in order, and sorted `pids`. */
function hasSchemaOrder(c: Connection): boolean {
  if (isOrderedConnection(c)) return true; // normalizeSnapshot's own
  if (c.exposure !== undefined) return false; // nested: order it
  let last = -1;
  for (const k in c) {
    const i = CONNECTION_KEY_INDEX.get(k);
    if (i === undefined || i <= last) return false;
    last = i;
  }
  const pids = c.pids;
  if (pids) { for (let i = 1; i < pids.length; i++) if (pids[i - 1]! > pids[i]!) return false; }
  return c.timer === undefined && c.tcpInfo === undefined; // nested keys: orderConnection sees to them
}

/** A bigint (a 64-bit tcp_info field) as its on-disk counter: a number, or a decimal string. */
function encodeBigints(_key: string, v: unknown): unknown {
  return typeof v === "bigint" ? encodeCounter(v) : v;
}

/**
 * A connection in its on-disk form: the full tcp_info (`--tcp-info`) holds 64-bit counters, which
 * are encoded; every other connection is written as it is.
 */
function diskConnection(c: Connection): Connection {
  const t = c.tcpInfo;
  if (t === undefined || t.caState === undefined) return c;
  return { ...c, tcpInfo: JSON.parse(JSON.stringify(t, encodeBigints)) };
}

/** One connection as JSON. Those of a normalised snapshot (100k on a busy host) need no copy. */
function connectionJson(c: Connection): string {
  const o = hasSchemaOrder(c) ? c : orderConnection(c);
  return o.tcpInfo?.caState === undefined ? JSON.stringify(o) : JSON.stringify(o, encodeBigints);
}

/** Indents every line after the first (nested JSON.stringify output). */
function nest(text: string, indent: string): string {
  return text.replaceAll("\n", "\n" + indent);
}

/** A JSON array with one element per line. */
function lineList(items: string[]): string {
  return items.length === 0 ? "[]" : `[\n    ${items.join(",\n    ")}\n  ]`;
}

/** Lines of the connections list at a time: few enough that their text never piles up. */
const CHUNK = 2048;

/** The connections list, a chunk of lines at a time (the writer encodes each as it comes). */
function* connectionList(cs: readonly Connection[]): Generator<string> {
  if (cs.length === 0) {
    yield "[]";
    return;
  }
  for (let at = 0; at < cs.length; at += CHUNK) {
    const lines = new Array<string>(Math.min(CHUNK, cs.length - at));
    for (let i = 0; i < lines.length; i++) lines[i] = connectionJson(cs[at + i]!);
    yield (at === 0 ? "[\n    " : ",\n    ") + lines.join(",\n    ");
  }
  yield "\n  ]";
}

/** The JSON text, in pieces whose concatenation is the document. */
function* jsonPieces(s: Snapshot): Generator<string> {
  const processes = Object.keys(s.processes).map((pid) =>
    `${JSON.stringify(pid)}: ${JSON.stringify(orderProcess(s.processes[pid]!))}`
  );
  yield `{\n  "schema": ${JSON.stringify(SCHEMA_ID)}`;
  yield `,\n  "meta": ${nest(JSON.stringify(orderMeta(s.meta), null, 2), "  ")}`;
  yield `,\n  "connections": `;
  yield* connectionList(s.connections);
  if (s.unixSockets) {
    yield `,\n  "unixSockets": ${
      lineList(s.unixSockets.map((u) => JSON.stringify(orderUnixSocket(u))))
    }`;
  }
  if (s.rawSockets) {
    yield `,\n  "rawSockets": ${
      lineList(s.rawSockets.map((r) => JSON.stringify(orderRawSocket(r))))
    }`;
  }
  if (s.packetSockets) {
    yield `,\n  "packetSockets": ${
      lineList(s.packetSockets.map((p) => JSON.stringify(orderPacketSocket(p))))
    }`;
  }
  yield `,\n  "processes": ${
    processes.length === 0 ? "{}" : `{\n    ${processes.join(",\n    ")}\n  }`
  }`;
  yield `,\n  "routes": ${lineList(s.routes.map((r) => JSON.stringify(orderRoute(r))))}`;
  yield `,\n  "interfaces": ${
    s.interfaces.length === 0
      ? "[]"
      : `[\n    ${
        s.interfaces.map((i) => nest(JSON.stringify(diskInterface(i), null, 2), "    ")).join(
          ",\n    ",
        )
      }\n  ]`
  }`;
  yield `,\n  "counters": ${nest(JSON.stringify(encodeCounters(s.counters), null, 2), "  ")}`;
  for (const [name, value, layout] of optionalSections(s)) {
    yield `,\n  ${JSON.stringify(name)}: ${
      layout === "lines"
        ? lineList((value as unknown[]).map((v) => JSON.stringify(v)))
        : nest(JSON.stringify(value, null, 2), "  ")
    }`;
  }
  if (s.namespaces) {
    yield `,\n  "namespaces": ${
      s.namespaces.length === 0
        ? "[]"
        : `[\n    ${
          s.namespaces.map((n) => nest(JSON.stringify(diskNamespace(n), null, 2), "    ")).join(
            ",\n    ",
          )
        }\n  ]`
    }`;
  }
  if (s.forwards) {
    yield `,\n  "forwards": ${lineList(s.forwards.map((f) => JSON.stringify(orderForward(f))))}`;
  }
  yield "\n}\n";
}

function serializeJson(s: Snapshot): string {
  let text = "";
  for (const piece of jsonPieces(s)) text += piece;
  return text;
}

/** serializeSnapshot()'s text in pieces (JSON: a chunk of connection lines at a time). */
export function serializeSnapshotPieces(s: Snapshot, format: SnapshotFormat): Iterable<string> {
  return format === "yaml" ? [serializeYaml(s)] : jsonPieces(s);
}

/**
 * The snapshot as UTF-8 bytes, the same as encoding serializeSnapshot()'s text: JSON is encoded
 * a piece at a time, so that a 100k-socket snapshot's text never exists whole beside its bytes.
 */
export function serializeSnapshotBytes(s: Snapshot, format: SnapshotFormat): Uint8Array {
  const encoder = new TextEncoder();
  if (format === "yaml") return encoder.encode(serializeYaml(s));
  // About what a connection line takes (with its tcp_info summary): mostly one allocation.
  let buf = new Uint8Array((1 << 16) + s.connections.length * 320);
  let used = 0;
  for (const piece of jsonPieces(s)) {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    if (used + piece.length * 3 > buf.length) {
      const bigger = new Uint8Array(Math.max(buf.length * 2, used + piece.length * 3));
      bigger.set(buf.subarray(0, used));
      buf = bigger;
    }
    used += encoder.encodeInto(piece, buf.subarray(used)).written;
  }
  return buf.subarray(0, used);
}

function serializeYaml(s: Snapshot): string {
  const processes = dict<unknown>();
  for (const pid of Object.keys(s.processes)) processes[pid] = orderProcess(s.processes[pid]!);
  const doc: Record<string, unknown> = {
    schema: SCHEMA_ID,
    meta: orderMeta(s.meta),
    connections: s.connections.map((c) => diskConnection(orderConnection(c))),
    unixSockets: s.unixSockets?.map(orderUnixSocket),
    rawSockets: s.rawSockets?.map(orderRawSocket),
    packetSockets: s.packetSockets?.map(orderPacketSocket),
    processes,
    routes: s.routes.map(orderRoute),
    interfaces: s.interfaces.map(diskInterface),
    counters: encodeCounters(s.counters),
  };
  for (const [name, value] of optionalSections(s)) doc[name] = value;
  if (s.namespaces) doc.namespaces = s.namespaces.map(diskNamespace);
  if (s.forwards) doc.forwards = s.forwards.map(orderForward);
  const lines: string[] = [];
  yamlEntries(doc, "", lines);
  return lines.join("\n") + "\n";
}

/** Words YAML 1.1 or 1.2 reads as booleans or null. */
const YAML_WORDS = /^(?:y|n|yes|no|on|off|true|false|null)$/i;
const PLAIN = /^[A-Za-z_][A-Za-z0-9_.\/+-]*$|^[0-9]{1,3}(?:\.[0-9]{1,3}){3}(?:\/[0-9]{1,2})?$/;

/** A YAML scalar: numbers and booleans as such, strings plain when unambiguous, else quoted. */
function yamlScalar(v: unknown): string {
  if (typeof v === "string") {
    // JSON's escapes, which YAML shares, and \uXXXX for what only YAML cannot hold raw.
    return PLAIN.test(v) && !YAML_WORDS.test(v) ? v : escapeYamlUnprintable(JSON.stringify(v));
  }
  if (Array.isArray(v)) return "[]";
  if (v !== null && typeof v === "object") return "{}";
  return String(v);
}

function isContainer(v: unknown): v is object {
  return v !== null && typeof v === "object" &&
    (Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0);
}

/** Appends a block mapping's lines at the given indentation. */
function yamlEntries(o: object, indent: string, lines: string[]): void {
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    if (!isContainer(v)) {
      lines.push(`${indent}${yamlScalar(k)}: ${yamlScalar(v)}`);
    } else if (Array.isArray(v)) {
      lines.push(`${indent}${yamlScalar(k)}:`);
      yamlItems(v, indent + "  ", lines);
    } else {
      lines.push(`${indent}${yamlScalar(k)}:`);
      yamlEntries(v, indent + "  ", lines);
    }
  }
}

/** Appends a block sequence's lines; a mapping item starts on the dash's line. */
function yamlItems(items: readonly unknown[], indent: string, lines: string[]): void {
  for (const v of items) {
    if (!isContainer(v)) {
      lines.push(`${indent}- ${yamlScalar(v)}`);
    } else if (Array.isArray(v)) {
      lines.push(`${indent}-`);
      yamlItems(v, indent + "  ", lines);
    } else {
      const first = lines.length;
      yamlEntries(v, indent + "  ", lines);
      lines[first] = `${indent}- ${lines[first]!.slice(indent.length + 2)}`;
    }
  }
}

/**
 * /proc/net/tcp, tcp6, udp and udp6: one socket per line, addresses in the kernel's hex.
 *
 * Line layout (fs/proc and net/ipv4/tcp_ipv4.c): `sl: local:port remote:port st tx:rx tr:when
 * retrnsmt uid timeout inode …`. IPv4 addresses are one 32-bit word and IPv6 four, each printed in
 * host byte order (little-endian here), so the bytes of every word are reversed.
 */
import type { Connection, Family, Protocol } from "../../model.ts";
import { formatIPv6Groups } from "../../net/address.ts";
import { KERNEL_TCP_STATES } from "../../net/states.ts";
import { cannotRead, type Parsed, readAt } from "../text.ts";

/** Names a kernel socket state; UDP's CLOSE (7) is an unconnected socket: `UNCONN`. */
export function socketStateName(protocol: Protocol, st: number): string {
  if (protocol === "udp" && st === 7) return "UNCONN";
  return KERNEL_TCP_STATES[st] ?? `UNKNOWN_${st}`;
}

function hexByteAt(s: string, i: number): number {
  return parseInt(s.substr(i, 2), 16);
}

/** Decodes a kernel hex address (8 or 32 hex digits, little-endian words) to canonical text. */
export function decodeHexAddress(hex: string): string | undefined {
  if (hex.length === 8) {
    const a = hexByteAt(hex, 6),
      b = hexByteAt(hex, 4),
      c = hexByteAt(hex, 2),
      d = hexByteAt(hex, 0);
    if (Number.isNaN(a + b + c + d)) return undefined;
    return `${a}.${b}.${c}.${d}`;
  }
  if (hex.length === 32) {
    const groups = new Array<number>(8);
    for (let w = 0; w < 4; w++) {
      const o = w * 8;
      // Word bytes as printed: b0 b1 b2 b3 (little-endian) -> network order b3 b2 b1 b0.
      const b0 = hexByteAt(hex, o + 6), b1 = hexByteAt(hex, o + 4);
      const b2 = hexByteAt(hex, o + 2), b3 = hexByteAt(hex, o);
      if (Number.isNaN(b0 + b1 + b2 + b3)) return undefined;
      groups[w * 2] = (b0 << 8) | b1;
      groups[w * 2 + 1] = (b2 << 8) | b3;
    }
    return formatIPv6Groups(groups);
  }
  return undefined;
}

/**
 * Parses one of /proc/net/{tcp,tcp6,udp,udp6} into connections (without owners).
 * A line that cannot be read becomes a warning naming the source and line; the rest goes on.
 *
 * A busy host has 100k lines here, so the line is read in place, field by field, without
 * splitting it or running regular expressions; each distinct address is decoded once.
 *
 * @example
 * ```ts
 * declare const text: string; // the content of /proc/net/tcp
 * const { value: connections } = parseProcNetSockets(text, "tcp", "inet", "/proc/net/tcp");
 * ```
 */
export function parseProcNetSockets(
  text: string,
  protocol: Protocol,
  family: Family,
  source = `/proc/net/${protocol}${family === "inet6" ? "6" : ""}`,
): Parsed<Connection[]> {
  const connections: Connection[] = [];
  const warnings: string[] = [];
  const reader = new LineReader(text, protocol, family);
  let lineNo = 0;
  let start = 0;
  const n = text.length;
  while (start < n) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = n;
    lineNo++;
    const isHeader = lineNo === 1 && text.slice(start, end).includes("local_address");
    if (!isHeader && skipSpaces(text, start, end) < end) {
      const c = reader.parse(start, end);
      if (typeof c === "string") {
        warnings.push(cannotRead(source, lineNo, `socket line (${c})`, text.slice(start, end)));
      } else {
        connections.push(readAt(c, lineNo));
      }
    }
    start = end + 1;
  }
  return { value: connections, warnings };
}

function skipSpaces(text: string, p: number, end: number): number {
  while (p < end && (text.charCodeAt(p) === 32 || text.charCodeAt(p) === 9)) p++;
  return p;
}

/** The value of the hex digits text[from, to), or -1 when the range is empty or not hex. */
function hexAt(text: string, from: number, to: number): number {
  if (from >= to) return -1;
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    let d: number;
    if (c >= 48 && c <= 57) d = c - 48;
    else if (c >= 65 && c <= 70) d = c - 55;
    else if (c >= 97 && c <= 102) d = c - 87;
    else return -1;
    v = v * 16 + d;
  }
  return v;
}

/** The value of the decimal digits text[from, to), or -1 when the range is empty or not digits. */
function decAt(text: string, from: number, to: number): number {
  if (from >= to) return -1;
  let v = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** Fields after "sl:" that a connection needs: local … inode (the rest of the line is ignored). */
const FIELDS = 9;
const F_LOCAL = 0, F_REMOTE = 1, F_STATE = 2, F_QUEUES = 3, F_UID = 6, F_INODE = 8;

/** Reads socket lines of one file, keeping the decoded addresses between lines. */
class LineReader {
  /** Start and end offsets of the fields of the current line. */
  private readonly bounds = new Int32Array(FIELDS * 2);
  private readonly v4 = new Map<number, string>();
  private readonly v6 = new Map<string, string | undefined>();
  private readonly addrLen: number;

  constructor(
    private readonly text: string,
    private readonly protocol: Protocol,
    private readonly family: Family,
  ) {
    this.addrLen = family === "inet" ? 8 : 32;
  }

  /** The connection on text[start, end), or why it cannot be read. */
  parse(start: number, end: number): Connection | string {
    const { text, bounds, addrLen } = this;
    const colon = text.indexOf(":", start);
    if (colon < 0 || colon >= end) return "no slot number";
    let p = colon + 1;
    for (let f = 0; f < FIELDS; f++) {
      p = skipSpaces(text, p, end);
      if (p >= end) return "too few fields";
      bounds[2 * f] = p;
      while (p < end && text.charCodeAt(p) !== 32 && text.charCodeAt(p) !== 9) p++;
      bounds[2 * f + 1] = p;
    }
    const local = bounds[2 * F_LOCAL]!, remote = bounds[2 * F_REMOTE]!;
    if (
      bounds[2 * F_LOCAL + 1]! - local !== addrLen + 5 || text.charCodeAt(local + addrLen) !== 58
    ) {
      return "bad local address";
    }
    if (
      bounds[2 * F_REMOTE + 1]! - remote !== addrLen + 5 ||
      text.charCodeAt(remote + addrLen) !== 58
    ) {
      return "bad remote address";
    }
    const queues = bounds[2 * F_QUEUES]!, queuesEnd = bounds[2 * F_QUEUES + 1]!;
    const qColon = text.indexOf(":", queues);
    if (qColon < 0 || qColon >= queuesEnd) return "bad queue field";
    const localPort = hexAt(text, local + addrLen + 1, local + addrLen + 5);
    const remotePort = hexAt(text, remote + addrLen + 1, remote + addrLen + 5);
    const st = hexAt(text, bounds[2 * F_STATE]!, bounds[2 * F_STATE + 1]!);
    const sendQ = hexAt(text, queues, qColon);
    const recvQ = hexAt(text, qColon + 1, queuesEnd);
    const uid = decAt(text, bounds[2 * F_UID]!, bounds[2 * F_UID + 1]!);
    const inode = decAt(text, bounds[2 * F_INODE]!, bounds[2 * F_INODE + 1]!);
    if ((localPort | remotePort | st) < 0 || sendQ < 0 || recvQ < 0 || uid < 0 || inode < 0) {
      return "bad number";
    }
    const localAddress = this.address(local);
    const remoteAddress = this.address(remote);
    if (localAddress === undefined || remoteAddress === undefined) return "bad address";
    return {
      protocol: this.protocol,
      family: this.family,
      localAddress,
      localPort,
      remoteAddress,
      remotePort,
      state: socketStateName(this.protocol, st),
      recvQ,
      sendQ,
      uid,
      inode,
    };
  }

  /** The address whose hex starts at `at`, decoded once per distinct value. */
  private address(at: number): string | undefined {
    if (this.addrLen === 8) {
      const word = hexAt(this.text, at, at + 8);
      if (word < 0) return undefined;
      let v = this.v4.get(word);
      if (v === undefined) {
        // The word is printed in host (little-endian) order: its low byte is the first octet.
        v = `${word & 255}.${(word >>> 8) & 255}.${(word >>> 16) & 255}.${word >>> 24}`;
        this.v4.set(word, v);
      }
      return v;
    }
    const hex = this.text.slice(at, at + 32);
    let v = this.v6.get(hex);
    if (v === undefined && !this.v6.has(hex)) {
      v = decodeHexAddress(hex);
      this.v6.set(hex, v);
    }
    return v;
  }
}

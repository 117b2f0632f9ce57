/**
 * /proc/net/tcp, tcp6, udp and udp6: one socket per line, addresses in the kernel's hex.
 *
 * Line layout (fs/proc and net/ipv4/tcp_ipv4.c): `sl: local:port remote:port st tx:rx tr:when
 * retrnsmt uid timeout inode …`. IPv4 addresses are one 32-bit word and IPv6 four, each printed in
 * host byte order (little-endian here), so the bytes of every word are reversed.
 */
import type { Connection, Family, Protocol } from "../../model.ts";
import { formatIPv6Groups } from "../../net/address.ts";

/** TCP states by kernel number (include/net/tcp_states.h), in netstat's names. */
const TCP_STATES: readonly string[] = [
  "UNKNOWN",
  "ESTABLISHED",
  "SYN_SENT",
  "SYN_RECV",
  "FIN_WAIT1",
  "FIN_WAIT2",
  "TIME_WAIT",
  "CLOSE",
  "CLOSE_WAIT",
  "LAST_ACK",
  "LISTEN",
  "CLOSING",
  "NEW_SYN_RECV",
];

/** Names a kernel socket state; UDP's CLOSE (7) is an unconnected socket: `UNCONN`. */
export function socketStateName(protocol: Protocol, st: number): string {
  if (protocol === "udp" && st === 7) return "UNCONN";
  return TCP_STATES[st] ?? `UNKNOWN_${st}`;
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

const HEX_FIELD = /^[0-9A-Fa-f]+$/;
const DEC_FIELD = /^[0-9]+$/;

/**
 * Parses one of /proc/net/{tcp,tcp6,udp,udp6} into connections (without owners).
 * A line that cannot be read becomes a warning naming the source and line; the rest goes on.
 *
 * @example
 * ```ts
 * const { connections } = parseProcNetSockets(text, "tcp", "inet", "/proc/net/tcp");
 * ```
 */
export function parseProcNetSockets(
  text: string,
  protocol: Protocol,
  family: Family,
  source = `/proc/net/${protocol}${family === "inet6" ? "6" : ""}`,
): { connections: Connection[]; warnings: string[] } {
  const connections: Connection[] = [];
  const warnings: string[] = [];
  // Many sockets share an address: decode each distinct hex text once.
  const addrCache = new Map<string, string | undefined>();
  const decode = (hex: string) => {
    let v = addrCache.get(hex);
    if (v === undefined && !addrCache.has(hex)) {
      v = decodeHexAddress(hex);
      addrCache.set(hex, v);
    }
    return v;
  };
  const addrLen = family === "inet" ? 8 : 32;
  let lineNo = 0;
  let start = 0;
  const n = text.length;
  while (start < n) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = n;
    const line = text.slice(start, end);
    start = end + 1;
    lineNo++;
    if (lineNo === 1 && line.includes("local_address")) continue;
    if (line.trim() === "") continue;
    const c = parseLine(line, protocol, family, addrLen, decode);
    if (typeof c === "string") {
      warnings.push(
        `${source}:${lineNo}: cannot read socket line (${c}): ${JSON.stringify(line.trim())}`,
      );
    } else {
      connections.push(c);
    }
  }
  return { connections, warnings };
}

function parseLine(
  line: string,
  protocol: Protocol,
  family: Family,
  addrLen: number,
  decode: (hex: string) => string | undefined,
): Connection | string {
  const colon = line.indexOf(":");
  if (colon < 0) return "no slot number";
  // Fixed layout after "sl:": local(addrLen):port(4) remote(addrLen):port(4) st(2) tx(8):rx(8).
  let p = colon + 1;
  while (line.charCodeAt(p) === 32) p++;
  const localHex = line.substr(p, addrLen);
  if (line[p + addrLen] !== ":") return "bad local address";
  const lport = line.substr(p + addrLen + 1, 4);
  p += addrLen + 6;
  const remoteHex = line.substr(p, addrLen);
  if (line[p + addrLen] !== ":") return "bad remote address";
  const rport = line.substr(p + addrLen + 1, 4);
  p += addrLen + 6;
  const st = line.substr(p, 2);
  p += 3;
  const tx = line.substr(p, 8);
  if (line[p + 8] !== ":") return "bad queue field";
  const rx = line.substr(p + 9, 8);
  p += 18;
  // Then: tr:when retrnsmt uid timeout inode …, separated by runs of spaces.
  const rest = line.slice(p).trim().split(/\s+/);
  const uidText = rest[2], inodeText = rest[4];
  if (uidText === undefined || inodeText === undefined) return "too few fields";
  if (
    !HEX_FIELD.test(lport) || !HEX_FIELD.test(rport) || !HEX_FIELD.test(st) ||
    !HEX_FIELD.test(tx) ||
    !HEX_FIELD.test(rx) || !DEC_FIELD.test(uidText) || !DEC_FIELD.test(inodeText)
  ) {
    return "bad number";
  }
  const localAddress = decode(localHex);
  const remoteAddress = decode(remoteHex);
  if (localAddress === undefined || remoteAddress === undefined) return "bad address";
  return {
    protocol,
    family,
    localAddress,
    localPort: parseInt(lport, 16),
    remoteAddress,
    remotePort: parseInt(rport, 16),
    state: socketStateName(protocol, parseInt(st, 16)),
    recvQ: parseInt(rx, 16),
    sendQ: parseInt(tx, 16),
    uid: Number(uidText),
    inode: Number(inodeText),
  };
}

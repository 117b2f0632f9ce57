/**
 * Pieces shared by the parsers of Linux tools' text output (ss, netstat, route, ip, ifconfig):
 * line splitting, warning text, socket endpoints, state names and well-known service ports.
 */
import type { Family } from "../../model.ts";
import { canonicalAddress } from "../../net/address.ts";
import { servicePort } from "../../net/services.ts";

/** Splits text into lines without their line ends (a final newline adds no empty line). */
export function splitLines(text: string): string[] {
  const lines = text.split("\n").map((l) => l.endsWith("\r") ? l.slice(0, -1) : l);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** The one shape of a parser warning: "<source>:<line>: cannot read <what>: <raw>". */
export function cannotRead(source: string, line: number, what: string, raw: string): string {
  const r = raw.trim();
  return `${source}:${line}: cannot read ${what}: ${
    JSON.stringify(r.length > 160 ? r.slice(0, 157) + "..." : r)
  }`;
}

/** Reads a port as printed by the tools: a number, `*` (any: 0) or a known service name. */
export function portNumber(text: string): number | undefined {
  return text === "*" ? 0 : servicePort(text);
}

/** A socket endpoint as printed by ss and netstat, split into host text and port text. */
export interface Endpoint {
  host: string;
  port: string;
  /** The `%iface` suffix of the host, when one was printed. */
  scope?: string;
}

/** Splits "host:port", "[v6]:port", ":::port" or "*:*" at the last colon; undefined when none. */
export function splitEndpoint(text: string): Endpoint | undefined {
  const colon = text.lastIndexOf(":");
  if (colon < 0) return undefined;
  let host = text.slice(0, colon);
  const port = text.slice(colon + 1);
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  if (host === "" || port === "") return undefined;
  const pct = host.indexOf("%");
  if (pct > 0) {
    return { host: host.slice(0, pct), port, scope: host.slice(pct + 1) };
  }
  return { host, port };
}

/** The family an address text belongs to; `*` and names count as the fallback family. */
export function addressFamily(host: string, fallback: Family): Family {
  if (host.includes(":")) return "inet6";
  if (/^[0-9]{1,3}(\.[0-9]{1,3}){3}$/.test(host)) return "inet";
  return fallback;
}

/**
 * Canonical text of a printed socket address: `*` becomes the family's any-address, numeric
 * addresses are canonicalised, names (`localhost`, truncated hosts) are kept as printed. The
 * `%iface` scope is left off, as /proc/net/* cannot show it either, so that imported sockets
 * match captured ones.
 */
export function socketAddress(host: string, family: Family): string {
  if (host === "*") return family === "inet" ? "0.0.0.0" : "::";
  return canonicalAddress(host);
}

/** ss state names mapped to netstat's (the names a snapshot uses). */
const SS_STATES: Record<string, string> = {
  ESTAB: "ESTABLISHED",
  "SYN-SENT": "SYN_SENT",
  "SYN-RECV": "SYN_RECV",
  "FIN-WAIT-1": "FIN_WAIT1",
  "FIN-WAIT-2": "FIN_WAIT2",
  "TIME-WAIT": "TIME_WAIT",
  "CLOSE-WAIT": "CLOSE_WAIT",
  "LAST-ACK": "LAST_ACK",
  "UNCONN": "UNCONN",
  "LISTEN": "LISTEN",
  "CLOSING": "CLOSING",
  "CLOSE": "CLOSE",
};

/** The netstat name of a state printed by ss or netstat (`ESTAB` → `ESTABLISHED`). */
export function stateName(text: string): string {
  return own(SS_STATES, text) ?? text.replaceAll("-", "_");
}

/** True for a string of decimal digits. */
export function isDigits(text: string | undefined): text is string {
  return text !== undefined && /^[0-9]+$/.test(text);
}

/** Reads a decimal counter as bigint, or undefined when the text is not one. */
export function counter(text: string | undefined): bigint | undefined {
  return isDigits(text) ? BigInt(text) : undefined;
}

/** Looks a key up in a table of the parser's own, never in Object.prototype ("constructor"…). */
export function own<T>(table: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/**
 * Format detection for `nsnap import`: recognises a saved tool output or /proc/net file by its
 * content alone (never its name), or says it does not know. Each format's test is its `detect`
 * in the registry (formats.ts); this file asks them all.
 *
 * Ambiguities, and how they are settled:
 * - /proc/net/tcp vs tcp6 (and udp vs udp6): by the width of the first row's hex address (8 or 32
 *   digits), or by the header's `rem_address` (IPv4) / `remote_address` (IPv6) when there is no row.
 * - /proc/net/tcp vs udp: the kernel's udp header ends in `ref pointer drops`, tcp's does not; a
 *   table without it is read as tcp unless every row is in a UDP state (01 or 07) and a row is
 *   unconnected (07). `detectCandidates` lists both where the text allows both.
 * - Linux vs BSD `netstat`: the BSD header says `(state)` (or starts with Socket/Tcpcb), Linux's
 *   says `State`; BSD `netstat -i` has `Name Mtu Network Address`, Linux's `Iface MTU … RX-OK`.
 * - Linux vs BSD `netstat -s`: Linux sections are the kernel's groups (`Ip:`, `Tcp:`, `TcpExt:`),
 *   BSD's are lower case (`tcp:`, `ip6:`).
 * - Linux vs BSD `ifconfig`: BSD prints `options=`, hex netmasks, `status:`, `metric 0 mtu` (looked
 *   for first: Linux never prints them); net-tools prints `Link encap:` or `txqueuelen`/`RX packets`.
 * - /proc/net/snmp6 vs dev_snmp6/<iface>: the per-interface file starts with `ifIndex`.
 */
import { type FormatId, FORMATS, type ImportFormat } from "./formats.ts";
import { type Probe, probeOf } from "./probe.ts";

export type { FormatId };

/** Recognises the format of a saved output by its content; undefined when it is none of them. */
export function detectFormat(text: string): FormatId | undefined {
  return recognise(text)?.format.id as FormatId | undefined;
}

/**
 * Every format the content could be, most likely first (more than one only where the formats
 * cannot be told apart, e.g. a /proc/net/udp copy that looks like tcp).
 */
export function detectCandidates(text: string): FormatId[] {
  return candidates(probeOf(text)).map((f) => f.id as FormatId);
}

/** The registry entries the content could be, most likely first, registry order among equals. */
function candidates(p: Probe | undefined): ImportFormat[] {
  if (p === undefined) return [];
  const json = p.head.startsWith("[") || p.head.startsWith("{");
  const scored = (FORMATS as readonly ImportFormat[]).map((f, order) => ({
    f,
    order,
    score: Boolean(f.json) === json ? f.detect(p) : 0,
  }));
  return scored.filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .map((s) => s.f);
}

/** The format a text most likely is, with the probe it was recognised by; undefined for none. */
export function recognise(text: string): { format: ImportFormat; probe: Probe } | undefined {
  const probe = probeOf(text);
  const format = candidates(probe)[0];
  return format === undefined || probe === undefined ? undefined : { format, probe };
}

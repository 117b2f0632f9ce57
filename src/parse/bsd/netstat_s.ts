/**
 * BSD `netstat -s` (macOS, FreeBSD): tab-indented per-protocol statistics. Every counter line is
 * kept under a BSD group (`TcpBsd.packetSent`); lines whose meaning matches a Linux counter are
 * also given the kernel name (`Tcp.OutSegs`) so diffs and notable-change rules work across
 * platforms.
 */
import type { Counters } from "../../model.ts";
import { ParseError } from "../../errors.ts";
import { cannotRead, type Parsed, splitLines } from "../text.ts";
import { dict } from "../../util/record.ts";

/** BSD line paths (parent/child base names) that mean the same as a kernel counter. */
const KERNEL_NAMES: Record<string, Record<string, readonly string[]>> = {
  tcp: {
    "Tcp.OutSegs": ["packetSent"],
    "Tcp.RetransSegs": ["packetSent/dataPacketRetransmitted"],
    "Tcp.InSegs": ["packetReceived"],
    "Tcp.ActiveOpens": ["connectionRequest"],
    "Tcp.PassiveOpens": ["connectionAccept"],
    "Tcp.AttemptFails": ["embryonicConnectionDropped"],
    "Tcp.InCsumErrors": ["packetReceived/discardedForBadChecksum"],
    "Tcp.InErrs": [
      "packetReceived/discardedForBadChecksum",
      "packetReceived/discardedForBadHeaderOffsetField",
      "packetReceived/discardedBecausePacketTooShort",
    ],
    "TcpExt.ListenOverflows": ["listenQueueOverflow"],
    "TcpExt.TCPTimeouts": ["retransmitTimeout"],
  },
  udp: {
    "Udp.InDatagrams": ["datagramReceived/delivered"],
    "Udp.OutDatagrams": ["datagramOutput"],
    "Udp.NoPorts": ["datagramReceived/droppedDueToNoSocket"],
    "Udp.RcvbufErrors": ["datagramReceived/droppedDueToFullSocketBuffer"],
    "Udp.InErrors": [
      "datagramReceived/withIncompleteHeader",
      "datagramReceived/withBadDataLengthField",
      "datagramReceived/withBadChecksum",
      "datagramReceived/droppedDueToFullSocketBuffer",
    ],
  },
  ip: {
    "Ip.InReceives": ["totalPacketReceived"],
    "Ip.InDelivers": ["totalPacketReceived/packetForThisHost"],
    "Ip.ForwDatagrams": ["totalPacketReceived/packetForwarded"],
    "Ip.OutRequests": ["packetSentFromThisHost"],
    "Ip.OutDiscards": ["packetSentFromThisHost/outputPacketDroppedDueToNoBufEtc"],
    "Ip.InDiscards": ["totalPacketReceived/packetDroppedDueToNoBufs"],
  },
  ip6: {
    "Ip6.InReceives": ["totalPacketReceived"],
    "Ip6.OutRequests": ["packetSentFromThisHost"],
    "Ip6.InDelivers": ["totalPacketReceived/packetForThisHost"],
  },
};

/** Parses BSD `netstat -s` into counters (BSD groups plus kernel-named equivalents). */
export function parseNetstatS(text: string, source = "<netstat -s>"): Parsed<Counters> {
  const counters: Counters = dict();
  const warnings: string[] = [];
  let section: string | undefined;
  let group: Record<string, bigint> | undefined;
  const byPath = new Map<string, Map<string, bigint>>();
  // Base names of the enclosing lines, by indent depth.
  const parents: string[] = [];
  const all = splitLines(text);
  let read = 0;
  all.forEach((raw, i) => {
    const n = i + 1;
    const line = raw.trimEnd();
    if (line.trim() === "") return;
    const head = /^([A-Za-z][A-Za-z0-9_-]*):$/.exec(line);
    if (head) {
      section = head[1]!.toLowerCase();
      const name = groupName(section);
      group = counters[name] ??= dict();
      if (!byPath.has(section)) byPath.set(section, new Map());
      parents.length = 0;
      return;
    }
    if (!group || !section) {
      warnings.push(cannotRead(source, n, "counter outside a protocol section", line));
      return;
    }
    const depth = depthOf(raw);
    parents.length = Math.min(parents.length, depth);
    const entries = readLine(line.trim());
    if (entries === undefined) {
      // A heading without a number ("Input histogram:") still names the lines below it.
      parents[depth] = camel(line.trim().replace(/:$/, ""));
      parents.length = depth + 1;
      return;
    }
    const [main, ...extra] = entries;
    if (!main || main.name === "") {
      warnings.push(cannotRead(source, n, "counter", line));
      return;
    }
    const parent = depth > 0 ? parents[depth - 1] : undefined;
    const path = parent ? `${parent}/${main.name}` : main.name;
    parents[depth] = main.name;
    parents.length = depth + 1;
    const paths = byPath.get(section)!;
    for (
      const e of [main, ...extra.map((x) => ({ name: main.name + cap(x.name), value: x.value }))]
    ) {
      const key = unique(group, e.name, parent);
      group[key] = e.value;
      read++;
    }
    paths.set(path, main.value);
    extra.forEach((x) => paths.set(`${path}:${x.name}`, x.value));
  });
  if (read === 0 && all.some((l) => l.trim() !== "")) {
    const idx = all.findIndex((l) => l.trim() !== "");
    throw new ParseError(source, idx + 1, all[idx] ?? "", "cannot find any netstat -s counter");
  }
  for (const [sec, map] of Object.entries(KERNEL_NAMES)) {
    const paths = byPath.get(sec);
    if (!paths) continue;
    for (const [full, sources] of Object.entries(map)) {
      const found = sources.filter((p) => paths.has(p));
      if (found.length === 0) continue;
      const [g, name] = full.split(".") as [string, string];
      (counters[g] ??= dict())[name] = found.reduce((acc, p) => acc + paths.get(p)!, 0n);
    }
  }
  return { value: counters, warnings };
}

function groupName(section: string): string {
  return cap(camel(section)) + "Bsd";
}

function depthOf(raw: string): number {
  const lead = /^[\t ]*/.exec(raw)![0];
  let d = 0;
  for (const ch of lead) d += ch === "\t" ? 1 : 0.125;
  return Math.max(0, Math.floor(d + 0.001) - 1);
}

type Entry = { name: string; value: bigint };

/** "0 data packets (0 bytes) retransmitted" → dataPacketRetransmitted=0, …Byte=0. */
function readLine(text: string): Entry[] | undefined {
  const tail = /^(.*?):\s+([0-9]+)$/.exec(text);
  if (tail && !/^[0-9]/.test(text)) return [{ name: camel(tail[1]!), value: BigInt(tail[2]!) }];
  const m = /^([0-9]+)\s+(.*)$/.exec(text);
  if (!m) return undefined;
  const value = BigInt(m[1]!);
  const rest = m[2]!;
  const extras: Entry[] = [];
  const base = rest.replace(/\(([^)]*)\)/g, (_all, inner: string) => {
    const num = /([0-9]+)/.exec(inner);
    if (num) extras.push({ name: camel(inner.replace(num[1]!, " ")), value: BigInt(num[1]!) });
    return " ";
  });
  return [{ name: camel(base), value }, ...extras];
}

/** Words to camelCase, plural endings folded so "1 packet" and "2 packets" name one counter. */
function camel(text: string): string {
  const words = text.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w !== "").map(singular);
  return words.map((w, i) => (i === 0 ? w : cap(w))).join("");
}

function singular(w: string): string {
  if (w.length <= 3 || /(ss|us|is)$/.test(w)) return w;
  if (w.endsWith("ies")) return w.slice(0, -3) + "y";
  if (/(ch|sh|x)es$/.test(w)) return w.slice(0, -2);
  return w.endsWith("s") ? w.slice(0, -1) : w;
}

function cap(w: string): string {
  return w.charAt(0).toUpperCase() + w.slice(1);
}

/** A name not yet used in the group: the parent's name prefixed on a clash, then a number. */
function unique(group: Record<string, bigint>, name: string, parent: string | undefined): string {
  if (!Object.hasOwn(group, name)) return name;
  const scoped = parent ? parent + cap(name) : name;
  if (!Object.hasOwn(group, scoped)) return scoped;
  let k = 2;
  while (Object.hasOwn(group, `${scoped}${k}`)) k++;
  return `${scoped}${k}`;
}

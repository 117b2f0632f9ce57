/**
 * Raw and packet sockets (the `sockets` section): what sees or makes traffic below the ports.
 * A packet socket is something capturing or writing whole frames (tcpdump, a DHCP client, a
 * sniffer); a raw socket sends or reads IP packets of its own making (ping without ICMP sockets,
 * routing daemons, scanners). Sockets are counted per program, protocol and device — a program
 * restarted with the same sockets is no change — and a program that opened more of them than
 * it had is `*-socket-opened`, always notable; fewer is `*-socket-closed`.
 */
import type { PacketSocket, ProcessInfo, RawSocket, Snapshot } from "../model.ts";
import { programName } from "../net/programs.ts";
import type { Change } from "./types.ts";
import { sortByKey } from "./util.ts";

interface Tally {
  key: Record<string, string | number>;
  count: number;
  pids: Set<number>;
  what: string;
}

type Held = { pid?: number | undefined; pids?: number[] | undefined };

function owner(snap: Snapshot, s: Held): ProcessInfo | undefined {
  const pid = s.pid ?? s.pids?.[0];
  return pid === undefined ? undefined : snap.processes[String(pid)];
}

function tally<T extends Held>(
  snap: Snapshot,
  list: readonly T[],
  keyOf: (s: T, program: string) => { key: Record<string, string | number>; what: string },
): Map<string, Tally> {
  const out = new Map<string, Tally>();
  for (const s of list) {
    const p = owner(snap, s);
    const { key, what } = keyOf(s, p ? programName(p) : "");
    const k = JSON.stringify(key);
    const t = out.get(k) ?? { key, count: 0, pids: new Set<number>(), what };
    t.count++;
    for (const pid of s.pids ?? (s.pid === undefined ? [] : [s.pid])) t.pids.add(pid);
    out.set(k, t);
  }
  return out;
}

/** IP protocol names for the sentences. */
const IP_NAMES: Readonly<Record<number, string>> = Object.assign(Object.create(null), {
  1: "ICMP",
  2: "IGMP",
  6: "TCP",
  17: "UDP",
  58: "ICMPv6",
  89: "OSPF",
  112: "VRRP",
  255: "any protocol",
});

/** Ethernet protocol names for the sentences. */
const ETH_NAMES: Readonly<Record<number, string>> = Object.assign(Object.create(null), {
  0: "no protocol yet",
  3: "every protocol",
  0x0800: "IPv4",
  0x0806: "ARP",
  0x86dd: "IPv6",
  0x888e: "EAPOL",
  0x88cc: "LLDP",
});

function rawKey(r: RawSocket, program: string) {
  const key: Record<string, string | number> = {
    family: r.family,
    ipProtocol: r.ipProtocol,
    program,
  };
  if (r.interface !== undefined) key.interface = r.interface;
  const proto = IP_NAMES[r.ipProtocol] ?? `IP protocol ${r.ipProtocol}`;
  const dev = r.interface === undefined ? "" : ` on ${r.interface}`;
  return { key, what: `raw ${r.family === "inet6" ? "IPv6" : "IPv4"} ${proto} socket${dev}` };
}

function packetKey(p: PacketSocket, program: string) {
  const key: Record<string, string | number> = { type: p.type, protocol: p.protocol, program };
  if (p.interface !== undefined) key.interface = p.interface;
  const proto = ETH_NAMES[p.protocol] ?? `Ethernet protocol 0x${p.protocol.toString(16)}`;
  return {
    key,
    what: `packet socket (${p.type}, ${proto}) on ${p.interface ?? "every interface"}`,
  };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function compare(
  kind: "raw" | "packet",
  a: Map<string, Tally>,
  b: Map<string, Tally>,
): Change[] {
  const items: Array<[string, Change]> = [];
  const side = (t: Tally | undefined) =>
    t === undefined ? undefined : {
      count: t.count,
      ...(t.pids.size ? { pids: [...t.pids].sort((x, y) => x - y) } : {}),
    };
  for (const k of new Set([...a.keys(), ...b.keys()])) {
    const ta = a.get(k), tb = b.get(k);
    const na = ta?.count ?? 0, nb = tb?.count ?? 0;
    if (na === nb) continue;
    const t = (tb ?? ta)!;
    const who = t.key.program === "" ? "an unknown program" : String(t.key.program);
    const pids = side(tb ?? ta)!.pids;
    const by = `${who}${pids ? ` (pid ${pids.join(", ")})` : ""}`;
    const before = side(ta), after = side(tb);
    const key = t.key as never;
    if (nb > na) {
      items.push([k, {
        kind: `${kind}-socket-opened`,
        section: "sockets",
        key,
        after: after!,
        ...(before ? { before } : {}),
        count: nb - na,
        summary: `${by} opened ${nb - na === 1 ? "a" : String(nb - na)} ${t.what}${
          nb - na === 1 ? "" : "s"
        }${kind === "packet" ? ": it can see the traffic" : ""}`,
        notable: true,
      } as Change]);
    } else {
      items.push([k, {
        kind: `${kind}-socket-closed`,
        section: "sockets",
        key,
        before: before!,
        ...(after ? { after } : {}),
        count: na - nb,
        summary: `${plural(na - nb, t.what)} of ${who} went away`,
      } as Change]);
    }
  }
  return sortByKey(items);
}

/** The raw and packet socket changes (each list compared when both snapshots have it). */
export function diffRawPacket(before: Snapshot, after: Snapshot): Change[] {
  const out: Change[] = [];
  if (before.rawSockets && after.rawSockets) {
    out.push(
      ...compare(
        "raw",
        tally(before, before.rawSockets, rawKey),
        tally(after, after.rawSockets, rawKey),
      ),
    );
  }
  if (before.packetSockets && after.packetSockets) {
    out.push(
      ...compare(
        "packet",
        tally(before, before.packetSockets, packetKey),
        tally(after, after.packetSockets, packetKey),
      ),
    );
  }
  return out;
}

/**
 * The Linux collector's neighbours: ARP and NDP entries from `ip -j neigh show` and its proxy
 * entries from `ip -j neigh show proxy`; where `ip` cannot run, the IPv4 entries of
 * /proc/net/arp (which show no NUD state), and the section says so.
 *
 * What `ip neigh` shows by default is what is kept: its NOARP and NONE entries (multicast
 * mappings the kernel makes for itself) are left out, as ip leaves them out.
 *
 * Over rtnetlink (`dumpNeighbours`: the entries and, asked for with NTF_PROXY, the proxy
 * entries) where it can be used, recorded as source "netlink"; its records are mapped to what
 * `ip -j neigh` gives (`neighbourOf`), with the same entries left out.
 */
import type { Neighbour } from "../../model.ts";
import { canonicalAddress } from "../../net/address.ts";
import { parseIpJsonNeigh } from "../../parse/linux/ip_json_neigh.ts";
import { linkLayerAddress } from "../../parse/linux/ip_neigh.ts";
import type { Neighbour as NetlinkNeighbour } from "../../parse/netlink/rtnl_neigh.ts";
import { parseProcNetArp } from "../../parse/linux/proc_net_arp.ts";
import type { Place } from "../contract.ts";
import type { Section } from "../section.ts";
import { readText, under } from "./files.ts";
import { runIp } from "./ip.ts";
import { dumpNeighbours } from "./netlink.ts";
import { dumpIn, type Reader, readSection, unavailable, withNetlink } from "./readers.ts";
import { outputJson } from "./tools.ts";

/** Neighbours and proxy entries of both families from `ip -j neigh`. */
const fromIp: Reader<Neighbour[]> = {
  source: "ip -j",
  read: (place, warnings) => {
    const out: Neighbour[] = [];
    for (const proxy of [false, true]) {
      const args = ["-j", "neigh", "show", ...(proxy ? ["proxy"] : [])];
      const r = runIp(place.runner, args);
      if (!r.ok) {
        if (proxy) {
          warnings.push(`proxy entries unknown: ${r.reason ?? "ip failed"}`);
          continue;
        }
        return unavailable(r.reason ?? "ip failed");
      }
      const p = parseIpJsonNeigh(outputJson(r), `ip ${args.join(" ")}`, proxy);
      out.push(...p.value);
      warnings.push(...p.warnings);
    }
    return out;
  },
};

const NUD_NOARP = 0x40;
const NTF_EXT_LEARNED = 0x10;

/**
 * True for an entry `ip neigh show` lists: not the NOARP and NONE entries (the kernel's own
 * multicast and loopback mappings) unless it is a proxy or an externally learned entry.
 */
export function listedByIp(n: NetlinkNeighbour): boolean {
  return (n.state & 0xff & ~NUD_NOARP) !== 0 || n.proxy || (n.flags & NTF_EXT_LEARNED) !== 0;
}

/**
 * An entry of a dump as `ip -j neigh` shows it, or undefined for one ip leaves out
 * (`listedByIp`) and for one whose interface has no name.
 *
 * @example
 * ```ts
 * import { neighbourOf } from "./neighbours.ts";
 * neighbourOf({
 *   family: "inet", address: "10.0.0.1", ifindex: 2, interface: "eth0", lladdr: "02:00:00:00:00:01",
 *   state: 0x02, states: ["REACHABLE"], flags: 0, router: false, proxy: false,
 * })?.state; // "REACHABLE"
 * ```
 */
export function neighbourOf(n: NetlinkNeighbour): Neighbour | undefined {
  if (!listedByIp(n) || n.interface === undefined) return undefined;
  const out: Neighbour = {
    family: n.family,
    address: canonicalAddress(n.address),
    interface: n.interface,
  };
  if (n.lladdr !== undefined && n.lladdr !== "") out.mac = linkLayerAddress(n.lladdr);
  if (n.state !== 0) out.state = n.states.join(" ");
  if (n.router) out.router = true;
  if (n.proxy) out.proxy = true;
  return out;
}

/**
 * Entries and proxy entries over rtnetlink in the place's namespace; `names` (interface names
 * by index, when the caller has them) saves a link dump.
 */
export function netlinkNeighbours(names?: ReadonlyMap<number, string>): Reader<Neighbour[]> {
  return {
    source: "netlink",
    read: (place, warnings) => {
      const records = dumpIn(place, dumpNeighbours, warnings, names);
      if (!Array.isArray(records)) return records;
      const out: Neighbour[] = [];
      for (const x of records) {
        const n = neighbourOf(x);
        if (n) out.push(n);
        else if (listedByIp(x) && x.interface === undefined) {
          warnings.push(`neighbour ${x.address}: interface ${x.ifindex} has no name; left out`);
        }
      }
      return out;
    },
  };
}

/** IPv4 entries from /proc/net/arp. */
const fromProc: Reader<Neighbour[]> = {
  source: "/proc/net/arp",
  lesser: "IPv4 entries only, without their NUD state",
  read: (place, warnings) => {
    if (place.netns !== undefined) return unavailable("/proc/net/arp is this namespace's");
    const path = under(place.root, "/proc/net/arp");
    const text = readText(path);
    if (text === undefined) return unavailable(`cannot read ${path}`);
    const p = parseProcNetArp(text, path);
    warnings.push(...p.warnings);
    return p.value;
  },
};

/** The sources of the neighbours section, fastest first. */
export const NEIGHBOUR_READERS: readonly Reader<Neighbour[]>[] = [
  netlinkNeighbours(),
  fromIp,
  fromProc,
];

/**
 * Reads the neighbour entries (ARP, NDP, proxy): over netlink when `netlink` (the capture chose
 * it; `names` are the namespace's interfaces by index when known), else with `ip -j`, else
 * from /proc/net/arp.
 */
export function collectNeighbours(
  place: Place,
  netlink = false,
  names?: ReadonlyMap<number, string>,
): Section<Neighbour[]> {
  const readers = names ? [netlinkNeighbours(names), fromIp, fromProc] : NEIGHBOUR_READERS;
  return readSection(place, withNetlink(readers, netlink), []);
}

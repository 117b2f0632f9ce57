/**
 * The Linux collector's neighbours: ARP and NDP entries from `ip -j neigh show` and its proxy
 * entries from `ip -j neigh show proxy`; where `ip` cannot run, the IPv4 entries of
 * /proc/net/arp (which show no NUD state), and the section says so.
 *
 * What `ip neigh` shows by default is what is kept: its NOARP and NONE entries (multicast
 * mappings the kernel makes for itself) are left out, as ip leaves them out.
 *
 * A netlink reader goes first in `NEIGHBOUR_READERS` (`dumpNeighbours`, proxy entries too),
 * recorded as source "netlink".
 */
import type { Neighbour } from "../../model.ts";
import { parseIpJsonNeigh } from "../../parse/linux/ip_json_neigh.ts";
import { parseProcNetArp } from "../../parse/linux/proc_net_arp.ts";
import type { Place } from "../contract.ts";
import type { Section } from "../section.ts";
import { readText, under } from "./files.ts";
import { runIp } from "./ip.ts";
import { type Reader, readSection, unavailable } from "./readers.ts";
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

/** IPv4 entries from /proc/net/arp. */
const fromProc: Reader<Neighbour[]> = {
  source: "/proc/net/arp",
  lesser: "IPv4 entries only, without their NUD state",
  read: (place, warnings) => {
    const path = under(place.root, "/proc/net/arp");
    const text = readText(path);
    if (text === undefined) return unavailable(`cannot read ${path}`);
    const p = parseProcNetArp(text, path);
    warnings.push(...p.warnings);
    return p.value;
  },
};

/** The sources of the neighbours section, fastest first. */
export const NEIGHBOUR_READERS: readonly Reader<Neighbour[]>[] = [fromIp, fromProc];

/** Reads the neighbour entries (ARP, NDP, proxy). */
export function collectNeighbours(place: Place): Section<Neighbour[]> {
  return readSection(place, NEIGHBOUR_READERS, []);
}

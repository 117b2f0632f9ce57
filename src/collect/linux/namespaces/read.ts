/**
 * Reading one other network namespace from /proc/PID/net of a process in it: the files there are
 * the namespace's (the kernel answers for the reader's view of that process's namespace), so no
 * `setns` and no privilege beyond reading the process's /proc entry is needed. This is the path
 * for a fixture tree under `--root`, for a capture without CAP_SYS_ADMIN, and for the parts
 * netlink cannot give in another namespace (the protocol counters).
 *
 * | section     | files (under /proc/PID/net)                         | what is missing                  |
 * | ----------- | --------------------------------------------------- | -------------------------------- |
 * | connections | tcp, tcp6, udp, udp6                                | nothing /proc has                |
 * | (others)    | unix, raw, raw6, packet                             | packet sockets' device names     |
 * | routes      | route, ipv6_route                                   | policy tables (main tables only) |
 * | interfaces  | dev (counters), if_inet6 (IPv6 addresses)           | IPv4 addresses, MTU, flags, MAC  |
 * | counters    | snmp, netstat, snmp6, sockstat, sockstat6           | nothing                          |
 *
 * Never the host's /sys: /sys/class/net shows the namespace of whoever mounted /sys.
 *
 * Without netlink on the live host, where the namespace can be entered, `ip -j` run in it
 * (nsenter) fills in what the table lists as missing: routes of every table (routesThere) and
 * the links with their addresses, MTU, flags and MAC, /proc's counters kept (interfacesThere).
 */
import type {
  Connection,
  Counters,
  Firewall,
  Neighbour,
  NetInterface,
  Qdisc,
  Route,
  Rule,
  Settings,
} from "../../../model.ts";
import { parseProcNetDev } from "../../../parse/linux/proc_net_dev.ts";
import { parseProcNetIfInet6 } from "../../../parse/linux/proc_net_if_inet6.ts";
import { countersIn } from "../counters.ts";
import { procRoutesIn, routesFromIp } from "../routes.ts";
import { type OtherSockets, otherSocketsIn, socketsIn } from "../sockets.ts";

export { otherSocketsIn, socketsIn };
import { noteStatus, type Section, section } from "../../section.ts";
import { sectionStatus } from "../../../model.ts";
import type { Place } from "../../contract.ts";
import { interfacesFromIp } from "../interfaces.ts";
import { orderIffNames } from "../../../parse/linux/sys_class_net_flags.ts";
import { readText } from "../files.ts";

/** The sections of one namespace (owners are added with every namespace's at once). */
export interface NamespaceRead {
  connections: Section<Connection[]>;
  /** Its UNIX (listeners, or all with `--all-unix`), raw and packet sockets. */
  others?: Section<OtherSockets>;
  routes: Section<Route[]>;
  interfaces: Section<NetInterface[]>;
  counters: Section<Counters>;
  settings?: Section<Settings>;
  /** Read where the namespace can be entered (setns, nsenter); absent from /proc alone. */
  rules?: Section<Rule[]>;
  neighbours?: Section<Neighbour[]>;
  qdiscs?: Section<Qdisc[]>;
  firewall?: Section<Firewall>;
  /** Its interface names by index, when a link dump gave them (saves the next one). */
  linkNames?: ReadonlyMap<number, string>;
}

/** The main routing tables of both families from /proc/PID/net. */
export function routesIn(dir: string, source: string): Section<Route[]> {
  return section(source, [], (warnings) => {
    const routes = procRoutesIn(dir, warnings);
    warnings.push("read from /proc: main tables only, no policy tables");
    return routes;
  });
}

/**
 * A namespace's routes from `ip -j route show table all` run in it (`there`: nsenter); where ip
 * cannot run, `fromProc`'s main tables, with ip's reason.
 */
export function routesThere(there: Place, fromProc: () => Section<Route[]>): Section<Route[]> {
  const ip = routesFromIp(there);
  if (typeof ip !== "string") {
    return { value: ip.value, status: sectionStatus(ip.warnings), source: "ip -j" };
  }
  const s = fromProc();
  return { ...s, status: noteStatus(s.status, [`${ip}; read /proc instead`]) };
}

/** What interfacesIn says of what /proc cannot tell. */
const PROC_INTERFACES = "read from /proc: no IPv4 addresses, MTU, flags or MAC";

/**
 * A namespace's links and addresses from `ip -j addr show` run in it (`there`: nsenter), each
 * with its counters from `fromProc` (/proc/PID/net/dev); where ip cannot run, `fromProc` alone.
 */
export function interfacesThere(
  there: Place,
  fromProc: () => Section<NetInterface[]>,
): Section<NetInterface[]> {
  const s = fromProc();
  const warnings: string[] = [];
  // -d: each link's promiscuity and allmulti counts, so that PROMISC and ALLMULTI are set as
  // /sys and netlink's readers set them (while anyone asked), not only when set by hand.
  const ip = interfacesFromIp(there, warnings, true);
  if (ip === undefined) return { ...s, status: noteStatus(s.status, warnings) };
  const stats = new Map(s.value.map((i) => [i.name, i.stats]));
  warnings.push(...(s.status.warnings ?? []).filter((w) => w !== PROC_INTERFACES));
  if (s.status.status === "error") warnings.push(`interface counters unknown: ${s.status.error}`);
  const value = ip.map((a): NetInterface => {
    const counters = stats.get(a.name);
    return { ...a, flags: orderIffNames(a.flags), ...(counters ? { stats: counters } : {}) };
  });
  return { value, status: sectionStatus(warnings), source: `${s.source}+ip -j` };
}

/** The interfaces of /proc/PID/net/dev with the IPv6 addresses of if_inet6. */
export function interfacesIn(dir: string, source: string): Section<NetInterface[]> {
  return section(source, [], (warnings) => {
    const byName = new Map<string, NetInterface>();
    const devPath = `${dir}/dev`;
    const devText = readText(devPath, warnings);
    if (devText !== undefined) {
      const dev = parseProcNetDev(devText, devPath);
      warnings.push(...dev.warnings);
      for (const { name, stats } of dev.value) {
        byName.set(name, { name, flags: [], addresses: [], stats });
      }
    }
    const v6Path = `${dir}/if_inet6`;
    const v6 = readText(v6Path);
    if (v6 !== undefined) {
      const r = parseProcNetIfInet6(v6, v6Path);
      warnings.push(...r.warnings);
      for (const e of r.value) {
        const itf = byName.get(e.name) ?? { name: e.name, flags: [], addresses: [] };
        itf.index = e.index;
        itf.addresses.push(e.address);
        byName.set(e.name, itf);
      }
    }
    warnings.push(PROC_INTERFACES);
    return [...byName.values()];
  });
}

/** Every section of a namespace from /proc/PID/net (`dir`, below the capture's root). */
export function readFromProc(dir: string, source: string, allUnix = false): NamespaceRead {
  return {
    connections: socketsIn(dir, source),
    others: otherSocketsIn(dir, source, allUnix),
    routes: routesIn(dir, source),
    interfaces: interfacesIn(dir, source),
    counters: countersIn(dir, source),
  };
}

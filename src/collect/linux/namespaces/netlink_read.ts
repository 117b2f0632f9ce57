/**
 * Reading another network namespace over netlink: its sockets (sock_diag), links, addresses and
 * routes of every table (rtnetlink), each dump made on a socket opened inside the namespace
 * (src/runtime/netlink.ts enters it and comes back); its counters from /proc/PID/net (or
 * /proc/thread-self/net after entering it, when nothing runs in it). Never the host's /sys.
 *
 * The records are mapped to the snapshot's model by the mappings of the own namespace's netlink
 * reader (from_netlink.ts), field for field with what the /proc and `ip -j` readers give, with
 * the socket facts only netlink carries (bound device, v6only, backlog, timer, mark, cgroup,
 * tcp_info as the capture asks); no link speed (that is in /sys, which is the host's). Its UNIX
 * (listeners, or every one with `--all-unix`), raw and packet sockets too. A dump the kernel
 * refuses falls back to /proc/PID/net for that section (or part: raw sockets on a kernel without
 * raw_diag), and the section's source and notes say so.
 */
import type { Connection, Counters, NetInterface, Route } from "../../../model.ts";
import type { TcpInfoDetail } from "../../contract.ts";
import { mergeStatus, noteStatus, type Section } from "../../section.ts";
import { connectionFrom, interfacesFrom, routeFrom } from "../from_netlink.ts";
import { type OtherSockets, otherSocketsOverNetlink, type ProcNetFiles } from "../sockets.ts";
import { dumpAddresses, dumpInetSocketsAs, dumpLinks, dumpRoutes } from "../netlink.ts";
import type { NamespaceRead } from "./read.ts";

/** The dump option of a capture's tcp_info choice. */
function tcpInfoAsked(detail: TcpInfoDetail): { tcpInfo?: "summary" | "full" } {
  return detail === "off" ? {} : { tcpInfo: detail };
}

/** The /proc readers of a namespace, one per section, called only where they are needed. */
export interface ProcSections {
  connections: () => Section<Connection[]>;
  /** Its UNIX, raw and packet sockets; packet sockets' devices named by `names` when given. */
  others: (names?: ReadonlyMap<number, string>) => Section<OtherSockets>;
  /** The namespace's /proc/…/net files, for a socket part the kernel refuses to dump. */
  files: ProcNetFiles;
  routes: () => Section<Route[]>;
  interfaces: () => Section<NetInterface[]>;
  counters: () => NamespaceRead["counters"];
}

/** The UNIX, raw and packet sockets over netlink in the namespace; all from /proc if that fails. */
function otherSocketsRead(
  opts: { netns: string; names?: ReadonlyMap<number, string> },
  proc: ProcSections,
  allUnix: boolean,
  raw: boolean,
): Section<OtherSockets> {
  const warnings: string[] = [], notes: string[] = [];
  const r = otherSocketsOverNetlink(opts, proc.files, allUnix, warnings, notes, { raw });
  if (typeof r === "string") {
    const s = proc.others(opts.names);
    return { ...s, status: mergeStatus(s.status, [`netlink: ${r}`]) };
  }
  return {
    value: r.lists,
    status: noteStatus(mergeStatus({ status: "ok" }, warnings), notes),
    source: r.proc ? "netlink+proc" : "netlink",
  };
}

/** Whether a namespace may hold raw sockets: its sockstat gauges, or yes when they are unknown. */
export function rawInUse(counters: Counters): boolean {
  const v4 = counters.Sockstat?.RAW_inuse, v6 = counters.Sockstat6?.RAW6_inuse;
  return v4 === undefined || v6 === undefined || v4 + v6 > 0n;
}

/**
 * The protocols a namespace has sockets of, from its sockstat gauges (cheap, per namespace):
 * a socket dump walks the host's whole hash tables, whatever the namespace holds, so one with
 * no TCP (or no UDP) socket is not asked. Both when the gauges are unknown.
 */
export function protocolsInUse(counters: Counters): ("tcp" | "udp")[] {
  const v4 = counters.Sockstat, v6 = counters.Sockstat6;
  if (v4 === undefined || v6 === undefined) return ["tcp", "udp"];
  const n = (x: bigint | undefined) => x ?? 1n;
  const out: ("tcp" | "udp")[] = [];
  if (n(v4.TCP_inuse) + n(v4.TCP_tw) + n(v4.TCP_orphan) + n(v6.TCP6_inuse) > 0n) out.push("tcp");
  if (n(v4.UDP_inuse) + n(v6.UDP6_inuse) > 0n) out.push("udp");
  return out;
}

/**
 * Reads the namespace at `netns` over netlink; a section whose dump fails is read from /proc
 * instead (`proc`), with a note. The counters always come from /proc, first: their socket
 * gauges say which socket dumps are worth making.
 */
export function readOverNetlink(
  netns: string,
  proc: ProcSections,
  tcpInfo: TcpInfoDetail = "off",
  allUnix = false,
): NamespaceRead {
  const counters = proc.counters();
  const fromDump = <T, R>(
    key: "connections" | "routes",
    dump: () => { ok: true; records: T[]; warnings: string[]; incomplete: string[] } | {
      ok: false;
      reason: string;
    },
    map?: (t: T) => R,
  ): Section<R[]> => {
    const d = dump();
    if (!d.ok || d.incomplete.length > 0) {
      const s = proc[key]() as unknown as Section<R[]>;
      const why = d.ok ? d.warnings.join("; ") : d.reason;
      return { ...s, status: mergeStatus(s.status, [`netlink: ${why}`]) };
    }
    return {
      // Sockets are mapped as they are decoded (dumpInetSocketsAs): no second list of them.
      value: map ? d.records.map(map) : d.records as unknown as R[],
      status: d.warnings.length ? { status: "partial", warnings: d.warnings } : { status: "ok" },
      source: "netlink",
    };
  };
  const links = dumpLinks({ netns });
  const names = links.ok ? new Map(links.records.map((l) => [l.index, l.name])) : undefined;
  const opts = names ? { netns, names } : { netns };
  const protocols = protocolsInUse(counters.value);
  const connections = protocols.length === 0
    ? { value: [], status: { status: "ok" as const }, source: "netlink" }
    : fromDump<Connection, Connection>(
      "connections",
      () => dumpInetSocketsAs({ ...opts, protocols, ...tcpInfoAsked(tcpInfo) }, connectionFrom),
    );
  const others = otherSocketsRead(opts, proc, allUnix, rawInUse(counters.value));
  const routes = fromDump("routes", () => dumpRoutes(opts), routeFrom);
  let interfaces: Section<NetInterface[]>;
  const addresses = links.ok ? dumpAddresses(opts) : links;
  if (links.ok && addresses.ok && !links.incomplete.length && !addresses.incomplete.length) {
    const warnings = [...links.warnings, ...addresses.warnings];
    interfaces = {
      value: interfacesFrom(links.records, addresses.records),
      status: warnings.length ? { status: "partial", warnings } : { status: "ok" },
      source: "netlink",
    };
  } else {
    const s = proc.interfaces();
    const why = !links.ok ? links.reason : !addresses.ok ? addresses.reason : "incomplete";
    interfaces = { ...s, status: mergeStatus(s.status, [`netlink: ${why}`]) };
  }
  const read: NamespaceRead = { connections, others, routes, interfaces, counters };
  if (names) read.linkNames = names;
  return read;
}

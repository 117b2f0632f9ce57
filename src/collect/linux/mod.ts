/**
/**
 * The Linux collector: reads the kernel over netlink (sock_diag for sockets, rtnetlink for
 * links, addresses and routes) where it can be used, /proc/[pid] for owners and processes,
 * /proc/net for counters and /proc/sys for settings, `ip -j` for rules and neighbours, `tc` for
 * the qdiscs and `nft` (or iptables-save) for the firewall. Where netlink cannot be used (no FFI,
 * Deno without the ffi permission, `NSNAP_NETLINK=0`, a fixture tree as root), it reads
 * /proc/net, /sys/class/net and `ip -j` as before. The choice is made once per capture and each
 * section records its source. Each section is gathered on its own (one file each) and a section
 * that fails is marked `error` without sinking the others. Everything is read under `place.root`.
 *
 * Every other network namespace (namespaces/capture.ts) is read with the same netlink choice and
 * the same record mappings, and its sockets get their owners from this capture's one descriptor
 * scan.
 */
import { statSync } from "node:fs";
import { parseBootTime } from "../../parse/linux/proc_pid_stat.ts";
import { netlinkAvailable } from "../../runtime/netlink.ts";
import type { Collected, CollectOptions, Collector, Place } from "../contract.ts";
import { noteStatus } from "../section.ts";
import { linuxMachineId } from "../machine_id.ts";
import { collectCounters } from "./counters.ts";
import { readText, under } from "./files.ts";
import { collectFirewall } from "./firewall.ts";
import { collectInterfaces } from "./interfaces.ts";
import { dumpLinks } from "./netlink.ts";
import { collectNeighbours } from "./neighbours.ts";
import { assignOwners, PARALLEL_SCAN_SOCKETS, socketsInUse, startOwnerScan } from "./owners.ts";
import { collectQdiscs } from "./qdiscs.ts";
import { collectRoutes } from "./routes.ts";
import { collectRules } from "./rules.ts";
import { collectSettings } from "./settings.ts";
import { collectSockets, procNetDir } from "./sockets.ts";
import { captureAcross, hostReader, procReader } from "./namespaces/capture.ts";
import { finishAcross } from "./namespaces/finish.ts";

/** Whether this capture reads over netlink, or why not (undefined when it was not asked for). */
export function netlinkChoice(
  place: Place,
  opts: Pick<CollectOptions, "netlink">,
): { use: true } | { use: false; why?: string } {
  if (!opts.netlink) return { use: false };
  // A fixture tree's /proc is not the kernel netlink would answer for.
  if (place.root !== "/") return { use: false };
  const nl = netlinkAvailable();
  return nl.ok ? { use: true } : { use: false, why: nl.reason };
}

/** Gathers every section of a Linux snapshot. */
export const collectLinux: Collector = async (place, opts) => {
  const bootSec = parseBootTime(readText(under(place.root, "/proc/stat")) ?? "");
  const bootMs = bootSec === undefined ? undefined : bootSec * 1000;
  const choice = netlinkChoice(place, opts);
  // Many sockets: their owners are looked for in a worker while the sockets are read.
  const scanner = startOwnerScan(place, socketsInUse(procNetDir(place)) >= PARALLEL_SCAN_SOCKETS);
  const across = captureAcross(
    place.root,
    opts.netns ?? "auto",
    place.root === "/"
      ? hostReader(place, { netlink: choice.use, tcpInfo: opts.tcpInfo })
      : procReader(place.root),
    opts.selfPid,
  );
  const netns = place.netns === undefined ? {} : { netns: place.netns };
  // One link dump serves the interfaces and names every device a socket or route is bound to.
  const links = choice.use ? dumpLinks(netns) : undefined;
  const names = links?.ok ? new Map(links.records.map((l) => [l.index, l.name])) : undefined;
  const sockets = collectSockets(place, opts, {
    netlink: choice.use,
    ...(names ? { names } : {}),
  });
  // One descriptor scan for the sockets of every namespace: inodes are unique on the host.
  if (across) {
    const own = sockets.section.value.connections;
    for (const c of across.connections) own.push(c);
  }
  const owned = await assignOwners(place, opts, sockets.section, bootMs, scanner);
  const s = owned.sockets;
  const out: Collected = {
    sections: {
      connections: { value: s.value.connections, status: s.status, source: s.source },
      processes: owned.processes,
      routes: collectRoutes(place, choice.use, names),
      interfaces: collectInterfaces(place, links),
      counters: collectCounters(place),
      rules: collectRules(place),
      neighbours: collectNeighbours(place),
      settings: collectSettings(place),
      qdiscs: collectQdiscs(place),
      firewall: collectFirewall(place),
    },
    unixSockets: s.value.unix,
    rawSockets: s.value.raw,
    packetSockets: s.value.packet,
    capture: { tcpInfo: sockets.tcpInfo, unixSockets: opts.allUnix ? "all" : "listeners" },
  };
  if (!choice.use && choice.why !== undefined) {
    // Netlink was asked for but cannot be used here: say why where it would have been the source.
    const note = [`netlink unavailable (${choice.why}): read /proc, /sys and ip -j`];
    for (const name of ["connections", "routes", "interfaces"] as const) {
      const sec = out.sections[name];
      sec.status = noteStatus(sec.status, note);
    }
  }
  if (across) out.namespaces = finishAcross(place, out.sections, across);
  if (bootMs !== undefined) out.bootTime = new Date(bootMs).toISOString();
  const machineId = linuxMachineId(place.root);
  if (machineId !== undefined) out.machineId = machineId;
  try {
    out.netnsInode = statSync(place.netns ?? under(place.root, "/proc/self/ns/net")).ino;
  } catch { /* no namespace identity on this kernel */ }
  return out;
};

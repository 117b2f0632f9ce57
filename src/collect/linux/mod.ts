/**
/**
 * The Linux collector: reads the kernel over netlink (sock_diag for sockets, rtnetlink for
 * links, addresses, routes, rules, neighbours and qdiscs, nfnetlink for whether any firewall
 * table exists) where it can be used, /proc/[pid] for owners and processes, /proc/net for
 * counters and /proc/sys for settings, `nft` (or iptables-save) for the firewall's rules, and
 * `tc qdisc` only for qdisc options that are not plain numbers. Where netlink cannot be used (no
 * FFI, Deno without the ffi permission, `NSNAP_NETLINK=0`, a fixture tree as root), it reads
 * /proc/net, /sys/class/net, `ip -j` and `tc -j` as before. The choice is made once per capture and each
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
import type { Collected, CollectOptions, Collector, Place, SkippedPart } from "../contract.ts";
import { failed, noteStatus, type Section } from "../section.ts";
import { linuxMachineId } from "../machine_id.ts";
import { collectCounters } from "./counters.ts";
import { readText, under } from "./files.ts";
import { collectFirewall } from "./firewall.ts";
import { collectInterfaces } from "./interfaces.ts";
import { dumpLinks } from "./netlink.ts";
import { collectNeighbours } from "./neighbours.ts";
import {
  assignOwners,
  BPF_SCAN_FILES,
  openFilesOnHost,
  PARALLEL_SCAN_SOCKETS,
  socketsInUse,
  startOwnerScan,
} from "./owners.ts";
import { bpfDisabledByEnv } from "../../runtime/bpf_fds.ts";
import { bpfFailedBefore, bpfScanHindrance } from "./fd_scan.ts";
import { collectQdiscs } from "./qdiscs.ts";
import { collectRoutes } from "./routes.ts";
import { collectRules } from "./rules.ts";
import { collectSettings } from "./settings.ts";
import { collectSockets, procNetDir } from "./sockets.ts";
import { type Across, captureAcross, hostReader, procReader } from "./namespaces/capture.ts";
import { finishAcross } from "./namespaces/finish.ts";

/** Why a part left out (`CollectOptions.skip`) is missing, as its section says. */
export const SKIPPED = "not captured: light capture";

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

/**
 * Whether the owner scan should try the BPF iterator: the kernel fast paths were not turned off
 * (`--no-netlink`, `NSNAP_NETLINK=0`, or this one alone with `NSNAP_BPF=0`), this is the host's
 * own tree, the iterator may work here (root, the initial PID namespace, BTF present) and the
 * host holds enough open files for it to pay off.
 */
function bpfChoice(
  place: Place,
  opts: Pick<CollectOptions, "netlink">,
): { use: boolean; notTried?: string } {
  if (!opts.netlink || place.root !== "/" || bpfDisabledByEnv()) return { use: false };
  if (bpfScanHindrance() !== undefined || openFilesOnHost(place.root) < BPF_SCAN_FILES) {
    return { use: false };
  }
  // Failed in an earlier capture of this process (`capture --every`): not again, but said again.
  const before = bpfFailedBefore();
  return before === undefined
    ? { use: true }
    : { use: false, notTried: `it failed before: ${before}` };
}

/** Gathers every section of a Linux snapshot (but the parts `opts.skip` leaves out). */
export const collectLinux: Collector = async (place, opts) => {
  const bootSec = parseBootTime(readText(under(place.root, "/proc/stat")) ?? "");
  const bootMs = bootSec === undefined ? undefined : bootSec * 1000;
  const skip = opts.skip ?? new Set<SkippedPart>();
  const choice = netlinkChoice(place, opts);
  // Many sockets: their owners are looked for in a worker while the sockets are read.
  const bpf = bpfChoice(place, opts);
  const scanner = skip.has("owners") ? undefined : startOwnerScan(
    place,
    socketsInUse(procNetDir(place)) >= PARALLEL_SCAN_SOCKETS,
    bpf.use,
    bpf.notTried,
  );
  const across = captureAcross(
    place.root,
    opts.netns ?? "auto",
    place.root === "/"
      ? hostReader(place, {
        netlink: choice.use,
        tcpInfo: opts.tcpInfo,
        allUnix: opts.allUnix,
        skip,
      })
      : procReader(place.root, opts.allUnix),
    opts.selfPid,
  );
  if (across) leaveOutAcross(across, skip);
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
    const own = sockets.section.value;
    for (const c of across.connections) own.connections.push(c);
    for (const u of across.unix) own.unix.push(u);
    for (const r of across.raw) own.raw.push(r);
    for (const p of across.packet) own.packet.push(p);
  }
  // Without addresses the interfaces section runs no `ip`: it says the addresses are unknown.
  const noIp: Place = {
    ...place,
    runner: () => ({ ok: false, stdout: "", stderr: "", reason: SKIPPED }),
  };
  const others = () => ({
    routes: skip.has("routes") ? skipped([]) : collectRoutes(place, choice.use, names),
    interfaces: collectInterfaces(skip.has("addresses") ? noIp : place, links),
    counters: collectCounters(place),
    rules: skip.has("rules") ? skipped([]) : collectRules(place, choice.use),
    neighbours: skip.has("neighbours") ? skipped([]) : collectNeighbours(place, choice.use, names),
    settings: collectSettings(place),
    qdiscs: skip.has("qdiscs") ? skipped([]) : collectQdiscs(place, choice.use, names),
    firewall: skip.has("firewall") ? skipped({ tables: [] }) : collectFirewall(place, choice.use),
  });
  // A worker's descriptor scan is under way: the sections that need no owners fill its time.
  // Else the scan is made on this thread, right after the dump (fewer sockets change between).
  const early = scanner?.parallel ? others() : undefined;
  const owned = scanner === undefined
    ? { sockets: sockets.section, processes: skipped({}) }
    : await assignOwners(place, opts, sockets.section, bootMs, scanner);
  const s = owned.sockets;
  const out: Collected = {
    sections: {
      connections: { value: s.value.connections, status: s.status, source: s.source },
      processes: owned.processes,
      ...(early ?? others()),
    },
    unixSockets: s.value.unix,
    rawSockets: s.value.raw,
    packetSockets: s.value.packet,
    capture: {
      tcpInfo: sockets.tcpInfo,
      unixSockets: opts.allUnix ? "all" : "listeners",
      // Every namespace's UNIX, raw and packet sockets were read (older captures: the own only).
      ...(across ? { socketLists: "every-namespace" as const } : {}),
    },
  };
  if (!choice.use && choice.why !== undefined) {
    // Netlink was asked for but cannot be used here: say why where it would have been the source.
    const note = [`netlink unavailable (${choice.why}): read /proc, /sys and ip -j`];
    for (const name of ["connections", "routes", "interfaces"] as const) {
      const sec = out.sections[name];
      sec.status = noteStatus(sec.status, note);
    }
  }
  if (across) {
    // Exposure needs the owners, the addresses and the firewall: a light capture has none.
    const decide = !(["owners", "addresses", "firewall"] as const).some((p) => skip.has(p));
    out.namespaces = finishAcross(place, out.sections, across, { exposure: decide });
  }
  if (bootMs !== undefined) out.bootTime = new Date(bootMs).toISOString();
  const machineId = linuxMachineId(place.root);
  if (machineId !== undefined) out.machineId = machineId;
  try {
    out.netnsInode = statSync(place.netns ?? under(place.root, "/proc/self/ns/net")).ino;
  } catch { /* no namespace identity on this kernel */ }
  return out;
};

/**
 * A light capture across namespaces leaves out of the other namespaces what it leaves out of its
 * own: their routes, and their interfaces' addresses (read with the links, dropped here), each
 * namespace's entry saying so.
 */
function leaveOutAcross(across: Across, skip: ReadonlySet<SkippedPart>): void {
  if (skip.has("routes")) across.routes.length = 0;
  if (skip.has("addresses")) { for (const i of across.interfaces) i.addresses = []; }
  for (const ns of across.namespaces) {
    if (ns.own) continue;
    // Not read in it at all (hostReader): said in its entry as in the own namespace's sections.
    for (const part of ["rules", "neighbours", "qdiscs", "firewall"] as const) {
      if (skip.has(part)) ns.sections[part] = { status: "error", error: SKIPPED, source: "none" };
    }
    if (skip.has("routes") && ns.sections.routes) {
      ns.sections.routes = { status: "error", error: SKIPPED, source: "none" };
    }
    const itf = ns.sections.interfaces;
    if (skip.has("addresses") && itf && itf.status !== "error") {
      itf.status = "partial";
      itf.warnings = [...itf.warnings ?? [], `interface addresses unknown: ${SKIPPED}`];
    }
  }
}

function skipped<T>(empty: T): Section<T> {
  return { value: empty, status: failed(SKIPPED), source: "none" };
}

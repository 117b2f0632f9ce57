/**
 * The Linux collector: reads /proc/net, /proc/[pid]/fd, /proc/sys and /sys/class/net directly,
 * and asks `ip -j` for what /proc cannot show (policy routing tables and rules, every address,
 * neighbours), `tc` for the qdiscs and `nft` (or iptables-save) for the firewall. Each section is
 * gathered on its own (one file each) and a section that fails is marked `error` without sinking
 * the others. Everything is read under `place.root`.
 */
import { statSync } from "node:fs";
import { parseBootTime } from "../../parse/linux/proc_pid_stat.ts";
import type { Collected, Collector, Place, SkippedPart } from "../contract.ts";
import { failed, type Section } from "../section.ts";
import { linuxMachineId } from "../machine_id.ts";
import { collectCounters } from "./counters.ts";
import { readText, under } from "./files.ts";
import { collectFirewall } from "./firewall.ts";
import { collectInterfaces } from "./interfaces.ts";
import { collectNeighbours } from "./neighbours.ts";
import { assignOwners } from "./owners.ts";
import { collectQdiscs } from "./qdiscs.ts";
import { collectRoutes } from "./routes.ts";
import { collectRules } from "./rules.ts";
import { collectSettings } from "./settings.ts";
import { collectSockets } from "./sockets.ts";
import { type Across, captureAcross, hostReader, procReader } from "./namespaces/capture.ts";
import { finishAcross } from "./namespaces/finish.ts";

/** Why a part left out (`CollectOptions.skip`) is missing, as its section says. */
export const SKIPPED = "not captured: light capture";

/** Gathers every section of a Linux snapshot (but the parts `opts.skip` leaves out). */
export const collectLinux: Collector = (place, opts) => {
  const bootSec = parseBootTime(readText(under(place.root, "/proc/stat")) ?? "");
  const bootMs = bootSec === undefined ? undefined : bootSec * 1000;
  const skip = opts.skip ?? new Set<SkippedPart>();
  const across = captureAcross(
    place.root,
    opts.netns ?? "auto",
    place.root === "/" ? hostReader(place) : procReader(place.root),
    opts.selfPid,
  );
  if (across) leaveOutAcross(across, skip);
  const sockets = collectSockets(place);
  // One descriptor scan for the sockets of every namespace: inodes are unique on the host.
  if (across) { for (const c of across.connections) sockets.value.push(c); }
  const owned = skip.has("owners")
    ? { connections: sockets, processes: skipped({}) }
    : assignOwners(place, opts, sockets, bootMs);
  // Without addresses the interfaces section runs no `ip`: it says the addresses are unknown.
  const noIp: Place = {
    ...place,
    runner: () => ({ ok: false, stdout: "", stderr: "", reason: SKIPPED }),
  };
  const out: Collected = {
    sections: {
      connections: owned.connections,
      processes: owned.processes,
      routes: skip.has("routes") ? skipped([]) : collectRoutes(place),
      interfaces: collectInterfaces(skip.has("addresses") ? noIp : place),
      counters: collectCounters(place),
      rules: skip.has("rules") ? skipped([]) : collectRules(place),
      neighbours: skip.has("neighbours") ? skipped([]) : collectNeighbours(place),
      settings: collectSettings(place),
      qdiscs: skip.has("qdiscs") ? skipped([]) : collectQdiscs(place),
      firewall: skip.has("firewall") ? skipped({ tables: [] }) : collectFirewall(place),
    },
  };
  if (across) {
    // Exposure needs the owners, the addresses and the firewall: a light capture has none.
    const decide = !(["owners", "addresses", "firewall"] as const).some((p) => skip.has(p));
    out.namespaces = finishAcross(place, out.sections, across, { exposure: decide });
  }
  if (bootMs !== undefined) out.bootTime = new Date(bootMs).toISOString();
  const machineId = linuxMachineId(place.root);
  if (machineId !== undefined) out.machineId = machineId;
  try {
    out.netnsInode = statSync(under(place.root, "/proc/self/ns/net")).ino;
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

/**
 * The Linux collector: reads /proc/net, /proc/[pid]/fd, /proc/sys and /sys/class/net directly,
 * and asks `ip -j` for what /proc cannot show (policy routing tables and rules, every address,
 * neighbours), `tc` for the qdiscs and `nft` (or iptables-save) for the firewall. Each section is
 * gathered on its own (one file each) and a section that fails is marked `error` without sinking
 * the others. Everything is read under `place.root`.
 */
import { statSync } from "node:fs";
import { parseBootTime } from "../../parse/linux/proc_pid_stat.ts";
import type { Collected, Collector } from "../contract.ts";
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
import { captureAcross, hostReader, procReader } from "./namespaces/capture.ts";
import { finishAcross } from "./namespaces/finish.ts";

/** Gathers every section of a Linux snapshot. */
export const collectLinux: Collector = (place, opts) => {
  const bootSec = parseBootTime(readText(under(place.root, "/proc/stat")) ?? "");
  const bootMs = bootSec === undefined ? undefined : bootSec * 1000;
  const across = captureAcross(
    place.root,
    opts.netns ?? "auto",
    place.root === "/" ? hostReader(place) : procReader(place.root),
    opts.selfPid,
  );
  const sockets = collectSockets(place);
  // One descriptor scan for the sockets of every namespace: inodes are unique on the host.
  if (across) { for (const c of across.connections) sockets.value.push(c); }
  const owned = assignOwners(place, opts, sockets, bootMs);
  // A fixture tree's /proc is not the kernel netlink would answer for.
  const netlink = place.root === "/";
  const out: Collected = {
    sections: {
      connections: owned.connections,
      processes: owned.processes,
      routes: collectRoutes(place),
      interfaces: collectInterfaces(place),
      counters: collectCounters(place),
      rules: collectRules(place, netlink),
      neighbours: collectNeighbours(place, netlink),
      settings: collectSettings(place),
      qdiscs: collectQdiscs(place, netlink),
      firewall: collectFirewall(place, netlink),
    },
  };
  if (across) out.namespaces = finishAcross(place, out.sections, across);
  if (bootMs !== undefined) out.bootTime = new Date(bootMs).toISOString();
  const machineId = linuxMachineId(place.root);
  if (machineId !== undefined) out.machineId = machineId;
  try {
    out.netnsInode = statSync(under(place.root, "/proc/self/ns/net")).ino;
  } catch { /* no namespace identity on this kernel */ }
  return out;
};

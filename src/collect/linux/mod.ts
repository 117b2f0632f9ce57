/**
 * The Linux collector: reads /proc/net, /proc/[pid]/fd and /sys/class/net directly, and asks
 * `ip -j` for what /proc cannot show (policy routing tables, every address). Each section is
 * gathered on its own (one file each) and a section that fails is marked `error` without sinking
 * the others. Everything is read under `place.root`.
 */
import { statSync } from "node:fs";
import { parseBootTime } from "../../parse/linux/proc_pid_stat.ts";
import type { Collected, Collector, Place } from "../contract.ts";
import { failed, type Section } from "../section.ts";
import { linuxMachineId } from "../machine_id.ts";
import { collectCounters } from "./counters.ts";
import { readText, under } from "./files.ts";
import { collectInterfaces } from "./interfaces.ts";
import { assignOwners } from "./owners.ts";
import { collectRoutes } from "./routes.ts";
import { collectSettings } from "./settings.ts";
import { collectSockets } from "./sockets.ts";

/** Why a part left out (`CollectOptions.skip`) is missing, as its section says. */
export const SKIPPED = "not captured: light capture";

/** Gathers every section of a Linux snapshot (but the parts `opts.skip` leaves out). */
export const collectLinux: Collector = (place, opts) => {
  const bootSec = parseBootTime(readText(under(place.root, "/proc/stat")) ?? "");
  const bootMs = bootSec === undefined ? undefined : bootSec * 1000;
  const skip = opts.skip ?? new Set();
  const sockets = collectSockets(place);
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
      settings: collectSettings(place),
    },
  };
  if (bootMs !== undefined) out.bootTime = new Date(bootMs).toISOString();
  const machineId = linuxMachineId(place.root);
  if (machineId !== undefined) out.machineId = machineId;
  try {
    out.netnsInode = statSync(under(place.root, "/proc/self/ns/net")).ino;
  } catch { /* no namespace identity on this kernel */ }
  return out;
};

function skipped<T>(empty: T): Section<T> {
  return { value: empty, status: failed(SKIPPED), source: "none" };
}

/** The Linux collector's sockets: every TCP and UDP socket of /proc/net/{tcp,tcp6,udp,udp6}. */
import type { Connection, Family, Protocol } from "../../model.ts";
import { parseProcNetSockets } from "../../parse/linux/proc_net_tcp.ts";
import type { Place } from "../contract.ts";
import { type Section, section } from "../section.ts";
import { readText, under } from "./files.ts";

const SOCKET_FILES: readonly [string, Protocol, Family][] = [
  ["tcp", "tcp", "inet"],
  ["tcp6", "tcp", "inet6"],
  ["udp", "udp", "inet"],
  ["udp6", "udp", "inet6"],
];

/** Reads the sockets (without owners: `assignOwners` adds them); a missing file is a warning. */
export function collectSockets(place: Place): Section<Connection[]> {
  return socketsIn(under(place.root, "/proc/net"), "/proc/net");
}

/** The sockets of one /proc/net folder (/proc/PID/net: the namespace of PID). */
export function socketsIn(dir: string, source: string): Section<Connection[]> {
  return section(source, [], (warnings) => {
    const all: Connection[] = [];
    for (const [file, protocol, family] of SOCKET_FILES) {
      const path = `${dir}/${file}`;
      const text = readText(path, warnings);
      if (text === undefined) continue;
      const r = parseProcNetSockets(text, protocol, family, path);
      // No spread: a busy host has 100k sockets, more than a call's arguments may hold.
      for (const c of r.value) all.push(c);
      for (const w of r.warnings) warnings.push(w);
    }
    return all;
  });
}

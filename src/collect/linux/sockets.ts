/**
 * The Linux collector's sockets: every TCP and UDP socket of both families, the UNIX sockets
 * (listeners by default), and every raw and packet socket — over sock_diag netlink where it can
 * be used, else from /proc/net/{tcp,tcp6,udp,udp6,unix,raw,raw6,packet}. Owners are added
 * afterwards (`assignOwners`), from one descriptor scan for every kind.
 *
 * Decisions:
 * - One source is chosen per capture (`netlink` in the options). A part the kernel refuses over
 *   netlink (this VM's kernel has no raw_diag: ENOENT) is read from its /proc file instead; that
 *   is a note, not a warning, since nothing is missing, and the section's source says
 *   `netlink+proc`.
 * - What /proc cannot tell (bound device, v6only, backlog, timers, cgroup, tcp_info, UNIX
 *   queues and peers) is absent in a /proc capture, never guessed.
 */
import { readdirSync } from "node:fs";
import type {
  Connection,
  Family,
  PacketSocket,
  Protocol,
  RawSocket,
  UnixSocket,
} from "../../model.ts";
import { parseProcNetSockets } from "../../parse/linux/proc_net_tcp.ts";
import { parseProcNetUnix } from "../../parse/linux/proc_net_unix.ts";
import { parseProcNetPacket } from "../../parse/linux/proc_net_packet.ts";
import type { CollectOptions, Place, TcpInfoDetail } from "../contract.ts";
import { noteStatus, type Section, section } from "../section.ts";
import { readText, under } from "./files.ts";
import {
  connectionFrom,
  isUnixListener,
  packetSocketFrom,
  rawSocketFrom,
  unixSocketFrom,
} from "./from_netlink.ts";
import {
  dumpInetSocketsAs,
  dumpPacketSockets,
  dumpRawSockets,
  type DumpRecords,
  dumpUnixSockets,
} from "./netlink.ts";

/** Every socket of a capture, by kind. */
export interface SocketLists {
  connections: Connection[];
  unix: UnixSocket[];
  raw: RawSocket[];
  packet: PacketSocket[];
}

/** The sockets section: the lists, its status and source, and what tcp_info it holds. */
export interface SocketsRead {
  section: Section<SocketLists>;
  /** What connections[].tcpInfo holds: "off" unless TCP came over netlink. */
  tcpInfo: TcpInfoDetail;
}

/** How the sockets are read: over netlink (with the interface names), or from /proc. */
export interface SocketSource {
  netlink: boolean;
  /** Interface names by index in the namespace (from the capture's one link dump). */
  names?: ReadonlyMap<number, string>;
}

const INET_FILES: readonly [string, Protocol, Family][] = [
  ["tcp", "tcp", "inet"],
  ["tcp6", "tcp", "inet6"],
  ["udp", "udp", "inet"],
  ["udp6", "udp", "inet6"],
];

/** The /proc/net files that hold what a part of the inet dump (see dumpInetSockets) would have. */
const PART_FILES: Readonly<Record<string, readonly string[]>> = {
  tcp: ["tcp", "tcp6"],
  tcp4: ["tcp"],
  tcp6: ["tcp6"],
  udp: ["udp"],
  udp6: ["udp6"],
};

/** The /proc/net folder of the place: its root's, or that of the namespace's process. */
export function procNetDir(place: Place): string {
  const pid = place.netns === undefined
    ? undefined
    : /^\/proc\/([0-9]+)\/ns\/net$/.exec(place.netns);
  return pid ? under(place.root, `/proc/${pid[1]}/net`) : under(place.root, "/proc/net");
}

/** An inet /proc file: its connections; a file that cannot be read is a warning. */
function procInet(
  dir: string,
  file: string,
  protocol: Protocol,
  family: Family,
  warnings: string[],
): Connection[] {
  const path = `${dir}/${file}`;
  const text = readText(path, warnings);
  if (text === undefined) return [];
  const r = parseProcNetSockets(text, protocol, family, path);
  for (const w of r.warnings) warnings.push(w);
  return r.value;
}

/** Raw sockets from /proc/net/raw or raw6 (the UDP layout; the "port" is the IP protocol). */
function procRaw(dir: string, file: "raw" | "raw6", warnings: string[]): RawSocket[] {
  const family: Family = file === "raw" ? "inet" : "inet6";
  return procInet(dir, file, "udp", family, warnings).map((c) => {
    const r: RawSocket = {
      family,
      ipProtocol: c.localPort,
      localAddress: c.localAddress,
      remoteAddress: c.remoteAddress,
      state: c.state,
      recvQ: c.recvQ,
      sendQ: c.sendQ,
    };
    if (c.uid !== undefined) r.uid = c.uid;
    if (c.inode !== undefined) r.inode = c.inode;
    return r;
  });
}

function procUnix(dir: string, warnings: string[]): UnixSocket[] {
  const path = `${dir}/unix`;
  const text = readText(path, warnings);
  if (text === undefined) return [];
  const r = parseProcNetUnix(text, path);
  for (const w of r.warnings) warnings.push(w);
  return r.value;
}

function procPacket(
  dir: string,
  names: ReadonlyMap<number, string>,
  warnings: string[],
): PacketSocket[] {
  const path = `${dir}/packet`;
  const text = readText(path, warnings);
  if (text === undefined) return [];
  const r = parseProcNetPacket(text, path);
  for (const w of r.warnings) warnings.push(w);
  return r.value.map(({ ifindex, ...p }) =>
    ifindex === undefined ? p : { ...p, interface: names.get(ifindex) ?? `if${ifindex}` }
  );
}

/** Interface names by index from /sys/class/net/<name>/ifindex (for /proc/net/packet). */
function sysNames(place: Place): Map<number, string> {
  const names = new Map<number, string>();
  const dir = under(place.root, "/sys/class/net");
  for (const name of listDir(dir)) {
    const index = Number(readText(`${dir}/${name}/ifindex`)?.trim());
    if (Number.isInteger(index)) names.set(index, name);
  }
  return names;
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Every socket from /proc. */
function fromProc(place: Place, opts: CollectOptions, warnings: string[]): SocketLists {
  const dir = procNetDir(place);
  const connections: Connection[] = [];
  for (const [file, protocol, family] of INET_FILES) {
    // No spread: a busy host has 100k sockets, more than a call's arguments may hold.
    for (const c of procInet(dir, file, protocol, family, warnings)) connections.push(c);
  }
  return {
    connections,
    ...otherSocketsFromProc(dir, sysNames(place), opts.allUnix, warnings),
  };
}

/**
 * Moves a dump's warnings about the parts it could not read into `notes` (those parts are read
 * from /proc instead, so nothing is missing) and the others into `warnings`.
 */
function sortWarnings<T>(
  dump: DumpRecords<T>,
  warnings: string[],
  notes: string[],
  instead: (part: string) => string,
): void {
  for (const w of dump.warnings) {
    const part = dump.incomplete.find((p) => w.startsWith(`${p}: `));
    if (part === undefined) warnings.push(w);
    else notes.push(`${w}; read ${instead(part)} instead`);
  }
}

/** Every socket over netlink, parts the kernel refused from /proc; undefined when netlink fails. */
function fromNetlink(
  place: Place,
  opts: CollectOptions,
  names: ReadonlyMap<number, string> | undefined,
  warnings: string[],
  notes: string[],
  used: { proc: boolean; tcpInfo: boolean },
): SocketLists | string {
  const dir = procNetDir(place);
  const base = {
    ...(place.netns === undefined ? {} : { netns: place.netns }),
    ...(names === undefined ? {} : { names }),
  };
  const tcpInfo = opts.tcpInfo === "off" ? false : opts.tcpInfo === "full" ? true : "summary";
  const inet = dumpInetSocketsAs({ ...base, tcpInfo }, connectionFrom);
  if (!inet.ok) return inet.reason;
  const connections = inet.records;
  const files = (part: string) => PART_FILES[part] ?? [];
  sortWarnings(
    inet,
    warnings,
    notes,
    (part) => files(part).map((f) => `${dir}/${f}`).join(" and "),
  );
  for (const part of inet.incomplete) {
    for (const file of files(part)) {
      const spec = INET_FILES.find(([name]) => name === file);
      if (!spec) continue;
      used.proc = true;
      for (const c of procInet(dir, ...spec, warnings)) connections.push(c);
    }
  }
  used.tcpInfo = !inet.incomplete.some((p) => p.startsWith("tcp"));

  const others = otherSocketsOverNetlink(base, procNetFiles(dir), opts.allUnix, warnings, notes);
  if (typeof others === "string") return others;
  if (others.proc) used.proc = true;
  return { connections, ...others.lists };
}

/** The UNIX, raw and packet sockets of one namespace. */
export type OtherSockets = Pick<SocketLists, "unix" | "raw" | "packet">;

/**
 * Reads the namespace's /proc/…/net files: `read` is given the folder (the own /proc/net, a
 * process's /proc/PID/net, or /proc/thread-self/net inside the namespace); `empty` when they
 * cannot be reached. `shown` names the folder in notes.
 */
export interface ProcNetFiles {
  shown: string;
  /** `fn` over the folder; `empty`, with a warning, where the folder cannot be reached. */
  read<T>(fn: (dir: string) => T, empty: T, warnings: string[]): T;
}

/** The /proc/…/net folder `dir`, read as it is. */
export function procNetFiles(dir: string): ProcNetFiles {
  return { shown: dir, read: (fn) => fn(dir) };
}

/**
 * The UNIX (listeners unless `allUnix`), raw and packet sockets over netlink, in the namespace
 * of `base.netns` (the own one when absent); a part the kernel refuses is read from the
 * namespace's /proc files, with a note. A string says why netlink failed.
 */
export function otherSocketsOverNetlink(
  base: { netns?: string; names?: ReadonlyMap<number, string> },
  files: ProcNetFiles,
  allUnix: boolean,
  warnings: string[],
  notes: string[],
  kinds: { raw: boolean } = { raw: true },
): { lists: OtherSockets; proc: boolean } | string {
  const dir = files.shown;
  let proc = false;
  const raw: RawSocket[] = [];
  // No raw socket in it (its sockstat says so): no dump, which walks the host's whole table.
  if (kinds.raw) {
    const rawDump = dumpRawSockets(base);
    if (!rawDump.ok) return rawDump.reason;
    for (const r of rawDump.records) raw.push(rawSocketFrom(r));
    sortWarnings(rawDump, warnings, notes, (part) => `${dir}/${part}`);
    for (const part of rawDump.incomplete) {
      if (part !== "raw" && part !== "raw6") continue;
      proc = true;
      for (const r of files.read((d) => procRaw(d, part, warnings), [], warnings)) raw.push(r);
    }
  }

  let unix: UnixSocket[] = [];
  const unixDump = dumpUnixSockets(base);
  if (!unixDump.ok) return unixDump.reason;
  for (const u of unixDump.records) {
    if (allUnix || isUnixListener(u)) unix.push(unixSocketFrom(u));
  }
  sortWarnings(unixDump, warnings, notes, () => `${dir}/unix`);
  if (unixDump.incomplete.length > 0) {
    proc = true;
    const all = files.read((d) => procUnix(d, warnings), [], warnings);
    unix = allUnix ? all : all.filter(isUnixListener);
  }

  let packet: PacketSocket[] = [];
  const packetDump = dumpPacketSockets(base);
  if (!packetDump.ok) return packetDump.reason;
  packet = packetDump.records.map(packetSocketFrom);
  sortWarnings(packetDump, warnings, notes, () => `${dir}/packet`);
  if (packetDump.incomplete.length > 0) {
    proc = true;
    packet = files.read(
      (d) => procPacket(d, base.names ?? procNetNames(d), warnings),
      [],
      warnings,
    );
  }
  return { lists: { unix, raw, packet }, proc };
}

/**
 * The UNIX (listeners unless `allUnix`), raw and packet sockets from the /proc files in `dir`;
 * packet sockets' devices named by `names` (index → name), `if<index>` where it has none.
 */
export function otherSocketsFromProc(
  dir: string,
  names: ReadonlyMap<number, string>,
  allUnix: boolean,
  warnings: string[],
): OtherSockets {
  const unix = procUnix(dir, warnings);
  return {
    unix: allUnix ? unix : unix.filter(isUnixListener),
    raw: [...procRaw(dir, "raw", warnings), ...procRaw(dir, "raw6", warnings)],
    packet: procPacket(dir, names, warnings),
  };
}

/** Reads every socket (without owners: `assignOwners` adds them) from the chosen source. */
export function collectSockets(
  place: Place,
  opts: CollectOptions,
  source: SocketSource,
): SocketsRead {
  const empty: SocketLists = { connections: [], unix: [], raw: [], packet: [] };
  const notes: string[] = [];
  const used = { proc: false, tcpInfo: false };
  let name = source.netlink ? "netlink" : "proc";
  const s = section(name, empty, (warnings) => {
    if (source.netlink) {
      const nl = fromNetlink(place, opts, source.names, warnings, notes, used);
      if (typeof nl !== "string") {
        if (used.proc) name = "netlink+proc";
        return nl;
      }
      notes.push(`netlink: ${nl}; read /proc instead`);
      name = "proc";
      used.tcpInfo = false;
    }
    return fromProc(place, opts, warnings);
  });
  return {
    section: { value: s.value, status: noteStatus(s.status, notes), source: name },
    tcpInfo: used.tcpInfo ? opts.tcpInfo : "off",
  };
}

/**
 * The TCP and UDP sockets of one /proc/net folder (/proc/PID/net: the namespace of PID), as
 * another namespace is read without netlink; a missing file is a warning.
 */
export function socketsIn(dir: string, source: string): Section<Connection[]> {
  return section(source, [], (warnings) => {
    const all: Connection[] = [];
    for (const [file, protocol, family] of INET_FILES) {
      // No spread: a busy host has 100k sockets, more than a call's arguments may hold.
      for (const c of procInet(dir, file, protocol, family, warnings)) all.push(c);
    }
    return all;
  });
}

/**
 * Interface names by index from a namespace's /proc/…/net (its /sys is not this process's to
 * read): if_inet6 (every device with an IPv6 address) and igmp (every one that is up with IPv4
 * multicast). A device in neither stays `if<index>`.
 */
export function procNetNames(dir: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const line of (readText(`${dir}/if_inet6`) ?? "").split("\n")) {
    const f = line.trim().split(/\s+/);
    const index = parseInt(f[1] ?? "", 16);
    if (f.length >= 6 && Number.isInteger(index)) names.set(index, f[5]!);
  }
  for (const line of (readText(`${dir}/igmp`) ?? "").split("\n")) {
    const m = /^(\d+)\s+(\S+)\s*:/.exec(line);
    if (m && !names.has(Number(m[1]))) names.set(Number(m[1]), m[2]!);
  }
  return names;
}

/** A namespace's UNIX, raw and packet sockets from /proc/…/net (for namespaces/read.ts). */
export function otherSocketsIn(
  dir: string,
  source: string,
  allUnix: boolean,
  names?: ReadonlyMap<number, string>,
): Section<OtherSockets> {
  return section(
    source,
    { unix: [], raw: [], packet: [] },
    (warnings) => otherSocketsFromProc(dir, names ?? procNetNames(dir), allUnix, warnings),
  );
}

/**
 * The Linux collector: reads /proc/net, /proc/[pid]/fd and /sys/class/net directly, and asks
 * `ip -j` for what /proc cannot show (policy routing tables, every address). Each section is
 * gathered on its own; a section that fails is marked `error` and never sinks the others.
 */
import { readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import os from "node:os";
import type {
  Connection,
  Counters,
  Family,
  NetInterface,
  ProcessInfo,
  Protocol,
  Route,
  SectionStatus,
} from "../model.ts";
import { sectionStatus } from "../model.ts";
import { errnoText } from "../errors.ts";
import type { CommandResult, CommandRunner } from "../runtime/command.ts";
import { parseProcNetSockets } from "../parse/linux/proc_net_tcp.ts";
import { parseProcNetDev } from "../parse/linux/proc_net_dev.ts";
import { parseProcNetSnmp } from "../parse/linux/proc_net_snmp.ts";
import { parseProcNetSnmp6 } from "../parse/linux/proc_net_snmp6.ts";
import { parseProcNetSockstat } from "../parse/linux/proc_net_sockstat.ts";
import { parseProcNetRoute } from "../parse/linux/proc_net_route.ts";
import { parseProcNetIpv6Route } from "../parse/linux/proc_net_ipv6_route.ts";
import { parseIpJsonAddr, parseIpJsonRoutes } from "../parse/linux/ip_json.ts";
import { parseBootTime, parseProcPidStat } from "../parse/linux/proc_pid_stat.ts";
import { listSocketInodes } from "../runtime/proc_fd.ts";
import { maskCmdline } from "./mask.ts";
import { masterPid } from "../net/sockets.ts";

/** Options of a Linux capture. */
export interface LinuxCaptureOptions {
  /** Root of the /proc and /sys trees ("/" on a real host). */
  root: string;
  runner: CommandRunner;
  cmdline: boolean;
  /** The uid the capture runs as (decides whether unreadable /proc entries mean "not root"). */
  uid: number | undefined;
}

/** The sections a Linux capture produces, each with its status. */
export interface LinuxSections {
  connections: Connection[];
  processes: Record<string, ProcessInfo>;
  routes: Route[];
  interfaces: NetInterface[];
  counters: Counters;
  status: {
    connections: SectionStatus;
    processes: SectionStatus;
    routes: SectionStatus;
    interfaces: SectionStatus;
    counters: SectionStatus;
  };
  bootTime?: string;
  netnsInode?: number;
}

/** USER_HZ: /proc reports process start times in these ticks on every Linux architecture. */
const CLOCK_TICKS = 100;

/** Reads a text file; undefined (with a warning) when it cannot be read. */
function readText(path: string, warnings: string[] | undefined): string | undefined {
  try {
    return readFileSync(path, "latin1");
  } catch (err) {
    warnings?.push(`cannot read ${path}: ${errnoText(err)}`);
    return undefined;
  }
}

const SOCKET_FILES: readonly [string, Protocol, Family][] = [
  ["tcp", "tcp", "inet"],
  ["tcp6", "tcp", "inet6"],
  ["udp", "udp", "inet"],
  ["udp6", "udp", "inet6"],
];

/** Socket inode → pids holding it, from every /proc/[pid]/fd; counts what could not be read. */
interface OwnerScan {
  owners: Map<number, number[]>;
  /** Processes whose fd folder we may not read (another user's, without root). */
  denied: number;
  /** Processes that exited while we looked at them. */
  vanished: number;
}

function scanSocketOwners(proc: string, wanted: Set<number>): OwnerScan {
  const owners = new Map<number, number[]>();
  let denied = 0, vanished = 0;
  let pids: string[];
  try {
    pids = readdirSync(proc);
  } catch {
    return { owners, denied: 0, vanished: 0 };
  }
  for (const name of pids) {
    const c0 = name.charCodeAt(0);
    if (c0 < 48 || c0 > 57) continue;
    let inodes: number[];
    try {
      inodes = listSocketInodes(`${proc}/${name}/fd`);
    } catch (err) {
      if ((err as { code?: string }).code === "ENOENT") vanished++;
      else denied++;
      continue;
    }
    const pid = Number(name);
    for (const inode of inodes) {
      if (!wanted.has(inode)) continue;
      const list = owners.get(inode);
      if (list === undefined) owners.set(inode, [pid]);
      else if (list[list.length - 1] !== pid) list.push(pid);
    }
  }
  return { owners, denied, vanished };
}

/** Maps uids to user names from /etc/passwd, read once per capture. */
function userNames(root: string): Map<number, string> {
  const map = new Map<number, string>();
  const text = readText(`${root}/etc/passwd`, undefined) ?? "";
  for (const line of text.split("\n")) {
    const f = line.split(":");
    if (f.length >= 3 && /^[0-9]+$/.test(f[2]!)) map.set(Number(f[2]), f[0]!);
  }
  return map;
}

function collectConnections(proc: string, warnings: string[]): Connection[] {
  const all: Connection[] = [];
  for (const [file, protocol, family] of SOCKET_FILES) {
    const path = `${proc}/net/${file}`;
    const text = readText(path, warnings);
    if (text === undefined) continue;
    const r = parseProcNetSockets(text, protocol, family, path);
    for (const c of r.connections) all.push(c);
    for (const w of r.warnings) warnings.push(w);
  }
  return all;
}

function collectProcesses(
  proc: string,
  root: string,
  pids: Iterable<number>,
  bootMs: number | undefined,
  cmdline: boolean,
  warnings: string[],
): Map<number, ProcessInfo> {
  const users = userNames(root);
  const out = new Map<number, ProcessInfo>();
  let vanished = 0, exeDenied = 0;
  for (const pid of pids) {
    const base = `${proc}/${pid}`;
    const statText = readText(`${base}/stat`, undefined);
    const st = statText === undefined ? undefined : parseProcPidStat(statText);
    if (st === undefined) {
      vanished++;
      continue;
    }
    const info: ProcessInfo = { pid, ppid: st.ppid, name: st.comm };
    try {
      info.exe = readlinkSync(`${base}/exe`);
    } catch (err) {
      if ((err as { code?: string }).code !== "ENOENT") exeDenied++;
    }
    try {
      const uid = statSync(base).uid;
      info.uid = uid;
      const user = users.get(uid);
      if (user !== undefined) info.user = user;
    } catch { /* exited: keep what we have */ }
    if (bootMs !== undefined) {
      info.startTime = new Date(bootMs + st.startTicks * (1000 / CLOCK_TICKS)).toISOString();
    }
    if (cmdline) {
      const raw = readText(`${base}/cmdline`, undefined);
      if (raw !== undefined && raw !== "") {
        info.cmdline = maskCmdline(raw.replace(/\0$/, "").split("\0"));
      }
    }
    out.set(pid, info);
  }
  if (vanished) warnings.push(`${vanished} processes exited during the scan`);
  if (exeDenied) {
    warnings.push(`executable path of ${exeDenied} processes unknown: permission denied`);
  }
  return out;
}

/**
 * Where iproute2's `ip` may be: on PATH, else the usual sbin folders, which a cron job's or an
 * `env -i` PATH leaves out although the tool is installed.
 */
const IP_PLACES = ["ip", "/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"];

/** Runs `ip ARGS`, trying each place until one exists; the result of the last try otherwise. */
function runIp(runner: CommandRunner, args: string[]): CommandResult {
  let last: CommandResult | undefined;
  for (const ip of IP_PLACES) {
    last = runner([ip, ...args]);
    if (last.ok || !last.reason?.endsWith(": not found")) return last;
  }
  return { ...last!, reason: "ip: not found (iproute2 is not installed)" };
}

function collectRoutes(proc: string, runner: CommandRunner, warnings: string[]): Route[] {
  const routes: Route[] = [];
  let viaIp = true;
  for (const [flag, family] of [["-4", "inet"], ["-6", "inet6"]] as const) {
    const r = runIp(runner, ["-j", flag, "route", "show", "table", "all"]);
    if (!r.ok) {
      viaIp = false;
      warnings.push(`${r.reason ?? "ip failed"}`);
      break;
    }
    const parsed = parseIpJsonRoutes(r.stdout, family, `ip -j ${flag} route show table all`);
    routes.push(...parsed.routes);
    warnings.push(...parsed.warnings);
  }
  if (viaIp) return routes;
  routes.length = 0;
  warnings.push(
    "read /proc/net/route and /proc/net/ipv6_route instead: main table only, no policy tables",
  );
  const v4 = readText(`${proc}/net/route`, warnings);
  if (v4 !== undefined) {
    const r = parseProcNetRoute(v4, `${proc}/net/route`);
    routes.push(...r.routes);
    warnings.push(...r.warnings);
  }
  const v6 = readText(`${proc}/net/ipv6_route`, warnings);
  if (v6 !== undefined) {
    const r = parseProcNetIpv6Route(v6, `${proc}/net/ipv6_route`);
    routes.push(...r.routes);
    warnings.push(...r.warnings);
  }
  return routes;
}

/** Interface flags by bit, as in include/uapi/linux/if.h. */
const IFF_NAMES: readonly [number, string][] = [
  [0x1, "UP"],
  [0x2, "BROADCAST"],
  [0x4, "DEBUG"],
  [0x8, "LOOPBACK"],
  [0x10, "POINTOPOINT"],
  [0x20, "NOTRAILERS"],
  [0x40, "RUNNING"],
  [0x80, "NOARP"],
  [0x100, "PROMISC"],
  [0x200, "ALLMULTI"],
  [0x400, "MASTER"],
  [0x800, "SLAVE"],
  [0x1000, "MULTICAST"],
  [0x2000, "PORTSEL"],
  [0x4000, "AUTOMEDIA"],
  [0x8000, "DYNAMIC"],
  [0x10000, "LOWER_UP"],
  [0x20000, "DORMANT"],
  [0x40000, "ECHO"],
];

function sysValue(dir: string, name: string): string | undefined {
  try {
    return readFileSync(`${dir}/${name}`, "latin1").trim();
  } catch {
    return undefined; // Absent or not applicable (speed of a virtual link): left out, not zero.
  }
}

function collectInterfaces(
  root: string,
  proc: string,
  runner: CommandRunner,
  warnings: string[],
): NetInterface[] {
  const sysNet = `${root}/sys/class/net`;
  const byName = new Map<string, NetInterface>();
  let names: string[] = [];
  try {
    names = readdirSync(sysNet);
  } catch (err) {
    warnings.push(`cannot read ${sysNet}: ${errnoText(err)}`);
  }
  for (const name of names) {
    const dir = `${sysNet}/${name}`;
    const itf: NetInterface = { name, flags: [], addresses: [] };
    const index = Number(sysValue(dir, "ifindex"));
    if (Number.isInteger(index) && index > 0) itf.index = index;
    const mac = sysValue(dir, "address");
    if (mac) itf.mac = mac;
    const mtu = Number(sysValue(dir, "mtu"));
    if (Number.isInteger(mtu)) itf.mtu = mtu;
    const flags = parseInt(sysValue(dir, "flags") ?? "", 16);
    if (!Number.isNaN(flags)) {
      itf.flags = IFF_NAMES.filter(([bit]) => flags & bit).map(([, n]) => n);
    }
    if (sysValue(dir, "carrier") === "1" && !itf.flags.includes("LOWER_UP")) {
      itf.flags.push("LOWER_UP");
    }
    const op = sysValue(dir, "operstate");
    if (op) itf.operState = op;
    const speed = Number(sysValue(dir, "speed"));
    if (Number.isInteger(speed) && speed > 0) itf.speedMbps = speed;
    byName.set(name, itf);
  }
  const devPath = `${proc}/net/dev`;
  const devText = readText(devPath, warnings);
  if (devText !== undefined) {
    const dev = parseProcNetDev(devText, devPath);
    warnings.push(...dev.warnings);
    for (const { name, stats } of dev.interfaces) {
      const itf = byName.get(name) ?? { name, flags: [], addresses: [] };
      itf.stats = stats;
      byName.set(name, itf);
    }
  }
  const r = runIp(runner, ["-j", "addr", "show"]);
  if (r.ok) {
    const parsed = parseIpJsonAddr(r.stdout, "ip -j addr show");
    warnings.push(...parsed.warnings);
    for (const a of parsed.interfaces) {
      const itf = byName.get(a.name);
      if (itf) itf.addresses = a.addresses;
    }
  } else {
    warnings.push(`interface addresses unknown: ${r.reason ?? "ip failed"}`);
  }
  return [...byName.values()];
}

function mergeCounters(into: Counters, from: Counters): void {
  for (const [group, values] of Object.entries(from)) {
    Object.assign(into[group] ??= {}, values);
  }
}

function collectCounters(proc: string, warnings: string[]): Counters {
  const counters: Counters = {};
  const files: [
    string,
    (text: string, source: string) => { counters: Counters; warnings: string[] },
  ][] = [
    ["snmp", parseProcNetSnmp],
    ["netstat", parseProcNetSnmp],
    ["snmp6", parseProcNetSnmp6],
    ["sockstat", (t, s) => parseProcNetSockstat(t, s, "Sockstat")],
    ["sockstat6", (t, s) => parseProcNetSockstat(t, s, "Sockstat6")],
  ];
  for (const [file, parse] of files) {
    const path = `${proc}/net/${file}`;
    const text = readText(path, warnings);
    if (text === undefined) continue;
    const r = parse(text, path);
    mergeCounters(counters, r.counters);
    warnings.push(...r.warnings);
  }
  return counters;
}

/** Runs one section, turning an unexpected failure into an `error` status instead of a crash. */
function section<T>(
  empty: T,
  fn: (warnings: string[]) => T,
): { value: T; status: SectionStatus } {
  const warnings: string[] = [];
  try {
    const value = fn(warnings);
    return { value, status: sectionStatus(warnings) };
  } catch (err) {
    return {
      value: empty,
      status: { status: "error", error: errnoText(err), ...(warnings.length ? { warnings } : {}) },
    };
  }
}

/** Gathers every section of a Linux snapshot. */
export function collectLinux(opts: LinuxCaptureOptions): LinuxSections {
  const root = opts.root === "/" ? "" : opts.root.replace(/\/$/, "");
  const proc = `${root}/proc`;
  const bootSec = parseBootTime(readText(`${proc}/stat`, undefined) ?? "");
  const bootMs = bootSec === undefined ? undefined : bootSec * 1000;

  const conns = section<Connection[]>([], (w) => collectConnections(proc, w));
  const procWarnings: string[] = [];
  let exitedDuringScan = 0;
  let processes: Record<string, ProcessInfo> = {};
  const procStatus = section<null>(null, (w) => {
    const wanted = new Set<number>();
    for (const c of conns.value) if (c.inode) wanted.add(c.inode);
    const scan = scanSocketOwners(proc, wanted);
    const pidSet = new Set<number>();
    for (const pids of scan.owners.values()) for (const p of pids) pidSet.add(p);
    const infos = collectProcesses(
      proc,
      root,
      [...pidSet].sort((a, b) => a - b),
      bootMs,
      opts.cmdline,
      w,
    );
    const ppidOf = (p: number) => infos.get(p)?.ppid;
    let unknown = 0;
    for (const c of conns.value) {
      const pids = c.inode ? scan.owners.get(c.inode) : undefined;
      if (pids === undefined) {
        if (c.inode) unknown++;
        continue;
      }
      pids.sort((a, b) => a - b);
      c.pid = masterPid(pids, ppidOf);
      c.pids = pids;
    }
    if (scan.denied > 0) {
      const why = opts.uid === 0 ? "permission denied" : "not root";
      procWarnings.push(
        `owner of ${unknown} sockets unknown: ${why} (${scan.denied} processes' descriptors unreadable)`,
      );
    } else if (unknown > 0) {
      // Listed in /proc/net but in no visible descriptor table: closed (or its owner exited)
      // before the descriptor scan, or held by a process this PID namespace does not show.
      procWarnings.push(
        `owner of ${unknown} sockets unknown: no visible process holds them (closed during the scan, or owned outside this PID namespace)`,
      );
    }
    exitedDuringScan = scan.vanished;
    processes = Object.fromEntries([...infos].map(([pid, info]) => [String(pid), info]));
    return null;
  });
  // The owner gap is a fault of the connections section (pids missing) and of processes.
  if (procWarnings.length) {
    conns.status = mergeStatus(conns.status, procWarnings);
    procStatus.status = mergeStatus(procStatus.status, procWarnings);
  }
  if (exitedDuringScan > 0) {
    // Noted, but no gap: a process gone before its descriptors were read took its sockets
    // along, and any socket left ownerless is counted above. A busy host has such exits on
    // every capture; they must not make every snapshot "partial".
    const note = `${exitedDuringScan} processes exited during the scan`;
    procStatus.status = {
      ...procStatus.status,
      warnings: [...(procStatus.status.warnings ?? []), note],
    };
  }
  const routes = section<Route[]>([], (w) => collectRoutes(proc, opts.runner, w));
  const interfaces = section<NetInterface[]>(
    [],
    (w) => collectInterfaces(root, proc, opts.runner, w),
  );
  const counters = section<Counters>({}, (w) => collectCounters(proc, w));

  const out: LinuxSections = {
    connections: conns.value,
    processes,
    routes: routes.value,
    interfaces: interfaces.value,
    counters: counters.value,
    status: {
      connections: conns.status,
      processes: procStatus.status,
      routes: routes.status,
      interfaces: interfaces.status,
      counters: counters.status,
    },
  };
  if (bootMs !== undefined) out.bootTime = new Date(bootMs).toISOString();
  try {
    out.netnsInode = statSync(`${proc}/self/ns/net`).ino;
  } catch { /* no namespace identity on this kernel */ }
  return out;
}

function mergeStatus(s: SectionStatus, warnings: string[]): SectionStatus {
  if (s.status === "error") return { ...s, warnings: [...(s.warnings ?? []), ...warnings] };
  return { status: "partial", warnings: [...(s.warnings ?? []), ...warnings] };
}

/** The host facts for `meta.host`. */
export function linuxHost(): { hostname: string; os: string; kernel: string; arch: string } {
  return { hostname: os.hostname(), os: "linux", kernel: os.release(), arch: os.arch() };
}

/**
 * The macOS collector: runs netstat, ifconfig and lsof through the command runner and parses
 * their output into the snapshot model. Tests drive it on any platform with recorded outputs.
 */
import type { Connection, NetInterface, ProcessInfo } from "../model.ts";
import type { CommandRunner } from "../runtime/command.ts";
import { errnoText } from "../errors.ts";
import { masterPid, socketTupleKey } from "../net/sockets.ts";
import type { Parsed, SocketTable } from "../parse/text.ts";
import { parseNetstatAn } from "../parse/bsd/netstat_an.ts";
import { parseNetstatRn } from "../parse/bsd/netstat_rn.ts";
import { parseNetstatI } from "../parse/bsd/netstat_i.ts";
import { parseNetstatS } from "../parse/bsd/netstat_s.ts";
import { parseIfconfig } from "../parse/bsd/ifconfig.ts";
import { lsofProcesses, type LsofSocket, parseLsof } from "../parse/bsd/lsof.ts";
import { parseSysctl } from "../parse/bsd/sysctl.ts";
import type { Collector } from "./contract.ts";
import { maskCmdline } from "./mask.ts";
import { darwinMachineId } from "./machine_id.ts";
import { commandSection, failed, mergeStatus, type Section } from "./section.ts";
import { sectionStatus } from "../model.ts";

/** The commands the collector runs, in one place so tests can serve recorded outputs. */
export const DARWIN_COMMANDS = {
  tcp: ["netstat", "-anvW", "-p", "tcp"],
  udp: ["netstat", "-anvW", "-p", "udp"],
  all: ["netstat", "-anvW"],
  routes: ["netstat", "-rn"],
  ifstats: ["netstat", "-ibn"],
  counters: ["netstat", "-s"],
  ifconfig: ["ifconfig", "-a"],
  lsof: ["lsof", "-nP", "-i", "-F", "pcnPTtuLR"],
  ps: ["ps", "-axww", "-o", "pid=,args="],
  settings: ["sysctl", "net.inet.ip.portrange.first", "net.inet.ip.portrange.last"],
} as const;

/** Gathers every section of a macOS snapshot from its tools' output. */
export const collectDarwin: Collector = (place, opts) => {
  const run = place.runner;
  const root = opts.uid === 0;
  const conns = readConnections(run);
  const lsof = sockets(run, root);
  const processes: Record<string, ProcessInfo> = {};
  let connections = conns.value.connections;
  if (lsof.value.length > 0) {
    connections = joinOwners(connections, lsof.value);
    for (const p of lsofProcesses(lsof.value)) processes[String(p.pid)] = p;
  }
  for (const p of conns.value.processes) processes[String(p.pid)] ??= p;
  if (opts.cmdline && Object.keys(processes).length > 0) addCmdlines(run, processes);
  let connStatus = conns.status;
  const unowned = connections.filter((c) => c.pid === undefined && c.state !== "TIME_WAIT").length;
  if (conns.status.status !== "error" && unowned > 0 && lsof.status.status !== "ok") {
    const why = lsof.reason ?? lsof.status.error ?? "lsof output incomplete";
    connStatus = mergeStatus(connStatus, [
      `process info for ${unowned} sockets unavailable: ${why}`,
    ]);
  }
  const lsofSeen = lsof.status.status !== "error" || Object.keys(processes).length > 0;
  const machineId = darwinMachineId(run);
  return {
    ...(machineId === undefined ? {} : { machineId }),
    sections: {
      connections: { value: connections, status: connStatus, source: conns.source },
      processes: {
        value: processes,
        status: lsofSeen
          ? lsof.status
          : failed(lsof.status.error ?? "lsof gave no output", lsof.status.warnings),
        source: "lsof",
      },
      routes: commandSection(
        run(DARWIN_COMMANDS.routes),
        "netstat -rn",
        [],
        (t) => parseNetstatRn(t, "netstat -rn"),
      ),
      interfaces: interfaces(run),
      counters: commandSection(
        run(DARWIN_COMMANDS.counters),
        "netstat -s",
        {},
        (t) => parseNetstatS(t, "netstat -s"),
      ),
      settings: commandSection(
        run(DARWIN_COMMANDS.settings),
        "sysctl",
        {},
        (t) => parseSysctl(t, "sysctl"),
      ),
    },
  };
};

/** TCP and UDP sockets from `netstat -anvW -p tcp|udp`, or one `netstat -anvW` when -p fails. */
function readConnections(run: CommandRunner): Section<SocketTable> {
  const parts = [run(DARWIN_COMMANDS.tcp), run(DARWIN_COMMANDS.udp)];
  const split = parts.every((r) => r.ok);
  const results = split ? parts : [run(DARWIN_COMMANDS.all)];
  const source = split ? "netstat -anvW -p tcp|udp" : "netstat -anvW";
  const empty: SocketTable = { connections: [], processes: [] };
  const failedRun = results.find((r) => !r.ok);
  if (failedRun) {
    return { value: empty, status: failed(failedRun.reason ?? "netstat -anv failed"), source };
  }
  const out: SocketTable = { connections: [], processes: [] };
  const warnings: string[] = [];
  try {
    for (const [i, r] of results.entries()) {
      const src = split ? `netstat -anvW -p ${i ? "udp" : "tcp"}` : "netstat -anvW";
      const p = parseNetstatAn(r.stdout, src);
      out.connections.push(...p.value.connections);
      out.processes.push(...p.value.processes);
      warnings.push(...p.warnings);
    }
  } catch (err) {
    return { value: empty, status: failed(errnoText(err), warnings), source };
  }
  return { value: out, status: sectionStatus(warnings), source };
}

/** lsof's sockets; non-root or a failing exit with output is partial, with the reason. */
function sockets(run: CommandRunner, root: boolean): Section<LsofSocket[]> & { reason?: string } {
  const r = run(DARWIN_COMMANDS.lsof);
  if (!r.ok && r.stdout.trim() === "") {
    return { value: [], status: failed(r.reason ?? "lsof failed"), source: "lsof" };
  }
  let p: Parsed<LsofSocket[]>;
  try {
    p = parseLsof(r.stdout, "lsof");
  } catch (err) {
    return { value: [], status: failed(errnoText(err)), source: "lsof" };
  }
  const incomplete = `lsof output incomplete: ${r.reason ?? "non-zero exit"}`;
  const warnings = [...p.warnings];
  if (!r.ok) warnings.push(incomplete);
  if (!root) warnings.push("lsof sees only this user's processes: not root");
  const status = sectionStatus(warnings);
  const out = { value: p.value, status, source: "lsof" };
  return status.status === "ok" ? out : { ...out, reason: !r.ok ? incomplete : "not root" };
}

/** Adds lsof's holders to each connection by protocol, family and both endpoints. */
function joinOwners(conns: Connection[], socks: readonly LsofSocket[]): Connection[] {
  const holders = new Map<string, LsofSocket[]>();
  for (const s of socks) {
    const k = socketTupleKey(s);
    const list = holders.get(k) ?? [];
    if (!list.some((x) => x.pid === s.pid)) list.push(s);
    holders.set(k, list);
  }
  return conns.map((c) => {
    const found = holders.get(socketTupleKey(c));
    if (!found) return c;
    const pids = [...new Set([...(c.pids ?? []), ...found.map((s) => s.pid)])].sort((a, b) =>
      a - b
    );
    // The owner is the holder whose parent does not also hold the socket (a pre-fork master).
    const ppid = new Map(found.map((s) => [s.pid, s.ppid]));
    return { ...c, pid: masterPid(pids, (p) => ppid.get(p)), pids };
  });
}

/** Command lines from `ps` (split on spaces: ps does not keep argument boundaries), masked. */
function addCmdlines(run: CommandRunner, procs: Record<string, ProcessInfo>): void {
  const r = run(DARWIN_COMMANDS.ps);
  if (!r.ok) return;
  for (const line of r.stdout.split("\n")) {
    const m = /^\s*([0-9]+)\s+(.*)$/.exec(line);
    const p = m ? procs[m[1]!] : undefined;
    if (p && m) p.cmdline = maskCmdline(m[2]!.trim().split(/\s+/));
  }
}

/** Interfaces from `ifconfig -a`, with counters and indexes from `netstat -ibn`. */
function interfaces(run: CommandRunner): Section<NetInterface[]> {
  const source = "ifconfig -a, netstat -ibn";
  const ic = commandSection(
    run(DARWIN_COMMANDS.ifconfig),
    "ifconfig -a",
    [],
    (t) => parseIfconfig(t, "ifconfig -a"),
  );
  const ns = commandSection(
    run(DARWIN_COMMANDS.ifstats),
    "netstat -ibn",
    [],
    (t) => parseNetstatI(t, "netstat -ibn"),
  );
  const icOk = ic.status.status !== "error", nsOk = ns.status.status !== "error";
  const warnings = [
    ...(ic.status.warnings ?? []),
    ...(icOk ? [] : [`ifconfig -a: ${ic.status.error}`]),
    ...(ns.status.warnings ?? []),
    ...(nsOk ? [] : [`netstat -ibn: ${ns.status.error}`]),
  ];
  if (!icOk && !nsOk) return { value: [], status: failed(warnings.join("; ")), source };
  if (!icOk) return { value: ns.value, status: sectionStatus(warnings), source };
  const used = new Set<NetInterface>();
  const merged = ic.value.map((i) => {
    const s = matchStats(i, ns.value, used);
    if (!s) return i;
    used.add(s);
    const out: NetInterface = { ...i };
    if (s.index !== undefined) out.index = s.index;
    if (out.mac === undefined && s.mac !== undefined) out.mac = s.mac;
    if (s.stats) out.stats = s.stats;
    return out;
  });
  return { value: merged, status: sectionStatus(warnings), source };
}

/** The netstat -i entry for an ifconfig interface: same name, else index, else MAC, else prefix. */
function matchStats(
  i: NetInterface,
  stats: readonly NetInterface[],
  used: ReadonlySet<NetInterface>,
): NetInterface | undefined {
  const free = stats.filter((s) => !used.has(s));
  const by = (f: (s: NetInterface) => boolean) => {
    const hits = free.filter(f);
    return hits.length === 1 ? hits[0] : undefined;
  };
  return by((s) => s.name === i.name) ??
    (i.index !== undefined ? by((s) => s.index === i.index) : undefined) ??
    (i.mac !== undefined ? by((s) => s.mac === i.mac && i.name.startsWith(s.name)) : undefined) ??
    // netstat -i cuts names to 5 characters ("bridg" for bridge0).
    by((s) => s.name.length === 5 && i.name.startsWith(s.name));
}

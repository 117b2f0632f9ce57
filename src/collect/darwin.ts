/**
 * macOS capture: runs netstat, ifconfig and lsof through a command runner and parses their output
 * into the snapshot model. Tests drive it on any platform with recorded outputs.
 */
import os from "node:os";
import type {
  Connection,
  Counters,
  Meta,
  NetInterface,
  ProcessInfo,
  Route,
  SectionName,
  SectionStatus,
  Snapshot,
} from "../model.ts";
import { SCHEMA_ID, sectionStatus } from "../model.ts";
import type { CommandResult, CommandRunner } from "../runtime/command.ts";
import { runtimeName, uid as processUid } from "../runtime/process.ts";
import { TOOL_NAME, VERSION } from "../version.ts";
import { normalizeSnapshot } from "../snapshot/normalize.ts";
import { maskCmdline } from "./mask.ts";
import { darwinMachineId } from "./machine_id.ts";
import { parseNetstatAn } from "../parse/darwin/netstat_an.ts";
import { parseNetstatRn } from "../parse/darwin/netstat_rn.ts";
import { parseNetstatI } from "../parse/darwin/netstat_i.ts";
import { parseNetstatS } from "../parse/darwin/netstat_s.ts";
import { parseIfconfig } from "../parse/darwin/ifconfig.ts";
import { type LsofSocket, parseLsof } from "../parse/darwin/lsof.ts";
import { masterPid, socketTupleKey } from "../diff/keys.ts";

/** What the darwin collector needs. */
export interface DarwinOptions {
  runner: CommandRunner;
  cmdline?: boolean;
  labels?: Record<string, string>;
  /** The effective uid (tests); defaults to this process's. */
  uid?: number;
}

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
} as const;

/** Captures a snapshot of a macOS host from its tools' output. */
export function collectDarwin(opts: DarwinOptions): Promise<Snapshot> {
  try {
    return Promise.resolve(capture(opts));
  } catch (err) {
    return Promise.reject(err);
  }
}

type Outcome<T> = { value: T; status: SectionStatus } | {
  value?: undefined;
  status: SectionStatus;
};

function capture(opts: DarwinOptions): Snapshot {
  const started = Date.now();
  const t0 = performance.now();
  const run = opts.runner;
  const uid = opts.uid ?? processUid();
  const root = uid === 0;

  const conns = readConnections(run);
  const lsof = sockets(run, root);
  const processes: Record<string, ProcessInfo> = {};
  let connStatus = conns.status;
  let connections: Connection[] = conns.value?.connections ?? [];
  if (lsof.value) {
    connections = joinOwners(connections, lsof.value);
    for (const s of lsof.value) addProcess(processes, s);
  }
  for (const [pid, name] of conns.value?.processNames ?? []) {
    processes[String(pid)] ??= { pid, name };
  }
  if (opts.cmdline && Object.keys(processes).length > 0) addCmdlines(run, processes);
  const unowned = connections.filter((c) => c.pid === undefined && c.state !== "TIME_WAIT").length;
  if (conns.value && unowned > 0 && lsof.status.status !== "ok") {
    const why = lsof.reason ?? lsof.status.error ?? "lsof output incomplete";
    connStatus = merge(connStatus, [`process info for ${unowned} sockets unavailable: ${why}`]);
  }

  const routes = section(
    run(DARWIN_COMMANDS.routes),
    "netstat -rn",
    (t) => parseNetstatRn(t).routes,
  );
  const ifaces = interfaces(run);
  const counters = section(
    run(DARWIN_COMMANDS.counters),
    "netstat -s",
    (t) => parseNetstatS(t).counters,
  );

  const sections: Record<SectionName, SectionStatus> = {
    connections: connStatus,
    processes: lsof.value || Object.keys(processes).length > 0
      ? lsof.status
      : { status: "error", error: lsof.status.error ?? "lsof gave no output" },
    routes: routes.status,
    interfaces: ifaces.status,
    counters: counters.status,
  };
  const machineId = darwinMachineId(run);
  const meta: Meta = {
    capturedAt: new Date(started).toISOString(),
    durationMs: Math.round((performance.now() - t0) * 10) / 10,
    host: {
      hostname: os.hostname(),
      ...(machineId === undefined ? {} : { machineId }),
      os: "darwin",
      kernel: os.release(),
      arch: os.arch(),
    },
    tool: { name: TOOL_NAME, version: VERSION, runtime: runtimeName() },
    privileges: { ...(uid === undefined ? {} : { uid }), root },
    labels: opts.labels ?? {},
    source: { kind: "capture" },
    sections,
  };
  return normalizeSnapshot({
    schema: SCHEMA_ID,
    meta,
    connections,
    processes,
    routes: routes.value ?? [] as Route[],
    interfaces: ifaces.value ?? [],
    counters: counters.value ?? {} as Counters,
  });
}

/** Runs a parser over a command's output; a failed command or a ParseError is the section's error. */
function section<T>(
  r: CommandResult,
  name: string,
  parse: (text: string) => T,
  warningsOf?: (text: string) => string[],
): Outcome<T> {
  if (!r.ok) return { status: { status: "error", error: r.reason ?? `${name} failed` } };
  try {
    const value = parse(r.stdout);
    return { value, status: sectionStatus(warningsOf ? warningsOf(r.stdout) : []) };
  } catch (err) {
    return { status: { status: "error", error: (err as Error).message } };
  }
}

function merge(s: SectionStatus, warnings: string[]): SectionStatus {
  if (s.status === "error") return s;
  return { status: "partial", warnings: [...(s.warnings ?? []), ...warnings] };
}

/** TCP and UDP sockets from `netstat -anvW -p tcp|udp`, or one `netstat -anvW` when -p fails. */
function readConnections(
  run: CommandRunner,
): Outcome<{ connections: Connection[]; processNames: Map<number, string> }> {
  const parts = [run(DARWIN_COMMANDS.tcp), run(DARWIN_COMMANDS.udp)];
  const results = parts.every((r) => r.ok) ? parts : [run(DARWIN_COMMANDS.all)];
  const failed = results.find((r) => !r.ok);
  if (failed) {
    return { status: { status: "error", error: failed.reason ?? "netstat -anv failed" } };
  }
  const out: Connection[] = [];
  const names = new Map<number, string>();
  const warnings: string[] = [];
  try {
    for (const [i, r] of results.entries()) {
      const src = results.length === 1 ? "netstat -anvW" : `netstat -anvW -p ${i ? "udp" : "tcp"}`;
      const p = parseNetstatAn(r.stdout, src);
      out.push(...p.connections);
      warnings.push(...p.warnings);
      for (const [k, v] of p.processNames) names.set(k, v);
    }
  } catch (err) {
    return { status: { status: "error", error: (err as Error).message } };
  }
  return { value: { connections: out, processNames: names }, status: sectionStatus(warnings) };
}

/** lsof's sockets; non-root or a failing exit with output is partial, with the reason. */
function sockets(run: CommandRunner, root: boolean): Outcome<LsofSocket[]> & { reason?: string } {
  const r = run(DARWIN_COMMANDS.lsof);
  if (!r.ok && r.stdout.trim() === "") {
    return { status: { status: "error", error: r.reason ?? "lsof failed" } };
  }
  try {
    const p = parseLsof(r.stdout, "lsof");
    const warnings = [...p.warnings];
    if (!r.ok) warnings.push(`lsof output incomplete: ${r.reason ?? "non-zero exit"}`);
    if (!root) warnings.push("lsof sees only this user's processes: not root");
    const reason = !r.ok ? `lsof output incomplete: ${r.reason ?? "non-zero exit"}` : "not root";
    const status = sectionStatus(warnings);
    return status.status === "ok"
      ? { value: p.sockets, status }
      : { value: p.sockets, status, reason };
  } catch (err) {
    return { status: { status: "error", error: (err as Error).message } };
  }
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
    const k = socketTupleKey(c);
    const found = holders.get(k);
    if (!found) return c;
    const pids = [...new Set([...(c.pids ?? []), ...found.map((s) => s.pid)])].sort((a, b) =>
      a - b
    );
    // The owner is the holder whose parent does not also hold the socket (a pre-fork master).
    const ppid = new Map(found.map((s) => [s.pid, s.ppid]));
    return { ...c, pid: masterPid(pids, (p) => ppid.get(p)), pids };
  });
}

function addProcess(out: Record<string, ProcessInfo>, s: LsofSocket): void {
  const key = String(s.pid);
  if (out[key]) return;
  const p: ProcessInfo = { pid: s.pid, name: s.command };
  if (s.ppid !== undefined) p.ppid = s.ppid;
  if (s.user !== undefined) p.user = s.user;
  if (s.uid !== undefined) p.uid = s.uid;
  out[key] = p;
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
function interfaces(run: CommandRunner): Outcome<NetInterface[]> {
  const ic = section(
    run(DARWIN_COMMANDS.ifconfig),
    "ifconfig -a",
    (t) => parseIfconfig(t, "ifconfig -a"),
  );
  const ns = section(
    run(DARWIN_COMMANDS.ifstats),
    "netstat -ibn",
    (t) => parseNetstatI(t, "netstat -ibn"),
  );
  const warnings = [
    ...(ic.value?.warnings ?? []),
    ...(ic.value ? [] : [`ifconfig -a: ${ic.status.error}`]),
    ...(ns.value ? [] : [`netstat -ibn: ${ns.status.error}`]),
  ];
  if (!ic.value && !ns.value) {
    return { status: { status: "error", error: warnings.join("; ") } };
  }
  if (!ic.value) return { value: ns.value!.interfaces, status: sectionStatus(warnings) };
  const stats = ns.value?.interfaces ?? [];
  const used = new Set<NetInterface>();
  const merged = ic.value.interfaces.map((i) => {
    const s = matchStats(i, stats, used);
    if (!s) return i;
    used.add(s);
    const out: NetInterface = { ...i };
    if (s.index !== undefined) out.index = s.index;
    if (out.mac === undefined && s.mac !== undefined) out.mac = s.mac;
    if (s.stats) out.stats = s.stats;
    return out;
  });
  return { value: merged, status: sectionStatus(warnings) };
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

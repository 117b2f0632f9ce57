/**
 * Capture: chooses the platform's collector once, runs it, and alone turns what it gathered into
 * a snapshot (meta, then normalisation). Everything after this point speaks the one model.
 */
import os from "node:os";
import type { Meta, Snapshot } from "../model.ts";
import { OPTIONAL_SECTION_NAMES, SCHEMA_ID, SECTION_NAMES } from "../model.ts";
import { type CommandRunner, runCommand } from "../runtime/command.ts";
import {
  env,
  pid as processPid,
  platform,
  runtimeName,
  uid as processUid,
} from "../runtime/process.ts";
import { TOOL_NAME, VERSION } from "../version.ts";
import { InputError } from "../errors.ts";
import { normalizeSnapshot } from "../snapshot/normalize.ts";
import type { Collector, SkippedPart, TcpInfoDetail } from "./contract.ts";

/** What a capture should gather and how. */
export interface CaptureOptions {
  /** Record command lines (secrets masked). Off by default. */
  cmdline?: boolean;
  /** User labels (`--label key=value`). */
  labels?: Record<string, string>;
  /** Root of the /proc, /sys and /etc trees to read (tests point this at a fixture tree). Default "/". */
  root?: string;
  /** Runs external commands (`ip -j`, macOS tools); tests pass recorded outputs. */
  runner?: CommandRunner;
  /** Platform override (tests): "linux" or "darwin". */
  platform?: string;
  /** The uid the capture counts as running under (tests); default this process's. */
  uid?: number;
  /** Parts to leave out to make the capture cheaper (`nsnap watch`); see `SkippedPart`. */
  skip?: readonly SkippedPart[];
  /**
   * Read over netlink where it can be used (Linux). Default: yes, unless the environment sets
   * `NSNAP_NETLINK=0`; `capture --no-netlink` turns it off.
   */
  netlink?: boolean;
  /** tcp_info per TCP session: "summary" (default), "full" (`--tcp-info`) or "off". */
  tcpInfo?: TcpInfoDetail;
  /** Every UNIX socket, connected ones too (`--all-unix`); default: listeners only. */
  allUnix?: boolean;
  /**
   * Which network namespaces (Linux): `auto` (default: every one when run in the host's, else
   * the own only), `all`, `current`, or names, pids, namespace files and id globs.
   */
  netns?: "auto" | "all" | "current" | readonly string[];
}

/** Whether the environment turns netlink off (`NSNAP_NETLINK=0`, `no`, `off`, `false`). */
export function netlinkDisabledByEnv(): boolean {
  return /^(0|no|off|false)$/i.test(env("NSNAP_NETLINK") ?? "");
}

/** The collector of each platform nsnap captures on, loaded when it is the one needed. */
const COLLECTORS: Readonly<Record<string, () => Promise<Collector>>> = {
  linux: async () => (await import("./linux/mod.ts")).collectLinux,
  darwin: async () => (await import("./darwin.ts")).collectDarwin,
};

/** Captures a snapshot of this host (Linux reads the kernel; macOS parses its tools' output). */
export async function captureSnapshot(opts: CaptureOptions = {}): Promise<Snapshot> {
  const name = opts.platform ?? platform();
  if (!Object.hasOwn(COLLECTORS, name)) {
    throw new InputError(
      `Cannot capture on ${name}: nsnap captures on Linux and macOS only (use 'nsnap import' for saved outputs)`,
    );
  }
  const collect = await COLLECTORS[name]!();
  const uid = opts.uid ?? processUid();
  const started = Date.now();
  const t0 = performance.now();
  const c = await collect(
    { root: opts.root ?? "/", runner: opts.runner ?? runCommand, uid },
    {
      cmdline: opts.cmdline ?? false,
      uid,
      netlink: opts.netlink ?? !netlinkDisabledByEnv(),
      tcpInfo: opts.tcpInfo ?? "summary",
      allUnix: opts.allUnix ?? false,
      netns: opts.netns ?? "auto",
      ...(opts.root === undefined || opts.root === "/" ? { selfPid: processPid() } : {}),
      ...(opts.skip ? { skip: new Set(opts.skip) } : {}),
    },
  );
  const s = c.sections;
  const meta: Meta = {
    capturedAt: new Date(started).toISOString(),
    durationMs: Math.round((performance.now() - t0) * 10) / 10,
    host: {
      hostname: os.hostname(),
      ...(c.machineId === undefined ? {} : { machineId: c.machineId }),
      os: name,
      kernel: os.release(),
      arch: os.arch(),
      ...(c.bootTime ? { bootTime: c.bootTime } : {}),
    },
    tool: { name: TOOL_NAME, version: VERSION, runtime: runtimeName() },
    privileges: { ...(uid === undefined ? {} : { uid }), root: uid === 0 },
    labels: opts.labels ?? {},
    source: { kind: "capture" },
    ...(c.capture ? { capture: c.capture } : {}),
    sections: {
      ...Object.fromEntries(
        SECTION_NAMES.map((n) => [n, { ...s[n].status, source: s[n].source }]),
      ) as Meta["sections"],
      settings: { ...s.settings.status, source: s.settings.source },
    },
  };
  for (const n of OPTIONAL_SECTION_NAMES) {
    const sec = s[n];
    if (sec) meta.sections[n] = { ...sec.status, source: sec.source };
  }
  if (c.netnsInode !== undefined) meta.netns = { inode: c.netnsInode };
  const snap: Snapshot = {
    schema: SCHEMA_ID,
    meta,
    connections: s.connections.value,
    ...(c.unixSockets ? { unixSockets: c.unixSockets } : {}),
    ...(c.rawSockets ? { rawSockets: c.rawSockets } : {}),
    ...(c.packetSockets ? { packetSockets: c.packetSockets } : {}),
    processes: s.processes.value,
    routes: s.routes.value,
    interfaces: s.interfaces.value,
    counters: s.counters.value,
  };
  if (s.rules) snap.rules = s.rules.value;
  if (s.neighbours) snap.neighbours = s.neighbours.value;
  snap.settings = s.settings.value;
  if (s.qdiscs) snap.qdiscs = s.qdiscs.value;
  if (s.firewall) snap.firewall = s.firewall.value;
  if (c.namespaces) {
    meta.netns = { ...meta.netns, id: c.namespaces.ownId };
    meta.namespaces = c.namespaces.status;
    snap.namespaces = c.namespaces.list;
    snap.forwards = c.namespaces.forwards;
  }
  // Timed again: the namespaces are part of the capture.
  meta.durationMs = Math.round((performance.now() - t0) * 10) / 10;
  return normalizeSnapshot(snap);
}

/**
 * Capture: chooses the platform's collector once, runs it, and alone turns what it gathered into
 * a snapshot (meta, then normalisation). Everything after this point speaks the one model.
 */
import os from "node:os";
import type { Meta, Snapshot } from "../model.ts";
import { OPTIONAL_SECTION_NAMES, SCHEMA_ID, SECTION_NAMES } from "../model.ts";
import { type CommandRunner, runCommand } from "../runtime/command.ts";
import { pid as processPid, platform, runtimeName, uid as processUid } from "../runtime/process.ts";
import { TOOL_NAME, VERSION } from "../version.ts";
import { InputError } from "../errors.ts";
import { normalizeSnapshot } from "../snapshot/normalize.ts";
import type { Collector } from "./contract.ts";

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
  /**
   * Which network namespaces (Linux): `auto` (default: every one when run in the host's, else
   * the own only), `all`, `current`, or names, pids, namespace files and id globs.
   */
  netns?: "auto" | "all" | "current" | readonly string[];
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
  const c = collect(
    { root: opts.root ?? "/", runner: opts.runner ?? runCommand, uid },
    {
      cmdline: opts.cmdline ?? false,
      uid,
      netns: opts.netns ?? "auto",
      ...(opts.root === undefined || opts.root === "/" ? { selfPid: processPid() } : {}),
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
    // Each section's `source` is known here too; the schema has no place for it yet.
    sections: {
      ...Object.fromEntries(SECTION_NAMES.map((n) => [n, s[n].status])) as Meta["sections"],
      settings: s.settings.status,
    },
  };
  for (const n of OPTIONAL_SECTION_NAMES) {
    const st = s[n]?.status;
    if (st) meta.sections[n] = st;
  }
  if (c.netnsInode !== undefined) meta.netns = { inode: c.netnsInode };
  const snap: Snapshot = {
    schema: SCHEMA_ID,
    meta,
    connections: s.connections.value,
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

/**
 * Capture: chooses the platform once and gathers a snapshot of the host's network state.
 * Everything after this point speaks the one snapshot model.
 */
import type { Meta, Snapshot } from "../model.ts";
import { SCHEMA_ID } from "../model.ts";
import { type CommandRunner, runCommand } from "../runtime/command.ts";
import { platform, runtimeName, uid as processUid } from "../runtime/process.ts";
import { TOOL_NAME, VERSION } from "../version.ts";
import { InputError } from "../errors.ts";
import { normalizeSnapshot } from "../snapshot/normalize.ts";
import { collectLinux, linuxHost } from "./linux.ts";
import { linuxMachineId } from "./machine_id.ts";

/** What a capture should gather and how. */
export interface CaptureOptions {
  /** Record command lines (secrets masked). Off by default. */
  cmdline?: boolean;
  /** User labels (`--label key=value`). */
  labels?: Record<string, string>;
  /** Root of the /proc and /sys trees to read (tests point this at a fixture tree). Default "/". */
  root?: string;
  /** Runs external commands (`ip -j`, macOS tools); tests pass recorded outputs. */
  runner?: CommandRunner;
  /** Platform override (tests): "linux" or "darwin". */
  platform?: string;
}

/** Captures a snapshot of this host (Linux reads the kernel; macOS parses its tools' output). */
export async function captureSnapshot(opts: CaptureOptions = {}): Promise<Snapshot> {
  const os = opts.platform ?? platform();
  const runner = opts.runner ?? runCommand;
  const started = Date.now();
  const t0 = performance.now();
  if (os === "darwin") {
    const { collectDarwin } = await import("./darwin.ts");
    return collectDarwin({ runner, cmdline: opts.cmdline ?? false, labels: opts.labels ?? {} });
  }
  if (os !== "linux") {
    throw new InputError(
      `Cannot capture on ${os}: nsnap captures on Linux and macOS only (use 'nsnap import' for saved outputs)`,
    );
  }
  const uid = processUid();
  const s = collectLinux({ root: opts.root ?? "/", runner, cmdline: opts.cmdline ?? false, uid });
  const meta: Meta = {
    capturedAt: new Date(started).toISOString(),
    durationMs: Math.round((performance.now() - t0) * 10) / 10,
    host: { ...linuxHost(), ...(s.bootTime ? { bootTime: s.bootTime } : {}) },
    tool: { name: TOOL_NAME, version: VERSION, runtime: runtimeName() },
    privileges: { ...(uid === undefined ? {} : { uid }), root: uid === 0 },
    labels: opts.labels ?? {},
    source: { kind: "capture" },
    sections: s.status,
  };
  if (s.netnsInode !== undefined) meta.netns = { inode: s.netnsInode };
  const machineId = linuxMachineId(opts.root ?? "/");
  if (machineId !== undefined) meta.host.machineId = machineId;
  return normalizeSnapshot({
    schema: SCHEMA_ID,
    meta,
    connections: s.connections,
    processes: s.processes,
    routes: s.routes,
    interfaces: s.interfaces,
    counters: s.counters,
  });
}

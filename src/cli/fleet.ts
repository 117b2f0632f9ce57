/**
 * Folders of snapshots as operands: `nsnap diff BEFORE_DIR AFTER_DIR` (a fleet diff), and
 * `nsnap show DIR`, `nsnap port N DIR` (one answer per host). The commands hand folders here;
 * everything else about them stays as it is for files.
 */
import { InputError, UsageError } from "../errors.ts";
import type { DiffOptions } from "../diff/mod.ts";
import {
  diffFleet,
  FLEET_KINDS,
  type FleetKind,
  type FleetReport,
  type HostEntry,
  type Member,
  type PairBy,
  pairMembers,
} from "../fleet/mod.ts";
import { FleetBuilder, renderReport, type ReportInput } from "../render/html/mod.ts";
import { loadMember, readFleetFolder } from "../fleet/folder.ts";
import { naturalCompare, uniqueNames } from "../fleet/names.ts";
import { Spool } from "../fleet/spool.ts";
import type { Snapshot } from "../model.ts";
import {
  fleetJsonHost,
  fleetJsonPieces,
  fleetYamlHost,
  fleetYamlPieces,
  indentLines,
} from "../render/fleet_json.ts";
import { renderFleetMarkdown } from "../render/fleet_markdown.ts";
import { renderFleetText } from "../render/fleet_text.ts";
import { escapeText } from "../render/fleet_escape.ts";
import { renderJson } from "../render/show_json.ts";
import { type ShowView, warnSections } from "./show.ts";
import { socketsOnPort } from "../view/port.ts";
import { fleetPortExposure, fleetPortRows, renderFleetPort } from "../render/fleet_port.ts";
import type { Paint } from "../render/table.ts";
import { writeStderr, writeStdout } from "../runtime/process.ts";
import { type CliContext, out } from "./context.ts";
import { isFolder } from "../fleet/scan.ts";

export { isFolder };

/**
 * True when the operands are two folders (a fleet diff), false for two non-folders.
 * @throws UsageError for a folder and a file.
 */
export function folderOperands(before: string, after: string): boolean {
  const a = isFolder(before), b = isFolder(after);
  if (a !== b) {
    const [dir, other] = a ? [before, after] : [after, before];
    throw new UsageError(
      `Cannot diff folder ${dir} with ${
        other === "live" || other === "-" ? other : `file ${other}`
      }: ` +
        "give two folders (a fleet) or two snapshots",
    );
  }
  return a;
}

/**
 * Splits `--fail-on` names into fleet kinds (host-vanished, host-appeared, outlier) and change
 * kinds.
 */
export function splitFleetKinds(names: readonly string[], fleet: boolean): {
  fleet: FleetKind[];
  kinds: string[];
} {
  const isFleet = (n: string) => (FLEET_KINDS as readonly string[]).includes(n);
  const f = names.filter(isFleet) as FleetKind[];
  if (f.length > 0 && !fleet) {
    throw new UsageError(
      `Cannot use --fail-on ${
        f[0]
      }: it is a kind of folder diffs (nsnap diff BEFORE_DIR AFTER_DIR)`,
    );
  }
  return { fleet: f, kinds: names.filter((n) => !isFleet(n)) };
}

/**
 * Reads an `--outlier-share` value: a share from 0 to 1, or a percentage (`10%`).
 * @example parseOutlierShare("10%") // 0.1
 */
export function parseOutlierShare(text: string): number {
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*(%?)\s*$/.exec(text);
  const v = m ? Number(m[1]) / (m[2] ? 100 : 1) : NaN;
  if (!(v >= 0 && v <= 1)) {
    throw new UsageError(
      `Cannot use --outlier-share ${
        JSON.stringify(text)
      }: expected a share from 0 to 1 or a percentage (0.1, 10%)`,
    );
  }
  return v;
}

/** What a fleet diff is asked for. */
export interface FleetDiffRun {
  format: "text" | "json" | "yaml" | "markdown" | "html";
  /** Kind entries (kinds, globs, `notable`) and fleet kinds. */
  failOn: readonly string[];
  diff: Omit<DiffOptions, "beforeFile" | "afterFile">;
  pairBy: PairBy;
  outlierShare?: number | undefined;
  maxBytes?: number | undefined;
  paint: Paint;
}

/** Runs `nsnap diff BEFORE_DIR AFTER_DIR`: output on stdout, exit 1 when the gate trips. */
export async function runFleetDiff(
  beforeDir: string,
  afterDir: string,
  run: FleetDiffRun,
  ctx: CliContext,
): Promise<void> {
  if (run.format === "html") {
    const input = await fleetDiffReportInput(beforeDir, afterDir, run);
    if (input.report.head.gate?.tripped) ctx.exitCode = 1;
    return await out(renderReport(input));
  }
  const structured = run.format === "json" || run.format === "yaml";
  const spool = structured ? new Spool() : undefined;
  try {
    let hosts = 0;
    // The document's head is known only at the end: hosts wait in the spool till then.
    const hostPiece = run.format === "json" ? fleetJsonHost : fleetYamlHost;
    const report = await compareFolders(
      beforeDir,
      afterDir,
      run,
      (entry) => spool?.write(hostPiece(entry, hosts++)),
    );
    if (report.head.gate?.tripped) ctx.exitCode = 1;
    if (!spool) {
      return await out(
        run.format === "markdown"
          ? renderFleetMarkdown(report)
          : renderFleetText(report, { paint: run.paint }),
      );
    }
    const final = (run.format === "json" ? fleetJsonPieces : fleetYamlPieces)(report.head);
    if (!spool.onDisk) {
      return await writeStdout(final.open + [...spool.chunks()].join("") + final.close(hosts));
    }
    await writeStdout(final.open);
    await flush(spool);
    await writeStdout(final.close(hosts));
  } finally {
    spool?.close();
  }
}

/** Pairs and compares two folders, host by host; warnings go to stderr. */
async function compareFolders(
  beforeDir: string,
  afterDir: string,
  run: Omit<FleetDiffRun, "format" | "paint">,
  onHost: (entry: HostEntry) => void,
): Promise<FleetReport> {
  const folderOpts = run.maxBytes === undefined ? {} : { maxBytes: run.maxBytes };
  const before = await readFleetFolder(beforeDir, folderOpts);
  const after = await readFleetFolder(afterDir, folderOpts);
  const pairing = pairMembers(before.members, after.members, run.pairBy);
  const report = await diffFleet(
    before,
    after,
    pairing,
    (m) => loadMember(m, folderOpts),
    {
      ...run.diff,
      pairBy: run.pairBy,
      failOn: run.failOn,
      ...(run.outlierShare === undefined ? {} : { outlierShare: run.outlierShare }),
    },
    onHost,
  );
  for (const w of report.head.warnings) writeStderr(`nsnap: warning: ${escapeText(w)}\n`);
  return report;
}

/**
 * The fleet diff as the input of an HTML page (`nsnap report BEFORE_DIR AFTER_DIR`, `nsnap diff
 * BEFORE_DIR AFTER_DIR --format html`): every host's full diff is kept for the page.
 */
export async function fleetDiffReportInput(
  beforeDir: string,
  afterDir: string,
  run: Omit<FleetDiffRun, "format" | "paint">,
): Promise<ReportInput & { kind: "fleet-diff" }> {
  const hosts: HostEntry[] = [];
  const report = await compareFolders(beforeDir, afterDir, run, (e) => void hosts.push(e));
  return { kind: "fleet-diff", report, hosts };
}

/**
 * `nsnap report DIR` of a folder that holds several hosts: a fleet overview when each host has
 * one snapshot (found at any depth, as for a fleet diff); undefined when the files directly in
 * the folder are one host's (a series, or a single snapshot) or all its snapshots are.
 * @throws InputError when some host has several snapshots, naming the hosts.
 */
export async function fleetOverviewInput(
  folder: string,
  maxBytes: number | undefined,
): Promise<ReportInput | undefined> {
  const opts = maxBytes === undefined ? {} : { maxBytes };
  const source = await readFleetFolder(folder, opts);
  const id = (m: Member) => m.machineId ?? m.hostname;
  // One host's files directly in the folder are a series (fleet/series.ts), whatever is below.
  const direct = source.members.filter((m) => !m.rel.includes("/"));
  if (direct.length > 0 && new Set(direct.map(id)).size === 1) return undefined;
  const byHost = new Map<string, number[]>();
  source.members.forEach((m, i) => byHost.set(id(m), [...(byHost.get(id(m)) ?? []), i]));
  if (byHost.size < 2) return undefined;
  const names = uniqueNames(source.members);
  const hostnames = [...byHost.values()].map((list) => source.members[list[0]!]!.hostname);
  const several = [...byHost.values()].filter((list) => list.length > 1);
  if (several.length) {
    const shown = (list: string[]) =>
      escapeText(list.slice(0, 5).join(", ") + (list.length > 5 ? ", …" : ""));
    throw new InputError(
      `Cannot report on folder ${escapeText(folder)}: it holds snapshots of ${byHost.size} hosts (${
        shown([...new Set(hostnames)].sort(naturalCompare))
      }) and several of ${
        shown(several.map((l) => source.members[l[0]!]!.hostname).sort(naturalCompare))
      }; give one snapshot per host (a fleet) or one host's snapshots (a series)`,
    );
  }
  for (const w of source.warnings ?? []) writeStderr(`nsnap: warning: ${escapeText(w)}\n`);
  const order = source.members.map((m, i) => ({ m, name: names[i]! }))
    .sort((a, b) => naturalCompare(a.name, b.name));
  const b = new FleetBuilder(folder);
  for (const { m, name } of order) b.add(await loadMember(m, opts), name, m.file);
  return { kind: "fleet", fleet: b.finish() };
}

/** One snapshot of a folder, named for a per-host answer. */
export interface NamedSnapshot {
  name: string;
  file: string;
}

/**
 * The snapshots of a folder in natural order of their hosts' names, for `show` and `port`.
 * Two snapshots of one host are both shown, told apart by their paths.
 */
export async function folderHosts(
  folder: string,
  maxBytes: number | undefined,
): Promise<{ hosts: NamedSnapshot[]; load: (h: NamedSnapshot) => Promise<Snapshot> }> {
  const opts = maxBytes === undefined ? {} : { maxBytes };
  const source = await readFleetFolder(folder, opts);
  for (const w of source.warnings ?? []) writeStderr(`nsnap: warning: ${escapeText(w)}\n`);
  const names = uniqueNames(source.members);
  const hosts = source.members.map((m, i) => ({ name: names[i]!, file: m.file }))
    .sort((a, b) => naturalCompare(a.name, b.name));
  const byFile = new Map(source.members.map((m) => [m.file, m]));
  return { hosts, load: (h) => loadMember(byFile.get(h.file)!, opts) };
}

/** Writes text into the spool, then everything at once: nothing half-way when a file is bad. */
async function flush(spool: Spool): Promise<void> {
  for (const chunk of spool.chunks()) await writeStdout(chunk);
}

/**
 * `nsnap show DIR`: the view of every snapshot in the folder, one block per host in natural
 * order of their names (JSON: `[{host, file, records}]`).
 */
export async function showFolder(
  folder: string,
  maxBytes: number | undefined,
  json: boolean,
  view: (snapshot: Snapshot, host: string) => ShowView,
): Promise<void> {
  const { hosts, load } = await folderHosts(folder, maxBytes);
  const spool = new Spool();
  try {
    spool.write(json ? "[" : "");
    for (const [i, h] of hosts.entries()) {
      const v = view(await load(h), h.name);
      if (json) {
        const entry = renderJson({ host: h.name, file: h.file, records: v.records() }).trimEnd();
        spool.write(`${i === 0 ? "\n" : ",\n"}${indentLines(entry, "  ")}`);
      } else {
        spool.write(`${i === 0 ? "" : "\n"}== ${escapeText(h.name)} (${escapeText(h.file)})\n`);
        const text = v.text();
        spool.write(text.endsWith("\n") || text === "" ? text : text + "\n");
      }
    }
    // The same text as renderJson() of the whole list would give.
    spool.write(json ? (hosts.length ? "\n]\n" : "]\n") : "");
    await flush(spool);
  } finally {
    spool.close();
  }
}

/**
 * `nsnap port N DIR`: every host's sockets on the port in one table (JSON:
 * `[{host, file, sockets}]`, hosts with nothing included with an empty list). Exits 1 when no
 * host has anything on the port.
 */
export async function portFolder(
  folder: string,
  port: number,
  opts: { tcp?: boolean | undefined; udp?: boolean | undefined; maxBytes?: number | undefined },
  format: "text" | "json",
  layout: { paint: Paint; width: number | undefined },
  ctx: CliContext,
): Promise<void> {
  const { hosts, load } = await folderHosts(folder, opts.maxBytes);
  const rows: string[][] = [], idle: string[] = [], exposure: string[] = [];
  const spool = new Spool();
  try {
    if (format === "json") spool.write("[");
    for (const [i, h] of hosts.entries()) {
      const snapshot = await load(h);
      warnSections(snapshot, ["connections"], `${h.name}: `);
      const sockets = socketsOnPort(snapshot, port, { tcp: opts.tcp, udp: opts.udp });
      if (sockets.length === 0) idle.push(h.name);
      if (format === "json") {
        const entry = renderJson({ host: h.name, file: h.file, sockets }).trimEnd();
        spool.write(`${i === 0 ? "\n" : ",\n"}${indentLines(entry, "  ")}`);
      } else {
        rows.push(...fleetPortRows(h.name, snapshot, sockets));
        exposure.push(...fleetPortExposure(h.name, snapshot, sockets));
      }
    }
    if (idle.length === hosts.length) ctx.exitCode = 1;
    if (format === "json") {
      spool.write(hosts.length ? "\n]\n" : "]\n");
      await flush(spool);
    } else await out(renderFleetPort(port, rows, idle, { ...layout, exposure }));
  } finally {
    spool.close();
  }
}

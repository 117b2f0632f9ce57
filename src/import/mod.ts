/**
 * `nsnap import`: turns saved tool outputs and /proc/net copies into one snapshot. Each input is
 * recognised by its content (the registry in formats.ts), read by its format's parser, held to
 * the loader's schema (validate.ts: what it refuses is left out with a warning), and the
 * contributions are merged (merge.ts) into sections; a section no input spoke about is
 * `{status: "error", error: "not provided"}`.
 */
import type { Meta, Snapshot } from "../model.ts";
import { SCHEMA_ID } from "../model.ts";
import { InputError, ParseError } from "../errors.ts";
import { TOOL_NAME, VERSION } from "../version.ts";
import { runtimeName } from "../runtime/process.ts";
import { normalizeSnapshot } from "../snapshot/normalize.ts";
import { escapeText } from "../util/escape.ts";
import { dictFrom } from "../util/record.ts";
import { recognise } from "./detect.ts";
import type { FormatOs } from "./formats.ts";
import { type InputPart, mergeParts } from "./merge.ts";
import { checkContribution } from "./validate.ts";

/** One file to import: the name it is reported under and its text. */
export interface ImportInput {
  name: string;
  text: string;
}

/** How to label the imported snapshot. */
export interface ImportOptions {
  /** host.hostname; default "imported". */
  hostname?: string;
  /** capturedAt (ISO 8601); default now. */
  time?: string;
  /** User labels (`--label key=value`). */
  labels?: Record<string, string>;
}

/** What one file says about the system it came from. */
interface OsEvidence {
  os: FormatOs;
  /** macOS or FreeBSD, where a BSD file shows which. */
  system?: "darwin" | "freebsd" | undefined;
}

/**
 * The `host.os` the files agree on: `linux`, `darwin` or `freebsd`; `unknown` when they mix
 * systems, or when BSD output does not show whether it is macOS or FreeBSD (a guess would read as
 * fact). lsof runs everywhere and says nothing.
 */
function hostOs(evidence: readonly OsEvidence[]): string {
  const families = new Set(evidence.map((e) => e.os).filter((os) => os !== "any"));
  if (families.size !== 1) return "unknown";
  if (families.has("linux")) return "linux";
  const systems = new Set(evidence.flatMap((e) => e.system === undefined ? [] : [e.system]));
  return systems.size === 1 ? [...systems][0]! : "unknown";
}

/** Recognises, parses and merges saved outputs into one snapshot; throws InputError naming a file. */
export function importFiles(inputs: readonly ImportInput[], opts: ImportOptions = {}): Snapshot {
  if (inputs.length === 0) throw new InputError("Cannot import: no input files");
  const parts: InputPart[] = [];
  const formats: string[] = [];
  const evidence: OsEvidence[] = [];
  for (const input of inputs) {
    const found = recognise(input.text);
    if (found === undefined) {
      throw new InputError(`Cannot import ${escapeText(input.name)}: format not recognised`);
    }
    const { format, probe } = found;
    try {
      // Held to the loader's schema here, where each record's file and line are known.
      const contribution = checkContribution(format.parse(input.text, input.name), input.name);
      parts.push({ contribution, section: format.section });
    } catch (err) {
      if (err instanceof ParseError) {
        throw new InputError(
          `Cannot import ${escapeText(input.name)} (${format.id}): ${err.message}`,
        );
      }
      throw err;
    }
    formats.push(format.id);
    evidence.push({ os: format.os, system: format.system?.(probe) });
  }
  const m = mergeParts(parts);
  const meta: Meta = {
    capturedAt: opts.time ?? new Date().toISOString(),
    durationMs: 0,
    host: { hostname: opts.hostname ?? "imported", os: hostOs(evidence) },
    tool: { name: TOOL_NAME, version: VERSION, runtime: runtimeName() },
    // The privileges the saved outputs were made with are not known; none are claimed.
    privileges: { root: false },
    labels: dictFrom(opts.labels ?? {}),
    source: {
      kind: "import",
      formats: [...new Set(formats)].sort(),
      files: inputs.map((i) => i.name),
    },
    sections: m.status,
  };
  const snap: Snapshot = {
    schema: SCHEMA_ID,
    meta,
    connections: m.connections,
    processes: m.processes,
    routes: m.routes,
    interfaces: m.interfaces,
    counters: m.counters,
  };
  if (m.rules) snap.rules = m.rules;
  if (m.neighbours) snap.neighbours = m.neighbours;
  if (m.settings) snap.settings = m.settings;
  if (m.qdiscs) snap.qdiscs = m.qdiscs;
  if (m.firewall) snap.firewall = m.firewall;
  return normalizeSnapshot(snap);
}

/** /proc/net/dev: per-interface traffic counters, sixteen columns after "name:". */
import { INTERFACE_STAT_NAMES, type InterfaceStats } from "../../model.ts";
import { cannotRead, parseCounter, type Parsed, readAt } from "../text.ts";

/** The counters of one interface in /proc/net/dev. */
export interface DevCounters {
  name: string;
  stats: InterfaceStats;
}

/**
 * Parses /proc/net/dev into each interface's counters (bigint, lossless).
 * The two header lines are skipped; a line that cannot be read becomes a warning.
 */
export function parseProcNetDev(
  text: string,
  source = "/proc/net/dev",
): Parsed<DevCounters[]> {
  const interfaces: DevCounters[] = [];
  const warnings: string[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "" || line.includes("|")) continue;
    // The name is glued to the colon and may itself be long ("vethf345468:     648").
    const colon = line.indexOf(":");
    const name = colon > 0 ? line.slice(0, colon).trim() : "";
    const values = colon > 0 ? line.slice(colon + 1).trim().split(/\s+/) : [];
    if (
      name === "" || values.length < INTERFACE_STAT_NAMES.length ||
      !values.every((v) => /^[0-9]+$/.test(v))
    ) {
      warnings.push(cannotRead(source, i + 1, "interface line", line));
      continue;
    }
    const stats: InterfaceStats = {};
    INTERFACE_STAT_NAMES.forEach((key, k) => {
      const v = parseCounter(values[k]);
      if (v !== undefined) stats[key] = v;
      else warnings.push(cannotRead(source, i + 1, `${name} ${key} (beyond 64 bits)`, values[k]!));
    });
    interfaces.push(readAt({ name, stats }, i + 1));
  }
  return { value: interfaces, warnings };
}

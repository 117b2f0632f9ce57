/**
 * /proc/net/snmp and /proc/net/netstat: protocol counters as pairs of lines, a header line of names
 * ("Tcp: RtoAlgorithm RtoMin …") followed by a line of values ("Tcp: 1 200 …").
 */
import type { Counters } from "../../model.ts";
import { cannotRead, counterGroup, counterProblem, parseCounter, type Parsed } from "../text.ts";
import { dict } from "../../util/record.ts";

/**
 * Parses /proc/net/snmp or /proc/net/netstat into `{Group: {Name: value}}`, values as bigint
 * (signed: Tcp.MaxConn is -1). A pair whose lengths disagree is kept as far as it matches, and warned.
 */
export function parseProcNetSnmp(
  text: string,
  source = "/proc/net/snmp",
): Parsed<Counters> {
  const counters: Counters = dict();
  const warnings: string[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const header = lines[i]!;
    if (header.trim() === "") continue;
    const colon = header.indexOf(":");
    const group = colon > 0 ? header.slice(0, colon) : "";
    const valueLine = lines[i + 1];
    if (
      !/^[A-Za-z_][A-Za-z0-9_]*$/.test(group) || valueLine === undefined ||
      !valueLine.startsWith(group + ":")
    ) {
      warnings.push(cannotRead(source, i + 1, "counter header", header));
      continue;
    }
    i++;
    const names = header.slice(colon + 1).trim().split(/\s+/).filter(Boolean);
    const values = valueLine.slice(colon + 1).trim().split(/\s+/).filter(Boolean);
    if (names.length !== values.length) {
      warnings.push(
        cannotRead(
          source,
          i + 1,
          `${group} values (${names.length} names, ${values.length} values)`,
          valueLine,
        ),
      );
    }
    const g = counterGroup(counters, group);
    const count = Math.min(names.length, values.length);
    for (let k = 0; k < count; k++) {
      const v = parseCounter(values[k]);
      if (v === undefined) {
        warnings.push(
          cannotRead(
            source,
            i + 1,
            `${group}.${names[k]} (${counterProblem(values[k]!)})`,
            values[k]!,
          ),
        );
        continue;
      }
      g[names[k]!] = v;
    }
  }
  return { value: counters, warnings };
}

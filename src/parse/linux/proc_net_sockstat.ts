/**
 * /proc/net/sockstat and sockstat6: socket gauges ("TCP: inuse 35 orphan 0 tw 4 alloc 59 mem 22").
 * nsnap keeps them as counter groups `Sockstat` and `Sockstat6`, named `<PROTO>_<field>`
 * (`Sockstat.TCP_inuse`, `Sockstat.sockets_used`, `Sockstat6.TCP6_inuse`).
 */
import type { Counters } from "../../model.ts";
import { cannotRead, counterProblem, parseCounter, type Parsed } from "../text.ts";
import { dict } from "../../util/record.ts";

/** Parses sockstat (group `Sockstat`) or sockstat6 (pass group `Sockstat6`). */
export function parseProcNetSockstat(
  text: string,
  source = "/proc/net/sockstat",
  group: "Sockstat" | "Sockstat6" = source.endsWith("6") ? "Sockstat6" : "Sockstat",
): Parsed<Counters> {
  const g = dict<bigint>();
  const warnings: string[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    const colon = line.indexOf(":");
    const proto = line.slice(0, colon);
    const fields = line.slice(colon + 1).trim().split(/\s+/);
    if (colon <= 0 || fields.length % 2 !== 0 || !/^[A-Za-z0-9]+$/.test(proto)) {
      warnings.push(cannotRead(source, i + 1, "sockstat line", line));
      continue;
    }
    for (let k = 0; k < fields.length; k += 2) {
      const v = parseCounter(fields[k + 1]);
      if (v === undefined) {
        warnings.push(
          cannotRead(
            source,
            i + 1,
            `${proto} ${fields[k]} (${counterProblem(fields[k + 1]!)})`,
            fields[k + 1]!,
          ),
        );
        continue;
      }
      g[`${proto}_${fields[k]}`] = v;
    }
  }
  return { value: dict(Object.keys(g).length ? [[group, g]] : []), warnings };
}

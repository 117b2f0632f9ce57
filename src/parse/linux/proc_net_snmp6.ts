/**
 * /proc/net/snmp6 (and /proc/net/dev_snmp6/<if>): one "Name value" per line, the group being the
 * name's prefix (Ip6InReceives → Ip6.InReceives), as nstat names them.
 */
import type { Counters } from "../../model.ts";
import { cannotRead, parseCounter, type Parsed } from "../text.ts";
import { dict } from "../../util/record.ts";

/** Group prefixes of snmp6, longest first so UdpLite6 is not read as Udp… */
const GROUPS = ["UdpLite6", "Icmp6", "Udp6", "Ip6"];

/** Parses /proc/net/snmp6 into `{Ip6: {...}, Icmp6: {...}, Udp6: {...}, UdpLite6: {...}}`. */
export function parseProcNetSnmp6(
  text: string,
  source = "/proc/net/snmp6",
): Parsed<Counters> {
  const counters: Counters = dict();
  const warnings: string[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    const [key, value, extra] = line.split(/\s+/);
    const group = key === undefined
      ? undefined
      : GROUPS.find((g) => key.startsWith(g) && key.length > g.length);
    const v = parseCounter(value);
    if (group === undefined || v === undefined || extra !== undefined) {
      // dev_snmp6 files carry "ifIndex N": an attribute, not a counter.
      if (key !== "ifIndex") {
        warnings.push(cannotRead(source, i + 1, "counter line", line));
      }
      continue;
    }
    (counters[group] ??= dict())[key!.slice(group.length)] = v;
  }
  return { value: counters, warnings };
}

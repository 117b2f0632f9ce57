/**
 * The Linux collector's counters: /proc/net/snmp, netstat and snmp6 (the kernel's protocol
 * counters) and sockstat{,6} (socket gauges). A file that cannot be read is a warning.
 */
import type { Counters } from "../../model.ts";
import { parseProcNetSnmp } from "../../parse/linux/proc_net_snmp.ts";
import { parseProcNetSnmp6 } from "../../parse/linux/proc_net_snmp6.ts";
import { parseProcNetSockstat } from "../../parse/linux/proc_net_sockstat.ts";
import { counterGroup, type Parsed } from "../../parse/text.ts";
import type { Place } from "../contract.ts";
import { type Section, section } from "../section.ts";
import { readText, under } from "./files.ts";
import { dict } from "../../util/record.ts";

/** Each counter file of /proc/net and the parser that reads it. */
const FILES: readonly [string, (text: string, source: string) => Parsed<Counters>][] = [
  ["snmp", parseProcNetSnmp],
  ["netstat", parseProcNetSnmp],
  ["snmp6", parseProcNetSnmp6],
  ["sockstat", (t, s) => parseProcNetSockstat(t, s, "Sockstat")],
  ["sockstat6", (t, s) => parseProcNetSockstat(t, s, "Sockstat6")],
];

/** Reads every counter file into one set of groups. */
export function collectCounters(place: Place): Section<Counters> {
  return countersIn(under(place.root, "/proc/net"), "/proc/net");
}

/**
 * Reads every counter file of one /proc/net folder (/proc/PID/net for the namespace of PID) into
 * one set of groups.
 */
export function countersIn(dir: string, source: string): Section<Counters> {
  return section(source, {}, (warnings) => {
    const counters: Counters = dict();
    for (const [file, parse] of FILES) {
      const path = `${dir}/${file}`;
      const text = readText(path, warnings);
      if (text === undefined) continue;
      const r = parse(text, path);
      for (const [group, values] of Object.entries(r.value)) {
        Object.assign(counterGroup(counters, group), values);
      }
      warnings.push(...r.warnings);
    }
    return counters;
  });
}

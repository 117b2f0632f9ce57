/**
 * The Linux collector's policy-routing rules: `ip -j rule` for IPv4 and for IPv6. No /proc file
 * shows rules, so without `ip` (and, later, netlink) the section is an error saying why.
 *
 * A netlink reader goes first in `RULE_READERS` (`dumpRules`, both families), recorded as
 * source "netlink"; `ip -j` stays as the fallback.
 */
import type { Rule } from "../../model.ts";
import { parseIpJsonRules } from "../../parse/linux/ip_json_rule.ts";
import type { Place } from "../contract.ts";
import type { Section } from "../section.ts";
import { runIp } from "./ip.ts";
import { type Reader, readSection, unavailable } from "./readers.ts";
import { outputJson } from "./tools.ts";

/** Both families from `ip -j rule`. */
const fromIp: Reader<Rule[]> = {
  source: "ip -j",
  read: (place, warnings) => {
    const rules: Rule[] = [];
    for (const [flag, family] of [["-4", "inet"], ["-6", "inet6"]] as const) {
      const r = runIp(place.runner, ["-j", flag, "rule", "show"]);
      if (!r.ok) {
        // A kernel built without IPv6 has no IPv6 rules to show; that is no reason to fail.
        if (family === "inet6" && rules.length > 0) {
          warnings.push(`IPv6 rules unknown: ${r.reason ?? "ip failed"}`);
          continue;
        }
        return unavailable(r.reason ?? "ip failed");
      }
      const p = parseIpJsonRules(outputJson(r), family, `ip -j ${flag} rule`);
      rules.push(...p.value);
      warnings.push(...p.warnings);
    }
    return rules;
  },
};

/** The sources of the rules section, fastest first. */
export const RULE_READERS: readonly Reader<Rule[]>[] = [fromIp];

/** Reads the policy-routing rules of both families. */
export function collectRules(place: Place): Section<Rule[]> {
  return readSection(place, RULE_READERS, []);
}

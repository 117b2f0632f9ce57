/**
 * The Linux collector's policy-routing rules of IPv4 and IPv6: over rtnetlink (`dumpRules`) where
 * it can be used, else `ip -j rule` for each family. No /proc file shows rules, so without both
 * the section is an error saying why.
 *
 * The netlink records are mapped to what `ip -j rule` gives (`ruleOf`), field for field, so
 * that a capture read either way diffs clean against the other: the selectors ip leaves out
 * (a full uid range, the suppressors at their "none"), protocol names from /etc/protocols as ip
 * prints them (`ipproto tcp`), tos and realm names from iproute2's tables where they name the
 * number.
 */
import type { Family, Rule } from "../../model.ts";
import { routeDestination } from "../../net/routes.ts";
import { parseEtcProtocols, parseIproute2Names } from "../../parse/linux/etc_names.ts";
import { parseIpJsonRules } from "../../parse/linux/ip_json_rule.ts";
import type { Rule as NetlinkRule } from "../../parse/netlink/rtnl_rule.ts";
import type { Place } from "../contract.ts";
import type { Section } from "../section.ts";
import { readText, under } from "./files.ts";
import { runIp } from "./ip.ts";
import { dumpRules } from "./netlink.ts";
import { dumpIn, type Reader, readSection, unavailable, withNetlink } from "./readers.ts";
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

/** The names `ip rule` prints for numbers, read from the files it reads, once, when needed. */
export interface RuleNames {
  /** IP protocols (/etc/protocols). */
  protocol(n: number): string;
  /** Type-of-service values (iproute2's rt_dsfield). */
  tos(n: number): string;
  /** Routing realms (iproute2's rt_realms). */
  realm(n: number): string;
}

/** Where iproute2 looks for its tables, first the administrator's. */
const IPROUTE2_DIRS = ["/etc/iproute2", "/usr/share/iproute2", "/usr/lib/iproute2"];

/** The names below `root` (read lazily: most rules use none of them). */
export function ruleNames(root: string): RuleNames {
  const cache = new Map<string, Map<number, string>>();
  const table = (file: string, parse: (t: string) => Map<number, string>, paths: string[]) => {
    let m = cache.get(file);
    if (!m) {
      const text = paths.map((p) => readText(under(root, p))).find((t) => t !== undefined);
      cache.set(file, m = text === undefined ? new Map() : parse(text));
    }
    return m;
  };
  const iproute2 = (file: string) =>
    table(file, parseIproute2Names, IPROUTE2_DIRS.map((d) => `${d}/${file}`));
  return {
    protocol: (n) =>
      table("protocols", parseEtcProtocols, ["/etc/protocols"]).get(n) ?? `ipproto-${n}`,
    tos: (n) => iproute2("rt_dsfield").get(n) ?? `0x${n.toString(16).padStart(2, "0")}`,
    realm: (n) => iproute2("rt_realms").get(n) ?? String(n),
  };
}

/**
 * A rule of a dump as `ip -j rule` shows it and parseIpJsonRules() reads it.
 *
 * @example
 * ```ts
 * import { ruleNames, ruleOf } from "./rules.ts";
 * const r = ruleOf(
 *   { family: "inet", priority: 1000, action: "lookup", table: 100, invert: false, from: "10.0.0.0/24" },
 *   ruleNames("/"),
 * );
 * r.from; // "10.0.0.0/24"
 * ```
 */
export function ruleOf(r: NetlinkRule, names: RuleNames): Rule {
  const family: Family = r.family;
  const out: Rule = { family, priority: r.priority, action: r.action };
  if (r.invert) out.not = true;
  if (r.from !== undefined) out.from = routeDestination(r.from, family);
  if (r.to !== undefined) out.to = routeDestination(r.to, family);
  if (r.tos !== undefined) out.tos = names.tos(r.tos);
  // ip shows a mark when either attribute is there, and the mask unless it is every bit.
  if (r.fwmark !== undefined || r.fwmask !== undefined) {
    out.fwmark = r.fwmark ?? 0;
    if (r.fwmask !== undefined && r.fwmask !== 0xffffffff) out.fwmask = r.fwmask;
  }
  if (r.iif !== undefined) out.iif = r.iif;
  if (r.oif !== undefined) out.oif = r.oif;
  if (r.uidRange) out.uidRange = { ...r.uidRange };
  if (r.ipProto !== undefined) out.ipProto = names.protocol(r.ipProto);
  if (r.sport) out.sport = { ...r.sport };
  if (r.dport) out.dport = { ...r.dport };
  if (r.action === "goto" && r.goto !== undefined) out.goto = r.goto;
  if (r.l3mdev) out.l3mdev = true;
  else if (r.action === "lookup") out.table = r.table;
  // ip prints the suppressors with the table it looks up, not without one.
  if (r.table !== 0) {
    if (r.suppressPrefixLength !== undefined) out.suppressPrefixLength = r.suppressPrefixLength;
    if (r.suppressIfgroup !== undefined) out.suppressIfgroup = r.suppressIfgroup;
  }
  if (r.realms !== undefined) {
    const from = r.realms >>> 16, to = r.realms & 0xffff;
    out.realms = from ? `${names.realm(from)}/${names.realm(to)}` : names.realm(to);
  }
  return out;
}

/** Both families over rtnetlink, in the place's namespace. */
const fromNetlink: Reader<Rule[]> = {
  source: "netlink",
  read: (place, warnings) => {
    const records = dumpIn(place, dumpRules, warnings);
    if (!Array.isArray(records)) return records;
    const names = ruleNames(place.root);
    return records.map((x) => ruleOf(x, names));
  },
};

/** The sources of the rules section, fastest first. */
export const RULE_READERS: readonly Reader<Rule[]>[] = [fromNetlink, fromIp];

/**
 * Reads the policy-routing rules of both families: over netlink when `netlink` (the capture
 * chose it), else (or when netlink cannot answer) with `ip -j`.
 */
export function collectRules(place: Place, netlink = false): Section<Rule[]> {
  return readSection(place, withNetlink(RULE_READERS, netlink), []);
}

/**
 * `ip -j rule` (and `ip -j -6 rule`): iproute2's JSON for policy-routing rules. Fields as
 * iproute2 6.x writes them: `priority`, `src`/`srclen`, `dst`/`dstlen`, `not`, `tos`,
 * `fwmark`/`fwmask` (hex text), `iif`, `oif`, `uid_start`/`uid_end`, `ipproto`,
 * `sport`/`sport_start`/`sport_end` (and dport), `table`, `action`, `goto`, `nop`, `l3mdev`,
 * `suppress_prefixlen`, `suppress_ifgroup`, `flow_from`/`flow_to` (realms).
 */
import type { Family, NumberRange, Rule } from "../../model.ts";
import { routeDestination, tableId } from "../../net/routes.ts";
import { cannotRead, type Parsed } from "../text.ts";
import { parseJsonArray } from "./ip_json.ts";
import { listingFamily, parseMark } from "./ip_rule.ts";

function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isInteger(v) && v >= 0 ? v : undefined;
}

function range(r: Record<string, unknown>, name: string): NumberRange | undefined {
  const one = num(r[name]);
  if (one !== undefined) return { start: one, end: one };
  const start = num(r[`${name}_start`]), end = num(r[`${name}_end`]);
  return start !== undefined && end !== undefined ? { start, end } : undefined;
}

/** An address and its prefix length as ip -j writes them; undefined for `all`. */
function cidr(addr: unknown, len: unknown, family: Family): string | undefined {
  if (typeof addr !== "string" || addr === "all" || addr === "") return undefined;
  return routeDestination(typeof len === "number" ? `${addr}/${len}` : addr, family);
}

/**
 * Parses `ip -j [-4|-6] rule`; `family` is the listing's (ip -j rule shows no family). Without
 * it, a rule without an address takes the family another rule's address shows, else the one
 * the kernel's default rules show (ip_rule.ts `listingFamily`, which warns where none does).
 */
export function parseIpJsonRules(
  json: string,
  family: Family | undefined,
  source = "ip -j rule",
): Parsed<Rule[]> {
  const rules: Rule[] = [];
  const warnings: string[] = [];
  const addressless: Rule[] = [];
  parseJsonArray(json, source).forEach((raw, i) => {
    const r = (raw ?? {}) as Record<string, unknown>;
    const priority = num(r.priority);
    if (priority === undefined || typeof raw !== "object") {
      warnings.push(cannotRead(`${source}[${i}]`, undefined, "rule", JSON.stringify(raw)));
      return;
    }
    const addrs = [r.src, r.dst].filter((a): a is string => typeof a === "string" && a !== "all");
    const fam: Family = addrs.some((a) => a.includes(":"))
      ? "inet6"
      : addrs.length
      ? "inet"
      : family ?? "inet";
    const rule: Rule = { family: fam, priority, action: "lookup" };
    if (addrs.length === 0) addressless.push(rule);
    if (Object.hasOwn(r, "not")) rule.not = true;
    const from = cidr(r.src, r.srclen, fam), to = cidr(r.dst, r.dstlen, fam);
    if (from !== undefined) rule.from = from;
    if (to !== undefined) rule.to = to;
    if (typeof r.tos === "string") rule.tos = r.tos;
    const mark = typeof r.fwmark === "string" ? parseMark(r.fwmark) : num(r.fwmark);
    if (mark !== undefined) {
      rule.fwmark = mark;
      const mask = typeof r.fwmask === "string" ? parseMark(r.fwmask) : num(r.fwmask);
      if (mask !== undefined && mask !== 0xffffffff) rule.fwmask = mask;
    }
    if (typeof r.iif === "string") rule.iif = r.iif;
    if (typeof r.oif === "string") rule.oif = r.oif;
    const uid = range(r, "uid");
    if (uid !== undefined) rule.uidRange = uid;
    if (typeof r.ipproto === "string" || typeof r.ipproto === "number") {
      rule.ipProto = String(r.ipproto);
    }
    const sport = range(r, "sport"), dport = range(r, "dport");
    if (sport !== undefined) rule.sport = sport;
    if (dport !== undefined) rule.dport = dport;
    if (typeof r.action === "string") rule.action = r.action;
    else if (num(r.goto) !== undefined) {
      rule.action = "goto";
      rule.goto = num(r.goto)!;
    } else if (Object.hasOwn(r, "nop")) rule.action = "nop";
    if (Object.hasOwn(r, "l3mdev")) rule.l3mdev = true;
    else if (rule.action === "lookup") {
      const t = tableId(r.table);
      if (t === undefined) {
        warnings.push(
          `${source}[${i}]: table ${JSON.stringify(r.table)} has no number in this output; ` +
            `rule ${priority} kept under table 0`,
        );
      }
      rule.table = t ?? 0;
    }
    if (typeof r.suppress_prefixlen === "number") rule.suppressPrefixLength = r.suppress_prefixlen;
    if (typeof r.suppress_ifgroup === "number") rule.suppressIfgroup = r.suppress_ifgroup;
    if (typeof r.flow_to === "string") {
      rule.realms = typeof r.flow_from === "string" ? `${r.flow_from}/${r.flow_to}` : r.flow_to;
    }
    rules.push(rule);
  });
  if (family === undefined && addressless.length > 0) {
    const shown = rules.find((r) => !addressless.includes(r))?.family ??
      listingFamily(rules, source, warnings);
    for (const r of addressless) r.family = shown;
  }
  return { value: rules, warnings };
}

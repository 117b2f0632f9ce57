/**
 * What a policy-routing rule is to nsnap: the key that identifies one across snapshots and
 * sources (family, priority and what it matches), and its text as `ip rule` prints it.
 *
 * Decisions:
 * - Identity is the family, the priority and the selectors (not, from, to, tos, fwmark, iif,
 *   oif, uidrange, ipproto, sport, dport). The kernel keeps several rules at one priority when
 *   their selectors differ, and what a rule does (lookup, goto, its table) is what can change:
 *   `rule-changed` names those fields.
 */
import type { Rule } from "../model.ts";
import { tableName } from "./routes.ts";

function range(r: { start: number; end: number }): string {
  return r.start === r.end ? String(r.start) : `${r.start}-${r.end}`;
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** The selectors of a rule as `ip rule` prints them: `from 10.0.0.0/8 iif eth0 …` (`not` first). */
export function ruleSelectors(r: Rule): string {
  const w: string[] = [];
  if (r.not) w.push("not");
  w.push(`from ${r.from ?? "all"}`);
  if (r.to !== undefined) w.push(`to ${r.to}`);
  if (r.tos !== undefined) w.push(`tos ${r.tos}`);
  if (r.fwmark !== undefined) {
    w.push(
      `fwmark ${hex(r.fwmark)}${
        r.fwmask !== undefined && r.fwmask !== 0xffffffff ? `/${hex(r.fwmask)}` : ""
      }`,
    );
  }
  if (r.iif !== undefined) w.push(`iif ${r.iif}`);
  if (r.oif !== undefined) w.push(`oif ${r.oif}`);
  if (r.uidRange !== undefined) w.push(`uidrange ${r.uidRange.start}-${r.uidRange.end}`);
  if (r.ipProto !== undefined) w.push(`ipproto ${r.ipProto}`);
  if (r.sport !== undefined) w.push(`sport ${range(r.sport)}`);
  if (r.dport !== undefined) w.push(`dport ${range(r.dport)}`);
  return w.join(" ");
}

/** What a rule does, as `ip rule` prints it: `lookup main`, `goto 1010`, `blackhole` … */
export function ruleAction(r: Rule): string {
  const w: string[] = [];
  if (r.action === "lookup") {
    w.push(r.l3mdev ? "lookup [l3mdev-table]" : `lookup ${tableName(r.table ?? 254)}`);
  } else if (r.action === "goto") w.push(`goto ${r.goto ?? "?"}`);
  else w.push(r.action);
  if (r.suppressPrefixLength !== undefined && r.suppressPrefixLength >= 0) {
    w.push(`suppress_prefixlength ${r.suppressPrefixLength}`);
  }
  if (r.suppressIfgroup !== undefined && r.suppressIfgroup >= 0) {
    w.push(`suppress_ifgroup ${r.suppressIfgroup}`);
  }
  if (r.realms !== undefined) w.push(`realms ${r.realms}`);
  return w.join(" ");
}

/**
 * Identity of a rule: family, priority and selectors (`inet 1000 from 10.77.6.0/24`).
 *
 * @example
 * ```ts
 * import { ruleKey } from "./rules.ts";
 * ruleKey({ family: "inet", priority: 1000, from: "10.0.0.0/8", action: "lookup", table: 100 });
 * // "inet 1000 from 10.0.0.0/8"
 * ```
 */
export function ruleKey(r: Rule): string {
  return `${r.family} ${r.priority} ${ruleSelectors(r)}`;
}

/** A rule as one line of `ip rule`: `1000: from 10.77.6.0/24 lookup 100`. */
export function describeRule(r: Rule): string {
  return `${r.priority}: ${ruleSelectors(r)} ${ruleAction(r)}`;
}

/** The fields of a rule that say what it does; a change of one is a `rule-changed`. */
export const RULE_ACTION_FIELDS = [
  "action",
  "table",
  "l3mdev",
  "goto",
  "suppressPrefixLength",
  "suppressIfgroup",
  "realms",
] as const;

/**
 * Policy-routing rules, keyed by family, priority and what they match (net/rules.ts): added,
 * removed, and changed — the same packets at the same priority now go elsewhere (another table,
 * a goto, blackhole), `changed` naming the fields.
 */
import type { Rule, Snapshot } from "../model.ts";
import {
  describeRule,
  RULE_ACTION_FIELDS,
  ruleAction,
  ruleKey,
  ruleSelectors,
} from "../net/rules.ts";
import type { Change, ChangeOf } from "./types.ts";
import { keyed, pad, sortByKey } from "./util.ts";

function keyOf(r: Rule): ChangeOf<"rule-added">["key"] {
  return { family: r.family, priority: r.priority, match: ruleSelectors(r) };
}

function sortKey(r: Rule, rank: number, id: string): string {
  return `${r.family} ${pad(r.priority)} ${rank} ${id}`;
}

function family(r: Rule): string {
  return r.family === "inet6" ? "IPv6 " : "";
}

/** Compares the routing rules of two snapshots (both must have them). */
export function diffRules(before: Snapshot, after: Snapshot): Change[] {
  const a = keyed(before.rules ?? [], ruleKey), b = keyed(after.rules ?? [], ruleKey);
  const items: Array<[string, Change]> = [];
  for (const [id, ra] of a) {
    const rb = b.get(id);
    if (!rb) {
      items.push([sortKey(ra, 1, id), {
        kind: "rule-removed",
        section: "rules",
        key: keyOf(ra),
        before: ra,
        summary: `${family(ra)}rule removed: ${describeRule(ra)}`,
      }]);
      continue;
    }
    const changed = RULE_ACTION_FIELDS.filter((f) => ra[f] !== rb[f]);
    if (changed.length === 0) continue;
    items.push([sortKey(ra, 2, id), {
      kind: "rule-changed",
      section: "rules",
      key: keyOf(ra),
      before: ra,
      after: rb,
      changed: [...changed],
      summary: `${family(ra)}rule ${ra.priority} ${ruleSelectors(ra)}: ${ruleAction(ra)} → ${
        ruleAction(rb)
      }`,
    }]);
  }
  for (const [id, rb] of b) {
    if (a.has(id)) continue;
    items.push([sortKey(rb, 0, id), {
      kind: "rule-added",
      section: "rules",
      key: keyOf(rb),
      after: rb,
      summary: `${family(rb)}rule added: ${describeRule(rb)}`,
    }]);
  }
  return sortByKey(items);
}

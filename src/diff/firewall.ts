/**
 * The packet filter, compared rule by rule: tables by syntax, family and name, chains by name,
 * rules by their text within the chain (net/firewall.ts).
 *
 * Decisions:
 * - A rule whose text appears more often than before is added (once per extra copy), less
 *   often removed; the same rules in another order are a `firewall-chain-changed` (`order`),
 *   since order decides which rule wins.
 * - A chain that appears or goes is reported, and so is each of its rules.
 * - Notable: rules added or removed where input or forward traffic reaches them (a base chain
 *   on those hooks, or a chain one of them jumps to), chains added or removed on those hooks,
 *   and a policy change of such a chain.
 * - Rule counters are counters, not changes: they are never compared here.
 */
import type { FirewallChain, FirewallRule, FirewallTable, Snapshot } from "../model.ts";
import {
  chainHooks,
  describeChain,
  describeChainHead,
  describeFirewallRule,
  firewallChainKey,
  firewallRuleKey,
  isGateHook,
} from "../net/firewall.ts";
import type { Change, ChangeOf, FirewallChainField, FirewallChainSide } from "./types.ts";
import { keyed, sortByKey } from "./util.ts";

interface Located {
  table: FirewallTable;
  chain: FirewallChain;
  hooks: Set<string>;
}

function chains(snap: Snapshot): Map<string, Located> {
  const all: Located[] = [];
  for (const table of snap.firewall?.tables ?? []) {
    const hooks = chainHooks(table);
    for (const chain of table.chains) {
      all.push({ table, chain, hooks: hooks.get(chain.name) ?? new Set() });
    }
  }
  // Two chains of one key (duplicate tables in a hand-made file) are told apart by what the
  // diff compares of them (head, rule texts) and the hooks that reach them: never by the order
  // of the table's other chains, nor by rule counters and handles, which move between captures.
  // Handles come last: they only order chains alike in all that, whose handles a change shows.
  return keyed(
    all,
    (l) => firewallChainKey(l.table, l.chain),
    (l) => [
      describeChainHead(l.chain),
      l.chain.rules.map(firewallRuleKey),
      [...l.hooks].sort(),
      l.chain.rules.map((r) => r.handle ?? null),
    ],
  );
}

function chainKeyOf(l: Located): ChangeOf<"firewall-chain-added">["key"] {
  return {
    syntax: l.table.syntax,
    family: l.table.family,
    table: l.table.name,
    chain: l.chain.name,
  };
}

function chainSide(c: FirewallChain): FirewallChainSide {
  const s: FirewallChainSide = { rules: c.rules.length };
  if (c.type !== undefined) s.type = c.type;
  if (c.hook !== undefined) s.hook = c.hook;
  if (c.priority !== undefined) s.priority = c.priority;
  if (c.policy !== undefined) s.policy = c.policy;
  if (c.device !== undefined) s.device = c.device;
  return s;
}

function ruleSide(r: FirewallRule, hooks: Set<string>): ChangeOf<"firewall-rule-added">["after"] {
  const s: ChangeOf<"firewall-rule-added">["after"] = { text: r.text };
  if (hooks.size) s.hooks = [...hooks].sort();
  if (r.handle !== undefined) s.handle = r.handle;
  return s;
}

function rules(n: number): string {
  return n === 1 ? "1 rule" : `${n} rules`;
}

function gate(hooks: Set<string>): boolean {
  return [...hooks].some(isGateHook);
}

function hookNote(hooks: Set<string>): string {
  const h = [...hooks].sort();
  return h.length ? ` (${h.join(", ")} hook${h.length > 1 ? "s" : ""})` : "";
}

/** The rules of `from` that `than` has fewer copies of, each with its position. */
function extra(from: FirewallChain, than: FirewallChain): Array<[FirewallRule, number]> {
  const have = new Map<string, number>();
  for (const r of than.rules) have.set(firewallRuleKey(r), (have.get(firewallRuleKey(r)) ?? 0) + 1);
  const out: Array<[FirewallRule, number]> = [];
  from.rules.forEach((r, i) => {
    const k = firewallRuleKey(r);
    const n = have.get(k) ?? 0;
    if (n > 0) have.set(k, n - 1);
    else out.push([r, i]);
  });
  return out;
}

function ruleChange(
  kind: "firewall-rule-added" | "firewall-rule-removed",
  l: Located,
  r: FirewallRule,
): Change {
  const key = { ...chainKeyOf(l), rule: firewallRuleKey(r) };
  const side = ruleSide(r, l.hooks);
  const what = `${describeFirewallRule(l.table, l.chain, r)}${hookNote(l.hooks)}`;
  const c: ChangeOf<typeof kind> = kind === "firewall-rule-added"
    ? { kind, section: "firewall", key, after: side, summary: `firewall rule added: ${what}` }
    : { kind, section: "firewall", key, before: side, summary: `firewall rule removed: ${what}` };
  if (gate(l.hooks)) c.notable = true;
  return c;
}

/** Compares the firewall of two snapshots (both must have one). */
export function diffFirewall(before: Snapshot, after: Snapshot): Change[] {
  const a = chains(before), b = chains(after);
  const items: Array<[string, Change]> = [];
  const at = (id: string, rank: number, i = 0) => `${id}\0${rank}\0${String(i).padStart(6, "0")}`;
  for (const [id, la] of a) {
    const lb = b.get(id);
    if (!lb) {
      const c: ChangeOf<"firewall-chain-removed"> = {
        kind: "firewall-chain-removed",
        section: "firewall",
        key: chainKeyOf(la),
        before: chainSide(la.chain),
        summary: `firewall chain removed: ${describeChain(la.table, la.chain)}${
          la.chain.hook ? ` (${describeChainHead(la.chain)})` : ""
        }, with ${rules(la.chain.rules.length)}`,
      };
      if (isGateHook(la.chain.hook)) c.notable = true;
      items.push([at(id, 0), c]);
      la.chain.rules.forEach((r, i) =>
        items.push([at(id, 2, i), ruleChange("firewall-rule-removed", la, r)])
      );
      continue;
    }
    const changed: FirewallChainField[] = [];
    const words: string[] = [];
    for (const f of ["type", "hook", "priority", "policy", "device"] as const) {
      if (la.chain[f] === lb.chain[f]) continue;
      changed.push(f);
      words.push(`${f} ${la.chain[f] ?? "none"} → ${lb.chain[f] ?? "none"}`);
    }
    const removed = extra(la.chain, lb.chain), added = extra(lb.chain, la.chain);
    if (removed.length === 0 && added.length === 0) {
      const order = la.chain.rules.map(firewallRuleKey).join("\n") !==
        lb.chain.rules.map(firewallRuleKey).join("\n");
      if (order) {
        changed.push("order");
        words.push("rules reordered");
      }
    }
    if (changed.length) {
      const c: ChangeOf<"firewall-chain-changed"> = {
        kind: "firewall-chain-changed",
        section: "firewall",
        key: chainKeyOf(la),
        before: chainSide(la.chain),
        after: chainSide(lb.chain),
        changed,
        summary: `firewall chain ${describeChain(la.table, la.chain)}: ${words.join(", ")}`,
      };
      if (
        (changed.includes("policy") || changed.includes("hook") || changed.includes("order")) &&
        (gate(la.hooks) || gate(lb.hooks))
      ) c.notable = true;
      items.push([at(id, 1), c]);
    }
    for (const [r, i] of removed) {
      items.push([at(id, 2, i), ruleChange("firewall-rule-removed", la, r)]);
    }
    for (const [r, i] of added) {
      items.push([at(id, 3, i), ruleChange("firewall-rule-added", lb, r)]);
    }
  }
  for (const [id, lb] of b) {
    if (a.has(id)) continue;
    const c: ChangeOf<"firewall-chain-added"> = {
      kind: "firewall-chain-added",
      section: "firewall",
      key: chainKeyOf(lb),
      after: chainSide(lb.chain),
      summary: `firewall chain added: ${describeChain(lb.table, lb.chain)}${
        lb.chain.hook ? ` (${describeChainHead(lb.chain)})` : ""
      }, with ${rules(lb.chain.rules.length)}`,
    };
    if (isGateHook(lb.chain.hook)) c.notable = true;
    items.push([at(id, 0), c]);
    lb.chain.rules.forEach((r, i) =>
      items.push([at(id, 3, i), ruleChange("firewall-rule-added", lb, r)])
    );
  }
  return sortByKey(items);
}

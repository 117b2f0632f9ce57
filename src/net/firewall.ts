/**
 * What the packet filter is to nsnap: the keys that identify a table, a chain and a rule across
 * snapshots, how each is described in plain text, and the names nft and iptables give to base
 * chain priorities.
 *
 * Decisions:
 * - A table is its syntax (nft or iptables), family and name; a chain is its table and name; a
 *   rule is its chain and its text (counter values and handles taken out), since handles are
 *   renumbered whenever a ruleset is loaded again. Two equal rules in one chain are told apart
 *   by their order of appearance.
 * - Hooks that decide whether traffic reaches this host's sockets or passes through it (input,
 *   forward) are the ones whose changes a diff calls notable.
 */
import type { FirewallChain, FirewallRule, FirewallTable } from "../model.ts";

/** Identity of a table: `nft inet filter`, `iptables ip filter`. */
export function firewallTableKey(t: FirewallTable): string {
  return `${t.syntax} ${t.family} ${t.name}`;
}

/** Identity of a chain within the firewall: its table's key and its name. */
export function firewallChainKey(t: FirewallTable, c: FirewallChain): string {
  return `${firewallTableKey(t)} ${c.name}`;
}

/** Identity of a rule within its chain: its text. */
export function firewallRuleKey(r: FirewallRule): string {
  return r.text;
}

/** True for the hooks whose rules decide what reaches or crosses this host: input and forward. */
export function isGateHook(hook: string | undefined): boolean {
  return hook === "input" || hook === "forward";
}

/** Where a chain lives, as people say it: `inet filter input`, `iptables filter INPUT`. */
export function describeChain(t: FirewallTable, c: FirewallChain): string {
  if (t.syntax === "iptables") {
    return `${t.family === "ip6" ? "ip6tables" : "iptables"} ${t.name} ${c.name}`;
  }
  return `${t.family} ${t.name} ${c.name}`;
}

/** A rule as its tool prints it, with where it lives: `inet filter input: tcp dport 22 accept`. */
export function describeFirewallRule(t: FirewallTable, c: FirewallChain, r: FirewallRule): string {
  if (t.syntax === "iptables") {
    return `${t.family === "ip6" ? "ip6tables" : "iptables"} -t ${t.name} -A ${c.name}${
      r.text === "" ? "" : ` ${r.text}`
    }`;
  }
  return `${describeChain(t, c)}: ${r.text}`;
}

/** The base chain attributes as nft prints them: `type filter hook input priority 0; policy drop`. */
export function describeChainHead(c: FirewallChain): string {
  const w: string[] = [];
  if (c.type !== undefined) w.push(`type ${c.type}`);
  if (c.hook !== undefined) w.push(`hook ${c.hook}`);
  if (c.device !== undefined) w.push(`device ${c.device}`);
  if (c.priority !== undefined) w.push(`priority ${c.priority}`);
  const head = w.join(" ");
  if (c.policy === undefined) return head;
  return head === "" ? `policy ${c.policy}` : `${head}; policy ${c.policy}`;
}

/** nft's standard priority names (ip, ip6, inet, arp, netdev families). */
const PRIORITIES: Readonly<Record<string, number>> = {
  raw: -300,
  mangle: -150,
  dstnat: -100,
  filter: 0,
  security: 50,
  srcnat: 100,
};

/** The bridge family's priority names. */
const BRIDGE_PRIORITIES: Readonly<Record<string, number>> = {
  dstnat: -300,
  filter: -200,
  out: 100,
  srcnat: 300,
};

/**
 * A base chain priority as nft prints it (`filter`, `srcnat + 10`, `-150`, `mangle - 5`) as a
 * number; undefined for text it is not.
 *
 * @example
 * ```ts
 * import { chainPriority } from "./firewall.ts";
 * chainPriority("srcnat + 10", "ip"); // 110
 * ```
 */
export function chainPriority(text: string, family: string): number | undefined {
  const m = /^\s*([a-z]+|-?[0-9]+)\s*(?:([+-])\s*([0-9]+))?\s*$/.exec(text);
  if (!m) return undefined;
  const names = family === "bridge" ? BRIDGE_PRIORITIES : PRIORITIES;
  const base = /^-?[0-9]+$/.test(m[1]!)
    ? Number(m[1])
    : Object.hasOwn(names, m[1]!)
    ? names[m[1]!]!
    : undefined;
  if (base === undefined) return undefined;
  const off = m[3] === undefined ? 0 : Number(m[3]) * (m[2] === "-" ? -1 : 1);
  return base + off;
}

/** The hook of an iptables built-in chain (INPUT → input); undefined for a user chain. */
export function iptablesHook(chain: string): string | undefined {
  const hooks: Readonly<Record<string, string>> = {
    PREROUTING: "prerouting",
    INPUT: "input",
    FORWARD: "forward",
    OUTPUT: "output",
    POSTROUTING: "postrouting",
  };
  return Object.hasOwn(hooks, chain) ? hooks[chain] : undefined;
}

/**
 * The netfilter priority of an iptables table's built-in chains: raw -300, mangle -150, nat
 * -100 before routing and 100 after, filter 0, security 50.
 */
export function iptablesPriority(table: string, hook: string): number | undefined {
  switch (table) {
    case "raw":
      return -300;
    case "mangle":
      return -150;
    case "nat":
      return hook === "prerouting" || hook === "output" ? -100 : 100;
    case "filter":
      return 0;
    case "security":
      return 50;
  }
  return undefined;
}

/** Chains a rule sends packets to: nft's `jump X`/`goto X`, iptables' `-j X`/`-g X`. */
export function ruleTargets(syntax: FirewallTable["syntax"], text: string): string[] {
  const re = syntax === "nft"
    ? /\b(?:jump|goto)\s+("?)([^\s",;}]+)\1/g
    : /(?:^|\s)(?:-j|-g|--jump|--goto)\s+(\S+)/g;
  return [...text.matchAll(re)].map((m) => (syntax === "nft" ? m[2]! : m[1]!));
}

/**
 * The hooks whose traffic reaches each chain of a table: a base chain's own hook, and for a
 * regular chain the hooks of every base chain that jumps to it, directly or through others.
 */
export function chainHooks(t: FirewallTable): Map<string, Set<string>> {
  const byName = new Map(t.chains.map((c) => [c.name, c]));
  const out = new Map<string, Set<string>>(t.chains.map((c) => [c.name, new Set<string>()]));
  for (const base of t.chains) {
    if (base.hook === undefined) continue;
    const seen = new Set<string>();
    const stack = [base.name];
    while (stack.length) {
      const name = stack.pop()!;
      if (seen.has(name)) continue;
      seen.add(name);
      out.get(name)?.add(base.hook);
      for (const r of byName.get(name)?.rules ?? []) {
        for (const target of ruleTargets(t.syntax, r.text)) {
          if (byName.has(target)) stack.push(target);
        }
      }
    }
  }
  return out;
}

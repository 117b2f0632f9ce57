/**
 * `nft list ruleset` (and `nft -a list ruleset`, which adds `# handle N`): the nftables ruleset
 * as text. Tables hold chains, and chains hold one rule per line; sets, maps, flowtables and
 * stateful objects (named counters, quotas, limits …) are blocks of their own, read past.
 *
 * Decisions:
 * - A rule's text is the line as nft prints it, with `counter packets N bytes M` written as
 *   `counter` (the numbers go to `counters`) and without its `# handle N` (kept as `handle`),
 *   so that a rule is the same rule however often it matched and however often it was loaded.
 * - A base chain's `priority` is a number: nft's names (`filter`, `srcnat + 10`) are resolved
 *   as nft defines them for the family (net/firewall.ts).
 * - Lines starting with `#` outside a chain (iptables-nft's warnings, when saved with stderr)
 *   are passed over; a line that is no part of the grammar above is a warning.
 */
import type { FirewallChain, FirewallRule, FirewallTable } from "../../model.ts";
import { chainPriority } from "../../net/firewall.ts";
import { cannotRead, type Parsed, splitLines } from "../text.ts";

/** `counter packets N bytes M` inside a rule: taken out of the text, kept as numbers. */
const COUNTER = /\bcounter packets ([0-9]+) bytes ([0-9]+)/;
const HANDLE = /\s+# handle ([0-9]+)\s*$/;

/** How a line changes the brace depth, braces inside "quoted strings" left out. */
function braceDelta(line: string): number {
  let d = 0, quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === "\\" && quoted) i++;
    else if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === "{") d++;
    else if (!quoted && ch === "}") d--;
  }
  return d;
}

/** A rule line (handle already off) as a rule: counter values out of the text. */
export function nftRule(text: string, handle?: number): FirewallRule {
  const rule: FirewallRule = { text };
  const c = COUNTER.exec(text);
  if (c) {
    rule.text = text.replace(COUNTER, "counter");
    rule.counters = { packets: BigInt(c[1]!), bytes: BigInt(c[2]!) };
  }
  if (handle !== undefined) rule.handle = handle;
  return rule;
}

/** Reads a base chain's head (`type filter hook input priority filter; policy drop;`). */
function readChainHead(line: string, chain: FirewallChain, family: string): boolean {
  let matched = false;
  for (const part of line.split(";")) {
    const p = part.trim();
    if (p === "") continue;
    const head =
      /^type (\S+) hook (\S+)(?: device "?([^"\s]+)"?)?(?: devices = \{[^}]*\})? priority (.+)$/
        .exec(p);
    if (head) {
      chain.type = head[1]!;
      chain.hook = head[2]!;
      if (head[3] !== undefined) chain.device = head[3];
      const prio = chainPriority(head[4]!, family);
      if (prio !== undefined) chain.priority = prio;
      matched = true;
      continue;
    }
    const policy = /^policy (\S+)$/.exec(p);
    if (policy) {
      chain.policy = policy[1]!;
      matched = true;
      continue;
    }
    return false;
  }
  return matched;
}

/**
 * Parses `nft [-a] list ruleset` text into tables of chains of rules.
 *
 * @example
 * ```ts
 * import { parseNftRuleset } from "./nft_ruleset.ts";
 * const { value } = parseNftRuleset(
 *   "table inet f {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n" +
 *     "\t\ttcp dport 22 counter packets 3 bytes 180 accept\n\t}\n}\n",
 * );
 * value[0]?.chains[0]?.rules[0]?.text; // "tcp dport 22 counter accept"
 * ```
 */
export function parseNftRuleset(
  text: string,
  source = "nft list ruleset",
): Parsed<FirewallTable[]> {
  const tables: FirewallTable[] = [];
  const warnings: string[] = [];
  let table: FirewallTable | undefined;
  let chain: FirewallChain | undefined;
  /** Depth of a block being read past (a set, a map …), and of a rule spread over lines. */
  let skipping = 0;
  let pending: { text: string; depth: number; line: number } | undefined;
  const lines = splitLines(text);
  lines.forEach((raw, idx) => {
    const line = raw.trim();
    if (skipping > 0) {
      skipping += braceDelta(line);
      return;
    }
    if (pending) {
      pending.text += " " + line;
      pending.depth += braceDelta(line);
      if (pending.depth <= 0) {
        addRule(pending.text, pending.line);
        pending = undefined;
      }
      return;
    }
    if (line === "") return;
    if (table === undefined) {
      if (line.startsWith("#")) return;
      const t = /^table (\S+) (\S+) \{(?:\s*# handle [0-9]+)?$/.exec(line);
      if (!t) {
        warnings.push(cannotRead(source, idx + 1, "table", raw));
        return;
      }
      table = { syntax: "nft", family: t[1]!, name: unquote(t[2]!), chains: [] };
      tables.push(table);
      return;
    }
    if (chain === undefined) {
      if (line === "}") {
        table = undefined;
        return;
      }
      const c = /^chain (\S+) \{(?:\s*# handle [0-9]+)?$/.exec(line);
      if (c) {
        chain = { name: unquote(c[1]!), rules: [] };
        table.chains.push(chain);
        return;
      }
      // A set, map, flowtable or stateful object: a block (or a one-line declaration).
      const d = braceDelta(line);
      if (d > 0) skipping = d;
      else if (!/^(flags|comment)\b/.test(line) && d === 0 && !/\{.*\}/.test(line)) {
        warnings.push(cannotRead(source, idx + 1, "table line", raw));
      }
      return;
    }
    if (line === "}") {
      chain = undefined;
      return;
    }
    if (/^type \S+ hook /.test(line) || /^policy \S+;?$/.test(line)) {
      if (!readChainHead(line, chain, table.family)) {
        warnings.push(cannotRead(source, idx + 1, "chain head", raw));
      }
      return;
    }
    if (chain.rules.length === 0 && /^comment "/.test(line) && !HANDLE.test(line)) return;
    const d = braceDelta(line);
    if (d > 0) {
      pending = { text: line, depth: d, line: idx + 1 };
      return;
    }
    addRule(line, idx + 1);
  });
  function addRule(line: string, lineNo: number): void {
    const h = HANDLE.exec(line);
    const text = (h ? line.slice(0, h.index) : line).trim();
    if (text === "") {
      warnings.push(cannotRead(source, lineNo, "rule", line));
      return;
    }
    chain!.rules.push(nftRule(text, h ? Number(h[1]) : undefined));
  }
  if (table !== undefined || pending !== undefined) {
    warnings.push(`${source}: ends inside ${chain ? `chain ${chain.name}` : "a table"}`);
  }
  return { value: tables, warnings };
}

/** nft quotes names that are keywords (`"input"` is printed bare, `"my chain"` quoted). */
function unquote(name: string): string {
  return name.length >= 2 && name.startsWith('"') && name.endsWith('"') ? name.slice(1, -1) : name;
}

/**
 * `nft -j list ruleset`: the nftables ruleset as JSON (libnftables' schema): `table`, `chain`
 * and `rule` objects in one `nftables` array. What a snapshot takes from it: tables, chains with
 * their type, hook, priority (a number), policy and device, and each rule's handle, counter and
 * comment. The rule's text comes from `nft -a list ruleset` (nft_ruleset.ts), joined by handle:
 * the JSON expression tree is what nft reads, the text is what people read.
 */
import type { FirewallChain, FirewallRule, FirewallTable } from "../../model.ts";
import { ParseError } from "../../errors.ts";
import { cannotRead, type Parsed } from "../text.ts";
import { parseToolJson } from "./ip_json.ts";

/** A rule as the JSON has it: where it lives, its handle, its counter. */
export interface NftJsonRule {
  family: string;
  table: string;
  chain: string;
  handle: number;
  counters?: FirewallRule["counters"];
  comment?: string;
}

/** Tables with their chains (no rules yet) and the rules, in the JSON's order. */
export interface NftJsonRuleset {
  tables: FirewallTable[];
  rules: NftJsonRule[];
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** The first counter expression of a rule, exact. */
function counterOf(expr: unknown): FirewallRule["counters"] | undefined {
  if (!Array.isArray(expr)) return undefined;
  for (const e of expr) {
    const c = (e as { counter?: { packets?: unknown; bytes?: unknown } } | null)?.counter;
    if (c && Number.isSafeInteger(c.packets) && Number.isSafeInteger(c.bytes)) {
      return { packets: BigInt(c.packets as number), bytes: BigInt(c.bytes as number) };
    }
  }
  return undefined;
}

/** Parses `nft -j list ruleset` into tables, chains and the rules' handles and counters. */
export function parseNftJsonRuleset(
  json: string,
  source = "nft -j list ruleset",
): Parsed<NftJsonRuleset> {
  const doc = parseToolJson(json, source, '{"nftables":[]}');
  const list = (doc as { nftables?: unknown } | null)?.nftables;
  if (!Array.isArray(list)) {
    throw new ParseError(source, 1, json.split("\n")[0] ?? "", 'expected {"nftables": [...]}');
  }
  const warnings: string[] = [];
  const tables = new Map<string, FirewallTable>();
  const chains = new Map<string, FirewallChain>();
  const rules: NftJsonRule[] = [];
  list.forEach((item, i) => {
    const o = (item ?? {}) as Record<string, Record<string, unknown> | undefined>;
    const bad = () =>
      warnings.push(cannotRead(`${source}[${i}]`, undefined, "object", JSON.stringify(item)));
    if (o.table) {
      const family = str(o.table.family), name = str(o.table.name);
      if (family === undefined || name === undefined) return bad();
      const t: FirewallTable = { syntax: "nft", family, name, chains: [] };
      tables.set(`${family} ${name}`, t);
    } else if (o.chain) {
      const c = o.chain;
      const family = str(c.family), table = str(c.table), name = str(c.name);
      const t = tables.get(`${family} ${table}`);
      if (family === undefined || table === undefined || name === undefined || !t) return bad();
      const chain: FirewallChain = { name, rules: [] };
      if (str(c.type) !== undefined) chain.type = str(c.type)!;
      if (str(c.hook) !== undefined) chain.hook = str(c.hook)!;
      if (str(c.dev) !== undefined) chain.device = str(c.dev)!;
      if (Number.isInteger(c.prio)) chain.priority = c.prio as number;
      if (str(c.policy) !== undefined) chain.policy = str(c.policy)!;
      t.chains.push(chain);
      chains.set(`${family} ${table} ${name}`, chain);
    } else if (o.rule) {
      const r = o.rule;
      const family = str(r.family), table = str(r.table), chain = str(r.chain);
      if (
        family === undefined || table === undefined || chain === undefined ||
        !Number.isInteger(r.handle) || !chains.has(`${family} ${table} ${chain}`)
      ) return bad();
      const rule: NftJsonRule = { family, table, chain, handle: r.handle as number };
      const counters = counterOf(r.expr);
      if (counters) rule.counters = counters;
      if (str(r.comment) !== undefined) rule.comment = str(r.comment)!;
      rules.push(rule);
    }
    // metainfo, sets, maps, elements, flowtables and objects are not kept.
  });
  return { value: { tables: [...tables.values()], rules }, warnings };
}

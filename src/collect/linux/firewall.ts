/**
 * The Linux collector's packet filter.
 *
 * - nftables: `nft -j list ruleset` gives the tables, the chains with their type, hook,
 *   priority and policy, and each rule's handle and counter; `nft -a list ruleset` gives each
 *   rule's text as nft prints it, joined to the JSON by handle. The tables iptables-nft made
 *   (Docker's, firewalld's) are among them, in nft's syntax.
 * - Legacy iptables (x_tables, which nft cannot see): read with `iptables-legacy-save -c` and
 *   `ip6tables-legacy-save -c` when /proc/net/ip_tables_names (ip6_tables_names) lists tables.
 * - Where nft is not installed: `iptables-save -c` and `ip6tables-save -c`, whichever backend
 *   they use.
 *
 * Missing tools and refusals (not root) are warnings, so the section is partial; when nothing
 * could be read it is an error naming why, and a diff then does not compare it.
 *
 * Where netlink is read, the tools run only when there is something to list: one nfnetlink dump
 * of the nftables tables (every family) and the x_tables names files say whether the namespace
 * has a table at all; with none the section is the empty ruleset, source "netlink", and no nft
 * is spawned (most containers and `ip netns` namespaces have none). In another namespace the
 * tools run in it through `nsenter` (the place's runner), and the names files are its own.
 */
import type { FirewallTable } from "../../model.ts";
import { firewallChainKey } from "../../net/firewall.ts";
import { parseIptablesSave } from "../../parse/linux/iptables_save.ts";
import { parseNftJsonRuleset } from "../../parse/linux/nft_json_ruleset.ts";
import { parseNftRuleset } from "../../parse/linux/nft_ruleset.ts";
import type { Place } from "../contract.ts";
import { failed, type Section, section } from "../section.ts";
import { readText, under } from "./files.ts";
import { isMissing, runTool } from "./tools.ts";
import type { CommandResult } from "../../runtime/command.ts";
import { dumpNftTables } from "./netlink.ts";

/** The text of an x_tables names file (`ip_tables_names`) of the namespace read, if any. */
export type LegacyNames = (file: string) => string | undefined;

/** The names files of the own namespace, /proc/net below the capture's root. */
function ownLegacyNames(place: Place): LegacyNames {
  return (file) => readText(under(place.root, `/proc/net/${file}`));
}

const LEGACY_FILES = ["ip_tables_names", "ip6_tables_names"] as const;

/** What one part of the firewall gave: tables, or why it could not. */
type Part = { tables: FirewallTable[] } | { reason: string; missing: boolean };

/**
 * A failed run in words, with what was missing where the kernel refused: root, or, for root
 * (uid 0) without it, CAP_NET_ADMIN, which nft's netlink dump and iptables-save's
 * getsockopt need (nft then still says "you must be root", which would mislead).
 */
function why(r: CommandResult, what: string, uid?: number): string {
  const reason = r.reason ?? `${what} failed`;
  if (!/not permitted|permission denied|you must be root/i.test(`${reason} ${r.stderr}`)) {
    return reason;
  }
  if (uid !== 0) return `${reason} (reading the firewall needs root)`;
  const plain = reason.replace(/\s*\(you must be root\)/i, "");
  return `${plain} (reading the firewall needs CAP_NET_ADMIN)`;
}

/** nftables: the JSON for structure and counters, the text (-a) for each rule as nft prints it. */
function fromNft(place: Place, warnings: string[]): Part {
  const text = runTool(place.runner, "nft", ["-a", "list", "ruleset"]);
  if (!text.ok) return { reason: why(text, "nft", place.uid), missing: isMissing(text, "nft") };
  const parsed = parseNftRuleset(text.stdout, "nft -a list ruleset");
  warnings.push(...parsed.warnings);
  const json = runTool(place.runner, "nft", ["-j", "list", "ruleset"]);
  if (!json.ok) {
    warnings.push(
      `nft -j list ruleset failed (${why(json, "nft", place.uid)}); chains as nft prints them`,
    );
    return { tables: parsed.value };
  }
  let structure;
  try {
    structure = parseNftJsonRuleset(json.stdout);
  } catch (err) {
    warnings.push(`nft -j list ruleset unreadable (${(err as Error).message}); chains as printed`);
    return { tables: parsed.value };
  }
  warnings.push(...structure.warnings);
  return { tables: join(structure.value.tables, structure.value.rules, parsed.value, warnings) };
}

/**
 * The JSON's tables and chains with the text's rules, matched by handle. A rule only one side
 * shows (the ruleset changed between the two runs) is a warning; the text's rules are kept.
 */
function join(
  jsonTables: FirewallTable[],
  jsonRules: ReturnType<typeof parseNftJsonRuleset>["value"]["rules"],
  textTables: FirewallTable[],
  warnings: string[],
): FirewallTable[] {
  const texts = new Map(
    textTables.flatMap((t) => t.chains.map((c) => [firewallChainKey(t, c), c])),
  );
  const byChain = new Map<string, typeof jsonRules>();
  for (const r of jsonRules) {
    const k = `nft ${r.family} ${r.table} ${r.chain}`;
    byChain.set(k, [...(byChain.get(k) ?? []), r]);
  }
  let unmatched = 0;
  for (const t of jsonTables) {
    for (const c of t.chains) {
      const key = firewallChainKey(t, c);
      const text = texts.get(key);
      texts.delete(key);
      const handles = new Map((text?.rules ?? []).map((r) => [r.handle, r]));
      const fromJson = byChain.get(key) ?? [];
      c.rules = [];
      for (const jr of fromJson) {
        const tr = handles.get(jr.handle);
        if (!tr) {
          unmatched++;
          continue;
        }
        handles.delete(jr.handle);
        // The text's counter is exact at any size; the JSON's only up to 2^53.
        c.rules.push(tr.counters || !jr.counters ? tr : { ...tr, counters: jr.counters });
      }
      unmatched += handles.size;
      for (const tr of handles.values()) c.rules.push(tr);
    }
  }
  if (texts.size > 0 || unmatched > 0) {
    warnings.push(
      `the ruleset changed while it was read (${unmatched} rules, ${texts.size} chains seen only once)`,
    );
    for (const t of textTables) {
      for (const c of t.chains) {
        if (!texts.has(firewallChainKey(t, c))) continue;
        let into = jsonTables.find((x) => x.family === t.family && x.name === t.name);
        if (!into) jsonTables.push(into = { ...t, chains: [] });
        into.chains.push(c);
      }
    }
  }
  return jsonTables;
}

/** iptables-save of both families (`legacy`: the x_tables ones nft cannot see). */
function fromIptables(
  place: Place,
  warnings: string[],
  legacy: boolean,
  legacyNames: LegacyNames,
): Part {
  const tables: FirewallTable[] = [];
  const reasons: string[] = [];
  let missing = true;
  for (
    const [tool, family, names] of [
      [legacy ? "iptables-legacy-save" : "iptables-save", "ip", "ip_tables_names"],
      [legacy ? "ip6tables-legacy-save" : "ip6tables-save", "ip6", "ip6_tables_names"],
    ] as const
  ) {
    if (legacy && (legacyNames(names) ?? "").trim() === "") {
      continue;
    }
    const r = runTool(place.runner, tool, ["-c"]);
    if (!r.ok) {
      reasons.push(why(r, tool, place.uid));
      if (!isMissing(r, tool)) missing = false;
      continue;
    }
    missing = false;
    const p = parseIptablesSave(r.stdout, `${tool} -c`, family);
    warnings.push(...p.warnings);
    tables.push(...p.value);
  }
  if (tables.length === 0 && reasons.length > 0) return { reason: reasons.join("; "), missing };
  warnings.push(...reasons);
  return { tables };
}

/**
 * True when the namespace has no firewall table at all: nfnetlink lists no nftables table and
 * no x_tables names file lists one. False when it has one or that cannot be told (not root).
 */
export function noFirewallTables(place: Place, legacyNames: LegacyNames): boolean {
  if (LEGACY_FILES.some((f) => (legacyNames(f) ?? "").trim() !== "")) return false;
  const t = dumpNftTables(place.netns === undefined ? {} : { netns: place.netns });
  return t.ok && t.incomplete.length === 0 && t.records.length === 0;
}

/**
 * Reads the firewall: nftables (and legacy iptables beside it), else iptables-save. With
 * `netlink`, nothing is spawned where the namespace has no table (`noFirewallTables`);
 * `legacyNames` reads the namespace's x_tables names files (default: /proc/net's).
 */
export function collectFirewall(
  place: Place,
  netlink = false,
  legacyNames: LegacyNames = ownLegacyNames(place),
): Section<{ tables: FirewallTable[] }> {
  if (netlink && noFirewallTables(place, legacyNames)) {
    return { value: { tables: [] }, status: { status: "ok" }, source: "netlink" };
  }
  let source = "nft";
  let error: string | undefined;
  const s = section(source, { tables: [] as FirewallTable[] }, (warnings) => {
    const nft = fromNft(place, warnings);
    if ("tables" in nft) {
      const legacy = fromIptables(place, warnings, true, legacyNames);
      if ("tables" in legacy && legacy.tables.length > 0) {
        source = "nft, iptables-legacy-save";
        return { tables: [...nft.tables, ...legacy.tables] };
      }
      if ("reason" in legacy) {
        warnings.push(`legacy iptables tables exist but cannot be read: ${legacy.reason}`);
      }
      return { tables: nft.tables };
    }
    source = "iptables-save";
    const ipt = fromIptables(place, warnings, false, legacyNames);
    if ("tables" in ipt) {
      if (!nft.missing) warnings.push(nft.reason);
      return ipt;
    }
    error = nft.missing && ipt.missing
      ? "no firewall tool: nft and iptables-save are not installed"
      : `${nft.reason}; ${ipt.reason}`;
    return { tables: [] };
  });
  if (error !== undefined) return { ...s, status: failed(error, s.status.warnings ?? []), source };
  return { ...s, source };
}

/**
 * The views of `nsnap show` for what decides where a packet goes, each in the layout of the
 * tool people know it from: `--rules` as `ip rule`, `--neigh` as `ip neigh`, `--settings` as
 * `sysctl`, `--qdisc` as `tc -s qdisc`, `--firewall` as `nft list ruleset` (iptables tables as
 * `iptables-save -c`). Data in, text out.
 */
import type {
  Firewall,
  FirewallChain,
  FirewallRule,
  FirewallTable,
  Neighbour,
  Qdisc,
  Rule,
  Settings,
} from "../model.ts";
import { describeNeighbour } from "../net/neighbours.ts";
import { describeQdisc } from "../net/qdiscs.ts";
import { ruleAction, ruleSelectors } from "../net/rules.ts";
import { displayText, fitText, foldLine, type Paint, PLAIN, wrapText } from "./table.ts";

function family(f: string): string {
  return f === "inet6" ? "IPv6" : "IPv4";
}

/** Rules as `ip rule` prints them, IPv4 then IPv6, priorities aligned. */
export function renderRules(rules: readonly Rule[], paint: Paint = PLAIN): string {
  const out: string[] = [];
  const width = rules.reduce((w, r) => Math.max(w, String(r.priority).length + 1), 0);
  for (const fam of ["inet", "inet6"] as const) {
    const list = rules.filter((r) => r.family === fam);
    if (list.length === 0) continue;
    if (out.length) out.push("");
    out.push(paint.bold(`${family(fam)} rules`));
    for (const r of list) {
      // A long rule continues under its selectors, so it fits 80 columns.
      const [first, ...rest] = wrapText(
        displayText(`${ruleSelectors(r)} ${ruleAction(r)}`),
        78 - width,
      );
      out.push(`${`${r.priority}:`.padEnd(width)}  ${first}`);
      for (const l of rest) out.push(`${" ".repeat(width + 2)}${l}`);
    }
  }
  return out.length ? out.join("\n") + "\n" : "";
}

function stateColor(n: Neighbour, paint: Paint): (s: string) => string {
  const s = n.state ?? "";
  if (/FAILED|INCOMPLETE/.test(s)) return paint.red;
  if (/STALE|DELAY|PROBE/.test(s)) return paint.yellow;
  return (x) => x;
}

/** A line folded to `width` (none: as it is), each piece painted. */
function folded(line: string, width: number | undefined, paint: (s: string) => string): string[] {
  return (width === undefined ? [line] : foldLine(line, width)).map(paint);
}

/**
 * Neighbour entries as `ip neigh` prints them (proxy entries as `ip neigh show proxy`), a line
 * longer than `width` folded.
 */
export function renderNeighbours(
  list: readonly Neighbour[],
  paint: Paint = PLAIN,
  width?: number,
): string {
  return list.flatMap((n) => folded(displayText(describeNeighbour(n)), width, stateColor(n, paint)))
    .join("\n") + (list.length ? "\n" : "");
}

/** Settings as `sysctl` prints them: `name = value`, a line longer than `width` folded. */
export function renderSettings(settings: Settings, width?: number): string {
  const lines = Object.keys(settings).sort().map((k) => displayText(`${k} = ${settings[k]}`));
  return lines.length ? fitText(lines.join("\n"), width) + "\n" : "";
}

/** Qdiscs as `tc -s qdisc` prints them, counters exact, a line longer than `width` folded. */
export function renderQdiscs(list: readonly Qdisc[], paint: Paint = PLAIN, width?: number): string {
  const out: string[] = [];
  for (const q of list) {
    out.push(...folded(displayText(describeQdisc(q)), width, paint.bold));
    const s = q.stats;
    if (!s) continue;
    // Plain digits, as tc prints them.
    const n = (v: bigint | undefined) => (v === undefined ? "?" : String(v));
    const drops = s.drops !== undefined && s.drops > 0n ? paint.red(n(s.drops)) : n(s.drops);
    const sent = ` Sent ${n(s.bytes)} bytes ${n(s.packets)} pkt (dropped ${
      n(s.drops)
    }, overlimits ${n(s.overlimits)} requeues ${n(s.requeues)})`;
    // Painted after folding, so that a fold never splits a colour code.
    out.push(
      ...folded(sent, width, (l) => l.replace(`dropped ${n(s.drops)},`, `dropped ${drops},`)),
    );
    out.push(` backlog ${n(s.backlog)}b ${n(s.qlen)}p`);
  }
  return out.length ? out.join("\n") + "\n" : "";
}

/** A rule's text with its counter's values where nft prints them. */
function nftRuleText(r: FirewallRule): string {
  if (!r.counters) return r.text;
  const c = `counter packets ${r.counters.packets} bytes ${r.counters.bytes}`;
  return /\bcounter\b(?! name)/.test(r.text) ? r.text.replace(/\bcounter\b(?! name)/, c) : r.text;
}

function nftChain(c: FirewallChain): string[] {
  const out = [`\tchain ${displayText(c.name)} {`];
  if (c.hook !== undefined) {
    const dev = c.device !== undefined ? ` device "${displayText(c.device)}"` : "";
    out.push(
      `\t\ttype ${c.type ?? "filter"} hook ${c.hook}${dev} priority ${c.priority ?? 0}; policy ${
        c.policy ?? "accept"
      };`,
    );
  }
  for (const r of c.rules) out.push(`\t\t${displayText(nftRuleText(r))}`);
  out.push("\t}");
  return out;
}

function nftTable(t: FirewallTable): string[] {
  const chains = t.chains.map(nftChain);
  const out = [`table ${displayText(t.family)} ${displayText(t.name)} {`];
  chains.forEach((c, i) => {
    if (i > 0) out.push("");
    out.push(...c);
  });
  out.push("}");
  return out;
}

function iptablesTable(t: FirewallTable): string[] {
  const out = [`# ${t.family === "ip6" ? "ip6tables" : "iptables"}`, `*${displayText(t.name)}`];
  for (const c of t.chains) {
    out.push(displayText(`:${c.name} ${c.policy ? c.policy.toUpperCase() : "-"}`));
  }
  for (const c of t.chains) {
    for (const r of c.rules) {
      const n = r.counters ? `[${r.counters.packets}:${r.counters.bytes}] ` : "";
      out.push(displayText(`${n}-A ${c.name}${r.text === "" ? "" : ` ${r.text}`}`));
    }
  }
  out.push("COMMIT");
  return out;
}

/**
 * The firewall as `nft list ruleset` (and `iptables-save -c`) print it; a rule longer than
 * `width` is folded (`-W` keeps the text that can be pasted back whole).
 */
export function renderFirewall(f: Firewall, width?: number): string {
  const blocks = f.tables.map((t) => (t.syntax === "nft" ? nftTable(t) : iptablesTable(t)));
  return blocks.length ? fitText(blocks.map((b) => b.join("\n")).join("\n"), width) + "\n" : "";
}

/**
 * iproute2 `ip rule` (and `ip -6 rule`) text: one rule per line, `PRIORITY:` then the selectors
 * (`not`, `from`, `to`, `tos`, `fwmark`, `iif`, `oif`, `uidrange`, `ipproto`, `sport`, `dport`)
 * and what the rule does (`lookup T`, `goto N`, `nop`, `blackhole`, `unreachable`, `prohibit`,
 * `suppress_prefixlength N`, `realms X`).
 *
 * Decisions:
 * - Addresses become canonical CIDRs (a bare address is a /32 or /128); `from all` is no
 *   selector at all.
 * - A rule's family comes from its addresses; where no rule of the text names one, the family
 *   given, else the one the kernel's default rules show (`listingFamily`): an `ip -6 rule`
 *   listing has 0 and 32766 but not IPv4's 32767 `lookup default`. A listing that shows
 *   neither is read as IPv4 with a warning, never silently.
 * - `lookup [l3mdev-table]` is a lookup in the VRF's table (`l3mdev`). A table name that is not
 *   main, local or default has no number in this output: the rule is kept under table 0 with a
 *   warning (as `ip route` routes are).
 * - `[detached]` after iif/oif (the device does not exist) and `proto X` (ip -d) do not change
 *   what the rule is and are read past; any other word makes the line a warning.
 */
import type { Family, Rule } from "../../model.ts";
import { routeDestination, tableId } from "../../net/routes.ts";
import { cannotRead, type Parsed, splitLines } from "../text.ts";

/** Reads `A` or `A-B` as a range. */
export function parseRange(text: string | undefined): { start: number; end: number } | undefined {
  const m = /^([0-9]{1,10})(?:-([0-9]{1,10}))?$/.exec(text ?? "");
  if (!m) return undefined;
  const start = Number(m[1]), end = m[2] === undefined ? start : Number(m[2]);
  return end >= start ? { start, end } : undefined;
}

/** Reads a hex or decimal mark (`0x10`, `16`). */
export function parseMark(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = /^0x[0-9a-f]{1,8}$/i.test(text)
    ? parseInt(text, 16)
    : /^[0-9]{1,10}$/.test(text)
    ? Number(text)
    : NaN;
  return Number.isInteger(n) && n >= 0 && n <= 0xffffffff ? n : undefined;
}

const ACTIONS = new Set(["nop", "blackhole", "unreachable", "prohibit"]);

interface Read {
  rule: Rule;
  /** The family the line itself shows (an address), if any. */
  family?: Family;
  /** A table name without a number here. */
  tableName?: string;
}

/** One rule line's words after the priority; a string says why it cannot be read. */
function parseWords(priority: number, words: string[]): Read | string {
  const rule: Rule = { family: "inet", priority, action: "lookup" };
  let family: Family | undefined;
  let tableName: string | undefined;
  let acted = false;
  const address = (text: string | undefined): string | undefined | null => {
    if (text === undefined) return null;
    if (text === "all") return undefined;
    if (!/^[0-9a-fA-F.:]+(\/[0-9]{1,3})?$/.test(text)) return null;
    const fam: Family = text.includes(":") ? "inet6" : "inet";
    family = fam;
    return routeDestination(text, fam);
  };
  for (let k = 0; k < words.length;) {
    const key = words[k]!;
    const value = words[k + 1];
    switch (key) {
      case "not":
        rule.not = true;
        k += 1;
        continue;
      case "from":
      case "to": {
        const a = address(value);
        if (a === null) return `bad ${key} address`;
        if (a !== undefined) rule[key] = a;
        k += 2;
        continue;
      }
      case "tos":
      case "dsfield":
        if (value === undefined) return `${key} without a value`;
        rule.tos = value;
        k += 2;
        continue;
      case "fwmark": {
        const [mark, mask] = (value ?? "").split("/");
        const m = parseMark(mark);
        if (m === undefined) return "bad fwmark";
        rule.fwmark = m;
        if (mask !== undefined) {
          const mk = parseMark(mask);
          if (mk === undefined) return "bad fwmark mask";
          if (mk !== 0xffffffff) rule.fwmask = mk;
        }
        k += 2;
        continue;
      }
      case "iif":
      case "oif":
        if (value === undefined) return `${key} without a device`;
        rule[key] = value;
        k += words[k + 2] === "[detached]" ? 3 : 2;
        continue;
      case "uidrange":
      case "sport":
      case "dport": {
        const r = parseRange(value);
        if (r === undefined) return `bad ${key}`;
        rule[key === "uidrange" ? "uidRange" : key] = r;
        k += 2;
        continue;
      }
      case "ipproto":
        if (value === undefined) return "ipproto without a value";
        rule.ipProto = value;
        k += 2;
        continue;
      case "lookup":
      case "table": {
        if (value === undefined) return `${key} without a table`;
        acted = true;
        rule.action = "lookup";
        if (value === "[l3mdev-table]") rule.l3mdev = true;
        else {
          const id = tableId(value);
          if (id === undefined) {
            tableName = value;
            rule.table = 0;
          } else rule.table = id;
        }
        k += 2;
        continue;
      }
      case "l3mdev":
        rule.l3mdev = true;
        acted = true;
        k += 1;
        continue;
      case "goto": {
        if (!/^[0-9]{1,10}$/.test(value ?? "")) return "bad goto target";
        acted = true;
        rule.action = "goto";
        rule.goto = Number(value);
        k += 2;
        continue;
      }
      case "suppress_prefixlength":
      case "suppress_ifgroup": {
        if (!/^-?[0-9]{1,10}$/.test(value ?? "")) return `bad ${key}`;
        rule[key === "suppress_prefixlength" ? "suppressPrefixLength" : "suppressIfgroup"] = Number(
          value,
        );
        k += 2;
        continue;
      }
      case "realms":
      case "map-to":
        if (value === undefined) return `${key} without a value`;
        if (key === "realms") rule.realms = value;
        k += 2;
        continue;
      case "proto":
      case "protocol":
        k += 2;
        continue;
    }
    if (ACTIONS.has(key)) {
      acted = true;
      rule.action = key;
      k += 1;
      continue;
    }
    return `unknown word ${JSON.stringify(key)}`;
  }
  if (!acted) return "no action";
  const out: Read = { rule };
  if (family !== undefined) out.family = family;
  if (tableName !== undefined) out.tableName = tableName;
  return out;
}

/**
 * Parses `ip rule` text into rules.
 *
 * @example
 * ```ts
 * import { parseIpRule } from "./ip_rule.ts";
 * const { value } = parseIpRule("1000:\tfrom 10.77.6.0/24 lookup 100\n");
 * value[0]?.table; // 100
 * ```
 */
export function parseIpRule(text: string, source = "ip rule", family?: Family): Parsed<Rule[]> {
  const read: Read[] = [];
  const warnings: string[] = [];
  splitLines(text).forEach((line, idx) => {
    if (line.trim() === "") return;
    const m = /^\s*([0-9]{1,10}):\s+(.*)$/.exec(line);
    if (!m) {
      warnings.push(cannotRead(source, idx + 1, "rule", line));
      return;
    }
    const r = parseWords(Number(m[1]), m[2]!.trim().split(/\s+/));
    if (typeof r === "string") {
      warnings.push(cannotRead(source, idx + 1, `rule (${r})`, line));
      return;
    }
    if (r.tableName !== undefined) {
      warnings.push(
        `${source}:${idx + 1}: table "${r.tableName}" has no number in this output; ` +
          `rule ${r.rule.priority} kept under table 0`,
      );
    }
    read.push(r);
  });
  // ip prints one family per listing: a line without an address takes the listing's family.
  const shown = family ?? read.find((r) => r.family !== undefined)?.family ??
    listingFamily(read.map((r) => r.rule), source, warnings);
  for (const r of read) r.rule.family = r.family ?? shown;
  return { value: read.map((r) => r.rule), warnings };
}

/** Whether a rule is one of the kernel's defaults: `from all lookup TABLE` at `priority`. */
function isDefault(r: Rule, priority: number, table: number): boolean {
  return r.priority === priority && r.action === "lookup" && r.table === table &&
    r.from === undefined && r.to === undefined && r.not === undefined &&
    r.iif === undefined && r.oif === undefined && r.fwmark === undefined;
}

/**
 * The family of a rule listing none of whose rules names an address (`ip rule` prints no
 * family), told by the kernel's default rules: only IPv4 has 32767 `lookup default`; IPv6 has
 * 0 `lookup local` and 32766 `lookup main` alone. A listing that shows neither is IPv4, the
 * default of `ip rule`, with a warning pushed onto `warnings` saying so.
 *
 * @example
 * ```ts
 * import { listingFamily, parseIpRule } from "./ip_rule.ts";
 * const six = parseIpRule("0:\tfrom all lookup local\n32766:\tfrom all lookup main\n").value;
 * listingFamily(six, "ip -6 rule", []); // "inet6"
 * ```
 */
export function listingFamily(rules: readonly Rule[], source: string, warnings: string[]): Family {
  if (rules.length === 0) return "inet";
  if (rules.some((r) => isDefault(r, 32767, 253))) return "inet";
  if (rules.some((r) => isDefault(r, 0, 255)) && rules.some((r) => isDefault(r, 32766, 254))) {
    return "inet6";
  }
  warnings.push(
    `${source}: no rule names an address or is one of the kernel's default rules, so the ` +
      "family is not shown; read as IPv4 (give `ip -j -4 rule` and `ip -j -6 rule` output " +
      "in files of their own if these are IPv6 rules)",
  );
  return "inet";
}

/**
 * Number-to-name tables the tools print names from: /etc/protocols (`NAME NUMBER ALIASES…`, what
 * getprotobynumber() reads, so `ip rule` prints `ipproto tcp`) and iproute2's own tables such as
 * /etc/iproute2/rt_dsfield (`NUMBER NAME`, the number in hex or decimal, so `ip rule` prints
 * `tos AF11`). Comments (`#` to the end of the line) and lines that are not such pairs are read
 * past; the first name for a number wins, as the C library's lookup stops at the first match.
 */
import { parseMark } from "./ip_rule.ts";

function pairs(text: string, numberFirst: boolean): Map<number, string> {
  const out = new Map<number, string>();
  for (const raw of text.split("\n")) {
    const words = raw.replace(/#.*/, "").trim().split(/\s+/);
    if (words.length < 2) continue;
    const [a, b] = numberFirst ? [words[1]!, words[0]!] : [words[0]!, words[1]!];
    const n = parseMark(b);
    if (n !== undefined && !out.has(n)) out.set(n, a);
  }
  return out;
}

/**
 * Protocol names by number from /etc/protocols text.
 *
 * @example
 * ```ts
 * import { parseEtcProtocols } from "./etc_names.ts";
 * parseEtcProtocols("tcp\t6\tTCP\t\t# transmission control protocol\n").get(6); // "tcp"
 * ```
 */
export function parseEtcProtocols(text: string): Map<number, string> {
  return pairs(text, false);
}

/**
 * Names by number from an iproute2 table file (rt_dsfield, rt_realms, rt_tables: `NUMBER NAME`).
 *
 * @example
 * ```ts
 * import { parseIproute2Names } from "./etc_names.ts";
 * parseIproute2Names("0x28\tAF11\n").get(0x28); // "AF11"
 * ```
 */
export function parseIproute2Names(text: string): Map<number, string> {
  return pairs(text, true);
}

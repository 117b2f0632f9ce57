/**
 * iproute2 `tc qdisc` and `tc -s qdisc` text: a `qdisc KIND HANDLE dev DEV root|parent P
 * [refcnt N] OPTIONS…` line per qdisc, then with -s its counters:
 * ` Sent B bytes P pkt (dropped D, overlimits O requeues R)` and ` backlog Xb Yp requeues R`,
 * and kind-specific statistics lines, which are read past.
 *
 * Decisions:
 * - `options` is the rest of the first line, as tc prints it, without `refcnt` (a reference
 *   count) and `direct_packets_stat` (htb's counter), which change by themselves; ingress's
 *   `----------------` is no option.
 * - A backlog tc prints rounded (`14Kb`) is left out: only a byte count in `b` is exact.
 */
import type { Qdisc, QdiscStats } from "../../model.ts";
import { cannotRead, type Parsed, splitLines } from "../text.ts";

/** Options tc prints on the qdisc line that are counters, not settings. */
const COUNTER_OPTIONS = /\s*\bdirect_packets_stat [0-9]+/g;

/** The options text of a qdisc line, without counters; undefined when there is none. */
export function qdiscOptions(text: string): string | undefined {
  const t = text.replace(COUNTER_OPTIONS, "").trim().split(/\s+/).join(" ");
  return t === "" || /^-+$/.test(t) ? undefined : t;
}

/**
 * Parses `tc [-s] qdisc` text into qdiscs (with counters when the text has them).
 *
 * @example
 * ```ts
 * import { parseTcQdisc } from "./tc_qdisc.ts";
 * const { value } = parseTcQdisc("qdisc pfifo 8001: dev eth0 root refcnt 2 limit 3p\n");
 * value[0]?.options; // "limit 3p"
 * ```
 */
export function parseTcQdisc(text: string, source = "tc qdisc"): Parsed<Qdisc[]> {
  const out: Qdisc[] = [];
  const warnings: string[] = [];
  let last: Qdisc | undefined;
  splitLines(text).forEach((line, idx) => {
    if (line.trim() === "") return;
    if (line.startsWith("qdisc ")) {
      const m =
        /^qdisc (\S+) ([0-9a-f]*:[0-9a-f]*) dev (\S+) (root|ingress|parent ([0-9a-f]*:[0-9a-f]*))(?: refcnt [0-9]+)?(.*)$/
          .exec(line.trimEnd());
      if (!m) {
        warnings.push(cannotRead(source, idx + 1, "qdisc", line));
        last = undefined;
        return;
      }
      last = {
        interface: m[3]!,
        kind: m[1]!,
        handle: m[2]!,
        parent: m[4] === "root" ? "root" : m[4] === "ingress" ? "ffff:fff1" : m[5]!,
      };
      const options = qdiscOptions(m[6] ?? "");
      if (options !== undefined) last.options = options;
      out.push(last);
      return;
    }
    if (last === undefined) return;
    const sent =
      /^\s*Sent ([0-9]+) bytes ([0-9]+) pkt \(dropped ([0-9]+), overlimits ([0-9]+) requeues ([0-9]+)\)/
        .exec(line);
    if (sent) {
      const s: QdiscStats = last.stats ?? {};
      s.bytes = BigInt(sent[1]!);
      s.packets = BigInt(sent[2]!);
      s.drops = BigInt(sent[3]!);
      s.overlimits = BigInt(sent[4]!);
      s.requeues = BigInt(sent[5]!);
      last.stats = s;
      return;
    }
    const backlog = /(?:^\s*|\s)backlog (\S+) ([0-9]+)p\b/.exec(line);
    if (backlog) {
      const s: QdiscStats = last.stats ?? {};
      const bytes = /^([0-9]+)b$/.exec(backlog[1]!);
      if (bytes) s.backlog = BigInt(bytes[1]!);
      s.qlen = BigInt(backlog[2]!);
      last.stats = s;
    }
    // Kind-specific statistics (maxpacket, ecn_mark, tokens …) are not kept.
  });
  return { value: out, warnings };
}

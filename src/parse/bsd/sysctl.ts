/**
 * `sysctl NAME…` output: one `name: value` line per setting (macOS, FreeBSD); Linux's
 * `name = value` is read too. Values keep their text, whitespace made one space.
 */
import { cannotRead, type Parsed, splitLines } from "../text.ts";
import { dict } from "../../util/record.ts";

const LINE = /^([A-Za-z0-9_][A-Za-z0-9_.\-/]*)\s*(?::|\s=)\s*(.*)$/;

/**
 * Parses `sysctl` output into settings by name.
 *
 * @example
 * ```ts
 * import { parseSysctl } from "./sysctl.ts";
 * parseSysctl("net.inet.ip.portrange.first: 49152\n").value;
 * // { "net.inet.ip.portrange.first": "49152" }
 * ```
 */
export function parseSysctl(text: string, source = "sysctl"): Parsed<Record<string, string>> {
  const value = dict<string>();
  const warnings: string[] = [];
  splitLines(text).forEach((line, i) => {
    if (line.trim() === "") return;
    const m = LINE.exec(line.trim());
    if (!m) {
      warnings.push(cannotRead(source, i + 1, "sysctl line", line));
      return;
    }
    value[m[1]!] = m[2]!.trim().replace(/\s+/g, " ");
  });
  return { value, warnings };
}

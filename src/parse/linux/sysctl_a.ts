/**
 * `sysctl -a` (procps): one `name = value` line per setting, names dotted as sysctl writes them
 * (a dot inside an interface name shown as a slash). Values are kept as nsnap keeps /proc/sys
 * values (whitespace collapsed); a name printed on several lines (a value with newlines) has its
 * lines joined by a space. `sysctl: …` error lines (permission denied on a key) are passed over.
 */
import type { Settings } from "../../model.ts";
import { cannotRead, type Parsed, splitLines } from "../text.ts";
import { settingValue } from "./proc_sys.ts";
import { dict } from "../../util/record.ts";

/** Parses `sysctl -a` text into settings by name (every name the text has). */
export function parseSysctlA(text: string, source = "sysctl -a"): Parsed<Settings> {
  const value: Settings = dict();
  const warnings: string[] = [];
  splitLines(text).forEach((line, idx) => {
    if (line.trim() === "" || line.startsWith("sysctl: ")) return;
    const m = /^([A-Za-z0-9_][A-Za-z0-9_.\/:@-]*)\s*=\s?(.*)$/.exec(line);
    if (!m) {
      warnings.push(cannotRead(source, idx + 1, "setting", line));
      return;
    }
    const name = m[1]!, v = settingValue(m[2]!);
    const had = Object.hasOwn(value, name) ? value[name] : undefined;
    value[name] = had === undefined ? v : settingValue(`${had} ${v}`);
  });
  return { value, warnings };
}

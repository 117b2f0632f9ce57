/**
 * /etc/passwd: `name:password:uid:gid:gecos:home:shell`, one account per line. nsnap needs only
 * the user name of each uid.
 */
import { cannotRead, type Parsed, splitLines } from "../text.ts";

/**
 * Parses /etc/passwd into user names by uid. Comments, blank lines and NIS `+`/`-` entries are
 * passed over; where two accounts share a uid, the first one names it (as getpwuid answers).
 *
 * @example
 * ```ts
 * import { parseEtcPasswd } from "./etc_passwd.ts";
 * parseEtcPasswd("root:x:0:0:root:/root:/bin/sh\n").value.get(0); // "root"
 * ```
 */
export function parseEtcPasswd(text: string, source = "/etc/passwd"): Parsed<Map<number, string>> {
  const users = new Map<number, string>();
  const warnings: string[] = [];
  splitLines(text).forEach((line, i) => {
    if (line.trim() === "" || /^\s*#/.test(line) || /^[+-]/.test(line)) return;
    const f = line.split(":");
    const name = f[0] ?? "";
    const uid = f[2] ?? "";
    if (f.length < 7 || name === "" || !/^[0-9]{1,10}$/.test(uid)) {
      warnings.push(cannotRead(source, i + 1, "account", line));
      return;
    }
    if (!users.has(Number(uid))) users.set(Number(uid), name);
  });
  return { value: users, warnings };
}

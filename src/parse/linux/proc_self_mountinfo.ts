/**
 * /proc/self/mountinfo (proc(5)): one mount per line — id, parent id, major:minor, root, mount
 * point, mount options, optional fields up to a lone `-`, file system type, source and the
 * super block's options. The collector reads it to learn how /proc is mounted: with
 * `hidepid=2` (`invisible`) another user's processes are not listed at all.
 */
import { cannotRead, type Parsed, splitLines } from "../text.ts";

/** One mount as mountinfo lists it. */
export interface Mount {
  mountPoint: string;
  fsType: string;
  source: string;
  /** The super block's options (`rw,hidepid=invisible,gid=27`), which is where procfs puts its own. */
  superOptions: string[];
}

/** Paths in mountinfo escape space, tab, newline and backslash as `\NNN` (octal). */
function unescapeOctal(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/**
 * Parses mountinfo into mounts, in its order (a later mount on the same point hides an earlier
 * one). A line that is not one is a warning.
 *
 * @example
 * ```ts
 * import { parseMountinfo } from "./proc_self_mountinfo.ts";
 * const m = parseMountinfo("22 27 0:21 / /proc rw,relatime - proc proc rw,hidepid=invisible\n");
 * m.value[0]?.superOptions; // ["rw", "hidepid=invisible"]
 * ```
 */
export function parseMountinfo(text: string, source = "/proc/self/mountinfo"): Parsed<Mount[]> {
  const mounts: Mount[] = [];
  const warnings: string[] = [];
  splitLines(text).forEach((line, i) => {
    if (line.trim() === "") return;
    const words = line.split(" ");
    const dash = words.indexOf("-", 6);
    const [fsType, src, opts] = dash < 0 ? [] : words.slice(dash + 1);
    if (words.length < 10 || dash < 0 || fsType === undefined || opts === undefined) {
      warnings.push(cannotRead(source, i + 1, "mount line", line));
      return;
    }
    mounts.push({
      mountPoint: unescapeOctal(words[4]!),
      fsType,
      source: unescapeOctal(src ?? ""),
      superOptions: opts.split(","),
    });
  });
  return { value: mounts, warnings };
}

/** What /proc's `hidepid` option hides from a reader. */
export type ProcHiding = {
  /** The option as mounted (`hidepid=2`, `hidepid=invisible`, `hidepid=ptraceable`). */
  option: string;
  /** The group whose members see every process anyway (`gid=`), where one is given. */
  gid?: number;
};

/**
 * Whether the procfs mounted on `mountPoint` (the last mount there) hides other users'
 * processes from readers without privileges: `hidepid=2`/`invisible` or `4`/`ptraceable` (not
 * `1`/`noaccess`, which lists them and only refuses to open them). Undefined when it does not.
 */
export function procHiding(mounts: readonly Mount[], mountPoint = "/proc"): ProcHiding | undefined {
  const proc = mounts.findLast((m) => m.mountPoint === mountPoint);
  if (proc === undefined || proc.fsType !== "proc") return undefined;
  const option = proc.superOptions.find((o) => /^hidepid=(2|invisible|4|ptraceable)$/.test(o));
  if (option === undefined) return undefined;
  const gid = proc.superOptions.map((o) => /^gid=([0-9]+)$/.exec(o)?.[1]).find((g) => g);
  return gid === undefined ? { option } : { option, gid: Number(gid) };
}

/** /proc/[pid]/stat: the fields nsnap needs to identify a process (name, parent, start time). */

/** What /proc/[pid]/stat tells about a process. */
export interface PidStat {
  pid: number;
  comm: string;
  ppid: number;
  /** Start time in clock ticks since boot (field 22). */
  startTicks: number;
}

/**
 * Parses one /proc/[pid]/stat line. The command name sits in parentheses and may itself contain
 * spaces and parentheses, so the fields are counted from the last ")". Returns undefined when
 * the text is not a stat line.
 */
export function parseProcPidStat(text: string): PidStat | undefined {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const f = text.slice(close + 2).split(" ");
  // After ")": state(3) ppid(4) … starttime(22) → indexes 0, 1 … 19.
  const ppid = Number(f[1]);
  const startTicks = Number(f[19]);
  if (!Number.isInteger(pid) || !Number.isInteger(ppid) || !Number.isInteger(startTicks)) {
    return undefined;
  }
  return { pid, comm: text.slice(open + 1, close), ppid, startTicks };
}

/** Parses `btime` (boot time, seconds since the epoch) from /proc/stat. */
export function parseBootTime(procStat: string): number | undefined {
  const m = /^btime\s+([0-9]+)$/m.exec(procStat);
  return m ? Number(m[1]) : undefined;
}

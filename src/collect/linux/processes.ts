/**
 * The Linux collector's processes: name, parent, executable, invoked name, user and start time
 * from /proc/[pid].
 */
import { readlinkSync, statSync } from "node:fs";
import type { ProcessInfo } from "../../model.ts";
import { parseProcPidStat } from "../../parse/linux/proc_pid_stat.ts";
import { parseEtcPasswd } from "../../parse/linux/etc_passwd.ts";
import { invokedAs } from "../../net/programs.ts";
import { maskCmdline } from "../mask.ts";
import { parseProcPidCmdline } from "../../parse/linux/proc_pid_cmdline.ts";
import { readText, under } from "./files.ts";
import { hostText } from "../../util/host_text.ts";

/** USER_HZ: /proc reports process start times in these ticks on every Linux architecture. */
const CLOCK_TICKS = 100;

/** What the processes reader needs to know besides the pids. */
export interface ProcessOptions {
  /** Boot time in ms since the epoch, to turn start ticks into a time; absent when unknown. */
  bootMs: number | undefined;
  /** Record command lines (masked). */
  cmdline: boolean;
}

/**
 * Reads each pid's /proc entry. A process that exited before its stat was read is left out and
 * counted in a warning, as are executables that may not be read.
 */
export function readProcesses(
  root: string,
  pids: Iterable<number>,
  opts: ProcessOptions,
  warnings: string[],
): Map<number, ProcessInfo> {
  const passwd = parseEtcPasswd(
    readText(under(root, "/etc/passwd")) ?? "",
    under(root, "/etc/passwd"),
  );
  for (const w of passwd.warnings) warnings.push(w);
  const users = passwd.value;
  const proc = under(root, "/proc");
  const out = new Map<number, ProcessInfo>();
  let vanished = 0, exeDenied = 0;
  for (const pid of pids) {
    const base = `${proc}/${pid}`;
    const statText = readText(`${base}/stat`);
    const st = statText === undefined ? undefined : parseProcPidStat(statText);
    if (st === undefined) {
      vanished++;
      continue;
    }
    const info: ProcessInfo = { pid, ppid: st.ppid, name: st.comm };
    try {
      info.exe = hostText(readlinkSync(`${base}/exe`, { encoding: "buffer" }));
    } catch (err) {
      if ((err as { code?: string }).code !== "ENOENT") exeDenied++;
    }
    try {
      const uid = statSync(base).uid;
      info.uid = uid;
      const user = users.get(uid);
      if (user !== undefined) info.user = user;
    } catch { /* exited: keep what we have */ }
    if (opts.bootMs !== undefined) {
      info.startTime = new Date(opts.bootMs + st.startTicks * (1000 / CLOCK_TICKS)).toISOString();
    }
    // The invoked name is read always (the program rule needs it); the rest only when asked.
    const raw = readText(`${base}/cmdline`);
    const argv = raw === undefined ? [] : parseProcPidCmdline(raw);
    if (argv.length > 0) {
      const name = invokedAs(argv);
      if (name !== undefined) info.invokedAs = maskCmdline([name])[0]!;
      if (opts.cmdline) info.cmdline = maskCmdline(argv);
    }
    out.set(pid, info);
  }
  if (vanished) warnings.push(`${vanished} processes exited during the scan`);
  if (exeDenied) {
    warnings.push(`executable path of ${exeDenied} processes unknown: permission denied`);
  }
  return out;
}

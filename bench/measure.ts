/**
 * One timed run of a command: wall time (measured here, around the child) and peak resident memory
 * (from GNU time's `%M` when /usr/bin/time exists, else by polling VmHWM of the process tree).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";

/** GNU time, when installed: the most exact peak-RSS figure (the kernel's own ru_maxrss). */
export const GNU_TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;

/** The outcome of one run. */
export interface Sample {
  ok: boolean;
  wallMs: number;
  /** Peak resident set size in KiB, the largest of the processes involved; undefined if unknown. */
  rssKb?: number;
  /** First line of stderr (or the exit status) when the run failed. */
  error?: string;
}

/** How to run one measured command. */
export interface RunSpec {
  argv: string[];
  /** Exit codes that count as success (default: 0). */
  okCodes?: number[];
  /** Environment; inherited when absent. */
  env?: Record<string, string>;
  /** Where GNU time writes its figure (a scratch file, removed afterwards). */
  scratch: string;
}

function firstLine(text: string): string {
  return text.split("\n").map((l) => l.trim()).find((l) => l && !/^Command exited/.test(l)) ?? "";
}

/** Runs the command once with stdout discarded and returns its wall time and peak RSS. */
export function runOnce(spec: RunSpec): Promise<Sample> {
  return GNU_TIME ? runWithTime(spec, GNU_TIME) : runPolling(spec);
}

function runWithTime(spec: RunSpec, time: string): Promise<Sample> {
  const argv = [time, "-f", "%M", "-o", spec.scratch, ...spec.argv];
  const t0 = performance.now();
  const r = spawnSync(argv[0]!, argv.slice(1), {
    stdio: ["ignore", "ignore", "pipe"],
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    timeout: 600_000,
    ...(spec.env ? { env: spec.env } : {}),
  });
  const wallMs = performance.now() - t0;
  let rssKb: number | undefined;
  try {
    const text = readFileSync(spec.scratch, "utf8").trim().split("\n");
    const v = Number(text[text.length - 1]);
    if (Number.isFinite(v) && v > 0) rssKb = v;
  } catch { /* time could not write it: unknown */ }
  rmSync(spec.scratch, { force: true });
  const ok = r.status !== null && (spec.okCodes ?? [0]).includes(r.status);
  const sample: Sample = { ok, wallMs };
  if (rssKb !== undefined) sample.rssKb = rssKb;
  if (!ok) sample.error = firstLine(r.stderr ?? "") || `exit ${r.status ?? r.signal}`;
  return Promise.resolve(sample);
}

/** Peak VmHWM over a process and its descendants, as far as /proc shows them right now. */
function treeHwmKb(pid: number): number {
  let peak = 0;
  const stack = [pid];
  for (let guard = 0; stack.length > 0 && guard < 1000; guard++) {
    const p = stack.pop()!;
    try {
      const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, "utf8"));
      if (m) peak = Math.max(peak, Number(m[1]));
      for (const tid of readdirSync(`/proc/${p}/task`)) {
        const kids = readFileSync(`/proc/${p}/task/${tid}/children`, "utf8").trim();
        if (kids) { for (const k of kids.split(/\s+/)) stack.push(Number(k)); }
      }
    } catch { /* exited meanwhile */ }
  }
  return peak;
}

function runPolling(spec: RunSpec): Promise<Sample> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(spec.argv[0]!, spec.argv.slice(1), {
      stdio: ["ignore", "ignore", "pipe"],
      ...(spec.env ? { env: spec.env } : {}),
    });
    let peak = 0, stderr = "";
    const poll = setInterval(() => {
      if (child.pid) peak = Math.max(peak, treeHwmKb(child.pid));
    }, 2);
    const kill = setTimeout(() => child.kill("SIGKILL"), 600_000);
    child.stderr?.on("data", (d: Uint8Array) => {
      if (stderr.length < 10_000) stderr += new TextDecoder().decode(d);
    });
    child.once("close", (code, signal) => {
      const wallMs = performance.now() - t0;
      clearInterval(poll);
      clearTimeout(kill);
      const ok = code !== null && (spec.okCodes ?? [0]).includes(code);
      const sample: Sample = { ok, wallMs };
      if (peak > 0) sample.rssKb = peak;
      if (!ok) sample.error = firstLine(stderr) || `exit ${code ?? signal}`;
      resolve(sample);
    });
  });
}

/** The median of a non-empty list. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

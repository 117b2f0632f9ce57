/**
 * The cost of periodic capture (`deno run -A bench/periodic.ts`): CPU per capture of
 * `nsnap capture --every 1s` at idle and with N sockets, next to a one-shot `nsnap capture`, and
 * the resident memory of a long run (after 10 and after 100 captures).
 *
 *   deno run -A bench/periodic.ts [--sizes 0,10000] [--short 5] [--long 25] [--memory 100]
 *                                 [--programs binary,deno] [--no-build]
 *
 * Everything runs in a fresh network namespace *and* PID namespace (`unshare --pid --fork
 * --mount-proc`): the descriptor scan of a capture (every /proc/PID/fd) then sees only the
 * benchmark's own processes, not whatever else the machine runs, so "idle" means idle. The
 * sockets are N/2 loopback connections held by holder processes inside both namespaces, so
 * every socket has an owner to find, as on a real host.
 *
 * CPU is user + system time from GNU time (`%U %S`, the process and the `ip` commands it
 * runs). Per capture of a periodic run: (CPU of a run of `--long` captures − CPU of a run of
 * `--short` captures) / (long − short), which takes the start-up out exactly. One-shot: the CPU
 * of a whole `nsnap capture -o FILE` (start-up included), median of 3. Memory: VmRSS of the
 * running process read from /proc when it prints its 10th and its `--memory`-th path
 * (`--every 300ms --keep 5`). And `nsnap watch` in a tmux of its own (80×24, a sample a
 * second): its utime + stime over 20 samples. Needs root, iproute2, util-linux (unshare),
 * /usr/bin/time, and tmux for the watch figure.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import process from "node:process";
import { holdPairs, startHolders, stopHoldersAndWait } from "./holders.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const BINARY = `${ROOT}/dist/nsnap`;
const IS_DENO = (globalThis as { Deno?: unknown }).Deno !== undefined;
const DENO = IS_DENO ? process.execPath : `${ROOT}/node_modules/.bin/deno`;
const BUN = `${ROOT}/node_modules/.bin/bun`;
const SELF = new URL(import.meta.url).pathname;

interface Options {
  sizes: number[];
  short: number;
  long: number;
  memory: number;
  programs: string[];
  build: boolean;
  inner: boolean;
}

function parseOptions(argv: string[]): Options {
  const o: Options = {
    sizes: [0, 10_000],
    short: 5,
    long: 25,
    memory: 100,
    programs: ["binary", "deno"],
    build: true,
    inner: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--sizes") o.sizes = (argv[++i] ?? "").split(",").map(Number);
    else if (a === "--short") o.short = Number(argv[++i]);
    else if (a === "--long") o.long = Number(argv[++i]);
    else if (a === "--memory") o.memory = Number(argv[++i]);
    else if (a === "--programs") o.programs = (argv[++i] ?? "").split(",");
    else if (a === "--no-build") o.build = false;
    else if (a === "--inner") o.inner = true;
    else {throw new Error(
        `Cannot use argument ${a}: see the comment at the top of bench/periodic.ts`,
      );}
  }
  if (!(o.long > o.short && o.short >= 1) || !o.sizes.every((s) => s >= 0 && s % 2 === 0)) {
    throw new Error("Cannot run: --long must exceed --short ≥ 1, sizes are even numbers ≥ 0");
  }
  return o;
}

/** The argv that runs nsnap as `program`. */
function nsnapArgv(program: string): string[] {
  switch (program) {
    case "binary":
      return [BINARY];
    case "deno":
      return [DENO, "run", "-A", "--quiet", `${ROOT}/mod.ts`];
    case "bun":
      return [BUN, `${ROOT}/mod.ts`];
  }
  throw new Error(`Cannot run program ${program}: binary, deno or bun`);
}

/** CPU (user + system, s), wall (s) and peak RSS (KiB) of one command, from GNU time. */
function timed(argv: string[], scratch: string): { cpu: number; wall: number; rssKb: number } {
  const r = spawnSync("/usr/bin/time", ["-f", "%U %S %e %M", "-o", scratch, ...argv], {
    stdio: ["ignore", "ignore", "pipe"],
    encoding: "utf8",
    timeout: 600_000,
    env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
  });
  if (r.status !== 0) throw new Error(`${argv.join(" ")} failed (${r.status}): ${r.stderr}`);
  const [u, s, e, m] = readFileSync(scratch, "utf8").trim().split("\n").at(-1)!.split(" ").map(
    Number,
  );
  return { cpu: u! + s!, wall: e!, rssKb: m! };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function rssKbOf(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : NaN;
}

/** RSS of a long run when it prints its 10th and its `last`-th path. */
function memoryRun(argv: string[], dir: string, last: number): Promise<[number, number]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      argv[0]!,
      [
        ...argv.slice(1),
        "capture",
        "--every",
        "300ms",
        "--count",
        String(last),
        "--keep",
        "5",
        "-o",
        `${dir}/`,
      ],
      { stdio: ["ignore", "pipe", "ignore"], env: { ...process.env, DENO_NO_UPDATE_CHECK: "1" } },
    );
    let lines = 0, at10 = NaN, atLast = NaN, buf = "";
    child.stdout!.on("data", (d: Uint8Array) => {
      buf += new TextDecoder().decode(d);
      const n = buf.split("\n").length - 1;
      buf = buf.slice(buf.lastIndexOf("\n") + 1);
      for (let k = 0; k < n; k++) {
        lines++;
        if (lines === 10) at10 = rssKbOf(child.pid!);
        if (lines === last) atLast = rssKbOf(child.pid!);
      }
    });
    child.once("error", reject);
    child.once(
      "exit",
      (code) =>
        code === 0 ? resolve([at10, atLast]) : reject(new Error(`memory run exited ${code}`)),
    );
  });
}

/** utime + stime of a process, in ms. */
function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLK_TCK;
}

const CLK_TCK = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) ||
  100;

/**
 * CPU per sample of `nsnap watch` (every 1 s, 80×24) running in a tmux of its own: utime +
 * stime of the process over `seconds` samples, after 5 s to settle (its first sample finds the
 * listeners' owners). Undefined without tmux.
 */
async function watchCpuMs(argv: string[], seconds: number): Promise<number | undefined> {
  if (spawnSync("sh", ["-c", "command -v tmux"]).status !== 0) return undefined;
  const sock = `nsnap-bench-${process.pid}`;
  const tmux = (...a: string[]) =>
    spawnSync("tmux", ["-L", sock, ...a], { encoding: "utf8" }).stdout.trim();
  const cmd = [...argv, "watch"].map((a) => `'${a}'`).join(" ");
  tmux("new-session", "-d", "-s", "bench", "-x", "80", "-y", "24", `exec ${cmd}`);
  try {
    await new Promise((r) => setTimeout(r, 5000));
    const pid = Number(tmux("display-message", "-p", "-t", "bench", "#{pane_pid}"));
    const a = cpuMsOf(pid);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    return (cpuMsOf(pid) - a) / seconds;
  } finally {
    tmux("kill-server");
  }
}

interface Result {
  sockets: number;
  program: string;
  oneShotCpuMs: number;
  oneShotWallMs: number;
  perCaptureCpuMs: number;
  rss10Mb: number;
  rssLastMb: number;
  /** `nsnap watch` in tmux, CPU per 1 s sample; undefined without tmux. */
  watchCpuMs: number | undefined;
}

async function inner(o: Options): Promise<void> {
  const tmp = mkdtempSync(`${os.tmpdir()}/nsnap-bench-periodic-`);
  const results: Result[] = [];
  try {
    for (const size of o.sizes) {
      const holders = size > 0
        ? await startHolders([], Math.max(2, Math.ceil(size / 16_000)), 3600)
        : [];
      try {
        if (size > 0) await holdPairs(holders, size / 2);
        for (const program of o.programs) {
          const argv = nsnapArgv(program);
          const scratch = `${tmp}/time.txt`;
          timed([...argv, "capture", "--force", "-o", `${tmp}/warm.json`], scratch); // warm-up
          const one = [0, 1, 2].map((i) =>
            timed([...argv, "capture", "--force", "-o", `${tmp}/one-${i}.json`], scratch)
          );
          const run = (n: number) => {
            const dir = `${tmp}/run-${program}-${size}-${n}`;
            const t = timed([
              ...argv,
              "capture",
              "--every",
              "1s",
              "--count",
              String(n),
              "-o",
              `${dir}/`,
            ], scratch);
            rmSync(dir, { recursive: true, force: true });
            return t.cpu;
          };
          const perCapture = (run(o.long) - run(o.short)) / (o.long - o.short);
          const [rss10, rssLast] = await memoryRun(argv, `${tmp}/mem-${program}-${size}`, o.memory);
          results.push({
            sockets: size,
            program,
            oneShotCpuMs: median(one.map((x) => x.cpu)) * 1000,
            oneShotWallMs: median(one.map((x) => x.wall)) * 1000,
            perCaptureCpuMs: perCapture * 1000,
            rss10Mb: rss10 / 1024,
            rssLastMb: rssLast / 1024,
            watchCpuMs: await watchCpuMs(argv, 20),
          });
          console.error(JSON.stringify(results.at(-1)));
        }
      } finally {
        await stopHoldersAndWait(holders);
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  console.log(JSON.stringify(results));
}

function table(results: Result[], o: Options): string {
  const lines = [
    `| sockets | program | CPU per capture, \`--every 1s\` | one-shot capture: CPU / wall | RSS after 10 / ${o.memory} captures | \`watch\`: CPU per 1 s sample |`,
    "|--:|---|--:|--:|--:|--:|",
  ];
  for (const r of results) {
    lines.push(
      `| ${r.sockets === 0 ? "idle" : r.sockets.toLocaleString("en")} | ${r.program} | ${
        r.perCaptureCpuMs.toFixed(0)
      } ms | ${r.oneShotCpuMs.toFixed(0)} / ${r.oneShotWallMs.toFixed(0)} ms | ${
        r.rss10Mb.toFixed(0)
      } / ${r.rssLastMb.toFixed(0)} MB | ${
        r.watchCpuMs === undefined ? "– (no tmux)" : `${r.watchCpuMs.toFixed(0)} ms`
      } |`,
    );
  }
  return lines.join("\n");
}

function outer(o: Options, argv: string[]): void {
  if (o.programs.includes("binary") && (o.build || !existsSync(BINARY))) {
    const r = spawnSync(DENO, ["task", "build"], { cwd: ROOT, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`Cannot build dist/nsnap: ${r.stderr}`);
  }
  const ns = `nsnap-bench-periodic-${process.pid}`;
  const sh = (args: string[]) => {
    const r = spawnSync(args[0]!, args.slice(1), { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${args.join(" ")}: ${r.stderr}`);
  };
  sh(["ip", "netns", "add", ns]);
  try {
    sh(["ip", "-n", ns, "link", "set", "lo", "up"]);
    const runtime = IS_DENO ? [DENO, "run", "-A", "--quiet"] : [process.execPath];
    const r = spawnSync(
      "ip",
      [
        "netns",
        "exec",
        ns,
        "unshare",
        "--pid",
        "--fork",
        "--mount-proc",
        ...runtime,
        SELF,
        "--inner",
        ...argv,
      ],
      { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8", maxBuffer: 16 * 1024 * 1024 },
    );
    if (r.status !== 0) throw new Error(`the measurement failed (${r.status})`);
    const results = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as Result[];
    const cpu = os.cpus();
    console.log(
      `nsnap periodic capture, ${new Date().toISOString().slice(0, 10)}, ${cpu.length}× ${
        cpu[0]?.model ?? "cpu"
      }, Linux ${os.release()}, load ${os.loadavg()[0]!.toFixed(1)}\n`,
    );
    console.log(table(results, o));
  } finally {
    spawnSync("ip", ["netns", "del", ns]);
  }
}

const argv = process.argv.slice(2);
const opts = parseOptions(argv);
if (opts.inner) await inner(opts);
else outer(opts, argv.filter((a) => a !== "--no-build").concat("--no-build"));

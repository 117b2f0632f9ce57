/**
 * The nsnap benchmark (`deno task bench`): nsnap capture against `ss`, `netstat` and the shell
 * equivalent of a full capture, on a busy network namespace, in one run with interleaved samples.
 *
 *   deno run -A bench/run.ts [--sizes 10000,40000,80000,100000,200000] [--runs 5]
 *                            [--load-size 100000] [--sources] [--quick] [--no-build]
 *
 * Per size it times `ss -tanp`, `ss -tanpi` (the peer of tcp_info), the shell equivalent of a
 * full capture (¹ below), `dist/nsnap capture` (tcp_info summary, the default) and
 * `dist/nsnap capture --no-tcp-info`; with --sources also `deno run mod.ts capture` and
 * `bun mod.ts capture`. At --load-size it also writes a default and a `--tcp-info` snapshot and
 * times loading them and a diff. Last, an idle namespace: the capture against the shell
 * equivalent and the binary's start-up. The closing lines hold the targets to the
 * figures of this run.
 *
 * A size is a number of TCP sockets: N sockets are N/2 loopback connections whose both ends live
 * in the namespace (plus one listener per holder process). They are held by at least 5 holder
 * processes (more when the file-descriptor limit asks for it). Sizes grow in one namespace, so
 * no TIME_WAIT sockets from a smaller size linger in a larger one.
 *
 * Needs root (network namespaces). Everything it starts ends by itself (holders have a TTL and
 * exit when their stdin closes) and is removed in `finally`, on Ctrl-C too.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import process from "node:process";
import { GNU_TIME, median, runOnce, type Sample } from "./measure.ts";
import {
  type Holder,
  holdPairs,
  setPairs,
  startHolders,
  stopHolders,
  stopHoldersAndWait,
} from "./holders.ts";
import { renderTable, type Row } from "./table.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const BINARY = `${ROOT}/dist/nsnap`;
const BUN = `${ROOT}/node_modules/.bin/bun`;
const IS_DENO = (globalThis as { Deno?: unknown }).Deno !== undefined;
const DENO = IS_DENO ? process.execPath : `${ROOT}/node_modules/.bin/deno`;
/** Most sockets one holder keeps, under the usual hard limit of open files (20000 here). */
const SOCKETS_PER_HOLDER = 16_000;

interface Options {
  sizes: number[];
  runs: number;
  build: boolean;
  /** The size at which snapshots are also loaded and diffed (one of `sizes`, else the largest). */
  loadSize: number;
  /** Also time the capture from source under Deno and Bun. */
  sources: boolean;
}

function parseOptions(argv: string[]): Options {
  let sizes = [10_000, 40_000, 80_000, 100_000, 200_000], runs = 5, build = true, quick = false;
  let loadSize = 100_000, sources = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--sizes") sizes = (argv[++i] ?? "").split(",").map(Number);
    else if (a === "--runs") runs = Number(argv[++i]);
    else if (a === "--load-size") loadSize = Number(argv[++i]);
    else if (a === "--sources") sources = true;
    else if (a === "--quick") quick = true;
    else if (a === "--no-build") build = false;
    else throw new Error(`Cannot use argument ${a}: see the comment at the top of bench/run.ts`);
  }
  if (quick) {
    if (!argv.includes("--sizes")) sizes = [2_000, 10_000];
    if (!argv.includes("--runs")) runs = 3;
  }
  if (!sizes.every((s) => Number.isInteger(s) && s >= 2) || !(runs >= 1)) {
    throw new Error("Cannot run the benchmark: --sizes takes even integers ≥ 2, --runs ≥ 1");
  }
  sizes = [...sizes].sort((a, b) => a - b);
  if (!sizes.includes(loadSize)) loadSize = sizes[sizes.length - 1]!;
  return { sizes, runs: Math.floor(runs), build, loadSize, sources };
}

/** One command compared in a group; `argv` is given a fresh output path per run. */
interface Tool {
  name: string;
  argv: (out: string) => string[];
  okCodes?: number[];
  /** Why it is left out, when it is. */
  skip?: string;
}

function have(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

function sh(argv: string[]): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${argv.join(" ")} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Builds dist/nsnap when missing or older than the sources; returns why it is unusable, if so. */
function ensureBinary(build: boolean): string | undefined {
  const newest = Number(
    spawnSync("sh", ["-c", `find "${ROOT}/src" "${ROOT}/mod.ts" -newer "${BINARY}" | wc -l`], {
      encoding: "utf8",
    }).stdout.trim() || "1",
  );
  if (existsSync(BINARY) && (!build || newest === 0)) return undefined;
  if (!build) return "dist/nsnap missing (--no-build)";
  console.error("building dist/nsnap (deno task build) …");
  const r = spawnSync(DENO, ["task", "build"], { cwd: ROOT, encoding: "utf8" });
  if (r.status !== 0) {
    const why = (r.stderr || r.stdout).split("\n").find((l) => /error/i.test(l)) ?? "";
    return `build failed: ${why.trim()}`;
  }
  return undefined;
}

/** Runs every tool `runs` times, interleaved (rotating the order), after one warm-up run each. */
async function group(
  label: string,
  wrap: string[],
  tools: Tool[],
  runs: number,
  tmp: string,
  onWarm?: (tool: Tool, out: string) => void,
): Promise<Row[]> {
  const live = tools.filter((t) => !t.skip);
  const samples = new Map<string, Sample[]>(live.map((t) => [t.name, []]));
  const failed = new Map<string, string>();
  const warmed = new Set<string>();
  let counter = 0;
  const one = async (t: Tool): Promise<Sample> => {
    const out = `${tmp}/out-${counter++}.json`;
    const s = await runOnce({
      argv: [...wrap, ...t.argv(out)],
      scratch: `${tmp}/time.txt`,
      ...(t.okCodes ? { okCodes: t.okCodes } : {}),
    });
    if (s.ok && onWarm && !warmed.has(t.name)) onWarm(t, out);
    warmed.add(t.name);
    rmSync(out, { force: true });
    return s;
  };
  for (const t of live) { // Warm-up: page cache, runtime caches; also checks that it works.
    const s = await one(t);
    if (!s.ok) failed.set(t.name, s.error ?? "failed");
  }
  for (let r = 0; r < runs; r++) {
    for (let k = 0; k < live.length; k++) {
      const t = live[(k + r) % live.length]!;
      if (failed.has(t.name)) continue;
      const s = await one(t);
      if (s.ok) samples.get(t.name)!.push(s);
      else failed.set(t.name, s.error ?? "failed");
    }
  }
  return tools.map((t): Row => {
    const ss = samples.get(t.name) ?? [];
    const note = t.skip ?? failed.get(t.name);
    const rss = ss.map((s) => s.rssKb).filter((v): v is number => v !== undefined);
    return {
      group: label,
      tool: t.name,
      runs: ss.length,
      ...(ss.length ? { medianMs: median(ss.map((s) => s.wallMs)) } : {}),
      ...(ss.length ? { minMs: Math.min(...ss.map((s) => s.wallMs)) } : {}),
      ...(ss.length ? { maxMs: Math.max(...ss.map((s) => s.wallMs)) } : {}),
      ...(rss.length ? { rssKb: Math.max(...rss) } : {}),
      ...(note ? { note } : {}),
    };
  });
}

/** Counts the connections of a snapshot and how many carry an owner pid (a sanity check). */
function describeSnapshot(path: string): string {
  try {
    const doc = JSON.parse(readFileSync(path, "utf8")) as {
      connections?: { pid?: number }[];
      processes?: Record<string, unknown>;
    };
    const conns = doc.connections ?? [];
    const owned = conns.filter((c) => c.pid !== undefined).length;
    const mb = (statSync(path).size / 1e6).toFixed(1);
    return `${conns.length} connections, ${owned} with a pid, ` +
      `${Object.keys(doc.processes ?? {}).length} processes, ${mb} MB`;
  } catch (err) {
    return `unreadable: ${(err as Error).message}`;
  }
}

/** The shell equivalent of a full capture, as a user would run it. */
export const SHELL_CAPTURE = "ss -tanp; ss -uanp; ip -j route show table all; " +
  "ip -j -6 route show table all; ip -j -s link; ip -j addr; nstat -asz";

function captureTools(binaryProblem: string | undefined, sources: boolean): Tool[] {
  const need = (cmd: string) => have(cmd) ? undefined : `${cmd} not installed`;
  const tools: Tool[] = [
    { name: "ss -tanp", argv: () => ["ss", "-tanp"], ...opt(need("ss")) },
    { name: "ss -tanpi", argv: () => ["ss", "-tanpi"], ...opt(need("ss")) },
    {
      name: "shell equivalent¹",
      argv: () => ["sh", "-c", SHELL_CAPTURE],
      ...opt(need("ss") ?? need("nstat")),
    },
    {
      name: "dist/nsnap capture",
      argv: (out) => [BINARY, "capture", "-o", out],
      ...opt(binaryProblem),
    },
    {
      name: "dist/nsnap capture --no-tcp-info",
      argv: (out) => [BINARY, "capture", "--no-tcp-info", "-o", out],
      ...opt(binaryProblem),
    },
  ];
  if (sources) {
    tools.push(
      {
        name: "deno run mod.ts capture",
        argv: (out) => [DENO, "run", "-A", `${ROOT}/mod.ts`, "capture", "-o", out],
      },
      {
        name: "bun mod.ts capture",
        argv: (out) => [BUN, `${ROOT}/mod.ts`, "capture", "-o", out],
        ...opt(existsSync(BUN) ? undefined : "bun not installed"),
      },
    );
  }
  return tools;
}

function opt(skip: string | undefined): { skip?: string } {
  return skip ? { skip } : {};
}

/**
 * At one size: a default and a `--tcp-info` snapshot (their sizes), loading each (`nsnap port`
 * reads the whole file and prints almost nothing) and a diff against a changed capture.
 */
async function loadAndDiff(
  wrap: string[],
  holders: Holder[],
  binaryProblem: string | undefined,
  runs: number,
  tmp: string,
  notes: string[],
): Promise<Row[]> {
  const sockets = holders.reduce((n, h) => n + h.pairs * 2, 0);
  const label = `load/diff, ${sockets} sockets`;
  const a = `${tmp}/a.json`, b = `${tmp}/b.json`, full = `${tmp}/full.json`;
  if (binaryProblem) return [{ group: label, tool: "nsnap diff", runs: 0, note: binaryProblem }];
  sh([...wrap, BINARY, "capture", "-o", a]);
  sh([...wrap, BINARY, "capture", "--tcp-info", "-o", full]);
  // Change something between the two: 1000 sessions closed on one holder, 1000 opened on another.
  const [h0, h1] = holders;
  if (h0 && h1) {
    await setPairs(h0, Math.max(0, h0.pairs - 1000));
    await setPairs(h1, h1.pairs + 1000);
  }
  sh([...wrap, BINARY, "capture", "-o", b]);
  notes.push(`snapshot a (default): ${describeSnapshot(a)}`);
  notes.push(`snapshot with --tcp-info: ${describeSnapshot(full)}`);
  const tools: Tool[] = [
    {
      name: "nsnap port 1 a.json (load, default)",
      argv: () => [BINARY, "port", "1", a, "--format", "json"],
      okCodes: [0, 1],
    },
    {
      name: "nsnap port 1 full.json (load, --tcp-info)",
      argv: () => [BINARY, "port", "1", full, "--format", "json"],
      okCodes: [0, 1],
    },
    {
      name: "nsnap diff a b --format json",
      argv: () => [BINARY, "diff", a, b, "--format", "json"],
      okCodes: [0, 1],
    },
  ];
  return await group(label, [], tools, runs, tmp);
}

/** How a command's median grows with the socket count: the cost of each further 10k sockets. */
function scaling(rows: Row[], tool: string, sizes: number[]): string {
  const points = sizes.map((size) => ({
    size,
    ms: rows.find((r) => r.group === `${size} sockets` && r.tool === tool)?.medianMs,
  })).filter((p): p is { size: number; ms: number } => p.ms !== undefined);
  if (points.length < 2) return `${tool}: too few sizes for a scaling figure`;
  const steps = points.slice(1).map((p, i) => {
    const q = points[i]!;
    return `${q.size / 1000}k→${p.size / 1000}k: ${
      ((p.ms - q.ms) / ((p.size - q.size) / 10_000)).toFixed(0)
    }`;
  });
  return `${tool}: ms per further 10k sockets ${steps.join(", ")}`;
}

/** The targets, each held to this run's medians: one line each, met or not. */
function targets(rows: Row[], sizes: number[]): string[] {
  const at = (group: string, tool: string) =>
    rows.find((r) => r.group === group && r.tool === tool);
  const med = (group: string, tool: string) => at(group, tool)?.medianMs;
  const out: string[] = [];
  const check = (what: string, ok: boolean | undefined, detail: string) =>
    out.push(`${ok === undefined ? "?" : ok ? "met" : "NOT met"}: ${what} (${detail})`);
  const idle = "idle (empty namespace)", nsnap = "dist/nsnap capture";
  const i = med(idle, nsnap), ish = med(idle, "shell equivalent¹");
  check(
    "idle ≤ 40 ms and no slower than the shell equivalent",
    i === undefined || ish === undefined ? undefined : i <= 40 && i <= ish,
    `${i?.toFixed(1)} ms vs ${ish?.toFixed(1)} ms`,
  );
  const g10 = "10000 sockets";
  const t10 = med(g10, nsnap), sh10 = med(g10, "shell equivalent¹"), ss10 = med(g10, "ss -tanp");
  if (t10 !== undefined && sh10 !== undefined && ss10 !== undefined) {
    check(
      "10k ≤ 0.5× the shell equivalent and faster than ss -tanp",
      t10 <= sh10 * 0.5 && t10 < ss10,
      `${(t10 / sh10).toFixed(2)}× the shell, ${(t10 / ss10).toFixed(2)}× ss -tanp`,
    );
  }
  const g80 = "80000 sockets";
  const t80 = at(g80, nsnap), ss80 = med(g80, "ss -tanp");
  if (t80?.medianMs !== undefined && ss80 !== undefined) {
    check(
      "80k ≤ 0.15× ss -tanp, peak RSS ≤ 200 MB",
      t80.medianMs <= ss80 * 0.15 && (t80.rssKb ?? Infinity) <= 200 * 1024,
      `${(t80.medianMs / ss80).toFixed(2)}×, ${((t80.rssKb ?? 0) / 1024).toFixed(0)} MB`,
    );
  }
  for (const size of sizes) {
    const g = `${size} sockets`;
    const on = med(g, nsnap), off = med(g, "dist/nsnap capture --no-tcp-info");
    const p = med(g, "ss -tanp"), pi = med(g, "ss -tanpi");
    if (on === undefined || off === undefined) continue;
    check(
      `${size / 1000}k: the default tcp_info costs ≤ 20% over a capture without it`,
      on <= off * 1.2,
      `+${((on / off - 1) * 100).toFixed(0)}%; ss -tanpi over ss -tanp: +${
        p && pi ? ((pi / p - 1) * 100).toFixed(0) : "?"
      }%`,
    );
  }
  return out;
}

function loadavg(): string {
  return os.loadavg().map((x) => x.toFixed(2)).join(" ");
}

function machine(): string {
  const load = loadavg();
  return `${new Date().toISOString().slice(0, 16)}Z, ${os.cpus().length} CPUs ` +
    `(${os.cpus()[0]?.model ?? "?"}), Linux ${os.release()}, load ${load}`;
}

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  if (process.getuid?.() !== 0) {
    console.error("bench: needs root (it creates network namespaces)");
    return 2;
  }
  const binaryProblem = ensureBinary(opts.build);
  const tmp = mkdtempSync(`${os.tmpdir()}/nsnap-bench-`);
  const ns = `nsnap-bench-${process.pid}`, idle = `nsnap-bench-idle-${process.pid}`;
  const namespaces: string[] = [];
  let holders: Holder[] = [];
  const cleanup = () => {
    stopHolders(holders);
    for (const n of namespaces) {
      const pids = spawnSync("ip", ["netns", "pids", n], { encoding: "utf8" }).stdout ?? "";
      for (const p of pids.split("\n").filter(Boolean)) {
        try {
          process.kill(Number(p), "SIGKILL");
        } catch { /* gone */ }
      }
      spawnSync("ip", ["netns", "del", n]);
    }
    namespaces.length = 0;
    rmSync(tmp, { recursive: true, force: true });
  };
  const onSignal = () => {
    cleanup();
    process.exit(130);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const rows: Row[] = [];
  const notes: string[] = [];
  try {
    for (const n of [ns, idle]) {
      sh(["ip", "netns", "add", n]);
      namespaces.push(n);
      sh(["ip", "-n", n, "link", "set", "lo", "up"]);
    }
    const wrap = ["ip", "netns", "exec", ns];
    // Room for every client port on one destination (holders use one 127.0.0.x each anyway).
    sh([...wrap, "sysctl", "-qw", "net.ipv4.ip_local_port_range=10000 65000"]);
    const most = opts.sizes[opts.sizes.length - 1]!;
    const count = Math.max(5, Math.ceil(most / SOCKETS_PER_HOLDER));
    // Long enough for the whole run, yet bounded; they also exit when the bench goes away.
    const ttl = 120 + opts.runs * opts.sizes.length * 120;
    holders = await startHolders(wrap, count, ttl);

    const tools = captureTools(binaryProblem, opts.sources);
    for (const size of opts.sizes) {
      const t0 = performance.now();
      await holdPairs(holders, Math.floor(size / 2));
      console.error(
        `${size} sockets held by ${holders.length} processes ` +
          `(${((performance.now() - t0) / 1000).toFixed(1)} s); measuring …`,
      );
      notes.push(`load before ${size} sockets: ${loadavg()}`);
      rows.push(
        ...await group(`${size} sockets`, wrap, tools, opts.runs, tmp, (t, out) => {
          if (t.name === "dist/nsnap capture") {
            notes.push(`check at ${size} sockets: nsnap wrote ${describeSnapshot(out)}`);
          }
        }),
      );
      if (size === opts.loadSize) {
        console.error("load and diff …");
        rows.push(...await loadAndDiff(wrap, holders, binaryProblem, opts.runs, tmp, notes));
        await holdPairs(holders, Math.floor(size / 2));
      }
    }
    await stopHoldersAndWait(holders);

    console.error("idle host …");
    const idleWrap = ["ip", "netns", "exec", idle];
    rows.push(
      ...await group(
        "idle (empty namespace)",
        idleWrap,
        [
          { name: "ss -tanp", argv: () => ["ss", "-tanp"] },
          { name: "shell equivalent¹", argv: () => ["sh", "-c", SHELL_CAPTURE] },
          {
            name: "dist/nsnap capture",
            argv: (out) => [BINARY, "capture", "-o", out],
            ...opt(binaryProblem),
          },
          {
            name: "dist/nsnap capture --no-netlink",
            argv: (out) => [BINARY, "capture", "--no-netlink", "-o", out],
            ...opt(binaryProblem),
          },
          {
            name: "dist/nsnap --version (start-up)",
            argv: () => [BINARY, "--version"],
            ...opt(binaryProblem),
          },
          { name: "ip netns exec … true²", argv: () => ["true"] },
        ],
        opts.runs,
        tmp,
      ),
    );
    const size = existsSync(BINARY) ? `${(statSync(BINARY).size / 1e6).toFixed(1)} MB` : "n/a";
    console.log(
      `\n## nsnap benchmark\n\n${machine()}; ${opts.runs} runs per command, interleaved, after one warm-up run; peak RSS by ${
        GNU_TIME ? "GNU time (%M)" : "polling VmHWM"
      }.\n`,
    );
    console.log(renderTable(rows, "ss -tanp"));
    console.log("");
    for (const tool of ["dist/nsnap capture", "ss -tanp"]) {
      console.log(scaling(rows, tool, opts.sizes));
    }
    console.log(`\ndist/nsnap binary size: ${size}`);
    console.log(`¹ \`${SHELL_CAPTURE}\` (-s: leave nstat's history alone)`);
    console.log(
      "² the cost of entering the namespace (`ip netns exec`) that every figure includes",
    );
    for (const n of notes) console.log(`- ${n}`);
    console.log("\nTargets (issue 16), from this run's medians:");
    for (const line of targets(rows, opts.sizes)) console.log(`- ${line}`);
    return 0;
  } finally {
    cleanup();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

process.exit(await main());

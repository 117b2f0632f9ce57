/**
 * The nsnap benchmark (`deno task bench`): nsnap capture against `ss`, `netstat` and the shell
 * equivalent of a full capture, on a busy network namespace, in one run with interleaved samples.
 *
 *   deno run -A bench/run.ts [--sizes 10000,40000,80000] [--runs 5] [--quick] [--no-build]
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
}

function parseOptions(argv: string[]): Options {
  let sizes = [10_000, 40_000, 80_000], runs = 5, build = true, quick = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--sizes") sizes = (argv[++i] ?? "").split(",").map(Number);
    else if (a === "--runs") runs = Number(argv[++i]);
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
  return { sizes: [...sizes].sort((a, b) => a - b), runs: Math.floor(runs), build };
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

function captureTools(binaryProblem: string | undefined): Tool[] {
  const need = (cmd: string) => have(cmd) ? undefined : `${cmd} not installed`;
  return [
    { name: "ss -tanp", argv: () => ["ss", "-tanp"], ...opt(need("ss")) },
    { name: "netstat -tanp", argv: () => ["netstat", "-tanp"], ...opt(need("netstat")) },
    {
      name: "shell full capture¹",
      argv: () => ["sh", "-c", "ss -tanp; ip route show table all; ip -s link; nstat -azs"],
      ...opt(need("ss") ?? need("nstat")),
    },
    {
      name: "dist/nsnap capture",
      argv: (out) => [BINARY, "capture", "-o", out],
      ...opt(binaryProblem),
    },
    {
      name: "deno run mod.ts capture",
      argv: (out) => [DENO, "run", "-A", `${ROOT}/mod.ts`, "capture", "-o", out],
    },
    {
      name: "bun mod.ts capture",
      argv: (out) => [BUN, `${ROOT}/mod.ts`, "capture", "-o", out],
      ...opt(existsSync(BUN) ? undefined : "bun not installed"),
    },
  ];
}

function opt(skip: string | undefined): { skip?: string } {
  return skip ? { skip } : {};
}

/** Loads a snapshot once and diffs two; left out, with the reason, until the commands exist. */
async function loadAndDiff(
  wrap: string[],
  holders: Holder[],
  binaryProblem: string | undefined,
  runs: number,
  tmp: string,
  notes: string[],
): Promise<Row[]> {
  const label = `diff/load, ${holders.reduce((n, h) => n + h.pairs * 2, 0)} sockets`;
  const a = `${tmp}/a.json`, b = `${tmp}/b.json`;
  if (binaryProblem) return [{ group: label, tool: "nsnap diff", runs: 0, note: binaryProblem }];
  sh([...wrap, BINARY, "capture", "-o", a]);
  // Change something between the two: 1000 sessions closed on one holder, 1000 opened on another.
  const [h0, h1] = holders;
  if (h0 && h1) {
    await setPairs(h0, Math.max(0, h0.pairs - 1000));
    await setPairs(h1, h1.pairs + 1000);
  }
  sh([...wrap, BINARY, "capture", "-o", b]);
  notes.push(`snapshot a: ${describeSnapshot(a)}; b: ${describeSnapshot(b)}`);
  const tools: Tool[] = [
    {
      name: "nsnap diff a b --format json",
      argv: () => [BINARY, "diff", a, b, "--format", "json"],
      okCodes: [0, 1],
    },
    {
      // Loading a snapshot on its own: `port` reads the whole file and prints almost nothing.
      name: "nsnap port 1 a (load)",
      argv: () => [BINARY, "port", "1", a, "--format", "json"],
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

function machine(): string {
  const load = os.loadavg().map((x) => x.toFixed(2)).join(" ");
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

    const tools = captureTools(binaryProblem);
    for (const size of opts.sizes) {
      const t0 = performance.now();
      await holdPairs(holders, Math.floor(size / 2));
      console.error(
        `${size} sockets held by ${holders.length} processes ` +
          `(${((performance.now() - t0) / 1000).toFixed(1)} s); measuring …`,
      );
      rows.push(
        ...await group(`${size} sockets`, wrap, tools, opts.runs, tmp, (t, out) => {
          if (t.name === "dist/nsnap capture") {
            notes.push(`check at ${size} sockets: nsnap wrote ${describeSnapshot(out)}`);
          }
        }),
      );
    }
    console.error("load and diff …");
    rows.push(...await loadAndDiff(wrap, holders, binaryProblem, opts.runs, tmp, notes));
    await stopHoldersAndWait(holders);

    console.error("idle host …");
    const idleWrap = ["ip", "netns", "exec", idle];
    rows.push(
      ...await group(
        "idle (empty namespace)",
        idleWrap,
        [
          { name: "ss -tanp", argv: () => ["ss", "-tanp"] },
          { name: "ip -s link", argv: () => ["ip", "-s", "link"] },
          {
            name: "dist/nsnap capture",
            argv: (out) => [BINARY, "capture", "-o", out],
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
    console.log(
      "¹ `ss -tanp; ip route show table all; ip -s link; nstat -azs` (-s: leave nstat's history alone)",
    );
    console.log(
      "² the cost of entering the namespace (`ip netns exec`) that every figure includes",
    );
    for (const n of notes) console.log(`- ${n}`);
    return 0;
  } finally {
    cleanup();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

process.exit(await main());

/**
 * Micro-benchmark of the netlink socket dump (not a timed test): N TCP sockets in a namespace,
 * read from the root namespace through setns, against reading and parsing /proc/net/tcp{,6} of
 * that namespace with nsnap's parser, and against `ss -tan`, `ss -tanp` and `ss -tanpi` run in
 * it. Medians of `--runs` (default 5) after one warm-up; ratios against the netlink dump without
 * tcp_info.
 *
 *   deno run -A bench/netlink.ts [--sizes 10000,20000] [--runs 5]
 *   bun bench/netlink.ts [--sizes 10000,20000] [--runs 5]
 *
 * Needs root. The sockets are loopback pairs held by bench/holder.ts processes (each under 20000
 * open files); the namespace and the holders are removed at the end, on failure too.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import process from "node:process";
import { parseProcNetSockets } from "../src/parse/linux/proc_net_tcp.ts";
import { netlinkAvailable } from "../src/runtime/netlink.ts";
import { dumpInetSockets } from "../src/collect/linux/netlink.ts";
import { holdPairs, startHolders, stopHoldersAndWait } from "./holders.ts";
import { median } from "./measure.ts";

const SOCKETS_PER_HOLDER = 16_000;

function options(argv: string[]): { sizes: number[]; runs: number } {
  let sizes = [10_000, 20_000], runs = 5;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--sizes") sizes = (argv[++i] ?? "").split(",").map(Number);
    else if (argv[i] === "--runs") runs = Number(argv[++i]);
    else {throw new Error(
        `Cannot use argument ${argv[i]}: see the comment at the top of bench/netlink.ts`,
      );}
  }
  if (!sizes.every((s) => Number.isInteger(s) && s >= 2) || !(runs >= 1)) {
    throw new Error("Cannot run the benchmark: --sizes takes integers ≥ 2, --runs ≥ 1");
  }
  return { sizes: [...sizes].sort((a, b) => a - b), runs };
}

function sh(argv: string[]): void {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${argv.join(" ")} failed: ${r.stderr}`);
}

/** Median wall time of `fn` over `runs` runs after one warm-up, and what its last run returned. */
function time<T>(runs: number, fn: () => T): { ms: number; last: T } {
  let last = fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    last = fn();
    ms.push(performance.now() - t0);
  }
  return { ms: median(ms), last };
}

/** Runs a command to completion with its output discarded (and counted). */
function command(argv: string[]): () => number {
  return () => {
    const r = spawnSync(argv[0]!, argv.slice(1), { maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`${argv.join(" ")} failed: ${r.stderr}`);
    return r.stdout.length;
  };
}

const { sizes, runs } = options(process.argv.slice(2));
const nl = netlinkAvailable();
if (!nl.ok) throw new Error(nl.reason);
const ns = `nsnap-nlbench-${process.pid}`;
const path = `/run/netns/${ns}`;
const nsenter = ["nsenter", `--net=${path}`];
sh(["ip", "netns", "add", ns]);
sh(["ip", "-n", ns, "link", "set", "lo", "up"]);
const holderCount = Math.max(2, Math.ceil(sizes.at(-1)! / SOCKETS_PER_HOLDER));
const holders = await startHolders(["ip", "netns", "exec", ns], holderCount, 900);
try {
  const pid = holders[0]!.child.pid!;
  // The holder runs under `sh -c … exec`: its pid is the runtime's, inside the namespace.
  const procTcp = () => {
    let n = 0;
    for (const [file, family] of [["tcp", "inet"], ["tcp6", "inet6"]] as const) {
      const text = readFileSync(`/proc/${pid}/net/${file}`, "latin1");
      n += parseProcNetSockets(text, "tcp", family).value.length;
    }
    return n;
  };
  const runtime = `${nl.runtime} (${(globalThis as { Bun?: unknown }).Bun ? "bun" : "deno"})`;
  console.log(`netlink dump benchmark, ${runtime}, medians of ${runs} runs`);
  const baseline = time(runs, command([...nsenter, "true"])).ms;
  console.log(
    `(ss runs as \`nsenter --net=… ss\`; nsenter alone takes ${baseline.toFixed(1)} ms)\n`,
  );
  console.log("sockets  what                               median ms   ratio");
  for (const size of sizes) {
    await holdPairs(holders, Math.floor(size / 2));
    const counted = dumpInetSockets({ netns: path, protocols: ["tcp"] });
    if (!counted.ok) throw new Error(counted.reason);
    const rows: Array<[string, number]> = [];
    const plain = time(runs, () => dumpInetSockets({ netns: path, protocols: ["tcp"] }));
    rows.push(["netlink dump", plain.ms]);
    const summary = () => dumpInetSockets({ netns: path, protocols: ["tcp"], tcpInfo: "summary" });
    rows.push(["netlink dump + tcp_info summary", time(runs, summary).ms]);
    const full = () => dumpInetSockets({ netns: path, protocols: ["tcp"], tcpInfo: true });
    rows.push(["netlink dump + full tcp_info", time(runs, full).ms]);
    rows.push(["/proc/net/tcp{,6} read + parse", time(runs, procTcp).ms]);
    rows.push(["ss -tan", time(runs, command([...nsenter, "ss", "-tan"])).ms]);
    rows.push(["ss -tanp", time(runs, command([...nsenter, "ss", "-tanp"])).ms]);
    rows.push(["ss -tanpi", time(runs, command([...nsenter, "ss", "-tanpi"])).ms]);
    const n = counted.ok ? counted.records.length : 0;
    for (const [what, ms] of rows) {
      console.log(
        `${String(n).padStart(7)}  ${what.padEnd(34)} ${ms.toFixed(1).padStart(9)}   ${
          (ms / plain.ms).toFixed(2).padStart(5)
        }×`,
      );
    }
    console.log("");
  }
} finally {
  await stopHoldersAndWait(holders);
  spawnSync("ip", ["netns", "del", ns]);
}

/**
 * Benchmark of a capture across namespaces (not a test): N network namespaces made with
 * `ip netns add`, each held by a sleeping process, with 10 TCP sockets each (8 listeners and a
 * connected pair, made in it by one Python process that enters each namespace with setns); then
 * `nsnap capture` from the host's namespace, medians of RUNS, against the same capture with
 * `--netns current`. Needs root, iproute2 and python3; removes every namespace it made.
 *
 *   deno run -A bench/namespaces.ts [N...]      bun bench/namespaces.ts [N...]
 *   (default: 0 50 100 200; RUNS=5 in the environment changes the runs)
 *
 * Target (issue 18): 50 namespaces of 10 sockets ≤ 300 ms, 200 namespaces linear.
 */
import { spawn, spawnSync } from "node:child_process";
import process from "node:process";
import { captureSnapshot } from "../src/collect/mod.ts";

const COUNTS = process.argv.slice(2).map(Number).filter((n) => n >= 0);
const RUNS = Number(process.env.RUNS ?? 5);
const TAG = `nsb${process.pid}`;

function sh(argv: string[]): void {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr}`);
}

/** Makes `n` namespaces, each with a sleeper; returns their names. */
function make(n: number): string[] {
  const names: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = `${TAG}-${i}`;
    sh(["ip", "netns", "add", name]);
    names.push(name);
    sh(["ip", "-n", name, "link", "set", "lo", "up"]);
    spawn("ip", ["netns", "exec", name, "sleep", "600"], { stdio: "ignore", detached: true })
      .unref();
  }
  return names;
}

/** One Python process that opens 10 sockets in each namespace and holds them. */
const PYTHON = String.raw`
import ctypes, os, socket, sys, time
libc = ctypes.CDLL("libc.so.6", use_errno=True)
home = os.open("/proc/self/ns/net", os.O_RDONLY)
held = []
for name in sys.argv[1:]:
    fd = os.open("/run/netns/" + name, os.O_RDONLY)
    if libc.setns(fd, 0x40000000) != 0: raise OSError(ctypes.get_errno(), "setns")
    for port in range(7000, 7008):
        s = socket.socket(); s.bind(("127.0.0.1", port)); s.listen(); held.append(s)
    c = socket.create_connection(("127.0.0.1", 7000)); a, _ = held[-8].accept(); held += [c, a]
    os.close(fd)
libc.setns(home, 0x40000000)
print("ready", flush=True)
time.sleep(600)
`;

function sockets(names: string[]): Promise<ReturnType<typeof spawn>> {
  return new Promise((resolve, reject) => {
    const p = spawn("python3", ["-c", PYTHON, ...names], { stdio: ["ignore", "pipe", "inherit"] });
    p.stdout!.on("data", (d: Uint8Array) => {
      if (new TextDecoder().decode(d).includes("ready")) resolve(p);
    });
    p.once("exit", (code) => reject(new Error(`python3 exited ${code}`)));
  });
}

function cleanup(names: string[]): void {
  for (const name of names) {
    const pids = spawnSync("ip", ["netns", "pids", name], { encoding: "utf8" }).stdout ?? "";
    for (const pid of pids.split("\n").filter(Boolean)) {
      try {
        process.kill(Number(pid), "SIGKILL");
      } catch { /* gone */ }
    }
    spawnSync("ip", ["netns", "del", name]);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function measure(netns: "auto" | "current"): Promise<{ ms: number; namespaces: number }> {
  const times: number[] = [];
  let namespaces = 0;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const s = await captureSnapshot({ netns });
    times.push(performance.now() - t0);
    namespaces = s.namespaces?.length ?? 1;
  }
  return { ms: median(times), namespaces };
}

const rows: string[] = [];
for (const n of COUNTS.length ? COUNTS : [0, 50, 100, 200]) {
  const names = make(n);
  let holder: ReturnType<typeof spawn> | undefined;
  try {
    if (n > 0) holder = await sockets(names);
    await measure("auto"); // warm-up
    const all = await measure("auto");
    const one = await measure("current");
    rows.push(
      `${String(n).padStart(5)} ${String(all.namespaces).padStart(6)} ${
        all.ms.toFixed(1).padStart(9)
      } ${one.ms.toFixed(1).padStart(9)} ${(all.ms - one.ms).toFixed(1).padStart(9)}`,
    );
  } finally {
    holder?.kill("SIGKILL");
    cleanup(names);
  }
}
console.log(
  `runtime ${(globalThis as { Bun?: unknown }).Bun ? "bun" : "deno"}, medians of ${RUNS}\n` +
    "added  total  all (ms)  own (ms)  diff (ms)\n" + rows.join("\n"),
);

/**
 * Benchmark (not a test): loading a 100k-connection snapshot as JSON, YAML and gzipped JSON,
 * and serialising it. Prints milliseconds per step and the peak RSS seen.
 *
 *   deno run -A bench/load.ts [connections]      bun bench/load.ts [connections]
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { gzipSync } from "node:zlib";
import type { Connection, ProcessInfo, Snapshot } from "../src/model.ts";
import { normalizeSnapshot } from "../src/snapshot/normalize.ts";
import { readSnapshot } from "../src/snapshot/read.ts";
import { serializeSnapshot } from "../src/snapshot/serialize.ts";

/** A plausible busy server: mostly established sessions to many peers, a few listeners. */
export function bigSnapshot(n: number): Snapshot {
  const connections: Connection[] = [];
  const processes: Record<string, ProcessInfo> = {};
  for (let i = 0; i < n; i++) {
    const v6 = i % 5 === 0;
    const pid = 1000 + (i % 64);
    processes[String(pid)] = {
      pid,
      name: `worker-${pid}`,
      exe: "/usr/sbin/nginx",
      user: "www-data",
      uid: 33,
      startTime: "2026-11-25T10:00:00.000Z",
    };
    connections.push({
      protocol: i % 10 === 0 ? "udp" : "tcp",
      family: v6 ? "inet6" : "inet",
      localAddress: v6 ? "2001:db8::1" : "10.0.0.1",
      localPort: i % 100 === 0 ? 443 : 32768 + (i % 28000),
      remoteAddress: v6
        ? `2001:db8:${(i >> 8).toString(16)}::${(i & 255).toString(16)}`
        : `192.168.${(i >> 8) & 255}.${i & 255}`,
      remotePort: i % 100 === 0 ? 0 : 443,
      state: i % 100 === 0 ? "LISTEN" : i % 7 === 0 ? "TIME_WAIT" : "ESTABLISHED",
      recvQ: 0,
      sendQ: i % 3,
      uid: 33,
      inode: 100000 + i,
      pid,
      pids: [pid],
    });
  }
  return normalizeSnapshot({
    schema: "nsnap/v1",
    meta: {
      capturedAt: "2026-11-25T15:08:12.345Z",
      durationMs: 812,
      host: { hostname: "bench", os: "linux" },
      tool: { name: "nsnap", version: "bench", runtime: "bench" },
      privileges: { root: true },
      labels: {},
      sections: {
        connections: { status: "ok" },
        processes: { status: "ok" },
        routes: { status: "ok" },
        interfaces: { status: "ok" },
        counters: { status: "ok" },
      },
    },
    connections,
    processes,
    routes: [],
    interfaces: [],
    counters: { Tcp: { MaxConn: -1n, InSegs: 2n ** 60n } },
  });
}

let peak = 0;
const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));

async function time<T>(label: string, fn: () => T | Promise<T>): Promise<T> {
  sample();
  const t0 = performance.now();
  const r = await fn();
  const ms = performance.now() - t0;
  sample();
  console.log(
    `${label.padEnd(34)} ${ms.toFixed(0).padStart(6)} ms   peak RSS ${
      (peak / 2 ** 20).toFixed(0)
    } MiB`,
  );
  return r;
}

if (import.meta.main) {
  const n = Number(process.argv[2] ?? 100_000);
  const dir = mkdtempSync(join(tmpdir(), "nsnap-bench-"));
  const timer = setInterval(sample, 5);
  try {
    const s = await time(`generate + normalize ${n} conns`, () => bigSnapshot(n));
    await time("normalize again (already sorted)", () => normalizeSnapshot(s));
    const json = await time("serialize JSON", () => serializeSnapshot(s, "json"));
    const yaml = await time("serialize YAML", () => serializeSnapshot(s, "yaml"));
    const files = {
      json: join(dir, "big.json"),
      yaml: join(dir, "big.yaml"),
      gz: join(dir, "big.json.gz"),
    };
    writeFileSync(files.json, json);
    writeFileSync(files.yaml, yaml);
    await time("gzip JSON", () => writeFileSync(files.gz, gzipSync(json)));
    for (const [k, f] of Object.entries(files)) {
      console.log(`  ${k.padEnd(5)} ${(statSync(f).size / 2 ** 20).toFixed(1)} MiB`);
    }
    for (const f of [files.json, files.gz, files.yaml]) {
      const back = await time(`load ${f.slice(dir.length + 1)}`, () => readSnapshot(f));
      if (back.connections.length !== n) throw new Error("lost connections");
    }
  } finally {
    clearInterval(timer);
    rmSync(dir, { recursive: true, force: true });
  }
}

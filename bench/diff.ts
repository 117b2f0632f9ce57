/**
 * Benchmark of the diff engine (not a test): two synthetic 80k-connection snapshots, plus the
 * adversarial shapes (every listener on one port, 100k routes). Prints wall time and peak RSS.
 * Target: at most 1 s and 500 MB for the 80k case.
 *
 *   deno run -A bench/diff.ts [CONNECTIONS]      bun bench/diff.ts [CONNECTIONS]
 */
import { readFileSync } from "node:fs";
import process from "node:process";
import { diffSnapshots } from "../src/diff/mod.ts";
import type { Connection, ProcessInfo, Route, Snapshot } from "../src/model.ts";

const N = Number(process.argv[2] ?? 80_000);
const OK = { status: "ok" as const };

function snapshot(at: string, connections: Connection[], routes: Route[] = []): Snapshot {
  const processes: Record<string, ProcessInfo> = {};
  for (let pid = 1000; pid < 1200; pid++) {
    processes[String(pid)] = { pid, name: `svc${pid % 50}`, startTime: "2026-01-01T00:00:00.000Z" };
  }
  return {
    schema: "nsnap/v1",
    meta: {
      capturedAt: at,
      durationMs: 1,
      host: { hostname: "bench", os: "linux" },
      tool: { name: "nsnap", version: "bench", runtime: "bench" },
      privileges: { root: true },
      labels: {},
      sections: { connections: OK, processes: OK, routes: OK, interfaces: OK, counters: OK },
    },
    connections,
    processes,
    routes,
    interfaces: [],
    counters: {},
  };
}

function ip(i: number): string {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

function sock(i: number, shift: number): Connection {
  // 1% listeners, the rest sessions to and from a few hundred peers; `shift` churns a share.
  const listener = i % 100 === 0;
  return {
    protocol: i % 7 === 0 ? "udp" : "tcp",
    family: "inet",
    localAddress: "10.0.0.5",
    localPort: listener ? 1000 + (i % 2000) : 20000 + ((i + shift) % 40000),
    remoteAddress: listener ? "0.0.0.0" : ip(i % 500),
    remotePort: listener ? 0 : 443 + (i % 3),
    state: listener ? (i % 7 === 0 ? "UNCONN" : "LISTEN") : "ESTABLISHED",
    recvQ: 0,
    sendQ: 0,
    uid: 0,
    inode: i,
    pid: 1000 + (i % 200),
  };
}

function peakRssMb(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    if (m) return Number(m[1]) / 1024;
  } catch { /* not Linux */ }
  return process.memoryUsage().rss / 2 ** 20;
}

function time(label: string, a: Snapshot, b: Snapshot, detail = false): void {
  const t0 = performance.now();
  const doc = diffSnapshots(a, b, { detail });
  const ms = performance.now() - t0;
  console.log(
    `${label.padEnd(44)} ${ms.toFixed(0).padStart(6)} ms  ${
      String(doc.changes.length).padStart(6)
    } changes  peak RSS ${peakRssMb().toFixed(0)} MB`,
  );
}

const a = snapshot("2026-01-01T00:00:00.000Z", Array.from({ length: N }, (_, i) => sock(i, 0)));
const b = snapshot(
  "2026-01-01T00:05:00.000Z",
  Array.from({ length: N }, (_, i) => sock(i, i % 4 === 0 ? 7 : 0)),
);
time(`${N} connections, 25% churn`, a, b);
time(`${N} connections, 25% churn, --detail`, a, b, true);

const onePort = (addr: (i: number) => string) =>
  Array.from({ length: N }, (_, i) => ({ ...sock(100, 0), localAddress: addr(i), inode: i }));
time(
  `${N} listeners on one port, all moved`,
  snapshot("2026-01-01T00:00:00.000Z", onePort(ip)),
  snapshot("2026-01-01T00:05:00.000Z", onePort((i) => ip(i + N))),
);

const routes = (n: number, gw: string) =>
  Array.from({ length: n }, (_, i): Route => ({
    family: "inet",
    table: 254,
    type: "unicast",
    destination: `${ip(i)}/32`,
    metric: 0,
    gateway: gw,
    interface: "eth0",
  }));
time(
  "100000 routes, all gateways changed",
  snapshot("2026-01-01T00:00:00.000Z", [], routes(100_000, "10.0.0.1")),
  snapshot("2026-01-01T00:05:00.000Z", [], routes(100_000, "10.0.0.2")),
);

/**
 * Benchmark of the fleet diff (not a test): HOSTS host pairs of SOCKETS sockets each, written
 * once as snapshot files under .bench-tmp/ (synthetic, shaped like a busy host: 1% listeners, the
 * rest sessions to a few hundred peers, each host on its own address), then
 * `nsnap diff BEFORE_DIR AFTER_DIR` timed through the binary and from source, as JSON (the whole
 * document, every host's diff embedded) and as text. The after snapshots are perturbed as a
 * deploy would: 5% of the sessions churned, counters moved, a new 0.0.0.0:9100 listener on all
 * hosts but three, and one host with a listener no other has (an outlier).
 *
 * Targets (issue 19): under 60 s for 200 pairs of 10k sockets on a 2-core machine, and peak RSS
 * bounded by a few snapshots: the same for 20 hosts as for 200, and within a small factor of a
 * single pair's diff.
 *
 *   deno run -A bench/fleet.ts [HOSTS=200] [SOCKETS=10000]
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import type { Connection, NetInterface, ProcessInfo, Snapshot } from "../src/model.ts";
import { normalizeSnapshot } from "../src/snapshot/normalize.ts";
import { serializeSnapshot } from "../src/snapshot/serialize.ts";
import { median, runOnce, type Sample } from "./measure.ts";

const HOSTS = Number(process.argv[2] ?? 200);
const SOCKETS = Number(process.argv[3] ?? 10_000);
const ROOT = new URL("..", import.meta.url).pathname;
const WORK = join(ROOT, ".bench-tmp", `fleet-${HOSTS}x${SOCKETS}`);
const OK = { status: "ok" as const };
const T0 = "2026-01-01T00:00:00.000Z", T1 = "2026-01-01T00:05:00.000Z";

function ip(i: number): string {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

/** What every socket of the fleet has in common. */
const SOCKET = { family: "inet", recvQ: 0, sendQ: 0, uid: 0 } as const;

/** Socket `i` of host `h`; `shift` moves a session's ephemeral port (a reconnect). */
function sock(h: number, i: number, shift: number): Connection {
  const own = `172.16.${h & 255}.${(h >> 8) + 5}`;
  const protocol = i % 7 === 0 ? "udp" : "tcp";
  const base = { ...SOCKET, protocol, inode: 100_000 + i, pid: 1000 + (i % 200) } as const;
  if (i % 100 === 0) {
    // 1% listeners, a third of them on every address, the rest on the host's own.
    const localAddress = i % 300 === 0 ? "0.0.0.0" : own;
    const state = protocol === "udp" ? "UNCONN" : "LISTEN";
    return { ...base, localAddress, localPort: 1000 + (i % 2000), ...ANY, state };
  }
  const localPort = 20000 + ((i + shift) % 40000);
  return { ...base, localAddress: own, localPort, ...peer(i), state: "ESTABLISHED" };
}

const ANY = { remoteAddress: "0.0.0.0", remotePort: 0 };

/** The peer of session `i`: one of 500 addresses, on one of three ports. */
function peer(i: number) {
  return { remoteAddress: ip(i % 500), remotePort: 443 + (i % 3) };
}

function host(h: number, after: boolean): Snapshot {
  const connections: Connection[] = [];
  for (let i = 0; i < SOCKETS; i++) {
    connections.push(sock(h, i, after && i % 20 === 0 ? 7 : 0));
  }
  if (after && ![3, 77, 150].includes(h)) {
    connections.push({ ...sock(h, 0, 0), localAddress: "0.0.0.0", localPort: 9100, pid: 1001 });
  }
  if (after && h === 42) connections.push({ ...sock(h, 0, 0), localPort: 6379, pid: 1002 });
  const processes: Record<string, ProcessInfo> = {};
  for (let pid = 1000; pid < 1200; pid++) {
    processes[String(pid)] = { pid, name: `svc${pid % 50}`, startTime: T0 };
  }
  const own = `172.16.${h & 255}.${(h >> 8) + 5}`;
  const n = BigInt(h + 1) * (after ? 2n : 1n);
  const interfaces: NetInterface[] = [{
    name: "eth0",
    index: 2,
    mtu: 1500,
    flags: ["UP"],
    operState: "up",
    addresses: [{ family: "inet", address: own, prefixLength: 16 }],
    stats: { rxBytes: 1_000_000n * n, txBytes: 500_000n * n, rxPackets: 1000n * n },
  }];
  return normalizeSnapshot({
    schema: "nsnap/v1",
    meta: {
      capturedAt: after ? T1 : T0,
      durationMs: 200,
      host: {
        hostname: `web-${h + 1}`,
        machineId: (h + 1).toString(16).padStart(32, "0"),
        os: "linux",
        bootTime: "2025-12-01T00:00:00.000Z",
      },
      tool: { name: "nsnap", version: "bench", runtime: "bench" },
      privileges: { uid: 0, root: true },
      labels: { phase: after ? "after" : "before" },
      sections: { connections: OK, processes: OK, routes: OK, interfaces: OK, counters: OK },
    },
    connections,
    processes,
    routes: [],
    interfaces,
    counters: {
      Tcp: { InSegs: 10_000n * n, OutSegs: 9_000n * n, RetransSegs: 10n * n, CurrEstab: 9000n },
      Ip: { InReceives: 20_000n * n },
    },
  });
}

/** Writes the fleet once; a later run reuses it. */
function makeFleet(): void {
  const done = join(WORK, ".complete");
  if (existsSync(done)) return;
  rmSync(WORK, { recursive: true, force: true });
  const t0 = performance.now();
  for (const phase of ["before", "after"]) mkdirSync(join(WORK, phase), { recursive: true });
  for (let h = 0; h < HOSTS; h++) {
    for (const phase of ["before", "after"] as const) {
      writeFileSync(
        join(WORK, phase, `web-${h + 1}.json`),
        serializeSnapshot(host(h, phase === "after"), "json"),
      );
    }
  }
  writeFileSync(done, "");
  console.log(`wrote ${2 * HOSTS} snapshots in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

/** A folder with the first `n` hosts only (links to the fleet's files). */
function subset(n: number): string {
  const dir = join(WORK, `first-${n}`);
  if (existsSync(dir)) return dir;
  for (const phase of ["before", "after"]) {
    mkdirSync(join(dir, phase), { recursive: true });
    for (const f of readdirSync(join(WORK, phase)).slice(0, n)) {
      spawnSync("ln", ["-s", join(WORK, phase, f), join(dir, phase, f)]);
    }
  }
  return dir;
}

function binary(): string[] {
  const bin = join(ROOT, "dist/nsnap");
  if (!existsSync(bin)) {
    const r = spawnSync("sh", ["-c", "./node_modules/.bin/deno task build"], { cwd: ROOT });
    if (r.status !== 0) throw new Error("cannot build dist/nsnap");
  }
  return [bin];
}

const fromSource = [
  join(ROOT, "node_modules/.bin/deno"),
  "run",
  "-A",
  "--quiet",
  join(ROOT, "mod.ts"),
];

async function measure(label: string, argv: string[], runs = 1): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    const s = await runOnce({
      argv,
      okCodes: [0, 1],
      env: { ...process.env, DENO_NO_UPDATE_CHECK: "1" } as Record<string, string>,
      scratch: join(WORK, "time.out"),
    });
    if (!s.ok) throw new Error(`${label}: ${s.error}`);
    samples.push(s);
  }
  const wall = median(samples.map((s) => s.wallMs)) / 1000;
  const rss = median(samples.map((s) => s.rssKb ?? 0)) / 1024;
  console.log(
    `${label.padEnd(58)} ${wall.toFixed(1).padStart(6)} s  ${rss.toFixed(0).padStart(5)} MB`,
  );
  return samples;
}

makeFleet();
const [load] = (await import("node:os")).loadavg();
console.log(`${HOSTS} host pairs of ${SOCKETS} sockets; load average ${load?.toFixed(1)}`);
const bin = binary();
const before = join(WORK, "before"), after = join(WORK, "after");
await measure("one pair: dist/nsnap diff A.json B.json --format json", [
  ...bin,
  "diff",
  join(before, "web-1.json"),
  join(after, "web-1.json"),
  "--format",
  "json",
]);
// Peak RSS against fleet size: it must level off, not grow with the hosts.
for (const n of [20, 50, 100].filter((k) => k < HOSTS)) {
  const dir = subset(n);
  await measure(`${n} pairs: dist/nsnap diff BEFORE AFTER --format json`, [
    ...bin,
    "diff",
    join(dir, "before"),
    join(dir, "after"),
    "--format",
    "json",
  ]);
}
await measure(`${HOSTS} pairs: dist/nsnap diff BEFORE AFTER --format json`, [
  ...bin,
  "diff",
  before,
  after,
  "--format",
  "json",
], 3);
await measure(`${HOSTS} pairs: dist/nsnap diff BEFORE AFTER (text)`, [
  ...bin,
  "diff",
  before,
  after,
]);
await measure(`${HOSTS} pairs: deno run mod.ts diff BEFORE AFTER --format json`, [
  ...fromSource,
  "diff",
  before,
  after,
  "--format",
  "json",
]);

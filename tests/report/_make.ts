/**
 * Snapshots for the report tests: the committed examples, a generated big one (10k sockets), a
 * hostile one (markup, quotes and control characters in every name a user can choose), and a
 * short generated series with known counter deltas.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { isListener, socketRules } from "../../src/net/sockets.ts";
import type { Connection, ProcessInfo, Snapshot } from "../../src/model.ts";
import { conn, listen, snap } from "../diff/_build.ts";
import { parseSnapshotBytes } from "../../src/snapshot/read.ts";
import type { PageData, TableSpec } from "../../src/render/html/types.ts";

/** The example snapshots folder. */
export const EXAMPLES = fileURLToPath(new URL("../../snapshots/examples/", import.meta.url));

/** Reads an example snapshot (a path under snapshots/examples/). */
export function example(name: string): Snapshot {
  return parseSnapshotBytes(readFileSync(EXAMPLES + name), name);
}

/** How many listening sockets a snapshot has (the rule the report's table follows). */
export function listenerCount(s: Snapshot): number {
  const rules = socketRules(s);
  return s.connections.filter((c) => isListener(c, rules)).length;
}

/** A valid snapshot of host `web-1` at `at`, with a default route, eth0 and a few counters. */
export function snapshot(
  at: string,
  connections: Connection[],
  processes: Record<string, ProcessInfo>,
  over: Partial<Snapshot> = {},
): Snapshot {
  const s = snap(at, {
    connections,
    processes,
    routes: [{
      family: "inet",
      table: 254,
      type: "unicast",
      destination: "0.0.0.0/0",
      gateway: "10.0.0.1",
      interface: "eth0",
      metric: 0,
    }],
    interfaces: [{
      name: "eth0",
      index: 2,
      mac: "02:00:00:00:00:01",
      mtu: 1500,
      flags: ["UP"],
      operState: "up",
      addresses: [{ family: "inet", address: "10.0.0.5", prefixLength: 24 }],
      stats: { rxBytes: 1000n, txBytes: 2000n, rxPackets: 10n, txPackets: 20n },
    }],
    counters: {
      Tcp: { RetransSegs: 5n, OutSegs: 1000n, OutRsts: 1n },
      TcpExt: { ListenOverflows: 0n },
    },
    ...over,
  });
  return s;
}

/**
 * A big snapshot: `n` sockets, 1% listeners (some UDP), the rest sessions in several states to a
 * few hundred peers, owned by 200 processes.
 */
export function bigSnapshot(n = 10_000, at = "2026-11-25T10:00:00.000Z"): Snapshot {
  const processes: Record<string, ProcessInfo> = {};
  for (let pid = 1000; pid < 1200; pid++) {
    processes[String(pid)] = {
      pid,
      name: `svc${pid % 40}`,
      exe: `/usr/bin/svc${pid % 40}`,
      user: pid % 3 ? "www-data" : "root",
      startTime: "2026-11-25T09:00:00.000Z",
    };
  }
  const states = [
    "ESTABLISHED",
    "ESTABLISHED",
    "ESTABLISHED",
    "TIME_WAIT",
    "CLOSE_WAIT",
    "SYN_SENT",
  ];
  const conns: Connection[] = [];
  for (let i = 0; i < n; i++) {
    const pid = 1000 + (i % 200);
    if (i % 100 === 0) {
      const c = listen(i % 300 === 0 ? "127.0.0.1" : "0.0.0.0", 1000 + i / 100, pid);
      if (i % 700 === 0) {
        c.protocol = "udp";
        c.state = "UNCONN";
      }
      conns.push(c);
      continue;
    }
    const peer = `10.1.${(i >> 8) & 255}.${i % 250}`;
    conns.push(
      conn("10.0.0.5", 20000 + (i % 40000), peer, [443, 5432, 6379][i % 3]!, states[i % 6]!, pid),
    );
  }
  return snapshot(at, conns, processes);
}

/** The hostile strings: markup, quotes, an ampersand entity, escapes, bidi and control chars. */
export const HOSTILE = {
  process: `<script>alert(1)</script>"'&amp;\x1b[31m`,
  exe: `/tmp/<img src=x onerror=alert(2)>`,
  user: `"><svg onload=alert(3)>`,
  iface: `eth<0>\u202e\x07`,
  label: `</script><script>alert(4)</script>\u2028`,
  host: `<b>host</b>&"\x00`,
  warning: `cannot read <iframe src="http://example.invalid/">\nnext line`,
} as const;

/** A snapshot whose user-chosen names are hostile everywhere the report shows them. */
export function hostileSnapshot(): Snapshot {
  const s = snapshot(
    "2026-11-25T10:00:00.000Z",
    [
      listen("0.0.0.0", 8080, 4242),
      listen("127.0.0.1", 9100, 4242),
      conn("10.0.0.5", 8080, "10.0.0.9", 51000, "ESTABLISHED", 4242),
    ],
    {
      "4242": { pid: 4242, name: HOSTILE.process, exe: HOSTILE.exe, user: HOSTILE.user },
    },
  );
  s.meta.host.hostname = HOSTILE.host;
  s.meta.labels = { [HOSTILE.label]: HOSTILE.label };
  s.meta.sections.processes = { status: "partial", warnings: [HOSTILE.warning] };
  s.interfaces[0]!.name = HOSTILE.iface;
  s.routes[0]!.interface = HOSTILE.iface;
  return s;
}

/** The page's embedded data. */
export function pageData(page: string): PageData {
  const m = /<script type="application\/json" id="nsnap-data">([^<]*)<\/script>/.exec(page);
  assert.ok(m, "the page embeds its data");
  return JSON.parse(m[1]!) as PageData;
}

/** One table of the page's data, by id. */
export function table(page: string, id: string): TableSpec {
  const t = pageData(page).tables.find((x) => x.id === id);
  assert.ok(t, `table ${id}`);
  return t;
}

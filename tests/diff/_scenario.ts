/** A before/after pair that exercises every section: the input of the golden and CLI tests. */
import type { Snapshot } from "../../src/model.ts";
import { conn, iface, listen, proc, procs, route, snap } from "./_build.ts";

/** The "before" snapshot of a deploy. */
export function scenarioBefore(): Snapshot {
  return snap("2026-03-01T12:00:00.000Z", {
    connections: [
      listen("0.0.0.0", 22, 100),
      listen("127.0.0.1", 9100, 300),
      listen("0.0.0.0", 8080, 200),
      listen("0.0.0.0", 6379, 400),
      conn("10.0.0.5", 22, "192.0.2.10", 51000, "ESTABLISHED", 100),
      conn("10.0.0.5", 8080, "198.51.100.7", 40001, "ESTABLISHED", 200),
      conn("10.0.0.5", 44000, "10.0.0.9", 5432, "ESTABLISHED", 200),
    ],
    processes: procs(
      proc(100, "sshd"),
      proc(200, "app", "2026-03-01T08:00:00.000Z"),
      proc(300, "node_exporter"),
      proc(400, "redis-server"),
    ),
    routes: [
      route("0.0.0.0/0", { gateway: "10.0.0.1", scope: "universe", protocol: "dhcp" }),
      route("10.0.0.0/24", { source: "10.0.0.5" }),
      route("172.16.0.0/12", { gateway: "10.0.0.254", scope: "universe", protocol: "static" }),
    ],
    interfaces: [
      iface("eth0", {
        stats: { rxBytes: 1_000_000n, txBytes: 500_000n, rxPackets: 1000n, txPackets: 800n },
      }),
      iface("lo", {
        mtu: 65536,
        flags: ["LOOPBACK", "LOWER_UP", "UP"],
        operState: "unknown",
        addresses: [{ family: "inet", address: "127.0.0.1", prefixLength: 8 }],
      }),
    ],
    counters: {
      Ip: { Forwarding: 2n, InReceives: 90_071_992_547_409_910n },
      Tcp: { CurrEstab: 3n, OutSegs: 50_000n, RetransSegs: 100n, InSegs: 60_000n },
      TcpExt: { ListenOverflows: 0n },
      Sockstat: { TCP_inuse: 7n },
    },
  });
}

/** The "after" snapshot: restarted, exposed, closed and opened listeners, sessions, routes … */
export function scenarioAfter(): Snapshot {
  return snap("2026-03-01T12:05:00.000Z", {
    connections: [
      listen("0.0.0.0", 22, 100),
      listen("0.0.0.0", 9100, 300),
      listen("0.0.0.0", 8080, 210),
      listen("0.0.0.0", 9090, 500),
      conn("10.0.0.5", 22, "192.0.2.10", 51000, "ESTABLISHED", 100),
      ...[1, 2, 3, 4, 5].map((i) =>
        conn("10.0.0.5", 8080, "198.51.100.7", 40100 + i, "ESTABLISHED", 210)
      ),
      conn("10.0.0.5", 44000, "10.0.0.9", 5432, "CLOSE_WAIT", 210),
    ],
    processes: procs(
      proc(100, "sshd"),
      proc(210, "app", "2026-03-01T12:02:00.000Z"),
      proc(300, "node_exporter"),
      proc(500, "prometheus"),
    ),
    routes: [
      route("0.0.0.0/0", { gateway: "10.0.0.2", scope: "universe", protocol: "dhcp" }),
      route("10.0.0.0/24", { source: "10.0.0.5" }),
      route("192.168.50.0/24", { gateway: "10.0.0.254", scope: "universe", protocol: "static" }),
    ],
    interfaces: [
      iface("eth0", {
        mtu: 9000,
        addresses: [
          { family: "inet", address: "10.0.0.5", prefixLength: 24 },
          { family: "inet", address: "10.0.0.6", prefixLength: 24 },
        ],
        stats: { rxBytes: 31_000_000n, txBytes: 3_500_000n, rxPackets: 21_000n, txPackets: 4800n },
      }),
      iface("lo", {
        mtu: 65536,
        flags: ["LOOPBACK", "LOWER_UP", "UP"],
        operState: "unknown",
        addresses: [{ family: "inet", address: "127.0.0.1", prefixLength: 8 }],
      }),
    ],
    counters: {
      Ip: { Forwarding: 1n, InReceives: 90_071_992_547_509_910n },
      Tcp: { CurrEstab: 7n, OutSegs: 60_000n, RetransSegs: 350n, InSegs: 58_000n },
      TcpExt: { ListenOverflows: 12n },
      Sockstat: { TCP_inuse: 11n },
    },
  });
}

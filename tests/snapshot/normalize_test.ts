import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import * as S from "../../src/schema.ts";
import type { Connection } from "../../src/model.ts";
import { normalizeSnapshot, orderConnection } from "../../src/snapshot/normalize.ts";
import { arbSnapshot } from "../helpers/arbitrary.ts";

const conn = (o: Partial<Connection>): Connection => ({
  protocol: "tcp",
  family: "inet",
  localAddress: "0.0.0.0",
  localPort: 0,
  remoteAddress: "0.0.0.0",
  remotePort: 0,
  state: "LISTEN",
  recvQ: 0,
  sendQ: 0,
  ...o,
});

test("orderConnection() writes keys in the schema's order", () => {
  const full = conn({
    uid: 1,
    inode: 2,
    pid: 3,
    pids: [3],
    interface: "eth0",
    v6only: true,
    backlog: 128,
    timer: { name: "on", expiresMs: 200, retrans: 1 },
    mark: 7,
    cgroupId: 9,
    tcpInfo: { rtt: 1, rttvar: 2, retrans: 0, totalRetrans: 4, lost: 0 },
    namespace: "docker:web",
    exposure: { kind: "internal", summary: "internal" },
  });
  const shuffled = Object.fromEntries(Object.entries(full).reverse()) as Connection;
  assert.deepEqual(Object.keys(orderConnection(shuffled)), Object.keys(S.Connection.shape));
});

test("normalizeSnapshot() sorts connections by protocol, family, then addresses numerically and ports", () => {
  const s = normalizeSnapshot({
    ...fc.sample(arbSnapshot, { seed: 1, numRuns: 1 })[0]!,
    connections: [
      conn({ protocol: "udp" }),
      conn({ family: "inet6", localAddress: "::1" }),
      conn({ localAddress: "10.0.0.10", localPort: 80 }),
      conn({ localAddress: "10.0.0.9", localPort: 443 }),
      conn({ localAddress: "10.0.0.9", localPort: 22 }),
      conn({ localAddress: "10.0.0.9", localPort: 22, pids: [9, 3, 5] }),
    ],
  });
  assert.deepEqual(
    s.connections.map((c) => `${c.protocol} ${c.localAddress}:${c.localPort}`),
    [
      "tcp 10.0.0.9:22",
      "tcp 10.0.0.9:22",
      "tcp 10.0.0.9:443",
      "tcp 10.0.0.10:80",
      "tcp ::1:0",
      "udp 0.0.0.0:0",
    ],
  );
  assert.ok(s.connections.some((c) => c.pids?.join() === "3,5,9"));
});

test("normalizeSnapshot() is idempotent and independent of the input order", () => {
  fc.assert(
    fc.property(arbSnapshot, fc.integer(), (s, seed) => {
      const once = normalizeSnapshot(s);
      assert.deepStrictEqual(normalizeSnapshot(once), once);
      const shuffled = {
        ...s,
        connections: [...s.connections].sort(() => (seed = (seed * 16807) % 2147483647) % 3 - 1),
        routes: [...s.routes].reverse(),
        interfaces: [...s.interfaces].reverse(),
      };
      assert.deepStrictEqual(normalizeSnapshot(shuffled), once);
    }),
    { numRuns: 100 },
  );
});

test("normalizeSnapshot() keeps counter groups and names in the kernel's order", () => {
  const s = normalizeSnapshot({
    ...fc.sample(arbSnapshot, { seed: 2, numRuns: 1 })[0]!,
    counters: { Tcp: { RtoMin: 200n, ActiveOpens: 1n }, Ip: { Forwarding: 1n } },
  });
  assert.deepEqual(Object.keys(s.counters), ["Tcp", "Ip"]);
  assert.deepEqual(Object.keys(s.counters.Tcp!), ["RtoMin", "ActiveOpens"]);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import process from "node:process";
import { type Change, diffSnapshots } from "../../src/diff/mod.ts";
import type { Connection, Route, Snapshot } from "../../src/model.ts";
import { arbSnapshot } from "../helpers/arbitrary.ts";
import { snap } from "./_build.ts";

const RUNS = {
  numRuns: 150,
  ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}),
};

/** One interface per name, as every real capture has. */
function uniqueInterfaces(s: Snapshot): Snapshot {
  const seen = new Set<string>();
  return { ...s, interfaces: s.interfaces.filter((i) => !seen.has(i.name) && seen.add(i.name)) };
}

const arbSnap = arbSnapshot.map(uniqueInterfaces);

/** States an established session is left in when one end closed and the other did not. */
const HALF = ["CLOSE_WAIT", "FIN_WAIT1", "FIN_WAIT2", "LAST_ACK", "TIME_WAIT"] as const;

/**
 * What becomes of a kept socket in the second snapshot: unchanged, an established session
 * half-closed (sometimes orphaned: inode 0), or a listener's socket re-opened by a new process.
 */
function evolve(c: Connection, move: number, pid: number): Connection {
  if (move % 3 === 1 && c.state === "ESTABLISHED" && c.protocol === "tcp") {
    const state = HALF[move % HALF.length]!;
    return { ...c, state, ...(move % 2 === 0 ? { inode: 0 } : {}) };
  }
  if (move % 3 === 2 && (c.state === "LISTEN" || c.state === "UNCONN")) {
    return { ...c, inode: pid, pid, pids: [pid] };
  }
  return c;
}

/** A second snapshot sharing part of the first: some of its items kept, others new. */
const arbPair: fc.Arbitrary<[Snapshot, Snapshot]> = fc
  .tuple(
    arbSnap,
    arbSnap,
    fc.array(fc.boolean(), { minLength: 32, maxLength: 32 }),
    fc.array(fc.nat({ max: 30 }), { minLength: 32, maxLength: 32 }),
  )
  .map(([a, other, mask, moves]) => {
    const keep = <T>(xs: readonly T[]) => xs.filter((_, i) => mask[i % mask.length]);
    const names = new Set(other.interfaces.map((i) => i.name));
    const kept = keep(a.connections).map((c, i) =>
      evolve(c, moves[i % moves.length]!, 900_000 + i)
    );
    const processes = { ...a.processes, ...other.processes };
    // A re-opened listener's process: the program it was, started anew.
    keep(a.connections).forEach((c, i) => {
      const now = kept[i]!;
      if (now.pid === c.pid || now.pid === undefined) return;
      const was = c.pid === undefined ? undefined : a.processes[String(c.pid)];
      processes[String(now.pid)] = { ...(was ?? { name: "app" }), pid: now.pid };
    });
    const b: Snapshot = {
      ...other,
      meta: { ...other.meta, host: a.meta.host, sections: a.meta.sections },
      connections: [...kept, ...other.connections],
      processes,
      routes: [...keep(a.routes), ...other.routes],
      interfaces: [...keep(a.interfaces).filter((i) => !names.has(i.name)), ...other.interfaces],
      counters: a.counters,
    };
    // The first's records name its namespaces: the second lists them too (a real capture would).
    if (a.namespaces && !other.namespaces) b.namespaces = a.namespaces;
    // The sections added within v1: part of the first's kept where both have them.
    if (a.rules && other.rules) b.rules = [...keep(a.rules), ...other.rules];
    if (a.neighbours && other.neighbours) {
      b.neighbours = [...keep(a.neighbours), ...other.neighbours];
    }
    if (a.qdiscs && other.qdiscs) b.qdiscs = [...keep(a.qdiscs), ...other.qdiscs];
    if (a.settings && other.settings) b.settings = { ...a.settings, ...other.settings };
    if (a.firewall && other.firewall) {
      b.firewall = { tables: [...keep(a.firewall.tables), ...other.firewall.tables] };
    }
    return [a, b];
  });

const MIRROR: Record<string, string> = {
  "namespace-added": "namespace-removed",
  "namespace-removed": "namespace-added",
  "listener-opened": "listener-closed",
  "listener-closed": "listener-opened",
  "listener-instance-added": "listener-instance-removed",
  "listener-instance-removed": "listener-instance-added",
  "session-opened": "session-closed",
  "session-closed": "session-opened",
  "route-added": "route-removed",
  "route-removed": "route-added",
  "interface-added": "interface-removed",
  "interface-removed": "interface-added",
  "rule-added": "rule-removed",
  "rule-removed": "rule-added",
  "neighbour-added": "neighbour-removed",
  "neighbour-removed": "neighbour-added",
  "qdisc-added": "qdisc-removed",
  "qdisc-removed": "qdisc-added",
  "firewall-rule-added": "firewall-rule-removed",
  "firewall-rule-removed": "firewall-rule-added",
  "firewall-chain-added": "firewall-chain-removed",
  "firewall-chain-removed": "firewall-chain-added",
  "unix-listener-opened": "unix-listener-closed",
  "unix-listener-closed": "unix-listener-opened",
  "raw-socket-opened": "raw-socket-closed",
  "raw-socket-closed": "raw-socket-opened",
  "packet-socket-opened": "packet-socket-closed",
  "packet-socket-closed": "packet-socket-opened",
};

/**
 * Kinds that have no mirror by design: a neighbour that failed is reported, one that resolved
 * again is a `neighbour-changed` (and a dynamic entry that went away is no change); drops and a
 * filling conntrack table are counters, and so are retransmits and a filling accept queue.
 */
const ONE_WAY = new Set([
  // Retransmits and a filling accept queue only grow that way; an RTT move mirrors itself.
  "session-retransmits",
  "listener-queue-full",
  "neighbour-failed",
  "neighbour-changed",
  "qdisc-drops",
  "conntrack-near-limit",
]);

/**
 * The structural changes (no counters, traffic, state census or pile-ups, which only go one
 * way) as comparable strings. A session left half-closed is closed as far as opening goes: its
 * mirror is an opened one, so closed and half-closed counts are summed per key.
 */
function signature(changes: readonly Change[], mirror: boolean): string[] {
  const counts = new Map<string, number>();
  for (const c of changes) {
    if (
      c.section === "counters" || c.kind === "interface-traffic" ||
      c.kind === "session-state-buildup" || c.kind === "session-unanswered" ||
      ONE_WAY.has(c.kind)
    ) continue;
    const base = c.kind === "session-half-closed" ? "session-closed" : c.kind;
    const kind = mirror ? MIRROR[base] ?? base : base;
    // An exposure pair is named after the program of its first side; compare port and kind.
    // A rename is keyed by its old name: compare the pair of names.
    const key = c.kind === "listener-exposure-changed"
      ? { protocol: c.key.protocol, port: c.key.port }
      : c.kind === "interface-renamed"
      ? [c.before.name, c.after.name].sort()
      : c.key;
    const id = `${kind} ${JSON.stringify(key)}`;
    counts.set(id, (counts.get(id) ?? 0) + ("count" in c ? c.count : 0));
  }
  return [...counts].map(([id, n]) => `${id} ${n}`).sort();
}

function shuffle<T>(xs: readonly T[], seed: number): T[] {
  const out = [...xs];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function reverseKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).reverse());
}

function shuffled(s: Snapshot, seed: number): Snapshot {
  return {
    ...s,
    connections: shuffle(s.connections, seed),
    processes: reverseKeys(s.processes),
    routes: shuffle(s.routes, seed + 1),
    interfaces: shuffle(s.interfaces, seed + 2).map((i) => ({
      ...i,
      flags: shuffle(i.flags, seed + 3),
      addresses: shuffle(i.addresses, seed + 4),
    })),
    counters: reverseKeys(Object.fromEntries(
      Object.entries(s.counters).map(([g, v]) => [g, reverseKeys(v)]),
    )),
    ...(s.unixSockets ? { unixSockets: shuffle(s.unixSockets, seed + 10) } : {}),
    ...(s.rawSockets ? { rawSockets: shuffle(s.rawSockets, seed + 11) } : {}),
    ...(s.packetSockets ? { packetSockets: shuffle(s.packetSockets, seed + 12) } : {}),
    ...(s.rules ? { rules: shuffle(s.rules, seed + 5) } : {}),
    ...(s.neighbours ? { neighbours: shuffle(s.neighbours, seed + 6) } : {}),
    ...(s.qdiscs ? { qdiscs: shuffle(s.qdiscs, seed + 7) } : {}),
    ...(s.settings ? { settings: reverseKeys(s.settings) } : {}),
    // A chain's rules keep their order (it decides which rule wins); tables and chains do not.
    ...(s.firewall
      ? {
        firewall: {
          tables: shuffle(s.firewall.tables, seed + 8).map((t) => ({
            ...t,
            chains: shuffle(t.chains, seed + 9),
          })),
        },
      }
      : {}),
  };
}

test("diff(a, a) has no changes", () => {
  fc.assert(
    fc.property(arbSnap, fc.boolean(), (a, detail) => {
      assert.deepEqual(diffSnapshots(a, a, { detail }).changes, []);
    }),
    RUNS,
  );
});

test("diff(a, b) mirrors diff(b, a): opened ↔ closed, added ↔ removed, same keys", () => {
  fc.assert(
    fc.property(arbPair, fc.boolean(), ([a, b], detail) => {
      const forward = diffSnapshots(a, b, { detail }).changes;
      const backward = diffSnapshots(b, a, { detail }).changes;
      assert.deepEqual(signature(forward, true), signature(backward, false));
    }),
    RUNS,
  );
});

test("shuffling a snapshot's lists and keys changes nothing in the diff", () => {
  fc.assert(
    fc.property(arbPair, fc.nat(), fc.boolean(), ([a, b], seed, detail) => {
      const plain = diffSnapshots(a, b, { detail });
      const mixed = diffSnapshots(shuffled(a, seed), shuffled(b, seed + 7), { detail });
      assert.deepEqual(mixed, plain);
    }),
    RUNS,
  );
});

test("counter and traffic deltas are never negative, whichever way values moved", () => {
  fc.assert(
    fc.property(arbSnap, arbSnap, (a, b) => {
      const bb = { ...b, meta: { ...b.meta, host: a.meta.host } };
      for (const c of diffSnapshots(a, bb).changes) {
        if (c.kind === "counter-increased") assert.ok(c.delta >= 0n, c.summary);
        if (c.kind === "interface-traffic") {
          for (const v of Object.values(c.delta ?? {})) assert.ok(v! >= 0n, c.summary);
        }
      }
    }),
    RUNS,
  );
});

test("the generated pairs hold what the mirror must cover: instances, UDP clients, half-closed sessions", () => {
  const seen = new Set<string>();
  for (const [a, b] of fc.sample(arbPair, { numRuns: 400, seed: 15 })) {
    for (const c of diffSnapshots(a, b).changes) seen.add(c.kind);
    if (
      a.connections.some((c) =>
        c.protocol === "udp" && c.state === "UNCONN" && c.localPort >= 32768
      )
    ) {
      seen.add("udp client");
    }
  }
  for (
    const k of [
      "listener-instance-added",
      "listener-instance-removed",
      "listener-restarted",
      "session-half-closed",
      "udp client",
    ]
  ) assert.ok(seen.has(k), `no generated pair has ${k}`);
});

/** A bare snapshot of one host with a firewall section, for the counterexamples below. */
function bare(extra: Partial<Snapshot>): Snapshot {
  const s = snap(undefined, extra);
  s.meta.sections.firewall = { status: "ok" };
  return s;
}

test("counterexample: two tables of one name, their chains shuffled, give one diff", () => {
  const input = { name: "INPUT", rules: [] };
  const a = bare({
    firewall: {
      tables: [{
        syntax: "iptables",
        family: "ip6",
        name: "filter",
        // Key order as a capture writes it: the tie-break text once put this chain after the other.
        chains: [{
          name: "INPUT",
          type: "filter",
          hook: "input",
          priority: 0,
          policy: "accept",
          rules: [],
        }],
      }],
    },
  });
  const b = bare({
    firewall: {
      tables: [
        a.firewall!.tables[0]!,
        {
          syntax: "iptables",
          family: "ip6",
          name: "filter",
          chains: [{ name: "input", rules: [] }, input],
        },
      ],
    },
  });
  const [first, second] = b.firewall!.tables;
  const reordered = { tables: [first!, { ...second!, chains: [...second!.chains].reverse() }] };
  assert.deepEqual(diffSnapshots(a, { ...b, firewall: reordered }), diffSnapshots(a, b));
  assert.deepEqual(
    diffSnapshots(a, { ...b, firewall: { tables: [...reordered.tables].reverse() } }),
    diffSnapshots(a, b),
  );
});

/** An unconnected UDP socket on port 53 of `localAddress`: a listener, for the counterexamples. */
function udpListener(localAddress: string) {
  return {
    protocol: "udp",
    family: "inet",
    localAddress,
    localPort: 53,
    remoteAddress: "0.0.0.0",
    remotePort: 0,
    state: "UNCONN",
    recvQ: 0,
    sendQ: 0,
  } as const;
}

test("counterexample: a record naming the own namespace is the same listener as one that does not", () => {
  const udp = udpListener("10.0.0.1");
  const conns: Connection[] = [{ ...udp, namespace: "host" }, udp, {
    ...udp,
    namespace: "host",
    inode: 1,
  }];
  const a = bare({});
  const diffs = [[0, 1, 2], [1, 0, 2], [2, 1, 0]].map((order) =>
    diffSnapshots(a, bare({ connections: order.map((i) => conns[i]!), namespaces: [] })).changes
  );
  assert.equal(diffs[0]!.length, 1);
  assert.equal(diffs[0]![0]!.kind, "listener-opened");
  assert.equal((diffs[0]![0] as { after: { instances?: number } }).after.instances, 3);
  for (const d of diffs) assert.deepEqual(d, diffs[0]);
});

test("counterexample: duplicate chains whose only move is their rule counters give no change", () => {
  const table = (last: string, packets: number) => ({
    syntax: "nft" as const,
    family: "inet",
    name: "t",
    chains: [{
      name: "c",
      rules: [
        { text: "tcp dport 22 counter accept", counters: { packets: BigInt(packets), bytes: 0n } },
        { text: last },
      ],
    }],
  });
  const a = bare({ firewall: { tables: [table("b", 1), table("z", 2)] } });
  const b = bare({ firewall: { tables: [table("b", 3), table("z", 1)] } });
  assert.deepEqual(diffSnapshots(a, b).changes, []);
});

test("counterexample: one listener listed twice with two exposures is no publish change against itself", () => {
  // Found by "diff(a, a) has no changes" (CI, seed 420586839): the before side kept the last of
  // the two records and the after side the first, so a snapshot differed from itself.
  const udp = udpListener("127.0.0.1");
  const conns: Connection[] = [
    { ...udp, exposure: { kind: "published", summary: "" } },
    {
      ...udp,
      exposure: {
        kind: "published",
        summary: "",
        published: [{ hostAddress: "0.0.0.0", hostPort: 0, via: ["docker"] }],
      },
    },
  ];
  const a = bare({ connections: conns });
  assert.deepEqual(diffSnapshots(a, a).changes, []);
  const swapped = bare({ connections: [conns[1]!, conns[0]!] });
  assert.deepEqual(diffSnapshots(a, swapped).changes, []);
});

test("counterexample: duplicate chains that differ only in a rule's handle give one diff, whatever their order", () => {
  // Found by "shuffling a snapshot's lists and keys changes nothing" (seed 1370287149): the added
  // copy's rule carried the handle of whichever duplicate table came first.
  const table = (handle?: number) => ({
    syntax: "nft" as const,
    family: "ip6",
    name: "nat",
    chains: [{
      name: "input",
      rules: [{ text: "ip saddr 10.1.0.0/16 drop", ...(handle === undefined ? {} : { handle }) }],
    }],
  });
  const a = bare({ firewall: { tables: [table(0)] } });
  const b = bare({ firewall: { tables: [table(0), table()] } });
  const swapped = bare({ firewall: { tables: [table(), table(0)] } });
  assert.deepEqual(diffSnapshots(a, swapped), diffSnapshots(a, b));
  assert.deepEqual(diffSnapshots(swapped, a), diffSnapshots(b, a));
});

test("counterexample: duplicate routes that differ only in their next hops give one diff, whatever their order", () => {
  // The canonical text of duplicates listed the route's own keys only, at every depth, so it
  // dropped the next hops' weights (and their gateways when the route had none of its own).
  const route = (gateway: string, weight: number): Route => ({
    family: "inet",
    table: 254,
    type: "unicast",
    destination: "0.0.0.0/0",
    metric: 0,
    nexthops: [{ gateway, interface: "eth0", weight }],
  });
  const both = [route("10.0.0.1", 1), route("10.0.0.2", 1)];
  const weights = [route("10.0.0.1", 1), route("10.0.0.1", 2)];
  const a = bare({}), one = bare({ routes: [route("10.0.0.1", 2)] });
  for (const routes of [both, weights]) {
    const b = bare({ routes }), swapped = bare({ routes: [...routes].reverse() });
    assert.deepEqual(diffSnapshots(a, swapped), diffSnapshots(a, b));
    assert.deepEqual(diffSnapshots(swapped, one), diffSnapshots(b, one));
  }
});

/**
 * The diff of rules, route attributes, neighbours, qdiscs, firewall and settings: each change has
 * its kind and notable flag, noise (neighbour cache churn, counters, timers) is not a change, and
 * sections a snapshot lacks are not compared.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { diffSnapshots } from "../../src/diff/mod.ts";
import type { Change } from "../../src/diff/types.ts";
import { fullSnap, neigh, nftTable, qdisc, route, rule, snap } from "./_build.ts";

const T0 = "2026-01-01T00:00:00.000Z", T1 = "2026-01-01T00:01:00.000Z";

function changes(a: ReturnType<typeof snap>, b: ReturnType<typeof snap>): Change[] {
  return diffSnapshots(a, b).changes;
}

function brief(cs: Change[]): string[] {
  return cs.map((c) => `${c.notable ? "!" : " "}${c.kind}: ${c.summary}`);
}

test("rules: added, removed and changed (same selectors, another table), keyed by what they match", () => {
  const a = fullSnap(T0, {
    rules: [
      rule(0, { table: 255 }),
      rule(1000, { from: "10.77.6.0/24", table: 100 }),
      rule(1001, { fwmark: 7, table: 7 }),
    ],
  });
  const b = fullSnap(T1, {
    rules: [
      rule(0, { table: 255 }),
      rule(1000, { from: "10.77.6.0/24", table: 200 }),
      rule(1002, { iif: "wg0", action: "blackhole", table: undefined }),
    ],
  });
  assert.deepEqual(brief(changes(a, b)), [
    " rule-changed: rule 1000 from 10.77.6.0/24: lookup 100 → lookup 200",
    " rule-removed: rule removed: 1001: from all fwmark 0x7 lookup 7",
    " rule-added: rule added: 1002: from all iif wg0 blackhole",
  ]);
  const c = changes(a, b)[0]!;
  assert.deepEqual([c.key, (c as { changed: string[] }).changed], [
    { family: "inet", priority: 1000, match: "from 10.77.6.0/24" },
    ["table"],
  ]);
});

test("routes: an MTU change is a route-changed naming mtu; expires counting down is not a change", () => {
  const a = fullSnap(T0, {
    routes: [
      route("10.78.0.0/24", { gateway: "10.0.0.1", mtu: 1300 }),
      route("fd00::/64", { expires: 600, pref: "high" }),
    ],
  });
  const b = fullSnap(T1, {
    routes: [
      route("10.78.0.0/24", { gateway: "10.0.0.1", mtu: 1200 }),
      route("fd00::/64", { expires: 540, pref: "high" }),
    ],
  });
  const cs = changes(a, b);
  assert.deepEqual(brief(cs), [
    " route-changed: route IPv4 10.78.0.0/24 via 10.0.0.1 dev eth0: mtu 1300 → 1200",
  ]);
  assert.deepEqual((cs[0] as { changed: string[] }).changed, ["mtu"]);
  const onlink = changes(
    fullSnap(T0, { routes: [route("10.79.0.0/24", { gateway: "10.0.0.1" })] }),
    fullSnap(T1, { routes: [route("10.79.0.0/24", { gateway: "10.0.0.1", flags: ["onlink"] })] }),
  );
  assert.deepEqual((onlink[0] as { changed: string[] }).changed, ["onlink"]);
});

test("neighbours: a gateway's MAC change and its FAILED entry are notable; cache churn is silent", () => {
  const routes = [route("0.0.0.0/0", { gateway: "10.0.0.1" })];
  const a = fullSnap(T0, {
    routes,
    neighbours: [
      neigh("10.0.0.1", { mac: "52:54:00:00:00:01" }),
      neigh("10.0.0.2", { state: "REACHABLE" }),
      neigh("10.0.0.3", { state: "STALE" }),
      neigh("10.0.0.4"),
      neigh("10.0.0.9", { mac: "52:54:00:00:00:09" }),
    ],
  });
  const b = fullSnap(T1, {
    routes,
    neighbours: [
      neigh("10.0.0.1", { mac: "52:54:00:00:00:99", state: "STALE" }), // gateway: another MAC
      neigh("10.0.0.2", { state: "STALE" }), // churn
      neigh("10.0.0.3", { state: "DELAY" }), // churn
      // 10.0.0.4 aged out of the cache: not a change
      neigh("10.0.0.9", { mac: "52:54:00:00:00:10" }), // another host's MAC: reported, not notable
      neigh("10.0.0.20"), // a new cache entry: not a change
      neigh("10.0.0.30", { mac: undefined, state: "INCOMPLETE" }), // new and unresolved
      neigh("10.0.0.40", { mac: "02:00:00:00:00:40", state: "PERMANENT" }), // static: added
    ],
  });
  assert.deepEqual(brief(changes(a, b)), [
    "!neighbour-changed: neighbour 10.0.0.1 dev eth0 (a gateway): MAC 52:54:00:00:00:01 → 52:54:00:00:00:99 (failover, or someone else answering for it)",
    " neighbour-changed: neighbour 10.0.0.9 dev eth0: MAC 52:54:00:00:00:09 → 52:54:00:00:00:10",
    " neighbour-failed: neighbour 10.0.0.30 dev eth0 is INCOMPLETE: nothing answers for it on the link",
    " neighbour-added: static neighbour added: 10.0.0.40 dev eth0 lladdr 02:00:00:00:00:40 PERMANENT",
  ]);
  const failedGw = changes(
    a,
    fullSnap(T1, { routes, neighbours: [neigh("10.0.0.1", { mac: undefined, state: "FAILED" })] }),
  );
  assert.deepEqual(brief(failedGw), [
    "!neighbour-failed: neighbour 10.0.0.1 dev eth0 (a gateway) is FAILED (was REACHABLE): nothing answers for it on the link",
  ]);
  assert.equal((failedGw[0] as { gateway?: boolean }).gateway, true);
  // Still failed in a third capture: said once.
  const still = changes(
    fullSnap(T0, { routes, neighbours: [neigh("10.0.0.1", { mac: undefined, state: "FAILED" })] }),
    fullSnap(T1, {
      routes,
      neighbours: [neigh("10.0.0.1", { mac: undefined, state: "INCOMPLETE" })],
    }),
  );
  assert.deepEqual(still, []);
});

test("qdiscs: added, changed, removed, and drops as a notable delta with a rate", () => {
  const a = fullSnap(T0, {
    qdiscs: [
      qdisc(),
      qdisc({ interface: "eth1", kind: "pfifo", options: "limit 3p" }),
      qdisc({ interface: "eth2" }),
    ],
  });
  const b = fullSnap(T1, {
    qdiscs: [
      qdisc({
        stats: {
          bytes: 61000n,
          packets: 1010n,
          drops: 120n,
          overlimits: 0n,
          requeues: 0n,
          backlog: 3000n,
          qlen: 2n,
        },
      }),
      qdisc({
        interface: "eth1",
        kind: "tbf",
        handle: "8001:",
        options: "rate 1Mbit burst 4Kb lat 400ms",
      }),
      qdisc({ interface: "wg0", kind: "noqueue", options: undefined }),
    ],
  });
  const cs = changes(a, b);
  assert.deepEqual(brief(cs), [
    "!qdisc-drops: fq_codel 0: on eth0 dropped 120 packets (2.00/s) while sending 1,000",
    " qdisc-changed: qdisc on eth1 root: pfifo 0: limit 3p → tbf 8001: rate 1Mbit burst 4Kb lat 400ms",
    " qdisc-removed: qdisc removed: qdisc fq_codel 0: dev eth2 root limit 10240p flows 1024",
    " qdisc-added: qdisc added: qdisc noqueue 0: dev wg0 root",
  ]);
  const drops = cs[0] as { delta: Record<string, bigint>; perSecond: Record<string, number> };
  assert.deepEqual([drops.delta.drops, drops.delta.bytes, drops.perSecond.drops], [
    120n,
    60000n,
    2,
  ]);
  // Counters that went backwards (the qdisc was replaced) give no drops at all.
  const reset = changes(
    fullSnap(T0, { qdiscs: [qdisc({ stats: { drops: 500n, packets: 9000n } })] }),
    fullSnap(T1, { qdiscs: [qdisc({ stats: { drops: 600n, packets: 10n } })] }),
  );
  assert.deepEqual(reset, []);
});

test("firewall: rules added and removed one by one, notable on the input hook; counters are no change", () => {
  const other = { name: "extra", rules: [{ text: "tcp dport 9000 drop" }] };
  const post = {
    name: "post",
    type: "nat",
    hook: "postrouting",
    priority: 100,
    policy: "accept",
    rules: [{ text: 'oifname "eth0" masquerade' }],
  };
  const a = fullSnap(T0, {
    firewall: {
      tables: [nftTable(["tcp dport 22 accept", "jump extra"], "accept", [other, post])],
    },
  });
  const b = fullSnap(T1, {
    firewall: {
      tables: [
        nftTable(["tcp dport 22 counter accept", "jump extra", "tcp dport 8080 drop"], "drop", [
          {
            name: "extra",
            rules: [{ text: "tcp dport 9000 drop" }, { text: "tcp dport 9001 drop" }],
          },
          { ...post, rules: [] },
        ]),
      ],
    },
  });
  assert.deepEqual(brief(changes(a, b)), [
    " firewall-rule-added: firewall rule added: inet filter extra: tcp dport 9001 drop (input hook)"
      .replace(" firewall", "!firewall"),
    "!firewall-chain-changed: firewall chain inet filter input: policy accept → drop",
    "!firewall-rule-removed: firewall rule removed: inet filter input: tcp dport 22 accept (input hook)",
    "!firewall-rule-added: firewall rule added: inet filter input: tcp dport 22 counter accept (input hook)",
    "!firewall-rule-added: firewall rule added: inet filter input: tcp dport 8080 drop (input hook)",
    ' firewall-rule-removed: firewall rule removed: inet filter post: oifname "eth0" masquerade (postrouting hook)',
  ]);
  // The same rules with other counters and handles: nothing to report.
  const counted = structuredClone(a);
  counted.firewall!.tables[0]!.chains[0]!.rules[0]!.counters = { packets: 9n, bytes: 900n };
  counted.firewall!.tables[0]!.chains[0]!.rules[0]!.handle = 42;
  assert.deepEqual(changes(a, counted), []);
  // The same rules in another order: the chain changed, its order named.
  const reordered = fullSnap(T1, {
    firewall: {
      tables: [nftTable(["jump extra", "tcp dport 22 accept"], "accept", [other, post])],
    },
  });
  const re = changes(a, reordered);
  assert.deepEqual([
    re.length,
    re[0]?.kind,
    (re[0] as { changed?: string[] }).changed,
    re[0]?.notable,
  ], [
    1,
    "firewall-chain-changed",
    ["order"],
    true,
  ]);
});

test("firewall: a new table's chains and rules appear, iptables rules as iptables-save prints them", () => {
  const ipt = {
    syntax: "iptables" as const,
    family: "ip",
    name: "filter",
    chains: [{
      name: "INPUT",
      hook: "input",
      priority: 0,
      policy: "accept",
      rules: [{ text: "-p tcp -m tcp --dport 2222 -j DROP" }],
    }],
  };
  const cs = changes(fullSnap(T0), fullSnap(T1, { firewall: { tables: [ipt] } }));
  assert.deepEqual(brief(cs), [
    "!firewall-chain-added: firewall chain added: iptables filter INPUT (hook input priority 0; policy accept), with 1 rule",
    "!firewall-rule-added: firewall rule added: iptables -t filter -A INPUT -p tcp -m tcp --dport 2222 -j DROP (input hook)",
  ]);
});

test("settings: sysctl changes, notable for forwarding, rp_filter, syncookies, somaxconn; conntrack filling", () => {
  const a = fullSnap(T0, {
    settings: {
      "net.ipv4.ip_forward": "0",
      "net.core.somaxconn": "4096",
      "net.ipv4.tcp_fin_timeout": "60",
      "net.ipv4.conf.eth0.rp_filter": "1",
      "net.netfilter.nf_conntrack_count": "50000",
      "net.netfilter.nf_conntrack_max": "65536",
    },
  });
  const b = fullSnap(T1, {
    settings: {
      "net.ipv4.ip_forward": "1",
      "net.core.somaxconn": "128",
      "net.ipv4.tcp_fin_timeout": "30",
      "net.ipv4.conf.eth0.rp_filter": "1",
      "net.ipv4.conf.eth1.rp_filter": "2", // a new interface: not compared
      "net.netfilter.nf_conntrack_count": "62000",
      "net.netfilter.nf_conntrack_max": "65536",
    },
  });
  assert.deepEqual(brief(changes(a, b)), [
    "!sysctl-changed: net.core.somaxconn 4096 → 128: accept queues capped at 128",
    "!sysctl-changed: net.ipv4.ip_forward 0 → 1: forwarding on: the host routes packets",
    " sysctl-changed: net.ipv4.tcp_fin_timeout 60 → 30",
    "!conntrack-near-limit: conntrack table 94.60% full: 62,000 of 65,536 flows (was 50,000); at the limit new flows are dropped",
  ]);
});

test("a section one snapshot lacks is not compared, with a warning; both lacking it, silently", () => {
  const old = snap(T0);
  const doc = diffSnapshots(old, fullSnap(T1, { rules: [rule(5)] }));
  assert.ok(!doc.sections.includes("rules"));
  assert.ok(doc.warnings.includes("rules not compared: the before snapshot has no rules section"));
  const both = diffSnapshots(snap(T0), snap(T1));
  assert.deepEqual(both.warnings, []);
  assert.deepEqual(both.sections, ["listeners", "sessions", "routes", "interfaces", "counters"]);
});

test("ignore rules reach the new sections: interfaces drop neighbours, qdiscs, settings and rules", async () => {
  const { applyIgnore } = await import("../../src/diff/mod.ts");
  const s = fullSnap(T0, {
    rules: [rule(10, { iif: "veth1" }), rule(11, { from: "10.244.1.0/24" }), rule(12)],
    neighbours: [neigh("10.0.0.1", { interface: "veth1" }), neigh("10.244.0.9"), neigh("10.0.0.2")],
    qdiscs: [qdisc({ interface: "veth1" }), qdisc()],
    settings: {
      "net.ipv4.conf.veth1.rp_filter": "1",
      "net.ipv4.conf.eth0/7.rp_filter": "1",
      "net.core.somaxconn": "1",
    },
  });
  const out = applyIgnore(s, { interfaces: ["veth*", "eth0.7"], addresses: ["10.244.0.0/16"] });
  assert.deepEqual(out.rules!.map((r) => r.priority), [12]);
  assert.deepEqual(out.neighbours!.map((n) => n.address), ["10.0.0.2"]);
  assert.deepEqual(out.qdiscs!.map((q) => q.interface), ["eth0"]);
  assert.deepEqual(Object.keys(out.settings!), ["net.core.somaxconn"]);
});

test("listeners: the firewall's verdict shows in the wording, and a change of it is its own kind", async () => {
  const { listen, proc, procs } = await import("./_build.ts");
  const base = { connections: [listen("0.0.0.0", 8080, 10)], processes: procs(proc(10, "nginx")) };
  const open = fullSnap(T0, {
    ...base,
    firewall: { tables: [nftTable(["tcp dport 22 accept"], "accept")] },
  });
  const closed = fullSnap(T1, {
    ...base,
    firewall: { tables: [nftTable(["tcp dport 22 accept"], "drop")] },
  });
  const cs = changes(open, closed).filter((c) => c.section === "listeners");
  assert.deepEqual(brief(cs), [
    " listener-firewall-changed: tcp 0.0.0.0:8080 is now filtered: the firewall drops new connections to it (inet filter input: policy drop)",
  ]);
  assert.deepEqual(brief(changes(closed, open).filter((c) => c.section === "listeners")), [
    "!listener-firewall-changed: tcp 0.0.0.0:8080 is no longer filtered: new connections from other hosts get through (inet filter input: policy accept)",
  ]);
  const opened = changes(fullSnap(T0, { firewall: closed.firewall! }), closed)
    .filter((c) => c.kind === "listener-opened");
  assert.equal(
    opened[0]?.summary,
    "tcp 0.0.0.0:8080 opened by nginx (pid 10), on every address, but the firewall drops new " +
      "connections to it (inet filter input: policy drop)",
  );
  assert.equal((opened[0] as { after: { firewall?: string } }).after.firewall, "filtered");
  // Without a firewall section, no verdict and no claim.
  const bare = changes(snap(T0), snap(T1, base)).find((c) => c.kind === "listener-opened")!;
  assert.equal((bare as { after: { firewall?: string } }).after.firewall, undefined);
});

test("forwarding turned on is one sysctl-changed, not also the counters' Ip.Forwarding", () => {
  const a = fullSnap(T0, {
    settings: { "net.ipv4.ip_forward": "0" },
    counters: { Ip: { Forwarding: 2n } },
  });
  const b = fullSnap(T1, {
    settings: { "net.ipv4.ip_forward": "1" },
    counters: { Ip: { Forwarding: 1n } },
  });
  const kinds = changes(a, b).map((c) => `${c.section}:${c.kind}`);
  assert.deepEqual(kinds, ["settings:sysctl-changed"]);
  // Without the sysctls (an older snapshot, an import of netstat -s) the counter still says so.
  delete a.settings, delete b.settings;
  delete a.meta.sections.settings, delete b.meta.sections.settings;
  assert.deepEqual(changes(a, b).map((c) => `${c.kind}${c.notable ? "!" : ""}`), [
    "setting-changed!",
  ]);
});

test("a large drop rate is written without decimals, a small one with two", () => {
  const drops = (n: bigint) =>
    qdisc({
      stats: {
        bytes: 1000n,
        packets: 10n,
        drops: n,
        overlimits: 0n,
        requeues: 0n,
        backlog: 0n,
        qlen: 0n,
      },
    });
  const a = fullSnap(T0, { qdiscs: [drops(0n)] });
  const b = fullSnap(T1, { qdiscs: [drops(5_407_628n)] });
  assert.match(changes(a, b)[0]!.summary, /dropped 5,407,628 packets \(90,127\/s\)/);
});

/**
 * One pair of snapshots whose diff has every kind of the rules, neighbours, qdiscs, firewall and
 * settings sections and route attribute changes: for the schema, renderer and golden tests.
 */
import type { Snapshot } from "../../src/model.ts";
import { fullSnap, listen, neigh, nftTable, proc, procs, qdisc, route, rule } from "./_build.ts";

const T0 = "2026-03-01T12:00:00.000Z", T1 = "2026-03-01T12:05:00.000Z";

/** Before and after of a host whose routing, neighbours, queueing, firewall and settings moved. */
export function routingPair(): [Snapshot, Snapshot] {
  const gw = route("0.0.0.0/0", { gateway: "10.0.0.1", protocol: "dhcp", scope: undefined });
  const before = fullSnap(T0, {
    connections: [listen("0.0.0.0", 8080, 10), listen("0.0.0.0", 22, 11)],
    processes: procs(proc(10, "nginx"), proc(11, "sshd")),
    routes: [gw, route("10.78.0.0/24", { gateway: "10.0.0.2", mtu: 1300 })],
    rules: [
      rule(0, { table: 255 }),
      rule(1000, { from: "10.77.6.0/24", table: 100 }),
      rule(1001, { fwmark: 0x10, fwmask: 0xff, table: 200 }),
      rule(32766),
    ],
    neighbours: [
      neigh("10.0.0.1", { mac: "52:54:00:aa:00:01" }),
      neigh("10.0.0.2", { mac: "52:54:00:aa:00:02" }),
      neigh("10.0.0.7", { mac: "52:54:00:aa:00:07", state: "PERMANENT" }),
    ],
    qdiscs: [qdisc(), qdisc({ interface: "eth1", kind: "pfifo", options: "limit 1000p" })],
    firewall: {
      tables: [
        nftTable(
          ['iif "lo" accept', "ct state established,related accept", "tcp dport 22 accept"],
          "accept",
          [
            { name: "extra", rules: [{ text: "tcp dport 9000 drop" }] },
          ],
        ),
      ],
    },
    settings: {
      "net.ipv4.ip_forward": "0",
      "net.core.somaxconn": "4096",
      "net.ipv4.tcp_fin_timeout": "60",
      "net.netfilter.nf_conntrack_count": "1000",
      "net.netfilter.nf_conntrack_max": "65536",
    },
  });
  const after = fullSnap(T1, {
    connections: [listen("0.0.0.0", 8080, 10), listen("0.0.0.0", 22, 11)],
    processes: procs(proc(10, "nginx"), proc(11, "sshd")),
    routes: [gw, route("10.78.0.0/24", { gateway: "10.0.0.2", mtu: 1200 })],
    rules: [
      rule(0, { table: 255 }),
      rule(1000, { from: "10.77.6.0/24", table: 300 }),
      rule(1002, { iif: "wg0", action: "blackhole", table: undefined }),
      rule(32766),
    ],
    neighbours: [
      neigh("10.0.0.1", { mac: "52:54:00:bb:00:01" }),
      neigh("10.0.0.2", { mac: undefined, state: "FAILED" }),
      neigh("10.0.0.8", { mac: "52:54:00:aa:00:08", state: "PERMANENT" }),
    ],
    qdiscs: [
      qdisc({
        stats: {
          bytes: 61000n,
          packets: 1010n,
          drops: 300n,
          overlimits: 0n,
          requeues: 1n,
          backlog: 0n,
          qlen: 0n,
        },
      }),
      qdisc({
        interface: "eth1",
        kind: "tbf",
        handle: "1:",
        options: "rate 1Mbit burst 4Kb lat 400ms",
      }),
      qdisc({ interface: "eth2", kind: "pfifo", handle: "8001:", options: "limit 3p" }),
    ],
    firewall: {
      tables: [
        nftTable(
          ['iif "lo" accept', "ct state established,related accept", "tcp dport 22 accept"],
          "drop",
        ),
        {
          syntax: "iptables",
          family: "ip",
          name: "filter",
          chains: [{
            name: "INPUT",
            hook: "input",
            priority: 0,
            policy: "accept",
            rules: [{ text: "-p tcp -m tcp --dport 2222 -j DROP" }],
          }],
        },
      ],
    },
    settings: {
      "net.ipv4.ip_forward": "1",
      "net.core.somaxconn": "128",
      "net.ipv4.tcp_fin_timeout": "30",
      "net.netfilter.nf_conntrack_count": "62000",
      "net.netfilter.nf_conntrack_max": "65536",
    },
  });
  // A qdisc that went away and a reordered chain need a third look: the eth1 qdisc of `before`
  // is replaced (changed), eth2 is new; the removed one and the reorder come from `extra`.
  before.qdiscs!.push(qdisc({ interface: "eth3", kind: "pfifo_fast", options: "bands 3" }));
  const fw = after.firewall!.tables[0]!;
  fw.chains.push({
    name: "forward",
    type: "filter",
    hook: "forward",
    priority: 0,
    policy: "accept",
    rules: [{ text: "ct state established accept" }, { text: 'iifname "wg0" accept' }],
  });
  before.firewall!.tables[0]!.chains.push({
    name: "forward",
    type: "filter",
    hook: "forward",
    priority: 0,
    policy: "accept",
    rules: [{ text: 'iifname "wg0" accept' }, { text: "ct state established accept" }],
  });
  return [before, after];
}

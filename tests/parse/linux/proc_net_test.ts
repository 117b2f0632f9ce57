/** Parser tests for the /proc/net files, on real captured files (tests/testdata/fixtures/linux). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { decodeHexAddress, parseProcNetSockets } from "../../../src/parse/linux/proc_net_tcp.ts";
import { parseProcNetDev } from "../../../src/parse/linux/proc_net_dev.ts";
import { parseProcNetSnmp } from "../../../src/parse/linux/proc_net_snmp.ts";
import { parseProcNetSnmp6 } from "../../../src/parse/linux/proc_net_snmp6.ts";
import { parseProcNetSockstat } from "../../../src/parse/linux/proc_net_sockstat.ts";
import { parseProcNetRoute } from "../../../src/parse/linux/proc_net_route.ts";
import { parseProcNetIpv6Route } from "../../../src/parse/linux/proc_net_ipv6_route.ts";
import { parseProcPidStat } from "../../../src/parse/linux/proc_pid_stat.ts";

const fx = (p: string) =>
  readFileSync(new URL(`../../testdata/fixtures/linux/${p}`, import.meta.url), "utf8");
const jc = (p: string) => JSON.parse(fx(p)) as Record<string, unknown>[];

test("parseProcNetSockets() decodes every row of a real /proc/net/tcp like jc does", () => {
  const { value: connections, warnings } = parseProcNetSockets(
    fx("proc-net-tcp/jc-ubuntu.txt"),
    "tcp",
    "inet",
  );
  const expected = jc("proc-net-tcp/jc-ubuntu.json");
  assert.deepEqual(warnings, []);
  assert.equal(connections.length, expected.length);
  connections.forEach((c, i) => {
    const e = expected[i]!;
    assert.equal(c.localAddress, e.local_address);
    assert.equal(c.localPort, e.local_port);
    assert.equal(c.remoteAddress, e.remote_address);
    assert.equal(c.remotePort, e.remote_port);
    assert.equal(c.uid, e.uid);
    assert.equal(c.inode, e.inode);
    assert.equal(c.recvQ, parseInt(e.rx_queue as string, 16));
  });
  assert.equal(connections[0]!.state, "LISTEN");
  assert.equal(connections.find((c) => c.inode === 149098)?.state, "CLOSE_WAIT");
});

test("parseProcNetSockets() reads IPv6 words in kernel byte order, TIME_WAIT rows included", () => {
  const { value: connections, warnings } = parseProcNetSockets(
    fx("proc-net-tcp6/jc-ubuntu.txt"),
    "tcp",
    "inet6",
  );
  const expected = jc("proc-net-tcp6/jc-ubuntu.json");
  assert.deepEqual(warnings, []);
  assert.equal(connections.length, expected.length);
  connections.forEach((c, i) => assert.equal(c.localAddress, expected[i]!.local_address));
  assert.equal(connections[1]!.remoteAddress, "2a03:2880:f131:83:face:b00c:0:25de");
  assert.equal(connections[1]!.state, "TIME_WAIT");
  assert.equal(connections[1]!.inode, 0);
  assert.equal(connections[0]!.localAddress, "::");
});

test("parseProcNetSockets() names unconnected UDP sockets UNCONN and keeps link-local addresses", () => {
  const { value: connections } = parseProcNetSockets(
    fx("proc-net-udp6/procfs-basic.txt"),
    "udp",
    "inet6",
  );
  assert.equal(connections.length, 2);
  assert.equal(connections[0]!.state, "UNCONN");
  assert.equal(connections[0]!.localPort, 0x14eb);
  assert.equal(connections[1]!.localAddress, "fe80::56e1:adff:fe7c:6609");
  assert.equal(connections[1]!.uid, 1000);
});

test("parseProcNetSockets() turns the broken procfs udp file into a warning, not a crash", () => {
  const { value: connections, warnings } = parseProcNetSockets(
    fx("proc-net-udp/procfs-broken.txt"),
    "udp",
    "inet",
    "udp_broken",
  );
  assert.equal(connections.length, 0);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /^udp_broken:2: cannot read socket line/);
});

test("parseProcNetSockets() keeps IPv4-mapped IPv6 addresses as the kernel writes them (hand-made line)", () => {
  // Hand-written: no real tcp6 fixture has a mapped address. ::ffff:127.0.0.1 port 8080.
  const text =
    "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
    "   0: 0000000000000000FFFF00000100007F:1F90 0000000000000000FFFF00000100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 20 4 30 10 -1\n";
  const { value: connections } = parseProcNetSockets(text, "tcp", "inet6");
  assert.equal(connections[0]!.localAddress, "::ffff:127.0.0.1");
  assert.equal(connections[0]!.remotePort, 0xd431);
});

test("decodeHexAddress() reverses the bytes of each 32-bit word", () => {
  assert.equal(decodeHexAddress("0100007F"), "127.0.0.1");
  assert.equal(decodeHexAddress("00000000000000000000000001000000"), "::1");
  assert.equal(decodeHexAddress("zz"), undefined);
});

test("parseProcNetDev() reads all sixteen counters, names glued to the colon included", () => {
  const { value: interfaces, warnings } = parseProcNetDev(fx("proc-net-dev/procfs-host.txt"));
  assert.deepEqual(warnings, []);
  assert.deepEqual(interfaces.map((i) => i.name), ["vethf345468", "lo", "docker0", "eth0"]);
  const eth0 = interfaces[3]!.stats;
  assert.equal(eth0.rxBytes, 874354587n);
  assert.equal(eth0.txPackets, 732147n);
  assert.equal(Object.keys(eth0).length, 16);
});

test("parseProcNetDev() reads every interface and counter of a real /proc/net/dev like jc does", () => {
  const { value: interfaces, warnings } = parseProcNetDev(fx("proc-net-dev/jc-ubuntu.txt"));
  const expected = jc("proc-net-dev/jc-ubuntu.json");
  assert.deepEqual(warnings, []);
  assert.deepEqual(interfaces.map((i) => i.name), expected.map((e) => e.interface));
  // jc's column names, in /proc/net/dev's order, against nsnap's.
  const columns: [string, string][] = [
    ["r_bytes", "rxBytes"],
    ["r_packets", "rxPackets"],
    ["r_errs", "rxErrors"],
    ["r_drop", "rxDropped"],
    ["r_fifo", "rxFifo"],
    ["r_frame", "rxFrame"],
    ["r_compressed", "rxCompressed"],
    ["r_multicast", "rxMulticast"],
    ["t_bytes", "txBytes"],
    ["t_packets", "txPackets"],
    ["t_errs", "txErrors"],
    ["t_drop", "txDropped"],
    ["t_fifo", "txFifo"],
    ["t_colls", "txCollisions"],
    ["t_carrier", "txCarrier"],
    ["t_compressed", "txCompressed"],
  ];
  interfaces.forEach((itf, i) => {
    const e = expected[i]!;
    const stats = itf.stats as Record<string, bigint | undefined>;
    for (const [jcName, name] of columns) {
      assert.equal(stats[name], BigInt(e[jcName] as number), `${itf.name} ${name}`);
    }
  });
  assert.equal(interfaces[1]!.stats.rxBytes, 60600053n);
});

test("parseProcNetSnmp() keeps every counter under the kernel's group, signed MaxConn included", () => {
  const { value: counters, warnings } = parseProcNetSnmp(
    fx("proc-net-snmp/node_exporter-basic.txt"),
  );
  assert.deepEqual(warnings, []);
  assert.deepEqual(Object.keys(counters), ["Ip", "Icmp", "IcmpMsg", "Tcp", "Udp", "UdpLite"]);
  assert.equal(counters.Tcp!.MaxConn, -1n);
  assert.equal(counters.Ip!.Forwarding, 1n);
  assert.equal(Object.keys(counters.Ip!).length, 19);
});

test("parseProcNetSnmp() reads /proc/net/netstat and values above 2^53 exactly", () => {
  const { value: counters } = parseProcNetSnmp(
    fx("proc-net-netstat/insights-core-1.txt"),
    "/proc/net/netstat",
  );
  assert.equal(counters.TcpExt!.SyncookiesSent, 10n);
  assert.equal(counters.IpExt!.InOctets, 10468977960762n);
  const big = parseProcNetSnmp("Tcp: OutSegs\nTcp: 18446744073709551615\n");
  assert.equal(big.value.Tcp!.OutSegs, 18446744073709551615n);
});

test("parseProcNetSnmp6() groups names by their prefix as nstat does", () => {
  const { value: counters, warnings } = parseProcNetSnmp6(
    fx("proc-net-snmp6/node_exporter-basic.txt"),
  );
  assert.deepEqual(warnings, []);
  assert.equal(counters.Ip6!.InReceives, 7n);
  assert.ok(counters.Icmp6 && counters.Udp6 && counters.UdpLite6);
  const dev = parseProcNetSnmp6(fx("proc-net-dev_snmp6/procfs-eth0.txt"));
  assert.deepEqual(dev.warnings, []);
});

test("parseProcNetSockstat() keeps every gauge as <PROTO>_<field>", () => {
  const v4 = parseProcNetSockstat(fx("proc-net-sockstat/procfs-basic.txt"), "/proc/net/sockstat");
  assert.equal(v4.value.Sockstat!.sockets_used, 1602n);
  assert.equal(v4.value.Sockstat!.TCP_tw, 4n);
  assert.equal(v4.value.Sockstat!.FRAG_memory, 0n);
  const v6 = parseProcNetSockstat(fx("proc-net-sockstat6/procfs-basic.txt"), "/proc/net/sockstat6");
  assert.equal(v6.value.Sockstat6!.TCP6_inuse, 17n);
});

test("parseProcNetRoute() turns hex destinations and masks into CIDRs of the main table", () => {
  const { value: routes, warnings } = parseProcNetRoute(fx("proc-net-route/jc-ubuntu.txt"));
  assert.deepEqual(warnings, []);
  assert.deepEqual(routes.map((r) => [r.destination, r.gateway, r.metric]), [
    ["0.0.0.0/0", "192.168.71.2", 100],
    ["192.168.71.0/24", undefined, 0],
    ["192.168.71.2/32", undefined, 100],
  ]);
  assert.ok(routes.every((r) => r.table === 254 && r.interface === "ens33"));
  assert.equal(parseProcNetRoute(fx("proc-net-route/facter-basic.txt")).warnings.length, 0);
});

test("parseProcNetRoute() tells a blackhole from a device route: no device, no RTF_REJECT", () => {
  // Recorded in a namespace where `ip -j route` listed the same five (README of the fixtures).
  const { value: routes, warnings } = parseProcNetRoute(fx("proc-net-route/nsnap-no-device.txt"));
  assert.deepEqual(warnings, []);
  assert.deepEqual(routes.map((r) => [r.destination, r.type, r.interface, r.gateway, r.metric]), [
    ["10.5.0.0/24", "unicast", "d0", undefined, 0],
    ["10.96.0.0/16", "unicast", "d0", "10.5.0.2", 7],
    // prohibit and unreachable both carry RTF_REJECT only: the file cannot tell them apart.
    ["10.97.0.0/16", "unreachable", undefined, undefined, 0],
    ["10.98.0.0/16", "unreachable", undefined, undefined, 0],
    ["10.99.0.0/16", "blackhole", undefined, undefined, 0],
  ]);
  // Through a gateway, `*` is a link of that name (Linux allows it): a unicast route on it.
  const odd = parseProcNetRoute(
    "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\tWindow\tIRTT\n" +
      "*\t0000640A\t0200050A\t0003\t0\t0\t0\t0000FFFF\t0\t0\t0\n",
  ).value[0]!;
  assert.deepEqual([odd.type, odd.interface, odd.gateway], ["unicast", "*", "10.5.0.2"]);
});

test("parseProcNetIpv6Route() reads prefixes, metrics and local routes", () => {
  const { value: routes, warnings } = parseProcNetIpv6Route(
    fx("proc-net-ipv6_route/jc-ubuntu.txt"),
  );
  assert.deepEqual(warnings, []);
  assert.equal(routes.length, jc("proc-net-ipv6_route/jc-ubuntu.json").length);
  assert.equal(routes[0]!.destination, "::1/128");
  assert.equal(routes[1]!.destination, "fe80::/64");
  assert.equal(routes[1]!.metric, 256);
  assert.equal(routes[2]!.type, "unreachable");
});

test("parseProcPidStat() finds fields after a command name holding spaces and parentheses", () => {
  const s = parseProcPidStat(
    "4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 98765 0 0",
  );
  assert.deepEqual(s, { pid: 4242, comm: "my (odd) name", ppid: 1, startTicks: 98765 });
  assert.equal(parseProcPidStat("garbage"), undefined);
});

/**
 * Names that are `Object.prototype` members are only names in every parser and in `import`:
 * counter groups and counters (/proc/net/snmp, netstat, snmp6, sockstat, Linux and BSD
 * `netstat -s`), interface names (ip addr, ip -j addr, ifconfig, /proc/net/dev, netstat -i,
 * if_inet6), process names (ss, lsof), route devices and sysctl names. Each family is imported,
 * written in JSON and in YAML, and read back with every name in place.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { importFiles } from "../../src/import/mod.ts";
import { normalizeSnapshot } from "../../src/snapshot/normalize.ts";
import { serializeSnapshot } from "../../src/snapshot/serialize.ts";
import { parseSnapshotBytes } from "../../src/snapshot/read.ts";
import type { Snapshot } from "../../src/model.ts";
import { parseProcNetSnmp } from "../../src/parse/linux/proc_net_snmp.ts";
import { parseProcNetSnmp6 } from "../../src/parse/linux/proc_net_snmp6.ts";
import { parseSysctl } from "../../src/parse/bsd/sysctl.ts";
import { parseNetstatS } from "../../src/parse/bsd/netstat_s.ts";
import { own } from "../../src/util/record.ts";

const enc = new TextEncoder();

/** Names any text may hold that an object literal would inherit (`__proto__` where allowed). */
const NAMES = ["constructor", "toString", "hasOwnProperty", "valueOf", "isPrototypeOf"];
const WITH_PROTO = ["__proto__", ...NAMES];

/** Imports, then writes and reads back in both formats; every copy must equal the import. */
function roundTrip(name: string, text: string): Snapshot[] {
  const s = normalizeSnapshot(
    importFiles([{ name, text }], { time: "2026-01-01T00:00:00.000Z" }),
  );
  return [
    s,
    ...(["json", "yaml"] as const).map((f) =>
      parseSnapshotBytes(enc.encode(serializeSnapshot(s, f)), `back.${f}`)
    ),
  ];
}

function assertCounters(copies: Snapshot[], group: string, names: readonly string[]): void {
  for (const [i, s] of copies.entries()) {
    const g = own(s.counters, group);
    assert.ok(g, `copy ${i}: group ${group} (have ${Object.keys(s.counters)})`);
    for (const [k, n] of names.entries()) {
      assert.equal(own(g, n), BigInt(k + 1), `copy ${i}: ${group}.${n}`);
    }
    assert.equal(Object.getPrototypeOf(g), null);
  }
}

test("/proc/net/snmp and netstat: a `constructor:` group and prototype-named counters import", () => {
  const header = (g: string) =>
    `${g}: ${NAMES.join(" ")}\n${g}: ${NAMES.map((_, i) => i + 1).join(" ")}\n`;
  const copies = roundTrip("snmp.txt", header("Tcp") + header("constructor") + header("toString"));
  for (const g of ["Tcp", "constructor", "toString"]) assertCounters(copies, g, NAMES);
  assert.deepEqual(Object.keys(copies[2]!.counters), ["Tcp", "constructor", "toString"]);
  assert.equal(copies[0]!.meta.sections.counters.status, "ok");
  const ext = roundTrip("netstat.txt", header("TcpExt") + header("hasOwnPropertyExt"));
  assertCounters(ext, "hasOwnPropertyExt", NAMES);
  const p = parseProcNetSnmp("Tcp: __proto__ constructor\nTcp: 1 2\n").value;
  assert.equal(own(own(p, "Tcp"), "__proto__"), 1n);
  assert.equal(own(own(p, "Tcp"), "constructor"), 2n);
  // A `__proto__:` group (and `__proto__` counters) import too, prototype-free, not refused.
  const protoHeader = (g: string) =>
    `${g}: ${WITH_PROTO.join(" ")}\n${g}: ${WITH_PROTO.map((_, i) => i + 1).join(" ")}\n`;
  const proto = roundTrip("snmp.txt", protoHeader("Tcp") + protoHeader("__proto__"));
  for (const g of ["Tcp", "__proto__"]) assertCounters(proto, g, WITH_PROTO);
  for (const s of proto) assert.deepEqual(Object.keys(s.counters), ["Tcp", "__proto__"]);
  assert.equal(proto[0]!.meta.sections.counters.status, "ok");
  assert.equal(Object.getPrototypeOf(proto[0]!.counters), null);
  const underscored = roundTrip("snmp.txt", protoHeader("Tcp") + protoHeader("My_Group"));
  assertCounters(underscored, "My_Group", WITH_PROTO);
});

test("/proc/net/snmp6 and sockstat: prototype-named counters import", () => {
  const snmp6 = NAMES.map((n, i) => `Ip6${n} ${i + 1}`).join("\n") + "\n";
  assertCounters(roundTrip("snmp6.txt", snmp6), "Ip6", NAMES);
  assert.equal(own(own(parseProcNetSnmp6("Udp6__proto__ 4\n").value, "Udp6"), "__proto__"), 4n);
  const sockstat = `sockets: used 1\nTCP: ${WITH_PROTO.map((n, i) => `${n} ${i + 1}`).join(" ")}\n`;
  const copies = roundTrip("sockstat.txt", sockstat);
  assertCounters(copies, "Sockstat", WITH_PROTO.map((n) => `TCP_${n}`));
});

test("Linux and BSD netstat -s: prototype-named counters and sections import", () => {
  const linux = `Tcp:\n${NAMES.map((n, i) => `    ${n}: ${i + 1}`).join("\n")}\n`;
  assertCounters(roundTrip("netstat-s.txt", linux), "Tcp", NAMES);
  const bsd = `constructor:\n${NAMES.map((n, i) => `\t${i + 1} ${n}`).join("\n")}\n`;
  const r = parseNetstatS(bsd, "s.txt");
  assert.deepEqual(r.warnings, []);
  const g = own(r.value, "ConstructorBsd");
  assert.ok(g);
  // BSD names are camel-cased words: toString stays toString, hasOwnProperty becomes hasownproperty.
  assert.equal(own(g, "constructor"), 1n);
  assert.equal(own(g, "tostring"), 2n);
  assert.equal(Object.getPrototypeOf(g), null);
});

test("interface names that are prototype members import from every interface format", () => {
  const dev = "Inter-|   Receive                                                |  Transmit\n" +
    " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n" +
    WITH_PROTO.map((n, i) => `${n}: ${i + 1} 1 0 0 0 0 0 0 ${i + 2} 1 0 0 0 0 0 0`).join("\n") +
    "\n";
  const ipAddr = WITH_PROTO.map((n, i) =>
    `${i + 1}: ${n}: <BROADCAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP\n` +
    `    link/ether 02:00:00:00:00:0${i} brd ff:ff:ff:ff:ff:ff\n` +
    `    inet 10.0.${i}.1/24 scope global ${n}\n`
  ).join("");
  const ipJson = JSON.stringify(
    WITH_PROTO.map((n, i) => ({
      ifindex: i + 1,
      ifname: n,
      flags: ["UP"],
      mtu: 1500,
      addr_info: [{ family: "inet", local: `10.1.${i}.1`, prefixlen: 24 }],
    })),
  );
  const ifconfig = WITH_PROTO.map((n, i) =>
    `${n}: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500\n` +
    `        inet 10.2.${i}.1  netmask 255.255.255.0  broadcast 10.2.${i}.255\n` +
    `        RX packets ${i + 1}  bytes ${i + 10} (1 B)\n\n`
  ).join("");
  const netstatI = "Kernel Interface table\n" +
    "Iface             MTU    RX-OK RX-ERR RX-DRP RX-OVR    TX-OK TX-ERR TX-DRP TX-OVR Flg\n" +
    WITH_PROTO.map((n, i) => `${n.padEnd(16)} 1500 ${i + 1} 0 0 0 1 0 0 0 BMRU`).join("\n") +
    "\n";
  const ifInet6 =
    WITH_PROTO.map((n, i) =>
      `fe80000000000000000000000000000${i + 1} 0${i + 1} 40 20 80 ${n.padStart(8)}`
    ).join("\n") + "\n";
  for (const [name, text] of Object.entries({ dev, ipAddr, ipJson, ifconfig, netstatI, ifInet6 })) {
    for (const [i, s] of roundTrip(name, text).entries()) {
      assert.deepEqual(
        s.interfaces.map((x) => x.name).sort(),
        [...WITH_PROTO].sort(),
        `${name}, copy ${i}: ${JSON.stringify(s.meta.sections.interfaces)}`,
      );
      assert.equal(
        s.meta.sections.interfaces.status,
        "ok",
        `${name}: ${s.meta.sections.interfaces.warnings}`,
      );
    }
  }
  // Several inputs name the same interfaces: merged by name, each once.
  const merged = importFiles([
    { name: "dev", text: dev },
    { name: "addr", text: ipAddr },
    { name: "inet6", text: ifInet6 },
  ]);
  for (const n of WITH_PROTO) {
    const itf = merged.interfaces.filter((x) => x.name === n);
    assert.equal(itf.length, 1, n);
    assert.equal(itf[0]!.addresses.length, 2, `${n}: its IPv4 and its IPv6 address`);
    assert.ok(itf[0]!.stats?.rxBytes !== undefined, `${n}: its counters`);
  }
});

test("process names, states and route devices that are prototype members import", () => {
  const ss = "Netid State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n" +
    WITH_PROTO.map((n, i) =>
      `tcp LISTEN 0 128 0.0.0.0:${8000 + i} 0.0.0.0:* users:(("${n}",pid=${100 + i},fd=3))`
    ).join("\n") + "\n";
  for (const s of roundTrip("ss.txt", ss)) {
    assert.deepEqual(Object.values(s.processes).map((p) => p.name), WITH_PROTO);
    assert.deepEqual(s.connections.map((c) => c.pid), WITH_PROTO.map((_, i) => 100 + i));
  }
  const lsof = WITH_PROTO.map((n, i) =>
    `p${200 + i}\nc${n}\nu0\nf3\ntIPv4\nPTCP\nn127.0.0.1:${9000 + i}\nTST=LISTEN\n`
  ).join("");
  for (const s of roundTrip("lsof.txt", lsof)) {
    assert.deepEqual(Object.values(s.processes).map((p) => p.name), WITH_PROTO);
  }
  const route = WITH_PROTO.map((n, i) => `10.9.${i}.0/24 dev ${n} proto kernel scope link`)
    .join("\n") + "\n";
  for (const s of roundTrip("route.txt", route)) {
    assert.deepEqual(s.routes.map((r) => r.interface), WITH_PROTO);
  }
});

test("sysctl names that are prototype members are names", () => {
  const r = parseSysctl(WITH_PROTO.map((n, i) => `${n}: ${i}`).join("\n") + "\n");
  assert.deepEqual(Object.keys(r.value), WITH_PROTO);
  assert.equal(Object.getPrototypeOf(r.value), null);
  assert.equal(own(r.value, "constructor"), "1");
});

test("settings, neighbours and qdiscs keyed or named by prototype members import", () => {
  // sysctl -a keeps net.* names; conf.<interface> holds the interface's name.
  const sysctl = "abi.vsyscall32 = 1\n" +
    WITH_PROTO.map((n, i) => `net.ipv4.conf.${n}.forwarding = ${i}`).join("\n") + "\n";
  for (const s of roundTrip("sysctl-a.txt", sysctl)) {
    for (const [i, n] of WITH_PROTO.entries()) {
      assert.equal(own(s.settings, `net.ipv4.conf.${n}.forwarding`), String(i), n);
    }
    assert.equal(Object.keys(s.settings ?? {}).length, WITH_PROTO.length);
  }
  const neigh =
    WITH_PROTO.map((n, i) => `10.77.0.${i + 2} dev ${n} lladdr 02:00:00:00:00:0${i} REACHABLE`)
      .join("\n") + "\n";
  for (const s of roundTrip("ip-neigh.txt", neigh)) {
    assert.deepEqual(s.neighbours?.map((x) => x.interface).sort(), [...WITH_PROTO].sort());
  }
  const tc = WITH_PROTO.map((n) => `qdisc noqueue 0: dev ${n} root refcnt 2`).join("\n") + "\n";
  for (const s of roundTrip("tc-qdisc.txt", tc)) {
    assert.deepEqual(s.qdiscs?.map((q) => q.interface).sort(), [...WITH_PROTO].sort());
  }
});

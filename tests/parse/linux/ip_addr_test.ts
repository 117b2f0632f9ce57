import { test } from "node:test";
import assert from "node:assert/strict";
import { parseIpAddr } from "../../../src/parse/linux/ip_addr.ts";
import { parseIpJsonAddr } from "../../../src/parse/linux/ip_json.ts";
import { parseSysClassNetFlags } from "../../../src/parse/linux/sys_class_net_flags.ts";
import { fixture } from "../../helpers/fixtures.ts";

test("parseIpAddr() reads ip addr: VLAN names without @link, secondary and label addresses", () => {
  const path = "linux/ip-addr/ohai-1.txt";
  const { value: interfaces, warnings } = parseIpAddr(fixture(path), path);
  assert.deepEqual(warnings, []);
  assert.equal(interfaces.length, 14);
  const eth0 = interfaces[1]!;
  assert.deepEqual([eth0.name, eth0.index, eth0.mtu, eth0.mac, eth0.operState], [
    "eth0",
    2,
    1500,
    "12:31:3d:02:be:a2",
    "up",
  ]);
  assert.deepEqual(
    eth0.addresses.map((a) => `${a.address}/${a.prefixLength}`),
    [
      "10.116.201.76/24",
      "10.116.201.75/32",
      "10.116.201.74/24",
      "192.168.5.1/24",
      "fe80::1031:3dff:fe02:bea2/64",
      "2001:44b8:4160:8f00:a00:27ff:fe13:eacd/64",
    ],
  );
  assert.equal(interfaces[2]!.name, "eth0.11");
  assert.equal(interfaces[6]!.name, "foo:veth0@eth0");
  assert.equal(interfaces[7]!.addresses[0]!.prefixLength, 32, "peer address without prefix");
  assert.equal(interfaces[7]!.mac, undefined, "link/none has no hardware address");
});

test("parseIpAddr() turns junk lines into warnings and reads peer prefixes and link-netnsid", () => {
  const path = "linux/ip-addr/insights-core-1.txt";
  const { value: interfaces, warnings } = parseIpAddr(fixture(path), path);
  assert.equal(interfaces.length, 6);
  assert.equal(warnings.length, 3);
  assert.match(warnings[0]!, /insights-core-1\.txt:1: cannot read ip line: "Message truncated"/);
  assert.equal(interfaces[1]!.mac, "00:11:3f:e2:f5:9f");
  assert.equal(interfaces[3]!.addresses[0]!.address, "172.30.0.1");
  assert.equal(interfaces[3]!.addresses[0]!.prefixLength, 32);
  assert.equal(interfaces[4]!.name, "bond1.57");
  assert.equal(interfaces[4]!.addresses.length, 3);
});

test("parseIpAddr() reads ip -o link with its \\ separators, 20-byte infiniband address", () => {
  const path = "linux/ip-o-link/facter-all.txt";
  const { value: interfaces, warnings } = parseIpAddr(fixture(path), path);
  assert.deepEqual(warnings, []);
  assert.deepEqual(interfaces.map((i) => i.name), ["lo", "ens160", "ib0", "eth2", "eth3", "bond0"]);
  assert.equal(interfaces[2]!.mac?.split(":").length, 20);
  assert.equal(interfaces[5]!.mac, "08:00:27:29:dc:a5");
});

test("parseIpAddr() reads the RX/TX counter blocks of ip -s link as /proc/net/dev counters", () => {
  const path = "linux/ip-s-link/insights-core-1.txt";
  const { value: interfaces, warnings } = parseIpAddr(fixture(path), path);
  assert.deepEqual(warnings, []);
  assert.equal(interfaces.length, 5);
  const s = interfaces[0]!.stats!;
  assert.deepEqual([s.rxBytes, s.rxPackets, s.txBytes, s.txPackets], [
    1113685n,
    2244n,
    550754n,
    1407n,
  ]);
  assert.equal(interfaces[4]!.stats?.rxMulticast, 1n);
});

test("parseIpAddr() reads ip -d -s link, adding missed to dropped as /proc/net/dev does", () => {
  const path = "linux/ip-d-s-link/insights-core-bond.txt";
  const { value: interfaces, warnings } = parseIpAddr(fixture(path), path);
  assert.deepEqual(warnings, []);
  assert.equal(interfaces.length, 4);
  assert.equal(interfaces[1]!.stats?.rxBytes, 6539676111n);
  assert.equal(interfaces[1]!.stats?.rxDropped, 505436n);
  assert.equal(interfaces[3]!.stats?.txDropped, 8n);
});

test("parseIpAddr() reads ip -o addr lines into their interface", () => {
  const text =
    "2: eth0    inet 10.0.0.5/24 brd 10.0.0.255 scope global eth0\\       valid_lft forever preferred_lft forever\n" +
    "2: eth0    inet6 fe80::1/64 scope link \\       valid_lft forever preferred_lft forever\n";
  const { value: interfaces, warnings } = parseIpAddr(text);
  assert.deepEqual(warnings, []);
  assert.equal(interfaces.length, 1);
  assert.equal(interfaces[0]!.addresses.length, 2);
});

test("parseIpJsonAddr() sets PROMISC and ALLMULTI from ip -d's counts, as /sys/class/net shows", () => {
  // Recorded in a namespace where p1 is a bridge port; /sys/class/net/NAME/flags there read
  // lo 0x8, p0 0x1003, p1 0x1303 (PROMISC and ALLMULTI: the bridge asked), br0 0x1003.
  const path = "linux/ip-j-addr/nsnap-d-bridge-port.json";
  const { value: links, warnings } = parseIpJsonAddr(fixture(path), path);
  assert.deepEqual(warnings, []);
  const sysfs: Record<string, string> = { lo: "8", p0: "1003", p1: "1303", br0: "1003" };
  for (const l of links) {
    const want = parseSysClassNetFlags(sysfs[l.name]!)!;
    for (const f of want) assert.ok(l.flags.includes(f), `${l.name}: ${f} in ${l.flags}`);
    for (const f of ["PROMISC", "ALLMULTI"]) {
      assert.equal(l.flags.includes(f), want.includes(f), `${l.name}: ${f}`);
    }
  }
  // Without -d there are no counts: ip's own flags, which show neither on the bridge port.
  const plain = JSON.stringify(
    (JSON.parse(fixture(path)) as Record<string, unknown>[]).map(
      ({ promiscuity: _p, allmulti: _a, ...rest }) => rest,
    ),
  );
  const p1 = parseIpJsonAddr(plain, "ip -j addr").value.find((l) => l.name === "p1")!;
  assert.deepEqual(p1.flags, ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"]);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { parseLinuxIfconfig } from "../../../src/parse/linux/ifconfig.ts";
import { fixture, jcExpected } from "../../helpers/fixtures.ts";

for (const path of ["linux/ifconfig/jc-centos-7.7.txt", "linux/ifconfig/jc-ubuntu-18.04.txt"]) {
  test(`parseLinuxIfconfig() reads the new net-tools layout of ${path} as jc does`, () => {
    const { value: interfaces, warnings } = parseLinuxIfconfig(fixture(path), path);
    assert.deepEqual(warnings, []);
    const jc = jcExpected(path);
    assert.equal(interfaces.length, jc.length);
    interfaces.forEach((itf, i) => {
      const j = jc[i]!;
      assert.equal(itf.name, j.name);
      assert.equal(itf.mtu, j.mtu);
      assert.equal(itf.mac, j.mac_addr ?? undefined);
      assert.equal(itf.addresses.find((a) => a.family === "inet")?.address, j.ipv4_addr);
      assert.equal(
        itf.addresses.find((a) => a.family === "inet6")?.address,
        j.ipv6_addr ?? undefined,
      );
      assert.equal(itf.stats?.rxPackets, BigInt(j.rx_packets as number));
      assert.equal(itf.stats?.txBytes, BigInt(j.tx_bytes as number));
    });
  });
}

test("parseLinuxIfconfig() reads the old layout: inet addr, Bcast, Mask, RX bytes", () => {
  const path = "linux/ifconfig/cloud-init-old.txt";
  const { value: interfaces, warnings } = parseLinuxIfconfig(fixture(path), path);
  assert.deepEqual(warnings, []);
  assert.equal(interfaces.length, 2);
  const e = interfaces[0]!;
  assert.deepEqual(e.addresses[0], {
    family: "inet",
    address: "192.168.2.18",
    prefixLength: 24,
    broadcast: "192.168.2.255",
  });
  assert.equal(e.mtu, 1500);
  assert.equal(e.mac, "50:7b:9d:2c:af:91");
  assert.equal(e.stats?.rxBytes, 4953721719n);
  assert.equal(e.stats?.rxErrors, 55n);
  assert.equal(e.stats?.rxFrame, 37n);
  assert.deepEqual(e.flags, ["UP", "BROADCAST", "RUNNING", "MULTICAST"]);
});

test("parseLinuxIfconfig() adds an alias's address to its interface without counting twice", () => {
  const path = "linux/ifconfig/ohai-1.txt";
  const { value: interfaces, warnings } = parseLinuxIfconfig(fixture(path), path);
  assert.deepEqual(warnings, []);
  assert.equal(interfaces.length, 14);
  const eth0 = interfaces.find((i) => i.name === "eth0")!;
  assert.ok(eth0.addresses.some((a) => a.address === "192.168.5.1"));
  assert.ok(!interfaces.some((i) => i.name === "eth0:5" || i.name === "venet0:0"));
  assert.equal(interfaces.find((i) => i.name === "venet0")!.stats?.rxPackets, 57200n);
  assert.equal(interfaces.find((i) => i.name === "tun0")!.mac, undefined, "UNSPEC is no MAC");
  assert.ok(interfaces.some((i) => i.name === "foo:veth0@eth0"));
});

test("parseLinuxIfconfig() warns about a line it cannot read", () => {
  const text = "eth0: flags=4163<UP>  mtu 1500\n        inet 10.0.0.1  netmask 255.0.0.0\n" +
    "        wibble wobble\n";
  const { value: interfaces, warnings } = parseLinuxIfconfig(text, "i.txt");
  assert.equal(interfaces[0]!.addresses.length, 1);
  assert.match(warnings[0]!, /^i\.txt:3: cannot read ifconfig line/);
});

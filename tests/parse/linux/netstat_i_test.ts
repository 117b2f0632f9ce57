import { test } from "node:test";
import assert from "node:assert/strict";
import { parseLinuxNetstatI } from "../../../src/parse/linux/netstat_i.ts";
import { ParseError } from "../../../src/errors.ts";
import { fixture, jcExpected } from "../../helpers/fixtures.ts";

test("parseLinuxNetstatI() reads the layout without Met as jc does", () => {
  const path = "linux/netstat-i/jc-centos-7.7.txt";
  const { value: interfaces, warnings } = parseLinuxNetstatI(fixture(path), path);
  assert.deepEqual(warnings, []);
  const jc = jcExpected(path);
  assert.equal(interfaces.length, jc.length);
  interfaces.forEach((itf, i) => {
    assert.equal(itf.name, jc[i]!.iface);
    assert.equal(itf.mtu, jc[i]!.mtu);
    assert.equal(itf.stats?.rxPackets, BigInt(jc[i]!.rx_ok as number));
    assert.equal(itf.stats?.txPackets, BigInt(jc[i]!.tx_ok as number));
  });
  assert.deepEqual(interfaces[1]!.flags, ["BROADCAST", "MULTICAST", "RUNNING", "UP"]);
});

test("parseLinuxNetstatI() reads the older layout with the Met column", () => {
  const path = "linux/netstat-i/insights-core-1.txt";
  const { value: interfaces, warnings } = parseLinuxNetstatI(fixture(path), path);
  assert.deepEqual(warnings, []);
  assert.equal(interfaces.length, 7);
  assert.equal(interfaces[0]!.stats?.rxPackets, 845265n);
  assert.equal(interfaces[0]!.stats?.txPackets, 1753n);
  assert.ok(interfaces[0]!.flags.includes("MASTER"));
  assert.ok(interfaces[2]!.flags.includes("SLAVE"));
  assert.equal(interfaces[6]!.mtu, 65536);
});

test("parseLinuxNetstatI() refuses text without an Iface header", () => {
  assert.throws(() => parseLinuxNetstatI("hello\n"), ParseError);
});

test("parseLinuxNetstatI() finds Flg by its label and passes over a column it does not know", () => {
  const path = "linux/netstat-i/insights-core-1.txt";
  const text = fixture(path);
  const extra = text.split("\n").map((l) =>
    l.startsWith("Iface") ? `${l} Extra` : /^[a-z]/.test(l) ? `${l} 42` : l
  ).join("\n");
  const plain = parseLinuxNetstatI(text, path);
  const more = parseLinuxNetstatI(extra, path);
  assert.deepEqual(more.warnings, plain.warnings);
  assert.deepEqual(more.value, plain.value);
  assert.deepEqual(more.value[0]?.flags, ["BROADCAST", "MULTICAST", "MASTER", "RUNNING", "UP"]);
});

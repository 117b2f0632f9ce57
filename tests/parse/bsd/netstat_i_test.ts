import { test } from "node:test";
import assert from "node:assert/strict";
import { parseNetstatI } from "../../../src/parse/bsd/netstat_i.ts";
import { jc, testdata } from "./helpers.ts";

const num = (v: unknown) => typeof v === "number" ? BigInt(v) : undefined;

function assertMatchesJc(path: string) {
  const parsed = parseNetstatI(testdata(path + ".txt"), path);
  const interfaces = parsed.value;
  const links = jc(path + ".json").filter((r) => String(r.network).startsWith("<Link#"));
  assert.equal(interfaces.length, links.length);
  interfaces.forEach((i, k) => {
    const e = links[k]!;
    assert.equal(i.name, String(e.iface).replace(/\*$/, ""), `row ${k}`);
    assert.equal(i.index, Number(/[0-9]+/.exec(String(e.network))![0]), `row ${k}`);
    if (typeof e.mtu === "number") assert.equal(i.mtu, e.mtu, `row ${k}`);
    assert.equal(i.stats?.rxPackets, num(e.ipkts), `row ${k}`);
    assert.equal(i.stats?.rxErrors, num(e.ierrs), `row ${k}`);
    assert.equal(i.stats?.txPackets, num(e.opkts), `row ${k}`);
    assert.equal(i.stats?.txErrors, num(e.oerrs), `row ${k}`);
    assert.equal(i.stats?.txCollisions, num(e.coll), `row ${k}`);
    assert.equal(i.stats?.rxDropped, num(e.idrop), `row ${k}`);
  });
  return parsed;
}

test("parseNetstatI() reads macOS netstat -i like jc: one interface per <Link#N> row", () => {
  const p = "fixtures/darwin/netstat-i/jc-osx-10.14.6";
  const { value: interfaces, warnings } = assertMatchesJc(p);
  assert.equal(interfaces.length, 23);
  assert.equal(interfaces.find((i) => i.name === "gif0")?.operState, "down");
  assert.equal(interfaces.find((i) => i.name === "en0")?.mac, "a4:83:e7:2d:62:8f");
  // netstat cuts names to five characters: vmnet1 and vmnet8 stay apart by their index.
  const vm = interfaces.filter((i) => i.name === "vmnet");
  assert.deepEqual(vm.map((i) => i.index), [19, 20]);
  assert.deepEqual(vm[1]?.addresses, [{
    family: "inet",
    address: "192.168.71.1",
    prefixLength: 24,
  }]);
  // Address rows showing host names or cut IPv6 text are counted in one warning.
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /17 address rows/);
});

test("parseNetstatI() reads macOS netstat -ibdln bytes above 2^32 and leaves absent columns absent", () => {
  const { value: interfaces, warnings } = parseNetstatI(
    testdata("fixtures/darwin/netstat-ibdln/ohai-1.txt"),
  );
  assert.equal(interfaces.length, 8);
  const en1 = interfaces.find((i) => i.name === "en1")!;
  assert.equal(en1.stats?.txBytes, 18228234970n);
  assert.equal(en1.stats?.rxBytes, 2530556736n);
  assert.equal(en1.stats?.txDropped, undefined);
  assert.deepEqual(en1.addresses, [{ family: "inet", address: "10.20.10.144", prefixLength: 24 }]);
  // An 8-byte FireWire address overflows its column and is still read.
  assert.equal(interfaces.find((i) => i.name === "fw0")?.mac, "a4:b1:97:ff:fe:b9:3a:d4");
  assert.equal(interfaces.find((i) => i.name === "fw0")?.stats?.txBytes, 1038n);
  assert.equal(warnings.length, 1);
});

test("parseNetstatI() reads FreeBSD netstat -i like jc", () => {
  const { value: interfaces } = assertMatchesJc("fixtures/freebsd/netstat-i/jc-freebsd12");
  assert.equal(interfaces[0]?.mac, "00:0c:29:1a:4e:3b");
  assert.equal(interfaces[1]?.mac, undefined);
});

test("parseNetstatI() reads FreeBSD netstat -ibdn with its addresses and drop columns", () => {
  const { value: interfaces, warnings } = parseNetstatI(
    testdata("fixtures/freebsd/netstat-ibdn/ohai-1.txt"),
  );
  assert.deepEqual(warnings, []);
  const vt = interfaces.find((i) => i.name === "vtnet0")!;
  assert.equal(vt.stats?.rxBytes, 46746n);
  assert.equal(vt.stats?.txDropped, 0n);
  assert.deepEqual(vt.addresses.map((a) => `${a.address}/${a.prefixLength}`), [
    "fe80::f816:3eff:feba:3e25%vtnet0/64",
    "2605:bc80:3010:506:f816:3eff:feba:3e25/64",
    "140.211.10.91/26",
  ]);
});

test("parseNetstatI() warns on an unreadable row and refuses text without a header", () => {
  const text = testdata("fixtures/freebsd/netstat-i/jc-freebsd12.txt") + "garbage\n";
  const { warnings } = parseNetstatI(text, "i.txt");
  assert.ok(warnings.some((w) => /^i\.txt:9: cannot read interface row: "garbage/.test(w)));
  assert.throws(() => parseNetstatI("nothing", "x"), { name: "ParseError" });
});

test("parseNetstatI() passes over a trailing counter column it has no field for", () => {
  const path = "fixtures/freebsd/netstat-ibdn/ohai-1";
  const text = testdata(path + ".txt");
  const extra = text.split("\n").map((l) =>
    l.startsWith("Name") ? `${l}  Ifoo` : l.trim() === "" ? l : `${l}     7`
  ).join("\n");
  const plain = parseNetstatI(text, path);
  const more = parseNetstatI(extra, path);
  assert.deepEqual(more.warnings, plain.warnings);
  assert.deepEqual(more.value, plain.value);
});

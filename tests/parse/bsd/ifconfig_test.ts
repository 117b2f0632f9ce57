import { test } from "node:test";
import assert from "node:assert/strict";
import { parseIfconfig } from "../../../src/parse/bsd/ifconfig.ts";
import { jc, testdata } from "./helpers.ts";

type Jc = Record<string, unknown>;

function assertMatchesJc(path: string) {
  const { value: interfaces, warnings } = parseIfconfig(testdata(path + ".txt"), path);
  const expected = jc(path + ".json");
  assert.deepEqual(warnings, []);
  assert.deepEqual(interfaces.map((i) => i.name), expected.map((e) => e.name));
  interfaces.forEach((i, k) => {
    const e = expected[k]!;
    assert.equal(i.mtu, e.mtu, i.name);
    assert.equal(i.mac, e.mac_addr ?? undefined, i.name);
    assert.deepEqual(i.flags, e.state ?? [], i.name);
    const v4 = ((e.ipv4 ?? []) as Jc[]).map((a) => `${a.address}/${maskLen(String(a.mask))}`);
    const v6 = ((e.ipv6 ?? []) as Jc[]).map((a) =>
      `${a.address}${a.scope_id ? `%${a.scope_id}` : ""}/${a.mask}`
    );
    const mine = (f: string) =>
      i.addresses.filter((a) => a.family === f).map((a) => `${a.address}/${a.prefixLength}`);
    assert.deepEqual(mine("inet"), v4, i.name);
    assert.deepEqual(mine("inet6"), v6, i.name);
    if (e.status) assert.equal(i.operState, e.status === "active" ? "up" : "down", i.name);
  });
  return interfaces;
}

function maskLen(mask: string): number {
  return mask.split(".").map((o) => Number(o).toString(2).replace(/0/g, "")).join("").length;
}

test("parseIfconfig() reads macOS 10.14 ifconfig like jc: names, MTU, MAC, flags, addresses", () => {
  const ifs = assertMatchesJc("fixtures/darwin/ifconfig/jc-osx-10.14.6");
  assert.equal(ifs.length, 20);
  const en0 = ifs.find((i) => i.name === "en0")!;
  assert.equal(en0.operState, "up");
  assert.equal(en0.index, 8);
  assert.equal(en0.addresses.find((a) => a.family === "inet")?.broadcast, "192.168.1.255");
  assert.equal(ifs.find((i) => i.name === "gif0")?.operState, "down");
});

test("parseIfconfig() reads OS X 10.11 ifconfig like jc", () => {
  assertMatchesJc("fixtures/darwin/ifconfig/jc-osx-10.11.6-2");
});

test("parseIfconfig() reads FreeBSD 12 ifconfig like jc, with the media speed where shown", () => {
  const [cxl] = assertMatchesJc("fixtures/freebsd/ifconfig/jc-freebsd12-1");
  // media shares the hwaddr line there ("hwaddr …     media: Ethernet 10Gbase-LR").
  assert.equal(cxl?.speedMbps, 10000);
  const [noMedia] = assertMatchesJc("fixtures/freebsd/ifconfig/jc-freebsd12-3");
  assert.equal(noMedia?.speedMbps, undefined);
  assert.equal(noMedia?.operState, "up");
});

test("parseIfconfig() reads facter's macOS and cloud-init's FreeBSD ifconfig without warnings", () => {
  const mac = parseIfconfig(testdata("fixtures/darwin/ifconfig/facter-mac.txt"));
  assert.deepEqual(mac.warnings, []);
  assert.equal(mac.value.length, 17);
  assert.deepEqual(mac.value.find((i) => i.name === "utun2")?.addresses, [
    { family: "inet", address: "10.16.132.213", prefixLength: 23 },
  ]);
  const bsd = parseIfconfig(testdata("fixtures/freebsd/ifconfig/cloud-init-1.txt"));
  assert.deepEqual(bsd.warnings, []);
  assert.deepEqual(bsd.value.map((i) => i.name), [
    "vtnet0",
    "re0.33",
    "bridge0",
    "vnet0:11",
    "lo0",
  ]);
  assert.equal(bsd.value.find((i) => i.name === "re0.33")?.speedMbps, 1000);
});

test("parseIfconfig() warns on an unreadable address and refuses text with no interface", () => {
  const { value: interfaces, warnings } = parseIfconfig(
    "en9: flags=8863<UP,RUNNING> mtu 1500\n\tinet 10.0.0.300 netmask 0xffffff00\n",
    "if.txt",
  );
  assert.equal(interfaces.length, 1);
  assert.deepEqual(warnings, [
    'if.txt:2: cannot read inet address: "inet 10.0.0.300 netmask 0xffffff00"',
  ]);
  assert.throws(() => parseIfconfig("random words\n", "x"), { name: "ParseError" });
});

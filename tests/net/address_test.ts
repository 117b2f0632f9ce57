/**
 * CIDR matching is nsnap's own small pure function (net/address.ts); node:net's BlockList, which
 * both runtimes ship, serves here as the oracle it is checked against.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { BlockList } from "node:net";
import fc from "fast-check";
import { cidrContains, formatIPv4, formatIPv6Groups, parseCidr } from "../../src/net/address.ts";

const v4 = fc.tuple(fc.nat(0xffffffff)).map(([n]) => formatIPv4(n));
const v6 = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }).map(formatIPv6Groups);

for (const [type, addr, max] of [["ipv4", v4, 32], ["ipv6", v6, 128]] as const) {
  test(`cidrContains() agrees with node:net BlockList on ${type} blocks`, () => {
    fc.assert(
      fc.property(addr, fc.integer({ min: 0, max }), addr, (net, prefix, a) => {
        const list = new BlockList();
        list.addSubnet(net, prefix, type);
        const ours = cidrContains(parseCidr(`${net}/${prefix}`)!, a);
        assert.equal(ours, list.check(a, type), `${net}/${prefix} ${a}`);
      }),
      { numRuns: 500 },
    );
  });
}

test("cidrContains() matches IPv4-mapped IPv6 addresses against IPv4 blocks, as BlockList does", () => {
  const list = new BlockList();
  list.addSubnet("10.0.0.0", 8, "ipv4");
  assert.equal(list.check("::ffff:10.1.2.3", "ipv6"), true);
  assert.equal(cidrContains(parseCidr("10.0.0.0/8")!, "::ffff:10.1.2.3"), true);
  assert.equal(cidrContains(parseCidr("10.0.0.0/8")!, "::ffff:11.1.2.3"), false);
});

test("parseCidr() refuses what is not an address or block; names never match", () => {
  for (const t of ["10.0.0.0/33", "::/129", "10.0.0.0/-1", "host", "10.0.0/8", ""]) {
    assert.equal(parseCidr(t), undefined, t);
  }
  assert.equal(cidrContains(parseCidr("0.0.0.0/0")!, "kbrazil-mac.attl"), false);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { formatIPv4 } from "../../src/net/address.ts";
import { addressScope, SCOPE_BLOCKS } from "../../src/net/scope.ts";

test("addressScope() names each block of the table, at both ends of it", () => {
  const cases: Array<[string, string]> = [
    ["127.0.0.1", "loopback"],
    ["127.255.255.255", "loopback"],
    ["::1", "loopback"],
    ["169.254.0.1", "link-local"],
    ["224.0.0.251", "link-local"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["febf:ffff::1", "link-local"],
    ["ff02::fb", "link-local"],
    ["10.0.0.0", "private"],
    ["10.255.255.255", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.10", "private"],
    ["100.64.0.1", "private"],
    ["100.127.255.255", "private"],
    ["fd00::1", "private"],
    ["fc00::1", "private"],
    ["0.0.0.0", "any"],
    ["::", "any"],
    ["*", "any"],
    ["::ffff:0.0.0.0", "any"],
    ["8.8.8.8", "public"],
    ["172.32.0.1", "public"],
    ["172.15.255.255", "public"],
    ["100.128.0.1", "public"],
    ["11.0.0.1", "public"],
    ["2001:db8::1", "public"],
    ["fec0::1", "private"],
    ["224.0.1.1", "public"],
  ];
  for (const [a, want] of cases) assert.equal(addressScope(a), want, a);
});

test("an IPv4-mapped IPv6 address has the scope of its IPv4 address", () => {
  assert.equal(addressScope("::ffff:127.0.0.1"), "loopback");
  assert.equal(addressScope("::ffff:10.1.2.3"), "private");
  assert.equal(addressScope("::ffff:8.8.4.4"), "public");
});

test("an address that does not parse is public: what cannot be read is never safe", () => {
  for (const a of ["", "localhost", "10.0.0", "1.2.3.4.5", "fe80::zz", "::1::"]) {
    assert.equal(addressScope(a), "public", JSON.stringify(a));
  }
});

test("every IPv4 address gets the scope of the first table block that holds it", () => {
  const toNum = (a: string) => a.split(".").reduce((n, p) => n * 256 + Number(p), 0);
  const v4 = SCOPE_BLOCKS.filter(([c]) => !c.includes(":")).map(([c, scope]) => {
    const [base, len] = c.split("/");
    const size = 2 ** (32 - Number(len));
    return { lo: toNum(base!), hi: toNum(base!) + size - 1, scope };
  });
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 0xffffffff }), (n) => {
      const want = v4.find((b) => n >= b.lo && n <= b.hi)?.scope ?? "public";
      assert.equal(addressScope(formatIPv4(n)), want);
    }),
    { numRuns: 2000 },
  );
});

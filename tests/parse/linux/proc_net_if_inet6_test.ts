import { test } from "node:test";
import assert from "node:assert/strict";
import { parseProcNetIfInet6 } from "../../../src/parse/linux/proc_net_if_inet6.ts";
import { fixture, jcExpected } from "../../helpers/fixtures.ts";

test("parseProcNetIfInet6() reads addresses, prefix, scope and interface as jc does", () => {
  const path = "linux/proc-net-if_inet6/jc-ubuntu.txt";
  const { value: entries, warnings } = parseProcNetIfInet6(fixture(path), path);
  assert.deepEqual(warnings, []);
  const jc = jcExpected(path);
  assert.equal(entries.length, jc.length);
  assert.deepEqual(entries[0], {
    name: "ens33",
    index: 2,
    address: {
      family: "inet6",
      address: "fe80::20c:29ff:fea4:e315",
      prefixLength: 64,
      scope: "link",
    },
  });
  assert.equal(entries[1]!.address.address, "::1");
  assert.equal(entries[1]!.address.scope, "host");
  entries.forEach((e, i) => assert.equal(e.name, jc[i]!.name));
});

test("parseProcNetIfInet6() warns about a line it cannot read", () => {
  const { value: entries, warnings } = parseProcNetIfInet6("zz 01 80 10 80 lo\n", "f");
  assert.equal(entries.length, 0);
  assert.match(warnings[0]!, /^f:1: cannot read if_inet6 line/);
});

/**
 * No bytes make a netlink decoder throw: random buffers, recorded answers cut at any point and
 * recorded answers with bytes changed all end in records and warnings.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { inetDiagDecoder } from "../../../src/parse/netlink/inet_diag.ts";
import { decodeDump, type MessageDecoder } from "../../../src/parse/netlink/nlmsg.ts";
import { packetDiagDecoder } from "../../../src/parse/netlink/packet_diag.ts";
import { addressDecoder } from "../../../src/parse/netlink/rtnl_addr.ts";
import { linkDecoder } from "../../../src/parse/netlink/rtnl_link.ts";
import { neighbourDecoder } from "../../../src/parse/netlink/rtnl_neigh.ts";
import { qdiscDecoder } from "../../../src/parse/netlink/rtnl_qdisc.ts";
import { routeDecoder } from "../../../src/parse/netlink/rtnl_route.ts";
import { ruleDecoder } from "../../../src/parse/netlink/rtnl_rule.ts";
import { unixDiagDecoder } from "../../../src/parse/netlink/unix_diag.ts";
import { answer } from "./_fixtures.ts";

const CASES: Array<[string, () => MessageDecoder<unknown>]> = [
  ["inet_tcp4.bin", () => inetDiagDecoder("tcp")],
  ["inet_tcp6.bin", () => inetDiagDecoder("tcp")],
  ["inet_udp4.bin", () => inetDiagDecoder("udp")],
  ["unix.bin", unixDiagDecoder],
  ["packet.bin", packetDiagDecoder],
  ["links.bin", linkDecoder],
  ["addresses.bin", addressDecoder],
  ["routes4.bin", routeDecoder],
  ["routes6.bin", routeDecoder],
  ["rules4.bin", ruleDecoder],
  ["neighbours.bin", neighbourDecoder],
  ["qdiscs.bin", qdiscDecoder],
];

/** Decodes and checks the result's shape; any exception fails the property. */
function decodes(bytes: Uint8Array, make: () => MessageDecoder<unknown>): boolean {
  const r = decodeDump(bytes, 1, make(), "fuzz");
  return Array.isArray(r.records) && r.warnings.every((w) => typeof w === "string");
}

for (const [name, make] of CASES) {
  const good = answer(name);

  test(`${name}: a cut-off answer decodes what is whole and warns`, () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: good.length - 1 }), (cut) => {
        const r = decodeDump(good.subarray(0, cut), 1, make(), "cut");
        assert.ok(r.warnings.length > 0, `cut at ${cut} of ${good.length}: no warning`);
        return true;
      }),
      { numRuns: 200 },
    );
  });

  test(`${name}: changed bytes never make the decoder throw`, () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 16,
        }),
        (edits) => {
          const bytes = good.slice();
          for (const [at, value] of edits) bytes[at] = value;
          return decodes(bytes, make);
        },
      ),
      { numRuns: 300 },
    );
  });
}

test("random bytes never make any decoder throw", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat(CASES.length - 1), (bytes, i) => {
      // Keep sequence 1 in the first header now and then, so that messages get decoded.
      if (bytes.length >= 16 && bytes[0]! % 2 === 0) {
        new DataView(bytes.buffer).setUint32(8, 1, true);
      }
      return decodes(bytes, CASES[i]![1]);
    }),
    { numRuns: 2000 },
  );
});

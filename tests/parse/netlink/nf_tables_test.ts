/** nftables tables over nfnetlink: the dump request and NFT_MSG_NEWTABLE answers. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { attr, concat, done, message } from "./_fixtures.ts";
import { decodeDump } from "../../../src/parse/netlink/nlmsg.ts";
import { nftTableDecoder, nftTablesRequest } from "../../../src/parse/netlink/nf_tables.ts";

const NEWTABLE = (10 << 8) | 0;

function table(family: number, name: string): Uint8Array {
  const nfgen = new Uint8Array([family, 0, 0, 0]);
  return message(NEWTABLE, concat(nfgen, attr(1, new TextEncoder().encode(`${name}\0`))));
}

test("the request asks NFT_MSG_GETTABLE of every family, as a dump", () => {
  const r = nftTablesRequest(7);
  const v = new DataView(r.buffer);
  assert.equal(v.getUint32(0, true), r.length);
  assert.equal(v.getUint16(4, true), (10 << 8) | 1);
  assert.equal(v.getUint16(6, true) & 0x301, 0x301, "NLM_F_REQUEST | NLM_F_DUMP");
  assert.equal(v.getUint32(8, true), 7);
  assert.deepEqual([...r.subarray(16, 20)], [0, 0, 0, 0], "NFPROTO_UNSPEC, version 0");
});

test("tables of each family are named as nft names them", () => {
  const bytes = concat(
    table(1, "filter"),
    table(2, "nat"),
    table(10, "t6"),
    table(99, "x"),
    done(),
  );
  const r = decodeDump(bytes, 1, nftTableDecoder(), "nft tables");
  assert.deepEqual(r.records, [
    { family: "inet", name: "filter" },
    { family: "ip", name: "nat" },
    { family: "ip6", name: "t6" },
    { family: "99", name: "x" },
  ]);
  assert.deepEqual(r.warnings, []);
  const short = decodeDump(
    concat(message(NEWTABLE, new Uint8Array(2)), done()),
    1,
    nftTableDecoder(),
    "t",
  );
  assert.deepEqual(short.records, []);
  assert.match(short.warnings[0]!, /too short/);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  attrString,
  decodeDump,
  decodeUtf8,
  DumpReader,
  type MessageDecoder,
  newRequest,
  NLM_F_DUMP_INTR,
  walkAttrs,
} from "../../../src/parse/netlink/nlmsg.ts";
import { attr, concat, done, message } from "./_fixtures.ts";

/** A decoder that reads one u32 payload per message. */
const u32s: MessageDecoder<number> = (view, at) => view.getUint32(at + 16, true);

function u32(n: number): Uint8Array {
  const p = new Uint8Array(4);
  new DataView(p.buffer).setUint32(0, n, true);
  return p;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

test("DumpReader gathers a multi-part dump and ends only at NLMSG_DONE", () => {
  const reader = new DumpReader(1, u32s, "test");
  const part1 = concat(message(16, u32(10)), message(16, u32(11)));
  const part2 = concat(message(16, u32(12)), done());
  assert.equal(reader.feed(view(part1), 0, part1.length), false);
  assert.equal(reader.done, false);
  assert.equal(reader.feed(view(part2), 0, part2.length), true);
  assert.deepEqual(reader.records, [10, 11, 12]);
  assert.deepEqual(reader.warnings, []);
  assert.equal(reader.error, undefined);
});

test("DumpReader reports the errno of an NLMSG_ERROR answer and stops", () => {
  const err = new Uint8Array(20);
  new DataView(err.buffer).setInt32(0, -95, true); // EOPNOTSUPP, then the request's header
  const bytes = concat(message(2, err), message(16, u32(1)));
  const reader = new DumpReader(1, u32s, "test");
  assert.equal(reader.feed(view(bytes), 0, bytes.length), true);
  assert.deepEqual(reader.error, { errno: 95 });
  assert.deepEqual(reader.records, []);
});

test("DumpReader takes an NLMSG_ERROR of 0 as the acknowledgement it is", () => {
  const bytes = message(2, new Uint8Array(20));
  const reader = new DumpReader(1, u32s, "test");
  assert.equal(reader.feed(view(bytes), 0, bytes.length), true);
  assert.equal(reader.error, undefined);
});

test("DumpReader reads an errno carried by NLMSG_DONE (a dump that failed midway)", () => {
  const bytes = concat(message(16, u32(5)), done(-1));
  const r = decodeDump(bytes, 1, u32s, "test");
  assert.deepEqual(r.records, [5]);
  assert.deepEqual(r.error, { errno: 1 });
});

test("DumpReader skips answers to another sequence number", () => {
  const bytes = concat(message(16, u32(99), 2, 7), message(16, u32(1)), done());
  assert.deepEqual(decodeDump(bytes, 1, u32s, "test").records, [1]);
});

test("DumpReader warns about a message longer than the bytes left, and does not throw", () => {
  const bytes = concat(message(16, u32(1)), message(16, u32(2)));
  new DataView(bytes.buffer).setUint32(20, 4000, true); // the second one claims 4000 bytes
  const r = decodeDump(bytes, 1, u32s, "links");
  assert.deepEqual(r.records, [1]);
  assert.equal(r.done, false);
  assert.match(r.warnings.join("\n"), /links: a message claims 4000 bytes where 20 are left/);
  assert.match(r.warnings.join("\n"), /ended before NLMSG_DONE/);
});

test("DumpReader warns about stray bytes shorter than a header", () => {
  const bytes = concat(message(16, u32(1)), new Uint8Array(8));
  const r = new DumpReader(1, u32s, "x");
  r.feed(view(bytes), 0, bytes.length);
  assert.deepEqual(r.records, [1]);
  assert.match(r.warnings[0]!, /8 stray bytes/);
});

test("DumpReader flags a dump the kernel marked as interrupted", () => {
  const bytes = concat(
    message(16, u32(1), 2 | NLM_F_DUMP_INTR),
    message(16, u32(2), 2 | NLM_F_DUMP_INTR),
    done(),
  );
  const r = decodeDump(bytes, 1, u32s, "routes");
  assert.equal(r.interrupted, true);
  assert.equal(r.warnings.length, 1, "one warning, not one per message");
  assert.match(r.warnings[0]!, /changed during the dump/);
});

test("walkAttrs visits each attribute and says false when one runs past the end", () => {
  const good = concat(attr(1, u32(7)), attr(2, new TextEncoder().encode("eth0\0")));
  const seen: Array<[number, number]> = [];
  const visit = (into: typeof seen, type: number, _at: number, len: number) =>
    into.push([type, len]);
  assert.equal(walkAttrs(view(good), 0, good.length, visit, seen), true);
  assert.deepEqual(seen, [[1, 4], [2, 5]]);
  const bad = concat(attr(1, u32(7)), attr(3, u32(8)));
  new DataView(bad.buffer).setUint16(8, 40, true); // the second attribute claims 40 bytes
  seen.length = 0;
  assert.equal(walkAttrs(view(bad), 0, bad.length, visit, seen), false);
  assert.deepEqual(seen, [[1, 4]]);
  const tiny = concat(attr(1, u32(7)));
  new DataView(tiny.buffer).setUint16(0, 2, true); // shorter than its own header
  assert.equal(walkAttrs(view(tiny), 0, tiny.length, visit, []), false);
});

test("walkAttrs strips the nested and byte-order flag bits from attribute types", () => {
  const nested = attr(0x8000 | 18, u32(1));
  const types: number[] = [];
  walkAttrs(view(nested), 0, nested.length, (t: number[], type: number) => t.push(type), types);
  assert.deepEqual(types, [18]);
});

test("attrString stops at the NUL and keeps UTF-8; decodeUtf8 escapes bytes that are not text", () => {
  const bytes = new TextEncoder().encode("wlø0\0junk");
  assert.equal(attrString(view(bytes), 0, bytes.length), "wlø0");
  // The host-text rule: bytes that are not UTF-8 as \xHH, text (a newline included) as itself.
  assert.equal(decodeUtf8(new Uint8Array([0x2f, 0x74, 0xff, 0x0a])), "/t\\xff\n");
  assert.equal(decodeUtf8(new TextEncoder().encode("a\\xff")), "a\\\\xff");
});

test("newRequest sets length, type, dump flags and sequence", () => {
  const { bytes } = newRequest(18, 42, 16);
  const v = view(bytes);
  assert.equal(bytes.length, 32);
  assert.equal(v.getUint32(0, true), 32);
  assert.equal(v.getUint16(4, true), 18);
  assert.equal(v.getUint16(6, true), 0x301); // NLM_F_REQUEST | NLM_F_DUMP
  assert.equal(v.getUint32(8, true), 42);
});

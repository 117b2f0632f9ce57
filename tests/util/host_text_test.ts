/**
 * The host-text rule (src/util/host_text.ts): names from /proc, /sys, netlink and ip are UTF-8
 * text, every byte that is not UTF-8 a visible `\xHH`, and the representation is reversible and
 * one-to-one: no undecodable name ever reads like a real name with a backslash.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { hostBytes, hostText } from "../../src/util/host_text.ts";

const enc = new TextEncoder();
const bytes = (...b: number[]) => Uint8Array.from(b);

test("hostText() keeps UTF-8 names as they are, a cut character and other bytes as \\xHH", () => {
  assert.equal(hostText(enc.encode("é-ü-名前")), "é-ü-名前");
  assert.equal(hostText(enc.encode("eth0")), "eth0");
  // comm is 15 bytes at most: "éééééééé" (16 bytes) is cut inside its last character.
  assert.equal(hostText(enc.encode("éééééééé").subarray(0, 15)), "ééééééé\\xc3");
  assert.equal(hostText(bytes(0x78, 0xff, 0x79)), "x\\xffy");
  // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
  assert.equal(hostText(bytes(0xc0, 0xaf)), "\\xc0\\xaf");
  assert.equal(hostText(bytes(0xed, 0xa0, 0x80)), "\\xed\\xa0\\x80");
  assert.equal(hostText(bytes(0xf4, 0x90, 0x80, 0x80)), "\\xf4\\x90\\x80\\x80");
  // Control characters are text: escaped where printed, exact in JSON.
  assert.equal(hostText(bytes(0x61, 0x1b, 0x62)), "a\x1bb");
});

test("hostText() writes a backslash as \\\\ only where it would read as an escape", () => {
  assert.equal(hostText(enc.encode("C:\\tmp")), "C:\\tmp");
  assert.equal(hostText(enc.encode("a\\xff")), "a\\\\xff");
  assert.equal(hostText(enc.encode("a\\\\b")), "a\\\\\\b");
  assert.equal(hostText(enc.encode("a\\xFF")), "a\\xFF", "upper-case hex is no escape");
  // A backslash before a byte that is not UTF-8.
  assert.equal(hostText(bytes(0x5c, 0xff)), "\\\\\\xff");
  // The real name `a\xff` and the bytes a, 0xff are two names.
  assert.notEqual(hostText(enc.encode("a\\xff")), hostText(bytes(0x61, 0xff)));
});

test("hostText() keeps EF BB BF as U+FEFF, part of the name, never dropped as a BOM", () => {
  // Counterexamples of the two properties below: the decoder dropped the bytes as a BOM, at the
  // start of a name and before a character after a byte that is not UTF-8.
  assert.equal(hostText(bytes(0xef, 0xbb, 0xbf, 0x41)), "\ufeffA");
  assert.notEqual(hostText(bytes(0xef, 0xbb, 0xbf, 0x41)), hostText(bytes(0x41)));
  assert.equal(hostText(bytes(0xff, 0xef, 0xbb, 0xbf, 0x41)), "\\xff\ufeffA");
  assert.deepEqual(
    hostBytes(hostText(bytes(0xff, 0xef, 0xbb, 0xbf))),
    bytes(0xff, 0xef, 0xbb, 0xbf),
  );
});

test("hostBytes() undoes hostText() for every byte string", () => {
  const arbBytes = fc.oneof(
    fc.uint8Array({ maxLength: 40 }),
    // Mostly text, with backslashes, x, hex digits and stray high bytes mixed in.
    fc.array(
      fc.constantFrom(0x5c, 0x78, 0x66, 0x30, 0x61, 0xff, 0xc3, 0xa9, 0xe5, 0x90, 0x8d, 0x0a),
      { maxLength: 30 },
    ).map((a) => Uint8Array.from(a)),
    fc.string({ unit: "grapheme", maxLength: 20 }).map((s) => enc.encode(s)),
  );
  fc.assert(
    fc.property(arbBytes, (b) => {
      assert.deepEqual(hostBytes(hostText(b)), b);
    }),
    { numRuns: 2000 },
  );
});

test("hostText() is one-to-one, and valid UTF-8 without an escape-like backslash is unchanged", () => {
  const arbBytes = fc.uint8Array({ maxLength: 12 });
  fc.assert(
    fc.property(arbBytes, arbBytes, (a, b) => {
      if (a.join() !== b.join()) assert.notEqual(hostText(a), hostText(b));
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.string({ maxLength: 30 }), (s) => {
      // Lone surrogates are not text the host can hold; they do not survive encoding.
      const wellFormed = new TextDecoder().decode(enc.encode(s)) === s;
      if (!wellFormed || /\\(?=\\|x[0-9a-f]{2})/.test(s)) return;
      assert.equal(hostText(enc.encode(s)), s);
    }),
    { numRuns: 1000 },
  );
});

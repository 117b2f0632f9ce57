import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { decimalText, formatNumber } from "../../src/util/number.ts";

test("formatNumber() groups thousands, exactly for bigints", () => {
  assert.equal(formatNumber(0), "0");
  assert.equal(formatNumber(1234567n), "1,234,567");
  assert.equal(formatNumber(-1234.5, 2), "-1,234.50");
  assert.equal(formatNumber(2n ** 64n - 1n), "18,446,744,073,709,551,615");
  assert.equal(formatNumber(1e22, 2), "10,000,000,000,000,000,000,000.00");
});

test("decimalText() never writes an exponent, however large or small the number", () => {
  fc.assert(
    fc.property(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
      (v, decimals) => {
        const s = decimalText(v, decimals);
        assert.match(s, /^-?[0-9]+(\.[0-9]+)?$/, `${v} → ${s}`);
        assert.ok(!s.includes("undefined"));
        if (decimals !== undefined && decimals > 0) {
          assert.match(s, new RegExp(`\\.[0-9]{${decimals}}$`));
        }
      },
    ),
    { numRuns: 500 },
  );
  assert.equal(decimalText(1e-7), "0.0000001");
  assert.equal(decimalText(0.333), "0.333");
});

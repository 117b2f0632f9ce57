import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  decimalText,
  formatBytes,
  formatCount,
  formatPercent,
  formatRate,
  formatRateInText,
} from "../src/format.ts";

test("formatBytes() counts in IEC units and prints whole values without a decimal", () => {
  assert.deepEqual(
    [0, 860, 1023, 1024, 1536, 1000 * 1000, 512 * 2 ** 20, 600 * 2 ** 20].map(formatBytes),
    ["0 B", "860 B", "1023 B", "1 KiB", "1.5 KiB", "976.6 KiB", "512 MiB", "600 MiB"],
  );
  assert.equal(formatBytes(30_000_000n), "28.6 MiB");
  assert.equal(formatBytes(2n ** 60n), "1024 PiB");
});

test("formatBytes() moves to the next unit when rounding would print 1024", () => {
  assert.equal(formatBytes(1024 * 1024 - 1), "1 MiB");
  assert.equal(formatBytes(1024 * 1024 - 60), "1023.9 KiB");
});

test("formatCount() puts thousands separators into exact bigints, numbers and fractions", () => {
  assert.deepEqual(
    [0n, 999n, 1000n, 24000n, -1234567n, 9007199254740993n].map(formatCount),
    ["0", "999", "1,000", "24,000", "-1,234,567", "9,007,199,254,740,993"],
  );
  assert.equal(formatCount(1234.5), "1,234.5");
});

test("formatRate() keeps two decimals and says <0.01 for a slow counter", () => {
  assert.deepEqual(
    [0, 0.001, 0.005, 3.676, 1210.784].map(formatRate),
    ["0.00", "<0.01", "0.01", "3.68", "1,210.78"],
  );
});

test("formatRateInText() drops the decimals of a large rate, keeps them on a small one", () => {
  assert.deepEqual(
    [0, 0.001, 3.676, 99.994, 100, 90127.14, -1234.5, 1e22].map(formatRateInText),
    ["0.00", "<0.01", "3.68", "99.99", "100", "90,127", "-1,234", "10,000,000,000,000,000,000,000"],
  );
});

test("formatPercent() rounds half up in exact arithmetic, <0.01% for a tiny share", () => {
  assert.equal(formatPercent(250n, 10000n), "2.50%");
  assert.equal(formatPercent(1n, 3n), "33.33%");
  assert.equal(formatPercent(2n, 3n), "66.67%");
  assert.equal(formatPercent(1n, 1_000_000n), "<0.01%");
  assert.equal(formatPercent(0n, 10n), "0.00%");
  assert.equal(formatPercent(5n, 0n), "");
  // Beyond 2^53 the answer stays exact.
  assert.equal(formatPercent(2n ** 60n, 2n ** 61n), "50.00%");
});

test("formatCount() and formatRate() never write an exponent", () => {
  assert.equal(formatCount(0), "0");
  assert.equal(formatCount(1234567n), "1,234,567");
  assert.equal(formatCount(2n ** 64n - 1n), "18,446,744,073,709,551,615");
  assert.equal(formatCount(1e22), "10,000,000,000,000,000,000,000");
  assert.equal(formatRate(-1234.5), "-1,234.50");
  // Beyond 2^53 a rate is its magnitude, three significant digits, never 26 digits of noise.
  assert.equal(formatRate(1e22), "~1.00×10^22");
  assert.equal(formatRate((2 ** 64 - 1) * 1000), "~1.84×10^22");
  assert.equal(formatRate(-(2 ** 60)), "~-1.15×10^18");
  assert.equal(formatRate(9.996e17), "~1.00×10^18");
  assert.equal(formatRate(2 ** 53), "9,007,199,254,740,992.00");
  assert.equal(formatRate(0.001), "<0.01");
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

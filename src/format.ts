/**
 * Numbers and byte counts as people read them, in one place for every message, summary and table.
 *
 * Decisions:
 * - Bytes are counted in IEC binary units (1 KiB = 1024 B, then MiB, GiB, TiB, PiB), and the unit
 *   is always spelled out that way, so a reader cannot take it for decimal kB/MB. The limits nsnap
 *   sets are powers of two (512 MiB snapshots, 64 MiB import files) and `--max-size` reads the same
 *   binary units, so a limit prints exactly as it was given.
 * - Below 1 KiB a count prints whole ("860 B"); above, with one decimal unless it is whole
 *   ("1.5 KiB", "512 MiB").
 * - Counts get thousands separators ("24,000") and stay exact for bigints.
 * - Rates and percentages keep two decimals so a column lines up on the point, and say "<0.01"
 *   rather than a misleading zero for something small but not nothing.
 * - No number is ever written with an exponent: JavaScript writes 1e21 and up as "1e+21", which
 *   broke a rate into "1e+43.undefined"; `decimalText()` gives the plain digits.
 */

const BYTE_UNITS = ["KiB", "MiB", "GiB", "TiB", "PiB"] as const;

/**
 * A byte count in IEC units: "860 B", "1.5 KiB", "512 MiB".
 *
 * @example
 * ```ts
 * import { formatBytes } from "./format.ts";
 * formatBytes(536870912); // "512 MiB"
 * formatBytes(1536n); // "1.5 KiB"
 * ```
 */
export function formatBytes(n: number | bigint): string {
  const value = Number(n);
  if (Math.abs(value) < 1024) return `${n} B`;
  let v = value / 1024, u = 0;
  // Round first, so that 1048575 B is "1 MiB" rather than "1024.0 KiB".
  while (Math.abs(Math.round(v * 10) / 10) >= 1024 && u < BYTE_UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  const shown = Math.round(v * 10) / 10;
  return `${Number.isInteger(shown) ? shown : shown.toFixed(1)} ${BYTE_UNITS[u]}`;
}

/**
 * A count with thousands separators ("1,234,567"), exact for bigints; a fraction keeps its digits.
 *
 * @example
 * ```ts
 * import { formatCount } from "./format.ts";
 * formatCount(24000n); // "24,000"
 * ```
 */
export function formatCount(v: bigint | number): string {
  return grouped(decimalText(v));
}

/** Decimal digits with thousands separators in the integer part. */
function grouped(s: string): string {
  const neg = s.startsWith("-");
  const [int, frac] = (neg ? s.slice(1) : s).split(".");
  const withSep = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return (neg ? "-" : "") + withSep + (frac !== undefined ? "." + frac : "");
}

/** Above this a double's digits are not all real: a rate is shown by its magnitude. */
const EXACT_LIMIT = 2 ** 53;

/**
 * A per-second rate with two decimals ("0.25", "1,210.78"), "<0.01" for a slow counter that moved.
 * Beyond 2^53 (where a double no longer holds every digit, let alone the decimals) it is three
 * significant digits and the power of ten, marked as approximate: "~1.84×10^22".
 *
 * @example
 * ```ts
 * import { formatRate } from "./format.ts";
 * formatRate(1210.784); // "1,210.78"
 * formatRate(2 ** 64 * 1000); // "~1.84×10^22"
 * ```
 */
export function formatRate(v: number): string {
  if (v > 0 && v < 0.005) return "<0.01";
  if (Number.isFinite(v) && Math.abs(v) > EXACT_LIMIT) {
    const [mantissa, exponent] = v.toExponential(2).split("e");
    return `~${mantissa}×10^${Number(exponent)}`;
  }
  return grouped(decimalText(v, 2));
}

/**
 * A per-second rate for a sentence: two decimals below 100 ("3.68", "<0.01"), whole numbers from
 * there ("90,127"), where the cents of a large rate say nothing. Tables keep `formatRate`.
 *
 * @example
 * ```ts
 * import { formatRateInText } from "./format.ts";
 * formatRateInText(90127.14); // "90,127"
 * formatRateInText(3.676); // "3.68"
 * ```
 */
export function formatRateInText(v: number): string {
  return Math.abs(v) >= 100 ? grouped(decimalText(Math.round(v))) : formatRate(v);
}

/**
 * Plain decimal digits of `v`, never an exponent, no separators; `decimals` fixes the fraction.
 *
 * @example
 * ```ts
 * import { decimalText } from "./format.ts";
 * decimalText(1e22); // "10000000000000000000000"
 * decimalText(0.333); // "0.333"
 * ```
 */
export function decimalText(v: number | bigint, decimals?: number): string {
  if (typeof v === "bigint") return decimals ? `${v}.${"0".repeat(decimals)}` : v.toString();
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 1e21) {
    // Integral at this size: BigInt gives every digit of the double exactly.
    const int = BigInt(v).toString();
    return decimals ? `${int}.${"0".repeat(decimals)}` : int;
  }
  if (decimals !== undefined) return v.toFixed(decimals);
  const s = String(v);
  // A tiny number ("1e-7"): twenty decimals, trailing zeros dropped.
  return s.includes("e") ? v.toFixed(20).replace(/\.?0+$/, "") : s;
}

/**
 * `part` as a share of `whole` with two decimals, rounded half up in exact integer arithmetic
 * ("2.50%"); "<0.01%" for a share too small to show, "" when `whole` is not positive.
 *
 * @example
 * ```ts
 * import { formatPercent } from "./format.ts";
 * formatPercent(250n, 10000n); // "2.50%"
 * ```
 */
export function formatPercent(part: bigint, whole: bigint): string {
  if (whole <= 0n) return "";
  const bp = (part * 20000n + whole) / (2n * whole);
  if (bp === 0n && part > 0n) return "<0.01%";
  return `${bp / 100n}.${String(bp % 100n).padStart(2, "0")}%`;
}

/**
 * A duration the way the command line takes it: "250ms", "1.5s", "10s", "2m30s", "1h", "1d2h".
 * Below a second it is whole milliseconds; below a minute, seconds with up to three decimals;
 * above, whole units largest first (a remainder under a second is dropped).
 *
 * @example
 * ```ts
 * import { formatDuration } from "./format.ts";
 * formatDuration(150_000); // "2m30s"
 * formatDuration(1_500); // "1.5s"
 * ```
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return String(ms);
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${decimalText(Math.round(ms) / 1000)}s`;
  let rest = Math.floor(ms / 1000);
  const parts: string[] = [];
  for (const [unit, size] of [["d", 86_400], ["h", 3_600], ["m", 60], ["s", 1]] as const) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n}${unit}`);
  }
  return parts.join("");
}

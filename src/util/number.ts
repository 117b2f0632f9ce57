/**
 * Numbers as people read them: deltas, rates and counts in plain decimal notation with thousands
 * separators, the same way everywhere. JavaScript writes numbers of 1e21 and up with an
 * exponent ("1e+43"), which no report should show and which broke column layouts; these never do.
 *
 * @example
 * ```ts
 * formatNumber(1234567n); // "1,234,567"
 * formatNumber(3.14159, 2); // "3.14"
 * formatNumber(2n ** 64n - 1n); // "18,446,744,073,709,551,615"
 * formatNumber(1e22, 2); // "10,000,000,000,000,000,000,000.00", never "1e+22"
 * ```
 * @module
 */

/** Plain decimal digits of `v` (no separators, never an exponent); `decimals` fixes the fraction. */
export function decimalText(v: number | bigint, decimals?: number): string {
  if (typeof v === "bigint") {
    return decimals ? `${v}.${"0".repeat(decimals)}` : v.toString();
  }
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 1e21) {
    // Integral at this size: BigInt gives every digit of the double exactly.
    const int = BigInt(v).toString();
    return decimals ? `${int}.${"0".repeat(decimals)}` : int;
  }
  if (decimals !== undefined) return v.toFixed(decimals);
  const s = String(v);
  if (!s.includes("e")) return s;
  // A tiny number ("1e-7"): twenty decimals, trailing zeros dropped.
  return v.toFixed(20).replace(/\.?0+$/, "");
}

/** `v` with thousands separators ("1,234,567.89"); `decimals` fixes the fraction. */
export function formatNumber(v: number | bigint, decimals?: number): string {
  const s = decimalText(v, decimals);
  const neg = s.startsWith("-");
  const [int, frac] = (neg ? s.slice(1) : s).split(".");
  const withSep = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return (neg ? "-" : "") + withSep + (frac !== undefined ? "." + frac : "");
}

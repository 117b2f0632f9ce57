/**
 * Bytes as lowercase hex, two digits each.
 *
 * @example
 * ```ts
 * hex(new Uint8Array([0, 171, 255])); // "00abff"
 * ```
 */
export function hex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

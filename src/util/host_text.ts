/**
 * Names as the host has them: bytes. A process name (`comm`, which any user sets with prctl, 15
 * bytes at most and so possibly cut inside a character), an interface name, a path: the kernel
 * stores bytes and most are UTF-8. nsnap decodes them as UTF-8 and keeps every byte that is not
 * part of a valid UTF-8 sequence visibly, as text, so that no name is garbled, no two names
 * become one, and the bytes can always be had back.
 *
 * The rule (a reversible representation of any byte string as text):
 * - A valid UTF-8 sequence is its character (control characters included: they are escaped
 *   where text is printed, and kept exactly in JSON and YAML).
 * - A byte that is not part of a valid UTF-8 sequence is `\xHH`, two lower-case hex digits
 *   (`comm` cut inside "é" ends in `\xc3`).
 * - A backslash is itself, except where it would read as the start of an escape: before another
 *   backslash, before `x` and two lower-case hex digits, or before an escaped byte, it is
 *   written `\\`. So a name that really is `a\xff` (five ASCII characters) reads `a\\xff`, never
 *   the same as the two bytes `a`, 0xff (`a\xff`); a name such as `C:\tmp` stays as it is.
 *
 * `hostBytes()` undoes it: `\\` is one backslash, `\xHH` (lower-case) one byte, any other
 * backslash a backslash.
 *
 * @example
 * ```ts
 * import { hostBytes, hostText } from "./host_text.ts";
 * hostText(new TextEncoder().encode("é-ü")); // "é-ü"
 * hostText(new Uint8Array([0x61, 0xc3])); // "a\\xc3" (a cut "é")
 * hostText(new TextEncoder().encode("a\\xff")); // "a\\\\xff" (the name really has a backslash)
 * hostBytes("a\\xc3"); // Uint8Array [0x61, 0xc3]
 * ```
 * @module
 */

// ignoreBOM: EF BB BF is U+FEFF of the name; without it a decode that starts there drops it.
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const BACKSLASH = 0x5c;
/** A backslash that would read as the start of an escape: before `\` or `x` and two hex digits. */
const AMBIGUOUS = /\\(?=\\|x[0-9a-f]{2})/g;

/** True for the bytes of two lower-case hex digits. */
function isLowerHex(b: number | undefined): boolean {
  return b !== undefined && ((b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66));
}

/** The length of the valid UTF-8 sequence starting at `i` (1–4), or 0 where none starts. */
function sequenceLength(b: Uint8Array, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => {
    const x = b[i + k];
    return x !== undefined && x >= lo && x <= hi;
  };
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (c >= 0xe1 && c <= 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

/** Host bytes as text, by the rule in the header. */
export function hostText(bytes: Uint8Array): string {
  let text: string | undefined;
  try {
    text = UTF8.decode(bytes);
  } catch { /* some bytes are not UTF-8: the slow path below */ }
  if (text !== undefined) {
    return bytes.includes(BACKSLASH) ? text.replace(AMBIGUOUS, "\\\\") : text;
  }
  let out = "";
  for (let i = 0; i < bytes.length;) {
    const c = bytes[i]!;
    const n = sequenceLength(bytes, i);
    if (n === 0) {
      out += `\\x${c.toString(16).padStart(2, "0")}`;
      i++;
      continue;
    }
    if (c === BACKSLASH) {
      const j = i + 1;
      const escapes = j < bytes.length &&
        (bytes[j] === BACKSLASH || sequenceLength(bytes, j) === 0 ||
          (bytes[j] === 0x78 && isLowerHex(bytes[j + 1]) && isLowerHex(bytes[j + 2])));
      out += escapes ? "\\\\" : "\\";
      i++;
      continue;
    }
    out += n === 1 ? String.fromCharCode(c) : UTF8.decode(bytes.subarray(i, i + n));
    i += n;
  }
  return out;
}

const HEX_ESCAPE = /^x([0-9a-f]{2})/;

/** The bytes `hostText()` made `text` from: the rule undone. */
export function hostBytes(text: string): Uint8Array {
  const enc = new TextEncoder();
  const out: number[] = [];
  let plain = "";
  const flush = () => {
    if (plain !== "") out.push(...enc.encode(plain));
    plain = "";
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch !== "\\") {
      plain += ch;
      continue;
    }
    flush();
    if (text[i + 1] === "\\") {
      out.push(BACKSLASH);
      i++;
      continue;
    }
    const hex = HEX_ESCAPE.exec(text.slice(i + 1, i + 4));
    if (hex) {
      out.push(parseInt(hex[1]!, 16));
      i += 3;
      continue;
    }
    out.push(BACKSLASH);
  }
  flush();
  return Uint8Array.from(out);
}

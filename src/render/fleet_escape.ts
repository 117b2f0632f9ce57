/**
 * A minimal stand-in for the project-wide escaping of text output (in flight on another branch
 * as src/util/escape.ts `escapeText()`, with the same name and the same escapes): control
 * characters, DEL, C1 controls, format characters (bidi overrides, zero-width), line and
 * paragraph separators and the backslash itself are shown as visible escapes, so a hostname or
 * a process name can neither drive the terminal nor pass for another value. When that branch is
 * merged, import its `escapeText()` instead and delete this file.
 */
const UNSAFE = /[\\\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const UNSAFE_ALL = new RegExp(UNSAFE.source, "gu");
const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\" };

/**
 * `s` with every control, format character and backslash visibly escaped.
 * @example escapeText("web\x1b[2J") // "web\\x1b[2J"
 */
export function escapeText(s: string): string {
  if (!UNSAFE.test(s)) return s;
  return s.replace(UNSAFE_ALL, (ch) => {
    const named = NAMED[ch];
    if (named !== undefined) return named;
    const cp = ch.codePointAt(0)!;
    return cp < 0x20 || cp === 0x7f
      ? `\\x${cp.toString(16).padStart(2, "0")}`
      : `\\u{${cp.toString(16)}}`;
  });
}

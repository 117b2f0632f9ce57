/**
 * Text from a snapshot or an input file, made safe to print. Process names (any local user sets
 * 15 bytes of its own `comm`), interface names, host names, labels, warnings and file names can
 * hold ESC, BEL, CR or newlines that would retitle a terminal, clear it, or forge a line in a CI
 * log; bidi overrides and invisible characters can make two different values look the same.
 * Text output (text, markdown, tables, stderr) shows every such character as a visible escape;
 * JSON and YAML output carry the exact value.
 *
 * Escaped, as `\n` `\r` `\t`, `\xHH` (other C0 controls and DEL) or `\u{HHHH}` (anything else):
 * - C0 controls U+0000–U+001F and DEL U+007F;
 * - C1 controls U+0080–U+009F (some terminals act on them as on ESC sequences);
 * - format characters (Unicode category Cf): bidi marks, embeddings, overrides and isolates
 *   (U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069), zero-width space and joiners
 *   (U+200B–U+200D), word joiner, soft hyphen, byte-order mark, tag characters …;
 * - every other character a terminal draws as nothing (Unicode's Default_Ignorable_Code_Point:
 *   variation selectors, Hangul fillers, reserved invisible code points such as U+2065);
 * - line and paragraph separators (U+2028, U+2029) and every space but U+0020 (no-break space,
 *   en/em spaces, ideographic space …), which pass for an ordinary space or a line break;
 * - lone surrogates (from a JSON `\ud800` escape), which no terminal can show;
 * - noncharacters (U+FDD0–U+FDEF and the last two code points of every plane, U+FFFE and U+FFFF
 *   among them), which are not text: terminals draw them as a box or nothing, and XML 1.0
 *   cannot hold U+FFFE or U+FFFF at all;
 * - the backslash itself (`\\`), so that an escape can never be mistaken for the same text typed
 *   literally: `a\x1b` (four characters) prints as `a\\x1b`.
 *
 * Not escaped, and a stated limit: letters that merely look alike (Latin `a`, Cyrillic `а`),
 * combining marks. Emoji joined by U+200D or styled by a variation selector print with a visible
 * `\u{200d}` or `\u{fe0f}`.
 *
 * @example
 * ```ts
 * escapeText("eth0\x1b]0;pwned\x07"); // "eth0\\x1b]0;pwned\\x07"
 * escapeText("user\u202Egnp.exe"); // "user\\u{202e}gnp.exe"
 * ```
 * @module
 */

/** Characters escapeText() escapes (the space U+0020 is taken out in the replacer). */
const UNSAFE =
  /[\\\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Zs}\p{Cs}\p{Default_Ignorable_Code_Point}\p{Noncharacter_Code_Point}]/u;
const UNSAFE_ALL = new RegExp(UNSAFE.source, "gu");
/** The same without the backslash: for lines already escaped where their values were quoted. */
const CONTROLS =
  /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Zs}\p{Cs}\p{Default_Ignorable_Code_Point}\p{Noncharacter_Code_Point}]/u;
const CONTROLS_ALL = new RegExp(CONTROLS.source, "gu");
/** Printable ASCII but the backslash: the common case, left as it is without a regex replace. */
const PLAIN_ASCII = /^[\x20-\x5b\x5d-\x7e]*$/;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\" };

function escapeOne(ch: string): string {
  if (ch === " ") return ch;
  const named = NAMED[ch];
  if (named !== undefined) return named;
  const cp = ch.codePointAt(0)!;
  if (cp < 0x20 || cp === 0x7f) return `\\x${cp.toString(16).padStart(2, "0")}`;
  return `\\u{${cp.toString(16)}}`;
}

/** `s` with every control, format, invisible-space character and backslash visibly escaped. */
export function escapeText(s: string): string {
  if (PLAIN_ASCII.test(s) || !UNSAFE.test(s)) return s;
  return s.replace(UNSAFE_ALL, escapeOne);
}

/**
 * Like escapeText() but leaves backslashes alone: the last guard on a line whose quoted values
 * were escaped when it was built (error messages), so that nothing raw reaches a terminal.
 */
export function escapeControls(s: string): string {
  if (PLAIN_ASCII.test(s) || !CONTROLS.test(s)) return s;
  return s.replace(CONTROLS_ALL, escapeOne);
}

/** A value in double quotes for messages, escaped as escapeText() does, `"` as `\"`. */
export function quoteText(s: string): string {
  return `"${escapeText(s).replaceAll('"', '\\"')}"`;
}

/**
 * Shortens very long text before it is escaped and measured, keeping both ends: at most `keep`
 * code units from each end around a "…". A 100 MB address must not cost gigabytes to print.
 */
export function clipText(s: string, keep: number): string {
  if (s.length <= 2 * keep + 1) return s;
  let head = keep, tail = s.length - keep;
  // Never split a surrogate pair.
  if (isHighSurrogate(s.charCodeAt(head - 1))) head--;
  if (isHighSurrogate(s.charCodeAt(tail - 1))) tail++;
  return s.slice(0, head) + "…" + s.slice(tail);
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

/**
 * What JSON leaves raw but a YAML reader may not take as written: DEL and the C1 controls, the
 * noncharacters U+FFFE and U+FFFF (all outside YAML's printable set, which PyYAML enforces), the
 * byte-order mark, and NEL, LS and PS, which YAML 1.1 reads as line breaks and folds to a space.
 */
export const YAML_UNPRINTABLE = /[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/;
const YAML_UNPRINTABLE_ALL = new RegExp(YAML_UNPRINTABLE.source, "g");

/**
 * Writes those characters as `\uXXXX` in the text of double-quoted YAML scalars (`"…"`), the only
 * place of a document where they may stand: a YAML escape means the same to every reader.
 */
export function escapeYamlUnprintable(quoted: string): string {
  if (!YAML_UNPRINTABLE.test(quoted)) return quoted;
  return quoted.replace(
    YAML_UNPRINTABLE_ALL,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

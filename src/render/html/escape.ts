/**
 * Escaping for the HTML report: every string that comes from a snapshot (process, interface and
 * user names, labels, warnings, file names) goes through `html()` or `scriptJson()` before it is
 * part of the page.
 *
 * Characters that would not show, or would show as something else (C0 and C1 controls, DEL, tab
 * and newline, bidirectional overrides and isolates, zero-width characters, the BOM, line and
 * paragraph separators, lone surrogates), are drawn as an escape such as `\x1b` or `\u202e`
 * inside a `<span class="ctl">`, so two different names never look the same and nothing can
 * reorder the text around it. The page's script applies the same rule (client.js `visible`).
 */

/** The characters `html()` draws as escapes (global, for replace). */
export const HIDDEN_CHARS =
  // deno-lint-ignore no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The visible escape of one hidden character: `\x1b` below U+0100, `\u202e` above. */
export function escapeCode(ch: string): string {
  const n = ch.charCodeAt(0);
  return n < 0x100
    ? `\\x${n.toString(16).padStart(2, "0")}`
    : `\\u${n.toString(16).padStart(4, "0")}`;
}

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes `& < > " '` only (for text that holds no hidden characters, such as attribute names). */
function entities(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/**
 * Text as HTML, safe in element content and in quoted attribute values; hidden characters become
 * visible escapes (in content, marked up as `<span class="ctl">`).
 *
 * @example
 * ```ts
 * html("<b>\x1b"); // '&lt;b&gt;<span class="ctl" title="U+001B">\\x1b</span>'
 * ```
 */
export function html(s: string): string {
  let out = "";
  let last = 0;
  for (const m of s.matchAll(HIDDEN_CHARS)) {
    const i = m.index;
    out += entities(s.slice(last, i));
    const code = m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
    out += `<span class="ctl" title="U+${code}">${escapeCode(m[0])}</span>`;
    last = i + m[0].length;
  }
  return out + entities(s.slice(last));
}

/**
 * Text without markup, for a quoted attribute value or an element that holds only text (an SVG
 * `<title>`): hidden characters as plain escapes.
 */
export function attr(s: string): string {
  return entities(s.replace(HIDDEN_CHARS, escapeCode));
}

/** What a string looks like on the page: the text with hidden characters as escapes. */
export function visibleText(s: string): string {
  return s.replace(HIDDEN_CHARS, escapeCode);
}

/**
 * JSON for a `<script type="application/json">` element: bigints as numbers while safe and
 * decimal strings beyond (like snapshot counters), and `< > &` U+2028 U+2029 as `\u` escapes so
 * the text can neither close the element nor open a comment.
 */
export function scriptJson(value: unknown): string {
  const max = BigInt(Number.MAX_SAFE_INTEGER);
  const text = JSON.stringify(
    value,
    (_k, v) => typeof v === "bigint" ? (v <= max && v >= -max ? Number(v) : v.toString()) : v,
  );
  return text.replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

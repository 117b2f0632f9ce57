import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { attr, escapeCode, html, scriptJson, visibleText } from "../../src/render/html/escape.ts";

/** What a browser shows for html(s): entities decoded, the escape spans' text kept. */
function shown(markup: string): string {
  return markup
    .replace(/<span class="ctl" title="U\+[0-9A-F]{4}">([^<]*)<\/span>/g, "$1")
    .replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

test("html() escapes markup and quotes", () => {
  assert.equal(
    html(`<script>alert("x")</script>&'`),
    "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;",
  );
});

test("html() draws control, bidi and zero-width characters as marked escapes", () => {
  assert.equal(html("a\x1bb"), 'a<span class="ctl" title="U+001B">\\x1b</span>b');
  assert.equal(html("\u202e"), '<span class="ctl" title="U+202E">\\u202e</span>');
  assert.equal(
    html("\x00\n\t"),
    [0, 10, 9].map((n) => {
      const h = n.toString(16).padStart(2, "0");
      return `<span class="ctl" title="U+00${h.toUpperCase()}">\\x${h}</span>`;
    }).join(""),
  );
  assert.equal(html("\u200b"), '<span class="ctl" title="U+200B">\\u200b</span>');
});

test("html() keeps ordinary Unicode and surrogate pairs, escapes lone surrogates", () => {
  assert.equal(html("café → 😀"), "café → 😀");
  assert.equal(html("a\ud800b"), 'a<span class="ctl" title="U+D800">\\ud800</span>b');
});

test("html() output has no markup but its own escape spans, and shows the visible text", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 60 }), (s) => {
      const h = html(s);
      const stripped = h.replace(/<span class="ctl" title="U\+[0-9A-F]{4}">[^<]*<\/span>/g, "");
      assert.ok(!/[<>"']/.test(stripped), h);
      assert.equal(shown(h), visibleText(s));
    }),
    { numRuns: 500 },
  );
});

test("two different strings never look the same once their escapes are marked", () => {
  // A literal backslash-x sequence is plain text; an escape is inside a span.ctl.
  assert.notEqual(html("\\x1b"), html("\x1b"));
  assert.equal(visibleText("a\x1bb"), "a\\x1bb");
  assert.equal(escapeCode("\x7f"), "\\x7f");
});

test("attr() gives quoted-attribute text with escapes and no markup", () => {
  assert.equal(attr(`"><x a='1'>\x1b`), "&quot;&gt;&lt;x a=&#39;1&#39;&gt;\\x1b");
});

test("scriptJson() cannot close its script element and parses back to the value", () => {
  const value = { s: "</script><!-- \u2028\u2029 & <b>", n: 12n, big: 2n ** 70n, list: [1, null] };
  const text = scriptJson(value);
  assert.ok(!/[<>&\u2028\u2029]/.test(text), text);
  assert.deepEqual(JSON.parse(text), {
    s: value.s,
    n: 12,
    big: (2n ** 70n).toString(),
    list: [1, null],
  });
});

test("scriptJson() round-trips any JSON value and never emits < > & U+2028 U+2029", () => {
  fc.assert(
    fc.property(fc.jsonValue(), (v) => {
      const text = scriptJson(v);
      assert.ok(!/[<>&\u2028\u2029]/.test(text));
      assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(v)));
    }),
    { numRuns: 300 },
  );
});

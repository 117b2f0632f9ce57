/**
 * Tables measure terminal cells, not code points: wide CJK characters and emoji take two columns,
 * combining marks none, so columns stay aligned; cutting never splits a character, and no cell is
 * wider than MAX_CELL_WIDTH.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  MAX_CELL_WIDTH,
  renderTable,
  textWidth,
  truncateEnd,
  truncateMiddle,
} from "../../src/render/table.ts";

test("textWidth() counts wide characters and emoji as two columns, marks as none", () => {
  assert.equal(textWidth("nginx"), 5);
  assert.equal(textWidth("日本語"), 6);
  assert.equal(textWidth("🙂"), 2);
  assert.equal(textWidth("👨‍👩‍👧"), 2);
  assert.equal(textWidth("e\u0301"), 1);
  assert.equal(textWidth("…"), 1);
});

test("renderTable() aligns columns after wide names", () => {
  const text = renderTable(
    [{ header: "Name" }, { header: "Value", align: "right" }, { header: "Note" }],
    [["日本語", "1", "x"], ["🙂🙂", "22", "y"], ["ascii", "333", "z"], [
      "e\u0301t\u00e9",
      "4",
      "w",
    ]],
  );
  assert.equal(
    text,
    [
      "Name    Value  Note",
      "日本語      1  x",
      "🙂🙂       22  y",
      "ascii     333  z",
      "e\u0301té         4  w",
      "",
    ].join("\n"),
  );
});

test("truncation counts columns and never splits a character", () => {
  assert.equal(truncateEnd("日本語テキスト", 7), "日本語…");
  assert.equal(textWidth(truncateEnd("日本語テキスト", 7)), 7);
  assert.equal(truncateEnd("🙂🙂🙂", 4), "🙂…");
  assert.equal(truncateMiddle("日本語テキスト", 7), "日…スト");
  assert.equal(truncateMiddle("ab👨‍👩‍👧cd👨‍👩‍👧ef", 7), "ab…👨‍👩‍👧ef");
});

test("a cell is never wider than MAX_CELL_WIDTH, escapes included", () => {
  const huge = "2001:db8:" + "a".repeat(1_000_000);
  const text = renderTable([{ header: "Address" }, { header: "Port" }], [
    [huge, "1"],
    ["::1", "2"],
    ["\x1b".repeat(500), "3"],
  ]);
  for (const line of text.split("\n")) {
    assert.ok(textWidth(line) <= MAX_CELL_WIDTH + 2 + 4, `line of ${textWidth(line)} columns`);
  }
  assert.match(text, /^2001:db8:a+… {2}1$/m);
  assert.match(text, /^(\\x1b)+[\\x1b]*… {2}3$/m, "the escapes, cut");
});

/**
 * Tables measure terminal cells, not code points: wide CJK characters and emoji take two columns,
 * combining marks none, so columns stay aligned; cutting never splits a character, and no cell is
 * wider than MAX_CELL_WIDTH.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type Column,
  CONTINUATION_INDENT,
  foldLine,
  MAX_CELL_WIDTH,
  renderTable,
  textWidth,
  truncateEnd,
  truncateMiddle,
} from "../../src/render/table.ts";
import { arbIPv6 } from "../helpers/arbitrary.ts";

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

/** A column of a generated table: shrinkable or not, and whether it may leave the row. */
const arbColumn = fc.record({
  header: fc.constantFrom("Proto", "Local Address", "State", "User", "Iface", "PID/Program"),
  shrink: fc.boolean(),
  middle: fc.boolean(),
  wrap: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
}).map(({ middle, wrap, ...c }): Column => ({
  ...c,
  ...(middle ? { truncate: truncateMiddle } : {}),
  ...(wrap === undefined ? {} : { wrap }),
}));

/** Cell text as views have it: names, addresses, numbers, wide characters. */
const arbCell = fc.oneof(
  fc.stringMatching(/^[a-z0-9.:-]{1,24}$/),
  arbIPv6,
  fc.constantFrom("veth-a0", "veth-b0", "vethab12cd34ef0", "vethab12cd34ef1", "日本語テキスト"),
);

test("renderTable() at a width: no line is wider, and rows that differ stay different", () => {
  fc.assert(
    fc.property(
      fc.array(arbColumn, { minLength: 2, maxLength: 8 }),
      fc.array(fc.array(arbCell, { minLength: 8, maxLength: 8 }), { minLength: 1, maxLength: 8 }),
      fc.integer({ min: 40, max: 100 }),
      (cols, rows, width) => {
        // Every column but the first may give way, as the show views declare them.
        const columns = cols.map((c, i): Column => {
          const { wrap, ...rest } = c;
          return i === 0 ? rest : { ...rest, wrap: wrap ?? 9 };
        });
        // The first cell is short (a protocol), so the row can always fit.
        const cells = rows.map((r) => ["tcp", ...r.slice(1, columns.length)]);
        const text = renderTable(columns, cells, { width });
        for (const line of text.split("\n")) {
          assert.ok(textWidth(line) <= width, `${textWidth(line)} > ${width}: ${line}`);
        }
        // A row with its continuation lines is one block; two different rows, two blocks.
        const blocks: string[] = [];
        for (const line of text.split("\n").slice(1, -1)) {
          if (line.startsWith(" ".repeat(CONTINUATION_INDENT))) blocks[blocks.length - 1] += line;
          else blocks.push(line);
        }
        const keyOf = (r: string[]) => JSON.stringify(r);
        const seen = new Map<string, string>();
        cells.forEach((r, i) => {
          const was = seen.get(blocks[i]!);
          assert.ok(was === undefined || was === keyOf(r), `two rows print alike: ${blocks[i]}`);
          seen.set(blocks[i]!, keyOf(r));
        });
      },
    ),
    { numRuns: 300 },
  );
});

test("a shrunk column keeps different values different: veth-a0 and veth-b0 never both veth-…", () => {
  const rows = [["tcp", "veth-a0", "x".repeat(70)], ["tcp", "veth-b0", "x".repeat(70)]];
  const text = renderTable(
    [{ header: "P" }, { header: "Iface", shrink: true, minWidth: 3 }, { header: "Rest" }],
    rows,
    { width: 60 },
  );
  assert.match(text, /veth-a0/);
  assert.match(text, /veth-b0/);
  // Names that differ only at the end keep their end when cut in the middle.
  const mid = renderTable(
    [{ header: "Iface", shrink: true, minWidth: 3, truncate: truncateMiddle }, { header: "R" }],
    [["vethab12cd34ef0", "y".repeat(60)], ["vethab12cd34ef1", "y".repeat(60)]],
    { width: 72 },
  );
  const names = mid.split("\n").slice(1, 3).map((l) => l.split(" ")[0]);
  assert.equal(new Set(names).size, 2, mid);
});

test("foldLine() folds at spaces, indents what follows, counts leading tabs as a terminal does", () => {
  assert.deepEqual(foldLine("  tcp 0.0.0.0:80: published on host 127.0.0.1:8080", 30), [
    "  tcp 0.0.0.0:80: published on",
    "    host 127.0.0.1:8080",
  ]);
  const tabbed = foldLine('\t\tiifname "docker0" oifname != "docker0" counter jump X', 40);
  assert.equal(tabbed[0], '\t\tiifname "docker0"');
  assert.equal(tabbed[1], '\t\t  oifname != "docker0"');
  assert.ok(tabbed.every((l) => 16 + textWidth(l.replace(/^\t+/, "")) <= 40), tabbed.join("|"));
  assert.deepEqual(foldLine("a".repeat(25), 10), [
    "a".repeat(10),
    "  " + "a".repeat(8),
    "  " + "a".repeat(7),
  ]);
});

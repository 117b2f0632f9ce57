/**
 * writeYaml(): the YAML the diff, fleet diff and timeline documents are written in holds only
 * characters YAML 1.1 and 1.2 readers take as written, quotes what 1.1 would read as another
 * type, and reads back to the same data.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { parse } from "yaml";
import { writeYaml } from "../../src/util/yaml.ts";
import { hostile } from "../helpers/hostile.ts";

/** YAML 1.2's printable set less NEL, LS, PS (line breaks to YAML 1.1) and the byte-order mark. */
const YAML_WRITTEN =
  /^[\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\u{10000}-\u{10ffff}]*$/u;

test("writeYaml() quotes and escapes what YAML readers refuse or fold, keys and values", () => {
  const data = { "k\u0085": ["nel\u0085x", "n\ufffe", "d\x7f", "l\u2028s", "c1\x9b", "bom\ufeff"] };
  const text = writeYaml(data);
  assert.match(text, YAML_WRITTEN);
  assert.match(text, /^"k\\u0085":\n {2}- "nel\\u0085x"\n {2}- "n\\ufffe"\n/);
  assert.deepEqual(parse(text), data);
});

test("writeYaml() quotes the words and numbers YAML 1.1 would read as something else", () => {
  const data = { w: ["yes", "on", "y", "12:30", "0b11", "1_000", "2026-03-01T12:00:00.000Z"] };
  assert.equal(
    writeYaml(data),
    'w:\n  - "yes"\n  - "on"\n  - "y"\n  - "12:30"\n  - "0b11"\n  - "1_000"\n' +
      '  - "2026-03-01T12:00:00.000Z"\n',
  );
  assert.equal(writeYaml({ name: "eth0", port: 80, up: true }), "name: eth0\nport: 80\nup: true\n");
});

test("property: writeYaml() text is printable to every YAML reader and reads back the same", () => {
  fc.assert(
    fc.property(
      fc.dictionary(hostile, fc.array(hostile, { maxLength: 4 }), { maxKeys: 4 }),
      (d) => {
        const text = writeYaml(d);
        assert.match(text, YAML_WRITTEN);
        // As JSON: fast-check's dictionaries have no prototype, and it draws "__proto__" keys.
        assert.equal(JSON.stringify(parse(text)), JSON.stringify(d));
      },
    ),
    { numRuns: 300 },
  );
});

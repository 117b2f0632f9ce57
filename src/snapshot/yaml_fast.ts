/**
 * A fast reader for the YAML nsnap writes. The `yaml` package takes ~30 s for 100k sockets; this
 * reads the plain block subset that serialize.ts emits — block mappings and sequences, plain
 * identifiers and dotted IPv4, JSON-style double-quoted strings, decimal numbers, true/false,
 * [] and {} — and gives up (returns undefined) on anything else: comments, anchors, tags, flow
 * collections, multi-line scalars, duplicate keys, tabs. The full parser then reads the text and
 * words any error. tests/snapshot/yaml_fast_test.ts holds the two to the same results. Mappings
 * come back without a prototype, so a key such as `__proto__` is only a key.
 */

import { dict } from "../util/record.ts";

/** Words some YAML reader takes for a boolean or null; plain ones are left to the full parser. */
const WORDS = /^(?:y|n|yes|no|on|off|true|false|null)$/i;
const PLAIN = /^[A-Za-z_][A-Za-z0-9_./+-]*$|^[0-9]{1,3}(?:\.[0-9]{1,3}){3}(?:\/[0-9]{1,2})?$/;
const INT = /^-?(?:0|[1-9][0-9]*)$/;
const FLOAT = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$/;
const QUOTED = /^"(?:[^"\\]|\\.)*"/;

/** Thrown inside the reader when the text leaves the subset. */
class GiveUp extends Error {}

interface Line {
  indent: number;
  text: string;
}

/** Reads nsnap's YAML subset into plain data, or returns undefined for the full parser to read. */
export function parseNsnapYaml(source: string): unknown {
  const lines: Line[] = [];
  for (const raw of source.split("\n")) {
    const text = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    // Indentation is spaces only: a tab (or any other white space) before the text is for the
    // full parser to judge (YAML refuses tabs as indentation), never read as a deeper level.
    let indent = 0;
    while (text.charCodeAt(indent) === 32) indent++;
    const body = text.slice(indent);
    if (body === "") continue;
    if (/^\s/.test(body) || body.includes("\t") || body[0] === "#" || body.startsWith("---")) {
      return undefined;
    }
    lines.push({ indent, text: body });
  }
  if (lines.length === 0 || lines[0]!.indent !== 0) return undefined;
  const reader = new Reader(lines);
  try {
    const doc = reader.mapping(0);
    return reader.pos === lines.length ? doc : undefined;
  } catch (err) {
    if (err instanceof GiveUp || err instanceof RangeError) return undefined;
    throw err;
  }
}

class Reader {
  pos = 0;
  constructor(private readonly lines: Line[]) {}

  /** A block value starting on the next line, deeper than `parent`. */
  private nested(parent: number): unknown {
    const next = this.lines[this.pos];
    if (!next || next.indent <= parent) throw new GiveUp();
    return next.text === "-" || next.text.startsWith("- ")
      ? this.sequence(next.indent)
      : this.mapping(next.indent);
  }

  mapping(indent: number): Record<string, unknown> {
    // Keys are input text: "__proto__" or "constructor" must be plain keys.
    const out = dict<unknown>();
    for (
      let line = this.lines[this.pos];
      line && line.indent === indent;
      line = this.lines[this.pos]
    ) {
      if (line.text === "-" || line.text.startsWith("- ")) throw new GiveUp();
      const entry = splitEntry(line.text);
      if (!entry) throw new GiveUp();
      const [key, rest] = entry;
      if (Object.hasOwn(out, key)) throw new GiveUp();
      this.pos++;
      out[key] = rest === "" ? this.nested(indent) : scalar(rest);
    }
    this.checkEnd(indent);
    return out;
  }

  private sequence(indent: number): unknown[] {
    const out: unknown[] = [];
    for (
      let line = this.lines[this.pos];
      line && line.indent === indent;
      line = this.lines[this.pos]
    ) {
      if (line.text === "-") {
        this.pos++;
        out.push(this.nested(indent));
        continue;
      }
      if (!line.text.startsWith("- ")) throw new GiveUp();
      const rest = line.text.slice(2);
      if (rest.startsWith(" ")) throw new GiveUp();
      if (splitEntry(rest)) {
        // "- key: value" opens a mapping whose keys line up two columns in.
        this.lines[this.pos] = { indent: indent + 2, text: rest };
        out.push(this.mapping(indent + 2));
      } else {
        this.pos++;
        out.push(scalar(rest));
      }
    }
    this.checkEnd(indent);
    return out;
  }

  /** A block ends at a shallower line; a deeper one here is outside the subset. */
  private checkEnd(indent: number): void {
    const line = this.lines[this.pos];
    if (line && line.indent > indent) throw new GiveUp();
  }
}

/** Splits `key: value` / `key:` into key and value text; undefined when it is no such entry. */
function splitEntry(text: string): [string, string] | undefined {
  let key: string, after: string;
  if (text[0] === '"') {
    const m = QUOTED.exec(text);
    if (!m) return undefined;
    key = parseQuoted(m[0]);
    after = text.slice(m[0].length);
  } else {
    const colon = text.indexOf(":");
    if (colon <= 0) return undefined;
    key = text.slice(0, colon);
    if (!PLAIN.test(key) || WORDS.test(key)) return undefined;
    after = text.slice(colon);
  }
  if (after === ":") return [key, ""];
  if (!after.startsWith(": ") || after[2] === " ") return undefined;
  return [key, after.slice(2)];
}

function parseQuoted(text: string): string {
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v === "string") return v;
  } catch { /* YAML-only escapes or raw control characters: not the subset */ }
  throw new GiveUp();
}

/** A scalar as the full parser (YAML 1.2 core schema, big integers kept as text) reads it. */
function scalar(text: string): unknown {
  if (text[0] === '"') {
    const m = QUOTED.exec(text);
    if (!m || m[0].length !== text.length) throw new GiveUp();
    return parseQuoted(text);
  }
  if (text === "[]") return [];
  if (text === "{}") return {};
  if (text === "true") return true;
  if (text === "false") return false;
  if (INT.test(text)) {
    const n = Number(text);
    if (Number.isSafeInteger(n)) return n === 0 ? 0 : n;
    return BigInt(text).toString();
  }
  if (FLOAT.test(text)) return Number(text);
  if (PLAIN.test(text) && !WORDS.test(text)) return text;
  throw new GiveUp();
}

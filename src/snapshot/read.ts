/**
 * Reading snapshots: a file, or `-` for standard input; gzip recognised by its magic bytes, JSON or
 * YAML by the content. Anything nsnap cannot use becomes one `InputError` line naming the file and,
 * for a document, the path inside it:
 * `Cannot read snapshot b.json: connections[12].localPort: expected integer, got "ssh"`.
 *
 * Decisions:
 * - Size limit (default 512 MiB, `DEFAULT_MAX_BYTES`) applies to the file as stored and again to
 *   its decompressed content; the file size is checked before anything is read.
 * - Duplicate keys are refused in YAML (the parser's own check) and in JSON (a cheap count of
 *   ':' outside strings against the parsed document; on a mismatch the text is located exactly).
 * - Unknown fields load and are dropped (additions in a later v1 stay readable); another schema,
 *   or a newer major version, is refused with a line that says which.
 * - YAML alias expansion is bounded (`maxAliasCount`), so an alias bomb fails fast.
 */
import { promises as fsp } from "node:fs";
import { createReadStream } from "node:fs";
import { gunzipSync } from "node:zlib";
import { parseDocument } from "yaml";
import { describeValue, errnoText, InputError } from "../errors.ts";
import { formatBytes } from "../format.ts";
import type { Snapshot } from "../model.ts";
import { SCHEMA_ID } from "../model.ts";
import { stdinChunks } from "../runtime/process.ts";
import { Snapshot as SnapshotSchema } from "../schema.ts";
import { locateJsonError } from "./json_error.ts";
import { countColons, type FastConnections, fastConnections } from "./fast_path.ts";
import { parseNsnapYaml } from "./yaml_fast.ts";

/** Default limit on a snapshot's size, stored and decompressed: 512 MiB. */
export const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;

/** YAML aliases allowed in one document (real snapshots have none). */
const MAX_YAML_ALIASES = 100;

/** How to read a snapshot. */
export interface ReadOptions {
  /** Largest accepted size in bytes, stored and decompressed (default `DEFAULT_MAX_BYTES`). */
  maxBytes?: number;
}

/** The name an operand goes by in messages. */
export function operandName(operand: string): string {
  return operand === "-" ? "<stdin>" : operand;
}

function fail(name: string, what: string): InputError {
  return new InputError(`Cannot read snapshot ${name}: ${what}`);
}

/** Reads a snapshot from a file or `-` (standard input) and validates it. */
export async function readSnapshot(operand: string, opts: ReadOptions = {}): Promise<Snapshot> {
  const limit = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const name = operandName(operand);
  const tooBig = (size: string) =>
    fail(
      name,
      `${size} exceeds the size limit of ${formatBytes(limit)} (raise it with --max-size)`,
    );
  let bytes: Uint8Array;
  if (operand === "-") {
    try {
      bytes = await readLimited(stdinChunks(), limit);
    } catch (err) {
      if (err instanceof RangeError) throw tooBig("input");
      throw fail(name, errnoText(err));
    }
  } else {
    try {
      const st = await fsp.stat(operand);
      if (st.isDirectory()) throw fail(name, errnoText({ code: "EISDIR" }));
      if (st.isFile()) {
        if (st.size > limit) throw tooBig(`file is ${formatBytes(st.size)}, which`);
        bytes = await fsp.readFile(operand);
      } else {
        // A pipe or device (`<(gunzip -c a.gz)`, /dev/stdin): read it, counting as we go.
        bytes = await readLimited(createReadStream(operand), limit);
      }
    } catch (err) {
      if (err instanceof InputError) throw err;
      if (err instanceof RangeError) throw tooBig("input");
      throw fail(name, errnoText(err));
    }
  }
  return parseSnapshotBytes(bytes, name, { maxBytes: limit });
}

/** Reads a stream to its end, refusing (RangeError) once it passes `limit` bytes. */
async function readLimited(source: AsyncIterable<unknown>, limit: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of source) {
    const c = chunk as Uint8Array;
    size += c.length;
    if (size > limit) throw new RangeError(`more than ${limit} bytes`);
    chunks.push(c);
  }
  return concat(chunks, size);
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/** Decodes, parses and validates snapshot bytes; `name` is what error messages call the input. */
export function parseSnapshotBytes(
  bytes: Uint8Array,
  name: string,
  opts: ReadOptions = {},
): Snapshot {
  const limit = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  if (bytes.length === 0) throw fail(name, "file is empty");
  if (bytes.length > limit) {
    throw fail(
      name,
      `input exceeds the size limit of ${formatBytes(limit)} (raise it with --max-size)`,
    );
  }
  let data = bytes;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    data = gunzip(bytes, name, limit);
    if (data.length === 0) throw fail(name, "gzip content is empty");
  } else if (/\.gz$/i.test(name)) {
    throw fail(name, "named .gz but is not gzip data (no 1f 8b header)");
  }
  const text = decodeText(data, name);
  const first = /\S/.exec(text)?.[0];
  const json = first === "{" || first === "[";
  const doc = json ? parseJson(text, name) : parseYaml(text, name);
  checkDocument(doc, name);
  // Connections take the fast path when every one is plainly valid; zod checks the rest.
  const record = doc as Record<string, unknown>;
  const fast = fastConnections(record.connections);
  if (json) checkJsonDuplicates(text, doc, name, fast);
  return validate(fast ? { ...record, connections: [] } : doc, name, fast);
}

function gunzip(bytes: Uint8Array, name: string, limit: number): Uint8Array {
  try {
    return gunzipSync(bytes, { maxOutputLength: limit });
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (e.code === "ERR_BUFFER_TOO_LARGE" || err instanceof RangeError) {
      throw fail(
        name,
        `decompresses to more than the size limit of ${
          formatBytes(limit)
        } (raise it with --max-size)`,
      );
    }
    const why = /unexpected end/i.test(e.message ?? "")
      ? "truncated gzip data (unexpected end of file)"
      : `corrupt gzip data (${(e.message ?? String(err)).split("\n")[0]})`;
    throw fail(name, why);
  }
}

function decodeText(data: Uint8Array, name: string): string {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(data);
  } catch {
    throw fail(name, "binary data, not a snapshot (not valid UTF-8 text)");
  }
  if (text.includes("\0")) throw fail(name, "binary data, not a snapshot (contains NUL bytes)");
  if (text.trim() === "") throw fail(name, "file is empty (only whitespace)");
  return text;
}

function parseJson(text: string, name: string): unknown {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    const loc = locateJsonError(text);
    if (loc) {
      throw fail(name, `malformed JSON at line ${loc.line}, column ${loc.column}: ${loc.reason}`);
    }
    if (err instanceof RangeError) throw fail(name, "JSON nested too deeply");
    throw fail(name, `malformed JSON: ${(err as Error).message}`);
  }
  return doc;
}

/**
 * Refuses JSON with a duplicate key, which JSON.parse would silently resolve (last wins): the
 * text holds one ':' per key plus those inside strings, so a surplus means a key was dropped.
 * The fast path has counted the connections' keys already; only when that count falls short
 * (an unknown field, or a real duplicate) is everything counted, and only a surplus then is
 * located exactly.
 */
function checkJsonDuplicates(
  text: string,
  doc: unknown,
  name: string,
  fast: FastConnections | undefined,
): void {
  const inText = countColons(text);
  if (fast) {
    const rest = { ...(doc as Record<string, unknown>), connections: [] };
    if (inText <= fast.keys + fast.colons + countKeysAndColons(rest)) return;
  }
  if (inText <= countKeysAndColons(doc)) return;
  // Locate it exactly (slow, but only on this path); YAML 1.2 reads JSON.
  const ydoc = parseDocument(text, { uniqueKeys: true, version: "1.2" });
  const dup = ydoc.errors.find((e) => e.code === "DUPLICATE_KEY");
  if (dup) {
    const pos = dup.linePos?.[0];
    const where = pos ? ` at line ${pos.line}, column ${pos.col}` : "";
    throw fail(name, `duplicate key${where} in JSON (each key may appear once)`);
  }
}

/** Counts the keys of a parsed document plus the ':' characters inside its keys and strings. */
function countKeysAndColons(doc: unknown): number {
  let expected = 0;
  const colons = countColons;
  // Iterative walk: deeply nested input must not overflow the stack.
  const stack: unknown[] = [doc];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === "string") {
      if (v.includes(":")) expected += colons(v);
    } else if (Array.isArray(v)) {
      for (const x of v) if (typeof x === "object" || typeof x === "string") stack.push(x);
    } else if (v !== null && typeof v === "object") {
      for (const k in v) {
        expected += 1;
        if (k.includes(":")) expected += colons(k);
        const x = (v as Record<string, unknown>)[k];
        if (typeof x === "object" || typeof x === "string") stack.push(x);
      }
    }
  }
  return expected;
}

function parseYaml(text: string, name: string): unknown {
  // What nsnap wrote reads in a fraction of the time; anything else goes to the full parser.
  const fast = parseNsnapYaml(text);
  if (fast !== undefined) return fast;
  try {
    const doc = parseDocument(text, {
      uniqueKeys: true,
      intAsBigInt: true,
      prettyErrors: true,
      version: "1.2",
    });
    const err = doc.errors[0];
    if (err) {
      const pos = err.linePos?.[0];
      const where = pos ? ` at line ${pos.line}, column ${pos.col}` : "";
      const what = err.code === "DUPLICATE_KEY"
        ? "duplicate key"
        : err.code === "MULTIPLE_DOCS"
        ? "more than one YAML document (a snapshot is one)"
        : firstLine(err.message).replace(/ at line [0-9]+, column [0-9]+:?$/, "");
      throw fail(name, `malformed YAML${where}: ${what}`);
    }
    // Integers come as bigint so that a large unquoted counter keeps its precision; safe ones
    // become numbers again, larger ones the decimal strings the schema accepts.
    return doc.toJS({
      maxAliasCount: MAX_YAML_ALIASES,
      reviver: (_k: unknown, v: unknown) =>
        typeof v === "bigint"
          ? (v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER)
            ? Number(v)
            : v.toString())
          : v,
    });
  } catch (err) {
    if (err instanceof InputError) throw err;
    const msg = (err as Error).message ?? String(err);
    if (/alias/i.test(msg)) {
      throw fail(name, "YAML expands too many aliases (an alias bomb?); refused");
    }
    if (err instanceof RangeError) throw fail(name, "YAML nested too deeply");
    throw fail(name, `malformed YAML: ${firstLine(msg)}`);
  }
}

function firstLine(s: string): string {
  return (s.split("\n")[0] ?? s).replace(/\s+$/, "");
}

/** Checks the document is an object that says it is an nsnap/v1 snapshot. */
function checkDocument(doc: unknown, name: string): void {
  if (typeof doc === "string") {
    const start = doc.trim().split("\n")[0] ?? "";
    throw fail(
      name,
      `not a snapshot: plain text starting with ${
        describeValue(start)
      } (expected a JSON or YAML document with "schema": "${SCHEMA_ID}")`,
    );
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw fail(
      name,
      `not a snapshot: expected an object with "schema": "${SCHEMA_ID}", got ${
        doc === null || doc === undefined
          ? "null"
          : Array.isArray(doc)
          ? "an array"
          : describeValue(doc)
      }`,
    );
  }
  const schema = (doc as Record<string, unknown>).schema;
  if (schema === undefined) {
    throw fail(name, `not a snapshot: no "schema" field (expected "${SCHEMA_ID}")`);
  }
  if (schema !== SCHEMA_ID) {
    const m = typeof schema === "string" ? /^nsnap\/v([0-9]+)$/.exec(schema) : null;
    if (m && Number(m[1]) > 1) {
      throw fail(name, `written by a newer nsnap (${schema}); this reads ${SCHEMA_ID}`);
    }
    if (schema === "nsnap-diff/v1") {
      throw fail(name, `this is an nsnap diff document (${schema}), not a snapshot`);
    }
    throw fail(name, `another schema (${describeValue(schema)}); this reads ${SCHEMA_ID}`);
  }
}

/** Validates against the schema (connections already checked when `fast` is given). */
function validate(doc: unknown, name: string, fast: FastConnections | undefined): Snapshot {
  const r = SnapshotSchema.safeParse(doc);
  if (r.success) return fast ? { ...r.data, connections: fast.connections } : r.data;
  const [first, ...rest] = r.error.issues;
  const more = rest.length > 0 ? ` (and ${rest.length} more)` : "";
  throw fail(name, describeIssue(first!, doc) + more);
}

type Issue = {
  code: string;
  path: PropertyKey[];
  message: string;
  expected?: string;
  values?: unknown[];
  minimum?: unknown;
  maximum?: unknown;
};

/** Formats a document path: `connections[12].localPort`, `processes.123`, `labels["a b"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (typeof seg === "string" && /^[A-Za-z0-9_$-]+$/.test(seg)) {
      out += out === "" ? seg : `.${seg}`;
    } else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out === "" ? "(document)" : out;
}

function valueAt(doc: unknown, path: readonly PropertyKey[]): unknown {
  let v = doc;
  for (const seg of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

const EXPECTED_NAMES: Record<string, string> = {
  int: "integer",
  number: "integer",
  record: "object",
  object: "object",
  array: "array",
  string: "string",
  boolean: "boolean",
};

/** Turns a schema issue into "<path>: expected <what>, got <what>". */
function describeIssue(issue: Issue, doc: unknown): string {
  const path = formatPath(issue.path);
  const value = valueAt(doc, issue.path);
  const got = value === undefined ? "nothing" : describeValue(value);
  const last = issue.path[issue.path.length - 1];
  switch (issue.code) {
    case "invalid_type": {
      const what = last === "durationMs"
        ? "number"
        : EXPECTED_NAMES[issue.expected ?? ""] ?? issue.expected ?? "a value";
      if (value === undefined) {
        return issue.path.length === 1
          ? `${path}: required section missing (expected ${what})`
          : `${path}: required field missing (expected ${what})`;
      }
      return `${path}: expected ${what}, got ${got}`;
    }
    case "too_small":
    case "too_big":
    case "invalid_format":
    case "invalid_union":
      if (issue.path[0] === "counters" || issue.path.includes("stats")) {
        const big = typeof value === "number" && !Number.isSafeInteger(value)
          ? " (beyond 2^53 a counter must be a decimal string)"
          : "";
        return `${path}: expected integer (a number up to 2^53-1, or a decimal string), got ${got}${big}`;
      }
  }
  switch (issue.code) {
    case "too_small":
      return `${path}: expected a value ≥ ${String(issue.minimum)}, got ${got}`;
    case "too_big":
      return `${path}: expected a value ≤ ${String(issue.maximum)}, got ${got}`;
    case "invalid_value":
      return `${path}: expected ${
        (issue.values ?? []).map((v) => JSON.stringify(v)).join(" or ")
      }, got ${got}`;
    case "invalid_format":
    case "invalid_union":
      return `${path}: ${issue.message}, got ${got}`;
    case "invalid_key":
      return `${path}: expected a pid (decimal digits) as key, got ${describeValue(String(last))}`;
    default:
      return `${path}: ${issue.message}`;
  }
}

/**
 * Reading snapshots: a file, or `-` for standard input; gzip recognised by its magic bytes, JSON or
 * YAML by the content. Anything nsnap cannot use becomes one `InputError` line naming the file and,
 * for a document, the path inside it:
 * `Cannot read snapshot b.json: connections[12].localPort: expected integer, got "ssh"`.
 *
 * Decisions:
 * - Size limit (default 512 MiB, `DEFAULT_MAX_BYTES`) applies to the bytes read (never to what
 *   stat says: a device or a /proc file says 0) and again to the decompressed content.
 * - YAML that nsnap wrote takes a fast reader (yaml_fast.ts); any other YAML goes to the general
 *   parser, which costs ~100 bytes of memory per byte of text, and so only up to 8 MiB
 *   (`DEFAULT_MAX_YAML_BYTES`) unless `--max-size` says otherwise. Aliases may add at most
 *   10,000 nodes when expanded (util/yaml.ts), so an alias bomb fails fast.
 * - Duplicate keys are refused: in YAML as the keys come out in plain data (`700` and `"700"`
 *   are one key), in JSON by a cheap count of ':' checked, where it can be fooled (`\u003a`)
 *   or finds a surplus, by an exact scan of the keys.
 * - Records keyed by input text (counters, labels, settings, processes) have no prototype.
 * - Unknown fields load and are dropped (additions in a later v1 stay readable); another schema,
 *   or a newer major version, is refused with a line that says which.
 */
import { readYaml, YamlProblem } from "../util/yaml.ts";
import { describeValue, errnoText, InputError } from "../errors.ts";
import { formatBytes } from "../format.ts";
import type { Snapshot } from "../model.ts";
import { SCHEMA_ID } from "../model.ts";
import { stdinChunks, stdinIsTty, zlib } from "../runtime/process.ts";
import { readFileBounded, TooLargeError } from "../util/read_bounded.ts";
import { z } from "zod";
import { CounterValue, Snapshot as SnapshotSchema } from "../schema.ts";
import { dict, dictFrom } from "../util/record.ts";
import { escapeText } from "../util/escape.ts";
import { findDuplicateKey, locateJsonError } from "./json_error.ts";
import { countColons, type FastConnections, fastConnections } from "./fast_path.ts";
import { parseNsnapYaml } from "./yaml_fast.ts";

/** Default limit on a snapshot's size, stored and decompressed: 512 MiB. */
export const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;

/**
 * Default limit on YAML that leaves nsnap's own layout (8 MiB): the general parser costs about a
 * hundred bytes of memory per byte of text, so 8 MiB peaks near 0.9 GB. `--max-size` raises it.
 */
export const DEFAULT_MAX_YAML_BYTES = 8 * 1024 * 1024;

/** How to read a snapshot. */
export interface ReadOptions {
  /** Largest accepted size in bytes, stored and decompressed (default `DEFAULT_MAX_BYTES`). */
  maxBytes?: number;
  /**
   * Largest YAML text the general parser reads, for YAML outside nsnap's own layout (default
   * the smaller of `maxBytes` and `DEFAULT_MAX_YAML_BYTES`).
   */
  maxYamlBytes?: number;
}

/** The name an operand goes by in messages. */
export function operandName(operand: string): string {
  return operand === "-" ? "<stdin>" : operand;
}

function fail(name: string, what: string): InputError {
  return new InputError(`Cannot read snapshot ${escapeText(name)}: ${what}`);
}

/** Reads a snapshot from a file or `-` (standard input) and validates it. */
export async function readSnapshot(operand: string, opts: ReadOptions = {}): Promise<Snapshot> {
  const limit = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const name = operandName(operand);
  const tooBig = (what: string) =>
    fail(
      name,
      `${what} exceeds the size limit of ${formatBytes(limit)} (raise it with --max-size)`,
    );
  let bytes: Uint8Array;
  if (operand === "-") {
    if (stdinIsTty()) {
      throw fail(
        name,
        "standard input is a terminal (pipe a snapshot into nsnap, or name a file)",
      );
    }
    try {
      bytes = await readLimited(stdinChunks(), limit);
    } catch (err) {
      if (err instanceof RangeError) throw tooBig("input");
      throw fail(name, `standard input cannot be read: ${errnoText(err)}`);
    }
  } else {
    try {
      // Bounded by the bytes read: a device, a FIFO or a /proc file says its size is 0.
      bytes = await readFileBounded(operand, limit);
    } catch (err) {
      if (err instanceof TooLargeError) {
        throw tooBig(
          err.size === undefined ? "the file" : `file is ${formatBytes(err.size)}, which`,
        );
      }
      throw fail(name, errnoText(err));
    }
  }
  return parseSnapshotBytes(bytes, name, opts);
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
  const doc = json
    ? parseJson(text, name)
    : parseYaml(text, name, opts.maxYamlBytes ?? Math.min(limit, DEFAULT_MAX_YAML_BYTES));
  checkDocument(doc, name);
  // Connections take the fast path when every one is plainly valid; zod checks the rest.
  const record = doc as Record<string, unknown>;
  const fast = fastConnections(record.connections);
  if (json) checkJsonDuplicates(text, doc, name, fast);
  return validate(doc, name, fast);
}

function gunzip(bytes: Uint8Array, name: string, limit: number): Uint8Array {
  try {
    return zlib().gunzipSync(bytes, { maxOutputLength: limit });
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
 * Refuses JSON with a duplicate key, which JSON.parse would silently resolve (last wins). Cheap
 * test first: the text holds one ':' per key plus those inside strings; the parsed document says
 * how many keys survived and how many ':' its strings hold, so a surplus means a key was dropped.
 * That count is only sound while no string spells a ':' as `\u003a`, so such text, and any text
 * with a surplus, is scanned exactly (key by key, decoded, a set per object).
 */
function checkJsonDuplicates(
  text: string,
  doc: unknown,
  name: string,
  fast: FastConnections | undefined,
): void {
  if (!/\\u003a/i.test(text)) {
    const inText = countColons(text);
    if (fast) {
      const rest = { ...(doc as Record<string, unknown>), connections: [] };
      if (inText <= fast.keys + fast.colons + countKeysAndColons(rest)) return;
    }
    if (inText <= countKeysAndColons(doc)) return;
  }
  const dup = findDuplicateKey(text);
  if (dup) {
    const where = `at line ${dup.line}, column ${dup.column}`;
    throw fail(name, `duplicate key ${where} in JSON (each key may appear once)`);
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

function parseYaml(text: string, name: string, limit: number): unknown {
  // What nsnap wrote reads in a fraction of the time; anything else goes to the full parser.
  const fast = parseNsnapYaml(text);
  if (fast !== undefined) return fast;
  // The full parser builds a node per value: ~100 bytes of memory per byte of text.
  if (text.length > limit) {
    throw fail(
      name,
      `YAML outside nsnap's own layout (comments, anchors, flow style …) is read only up to ${
        formatBytes(limit)
      }, and this is ${
        formatBytes(text.length)
      } (raise it with --max-size, or convert the file to JSON)`,
    );
  }
  try {
    // Integers come as bigint so that a large unquoted counter keeps its precision; safe ones
    // become numbers again, larger ones the decimal strings the schema accepts.
    return readYaml(text, {
      intAsBigInt: true,
      reviver: (_k: unknown, v: unknown) =>
        typeof v === "bigint"
          ? (v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER)
            ? Number(v)
            : v.toString())
          : v,
    });
  } catch (err) {
    if (err instanceof YamlProblem) throw fail(name, `malformed YAML${err.where}: ${err.what}`);
    if (err instanceof RangeError) throw fail(name, "YAML nested too deeply");
    throw fail(name, `malformed YAML: ${firstLine((err as Error).message ?? String(err))}`);
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
/**
 * Validates a parsed document as the loader does (schema, 64-bit counters, prototype-free records
 * for counters, labels and processes), for anyone who builds one: `Cannot read snapshot <name>:
 * <path>: …` on the first problem.
 *
 * @example
 * ```ts
 * import { validateSnapshot } from "./read.ts";
 * try {
 *   validateSnapshot({ schema: "nsnap/v1" }, "x.json");
 * } catch (e) {
 *   (e as Error).message; // "Cannot read snapshot x.json: meta: required section missing …"
 * }
 * ```
 */
export function validateSnapshot(doc: unknown, name: string): Snapshot {
  checkDocument(doc, name);
  return validate(doc, name, undefined);
}

function validate(doc: unknown, name: string, fast: FastConnections | undefined): Snapshot {
  const raw = doc as Record<string, unknown>;
  // Records keyed by input text are read here, not by zod: zod builds plain objects and drops a
  // "__proto__" key without a word; these keep every key in a prototype-free record.
  const issues: Issue[] = [];
  const counters = readCounters(raw.counters, ["counters"], issues);
  const meta = isObject(raw.meta) ? raw.meta : undefined;
  const labels = readDict(
    meta?.labels,
    ["meta", "labels"],
    (value, at) => checked(z.string(), value, at, issues),
  );
  const settings = readDict(
    raw.settings,
    ["settings"],
    (value, at) => checked(z.string(), value, at, issues),
  );
  if (isObject(raw.processes) && Object.hasOwn(raw.processes, "__proto__")) {
    issues.push({ code: "invalid_key", path: ["processes", "__proto__"], message: "" });
  }
  const forZod: Record<string, unknown> = { ...raw };
  const namespaces = readNamespaceRecords(raw.namespaces, issues);
  if (namespaces) forZod.namespaces = namespaces.forZod;
  if (fast) forZod.connections = [];
  if (counters) forZod.counters = {};
  if (labels && meta) forZod.meta = { ...meta, labels: {} };
  if (settings) forZod.settings = {};
  const r = SnapshotSchema.safeParse(forZod);
  const all = r.success ? issues : [...r.error.issues as Issue[], ...issues];
  if (all.length > 0) {
    const more = all.length > 1 ? ` (and ${all.length - 1} more)` : "";
    throw fail(name, describeIssue(all[0]!, doc) + more);
  }
  const data = r.data!;
  if (fast) data.connections = fast.connections;
  if (counters) data.counters = counters as Snapshot["counters"];
  if (labels) data.meta.labels = labels as Record<string, string>;
  if (settings) data.settings = settings as Record<string, string>;
  data.processes = dictFrom(data.processes);
  if (namespaces && data.namespaces) namespaces.restore(data.namespaces);
  return data;
}

/** A counters map (`{Group: {Name: value}}`) read into prototype-free records. */
function readCounters(
  value: unknown,
  path: PropertyKey[],
  issues: Issue[],
): Record<string, Record<string, bigint>> | undefined {
  return readDict(value, path, (group, at) => {
    const values = readDict(group, at, (v, p) => checked(CounterValue, v, p, issues));
    if (!values) issues.push({ code: "invalid_type", expected: "record", path: at, message: "" });
    return values;
  });
}

/**
 * The records of `namespaces[]` keyed by input text (counters, labels, containers' labels), read
 * as the top-level ones are; zod checks the rest, and `restore` puts them back after it.
 */
function readNamespaceRecords(value: unknown, issues: Issue[]) {
  if (!Array.isArray(value)) return undefined;
  const strings = (v: unknown, at: PropertyKey[]) =>
    readDict(v, at, (x, p) => checked(z.string(), x, p, issues));
  const kept = value.map((n, i) => {
    if (!isObject(n)) return undefined;
    const path = ["namespaces", i];
    const containers = Array.isArray(n.containers)
      ? n.containers.map((c, j) =>
        isObject(c) && c.labels !== undefined
          ? strings(c.labels, [...path, "containers", j, "labels"])
          : undefined
      )
      : [];
    return {
      counters: n.counters === undefined
        ? undefined
        : readCounters(n.counters, [...path, "counters"], issues),
      labels: strings(n.labels, [...path, "labels"]),
      containers,
    };
  });
  const forZod = value.map((n, i) => {
    if (!isObject(n)) return n;
    const k = kept[i]!;
    const o: Record<string, unknown> = { ...n };
    if (k.counters) o.counters = {};
    if (k.labels) o.labels = {};
    if (Array.isArray(n.containers)) {
      o.containers = n.containers.map((c, j) =>
        isObject(c) && k.containers[j] ? { ...c, labels: {} } : c
      );
    }
    return o;
  });
  const restore = (parsed: Snapshot["namespaces"] & object) => {
    parsed.forEach((n, i) => {
      const k = kept[i];
      if (!k) return;
      if (k.counters) n.counters = k.counters;
      if (k.labels) n.labels = k.labels;
      n.containers?.forEach((c, j) => {
        const l = k.containers[j];
        if (l) c.labels = l;
      });
    });
  };
  return { forZod, restore };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * Reads an object's own entries into a prototype-free record, each value through `each` (which
 * records its own issues and returns undefined for a value it refuses). Undefined when `value`
 * is no object.
 */
function readDict<V>(
  value: unknown,
  path: PropertyKey[],
  each: (value: unknown, path: PropertyKey[]) => V | undefined,
): Record<string, V> | undefined {
  if (!isObject(value)) return undefined;
  const out = dict<V>();
  for (const key of Object.keys(value)) {
    const v = each(value[key], [...path, key]);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** Parses one value with a schema, recording its first issue (with the full path) on failure. */
function checked<T>(
  schema: z.ZodType<T>,
  value: unknown,
  path: PropertyKey[],
  issues: Issue[],
): T | undefined {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]! as Issue;
  issues.push({ ...issue, path: [...path, ...issue.path] });
  return undefined;
}

/** One problem the schema found, as zod reports it (the fields the wording below reads). */
export type Issue = {
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
    if (v === null || typeof v !== "object" || !Object.hasOwn(v, seg)) return undefined;
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

const COUNTER_EXPECTED =
  "expected integer from -2^63 to 2^64-1 (a number up to 2^53-1, or a decimal string)";

/**
 * Turns a schema issue into "<path>: expected <what>, got <what>", the path relative to `doc`
 * (the document, or one record of it), every quoted value escaped.
 */
export function describeIssue(issue: Issue, doc: unknown): string {
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
      if (issue.path[0] === "counters" || issue.path.includes("stats")) {
        return `${path}: ${COUNTER_EXPECTED}, got ${got}`;
      }
      break;
    case "invalid_format":
    case "invalid_union":
      if (issue.path[0] === "counters" || issue.path.includes("stats")) {
        const big = typeof value === "number" && !Number.isSafeInteger(value)
          ? " (beyond 2^53 a counter must be a decimal string)"
          : "";
        return `${path}: ${COUNTER_EXPECTED}, got ${got}${big}`;
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

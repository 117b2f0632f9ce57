/**
 * Reading a policy file: YAML (JSON is YAML too) validated against `schema.ts`, every mistake one
 * `InputError` line naming the file, the path inside it and its line:
 * `Cannot read policy p.yaml: listeners.deny[2].prot (line 14): unknown key (known: name, …)`.
 *
 * Decisions:
 * - Bounded like snapshots: at most `MAX_POLICY_BYTES` (1 MiB; a policy is written by people),
 *   at most 100 YAML aliases expanded, duplicate keys refused, one document per file.
 * - Unknown keys are reported before any other mistake at or below the same object: a misspelt
 *   key usually explains the rest.
 * - The parsed YAML document is kept, so that every rule knows the line it was written on and a
 *   violation can point at it (`p.yaml:14`).
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { Document, Node } from "yaml";
import type { z } from "zod";
import { describeValue, errnoText, InputError } from "../errors.ts";
import { escapeText } from "../util/escape.ts";
import { readFileBoundedSync, TooLargeError } from "../util/read_bounded.ts";
import { formatPath } from "../snapshot/read.ts";
import { Policy, POLICY_SCHEMA_ID, type PolicyDocument } from "./schema.ts";

/** Largest policy file accepted: 1 MiB. */
export const MAX_POLICY_BYTES = 1024 * 1024;
const LIMIT_TEXT = "1 MiB";

/** YAML aliases expanded at most (a policy needs none; this stops alias bombs). */
const MAX_ALIASES = 100;

/** A validated policy and where each of its parts was written. */
export interface PolicySource {
  /** The file name, as given (used in messages and annotations). */
  file: string;
  doc: PolicyDocument;
  /** The 1-based line of the node at a path (`["listeners", "deny", 2]`); 1 when unknown. */
  lineOf(path: readonly PropertyKey[]): number;
}

function fail(file: string, what: string): InputError {
  return new InputError(`Cannot read policy ${escapeText(file)}: ${what}`);
}

/**
 * Reads and validates a policy file. Bounded by the bytes read, not by what `stat` says: a
 * device (`/dev/zero`) or a FIFO says 0 bytes and never ends.
 */
export function readPolicy(file: string): PolicySource {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(
      readFileBoundedSync(file, MAX_POLICY_BYTES),
    );
  } catch (e) {
    if (e instanceof TooLargeError) {
      throw fail(file, `larger than the ${LIMIT_TEXT} a policy may be`);
    }
    if (e instanceof TypeError) throw fail(file, "not text (invalid UTF-8)");
    throw fail(file, errnoText(e));
  }
  return parsePolicy(text, file);
}

/** Parses and validates policy text; `file` is what messages call it. */
export function parsePolicy(text: string, file: string): PolicySource {
  if (text.length > MAX_POLICY_BYTES) {
    throw fail(file, `more than the ${LIMIT_TEXT} a policy may be`);
  }
  if (text.trim() === "") throw fail(file, "file is empty");
  const lc = new LineCounter();
  let doc: Document.Parsed;
  let raw: unknown;
  try {
    doc = parseDocument(text, {
      lineCounter: lc,
      uniqueKeys: true,
      version: "1.2",
      prettyErrors: false,
    });
    const err = doc.errors[0];
    if (err) {
      const pos = err.linePos?.[0] ?? lc.linePos(err.pos[0]);
      const what = err.code === "DUPLICATE_KEY"
        ? "duplicate key"
        : err.code === "MULTIPLE_DOCS"
        ? "more than one YAML document (a policy is one)"
        : (err.message.split("\n")[0] ?? "").replace(/ at line [0-9]+, column [0-9]+:?$/, "");
      throw fail(file, `malformed YAML at line ${pos.line}, column ${pos.col}: ${what}`);
    }
    raw = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    if (e instanceof InputError) throw e;
    const msg = (e as Error).message ?? String(e);
    if (/alias/i.test(msg)) {
      throw fail(file, "YAML expands too many aliases (an alias bomb?); refused");
    }
    if (e instanceof RangeError) throw fail(file, "YAML nested too deeply");
    throw fail(file, `malformed YAML: ${msg.split("\n")[0]}`);
  }
  const lineOf = (path: readonly PropertyKey[]) => nodeLine(doc, lc, path);
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw fail(
      file,
      `expected a mapping with "schema: ${POLICY_SCHEMA_ID}", got ${describeValue(raw)}`,
    );
  }
  const schema = (raw as Record<string, unknown>).schema;
  if (schema === undefined) {
    throw fail(file, `not a policy: no "schema" key (expected "schema: ${POLICY_SCHEMA_ID}")`);
  }
  if (schema !== POLICY_SCHEMA_ID) {
    const newer = typeof schema === "string" && /^nsnap-policy\/v([2-9]|[1-9][0-9]+)$/.test(schema);
    throw fail(
      file,
      newer
        ? `written for a newer nsnap (${schema}); this reads ${POLICY_SCHEMA_ID}`
        : `schema (line ${lineOf(["schema"])}): expected "${POLICY_SCHEMA_ID}", got ${
          describeValue(schema)
        }`,
    );
  }
  const r = Policy.safeParse(raw);
  if (!r.success) {
    const { path, message } = describeIssues(r.error.issues as Issue[], raw);
    throw fail(file, `${formatPath(path)} (line ${lineOf(path)}): ${message}`);
  }
  return { file, doc: r.data, lineOf };
}

/** The line of the node at `path`: a key's own line for a mapping entry, else the value's. */
function nodeLine(doc: Document.Parsed, lc: LineCounter, path: readonly PropertyKey[]): number {
  let node: unknown = doc.contents;
  let offset = (node as Node | null)?.range?.[0] ?? 0;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) =>
        isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg)
      );
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === "number") {
      const item = node.items[seg] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return lc.linePos(offset).line;
}

type Issue = {
  code: string;
  path: PropertyKey[];
  message: string;
  expected?: string;
  keys?: string[];
  values?: unknown[];
  minimum?: unknown;
  maximum?: unknown;
  origin?: string;
  errors?: Issue[][];
  issues?: Issue[];
};

function valueAt(doc: unknown, path: readonly PropertyKey[]): unknown {
  let v = doc;
  for (const seg of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

/** The keys the policy schema knows for the object at `path` (for "unknown key" messages). */
export function knownKeysAt(path: readonly PropertyKey[], raw: unknown): string[] {
  let s: z.core.$ZodType | undefined = Policy;
  for (let i = 0; i <= path.length && s; i++) {
    s = unwrap(s, path[i], valueAt(raw, path.slice(0, i)));
    if (i === path.length) break;
    const def = s._zod.def as unknown as Record<string, unknown>;
    const seg = path[i];
    if (def.type === "object") s = (def.shape as Record<string, z.core.$ZodType>)[String(seg)];
    else if (def.type === "array") s = def.element as z.core.$ZodType;
    else if (def.type === "record") s = def.valueType as z.core.$ZodType;
    else return [];
  }
  const def = s?._zod.def as unknown as Record<string, unknown> | undefined;
  return def?.type === "object" ? Object.keys(def.shape as object) : [];
}

/** Looks through optional wrappers and picks the union branch that fits the value's shape. */
function unwrap(
  s: z.core.$ZodType,
  _seg: PropertyKey | undefined,
  value: unknown,
): z.core.$ZodType {
  for (;;) {
    const def = s._zod.def as unknown as Record<string, unknown>;
    if (def.type === "optional" || def.type === "default" || def.type === "nullable") {
      s = def.innerType as z.core.$ZodType;
    } else if (def.type === "pipe") s = def.in as z.core.$ZodType;
    else if (def.type === "union") {
      const options = def.options as z.core.$ZodType[];
      const want = Array.isArray(value)
        ? "array"
        : value !== null && typeof value === "object"
        ? "object"
        : "";
      const pick = options.find((o) => {
        let d = o._zod.def as unknown as Record<string, unknown>;
        while (d.type === "optional" || d.type === "pipe") {
          d = ((d.innerType ?? d.in) as z.core.$ZodType)._zod.def as unknown as Record<
            string,
            unknown
          >;
        }
        return d.type === want;
      });
      if (!pick) return s;
      s = pick;
    } else return s;
  }
}

const TYPE_NAMES: Record<string, string> = {
  int: "an integer",
  number: "a number",
  string: "a string",
  boolean: "true or false",
  array: "a list",
  object: "a mapping",
  record: "a mapping",
};

/** Picks the issue to report (unknown keys first) and words it, its path absolute. */
function describeIssues(issues: readonly Issue[], raw: unknown, base: PropertyKey[] = []): {
  path: PropertyKey[];
  message: string;
} {
  const chosen = issues.find((i) => i.code === "unrecognized_keys") ?? issues[0]!;
  const path = [...base, ...chosen.path];
  const value = valueAt(raw, path);
  const got = value === undefined ? "nothing" : describeValue(value);
  switch (chosen.code) {
    case "unrecognized_keys": {
      const key = chosen.keys?.[0] ?? "?";
      const known = knownKeysAt(path, raw);
      return {
        path: [...path, key],
        message: `unknown key${known.length ? ` (known: ${known.join(", ")})` : ""}`,
      };
    }
    case "invalid_union": {
      // The branch that took the value's type says what is wrong inside it.
      const branches = chosen.errors ?? [];
      const typed = branches.filter((b) =>
        !b.some((i) => i.code === "invalid_type" && i.path.length === 0) &&
        !b.some((i) => i.code === "invalid_value" && i.path.length === 0)
      );
      if (typed.length > 0) return describeIssues(typed[0]!, raw, path);
      const expected = [
        ...new Set(
          branches.flatMap((b) =>
            b.filter((i) => i.path.length === 0).map((i) =>
              i.code === "invalid_value"
                ? (i.values ?? []).map((v) => JSON.stringify(v)).join(" or ")
                : TYPE_NAMES[i.expected ?? ""] ?? i.expected ?? "a value"
            )
          ),
        ),
      ];
      return { path, message: `expected ${expected.join(" or ")}, got ${got}` };
    }
    case "invalid_type":
      return value === undefined
        ? {
          path,
          message: `required key missing (expected ${
            TYPE_NAMES[chosen.expected ?? ""] ?? chosen.expected
          })`,
        }
        : {
          path,
          message: `expected ${TYPE_NAMES[chosen.expected ?? ""] ?? chosen.expected}, got ${got}`,
        };
    case "invalid_value":
      return {
        path,
        message: `expected ${
          (chosen.values ?? []).map((v) => JSON.stringify(v)).join(", ")
        }; got ${got}`,
      };
    case "too_small":
      return {
        path,
        message: chosen.origin === "array"
          ? "expected at least one item"
          : chosen.origin === "string"
          ? "expected a non-empty string"
          : `expected a value ≥ ${String(chosen.minimum)}, got ${got}`,
      };
    case "too_big":
      return { path, message: `expected a value ≤ ${String(chosen.maximum)}, got ${got}` };
    case "invalid_format":
      return { path, message: `${chosen.message}, got ${got}` };
    case "invalid_key":
      return {
        path,
        message: `${chosen.issues?.[0]?.message ?? "invalid key"}, got ${
          describeValue(String(path.at(-1)))
        }`,
      };
    default:
      return { path, message: chosen.message };
  }
}

/**
 * What the readers of container runtimes' JSON files share: one document read (text that is not
 * JSON, or not an object where one is expected, is a `ParseError` naming the file), and the
 * pickers that take a field only when it has the expected type, so that a runtime release that
 * changes a field's type loses that field and nothing else.
 */
import { ParseError } from "../../errors.ts";

/** A JSON object, fields read with the pickers below. */
export type JsonObject = Readonly<Record<string, unknown>>;

/** Parses a JSON document; `ParseError` when it is not JSON. */
export function parseJsonDocument(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ParseError(
      source,
      1,
      text.split("\n")[0] ?? "",
      `not JSON (${(err as Error).message})`,
    );
  }
}

/** Parses a JSON document that must be an object. */
export function parseJsonObject(text: string, source: string): JsonObject {
  const doc = parseJsonDocument(text, source);
  const o = object(doc);
  if (o === undefined) {
    throw new ParseError(source, 1, text.split("\n")[0] ?? "", "expected a JSON object");
  }
  return o;
}

/** The value as an object (not an array, not null), else undefined. */
export function object(v: unknown): JsonObject | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? v as JsonObject : undefined;
}

/** A non-empty string, else undefined. */
export function text(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** A non-negative safe integer, else undefined. */
export function count(v: unknown): number | undefined {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
}

/** The string-valued fields of an object, in a null-prototype record (keys are input text). */
export function stringMap(v: unknown): Record<string, string> | undefined {
  const o = object(v);
  if (o === undefined) return undefined;
  const out: Record<string, string> = Object.create(null);
  let any = false;
  for (const [k, val] of Object.entries(o)) {
    if (typeof val === "string") {
      out[k] = val;
      any = true;
    }
  }
  return any ? out : undefined;
}

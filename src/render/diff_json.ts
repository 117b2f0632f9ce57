/**
 * The `nsnap-diff/v1` document as JSON or YAML text. Bigints are written like snapshot counters:
 * a JSON number while safe (|v| ≤ 2^53-1), a decimal string beyond, so nothing loses precision.
 */
import type { DiffDocument } from "../diff/types.ts";
import { encodeCounter } from "../model.ts";
import { writeYaml } from "../util/yaml.ts";

/** Deep copy with every bigint encoded losslessly and undefined members dropped. */
export function plainDiff(value: unknown): unknown {
  if (typeof value === "bigint") return encodeCounter(value);
  if (Array.isArray(value)) return value.map(plainDiff);
  if (value !== null && typeof value === "object") {
    // Keys can be input text (TCP state names): fromEntries defines each as an own key, so
    // "__proto__" stays a key instead of replacing the prototype.
    return Object.fromEntries(
      Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, plainDiff(v)]),
    );
  }
  return value;
}

/** Renders the diff document as indented JSON with a final newline. */
export function renderDiffJson(doc: DiffDocument): string {
  return JSON.stringify(plainDiff(doc), null, 2) + "\n";
}

/** Renders the diff document as YAML 1.2 (block style, no aliases). */
export function renderDiffYaml(doc: DiffDocument): string {
  return writeYaml(plainDiff(doc));
}

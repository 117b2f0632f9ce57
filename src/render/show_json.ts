/** JSON output of the views (`--format json`): records as the snapshot holds them, counters lossless. */
import { encodeCounter } from "../model.ts";

/** Renders a value as indented JSON; a bigint becomes a number while safe, a decimal string beyond. */
export function renderJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? encodeCounter(v) : v), 2) +
    "\n";
}

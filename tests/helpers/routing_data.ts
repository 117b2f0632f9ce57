/** Reads the captures of tests/testdata/routing (one namespace's state, see its README). */
import { readFileSync } from "node:fs";

/** The text of a capture in tests/testdata/routing. */
export function routingData(name: string): string {
  return readFileSync(new URL(`../testdata/routing/${name}`, import.meta.url), "utf8");
}

/** Shared reading of fixtures and jc's expected parses for the BSD parser tests. */
import { readFileSync } from "node:fs";

const ROOT = new URL("../../testdata/", import.meta.url);

/** Reads a file under tests/testdata/. */
export function testdata(path: string): string {
  return readFileSync(new URL(path, ROOT), "utf8");
}

/** Reads jc's expected parse (a JSON array of records) under tests/testdata/. */
export function jc(path: string): Record<string, unknown>[] {
  return JSON.parse(testdata(path)) as Record<string, unknown>[];
}

/** jc's address text as nsnap writes it: `*` is the family's any-address. */
export function jcAddress(a: unknown, family: "inet" | "inet6"): string {
  if (a === "*") return family === "inet6" ? "::" : "0.0.0.0";
  return String(a);
}

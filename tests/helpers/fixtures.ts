/** Reads the shared parser fixtures (tests/testdata/fixtures) and the jc expected parses beside them. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Absolute path of the fixtures folder. */
export const FIXTURES = fileURLToPath(new URL("../testdata/fixtures/", import.meta.url));

/** The text of a fixture, by its path under the fixtures folder ("linux/ss-a/jc-ubuntu-18.04.txt"). */
export function fixture(path: string): string {
  return readFileSync(FIXTURES + path, "utf8");
}

/** The jc expected parse beside a fixture (same name, .json), as loose records; jc's empty
 * records for blank lines are left out. */
export function jcExpected(path: string): Record<string, unknown>[] {
  const doc = JSON.parse(readFileSync(FIXTURES + path.replace(/\.txt$/, ".json"), "utf8"));
  const list: Record<string, unknown>[] = Array.isArray(doc) ? doc : [doc];
  return list.filter((r) => Object.keys(r).length > 0);
}

/** Every raw fixture (.txt) under a folder of the fixtures tree, as paths relative to it. */
export function fixturePaths(under = ""): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(FIXTURES + rel).sort()) {
      const p = rel === "" ? name : `${rel}/${name}`;
      if (statSync(FIXTURES + p).isDirectory()) walk(p);
      else if (p.endsWith(".txt")) out.push(p);
    }
  };
  walk(under);
  return out;
}

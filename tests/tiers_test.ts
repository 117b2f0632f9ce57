/**
 * The test tiers: tests that spawn processes, make namespaces, run servers or the binary live
 * under tests/system/<area>/; everything else under tests/<area>/ is the unit tier
 * (`deno task test:unit`), pure and quick. This holds every test file to that.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { ROOT } from "./helpers/cli.ts";

/**
 * What only a system test may use: subprocesses, namespaces, sockets, servers, the binary.
 * (node:net's pure parts, such as BlockList, imported by name, are not sockets.)
 */
const SYSTEM_ONLY =
  /node:child_process|helpers\/netns\.ts|helpers\/sockets\.ts|helpers\/binary\.ts"|\/_browser\.ts"|\brunCli\(|\brunChild\(|\bcopyBinary\(|import net from "node:net"|node:dgram"|Deno\.Command|Bun\.spawn/;

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== "testdata" && e.name !== "helpers") out.push(...testFiles(path));
    } else if (e.name.endsWith(".ts")) out.push(relative(ROOT, path));
  }
  return out.sort();
}

const files = testFiles(join(ROOT, "tests"));

test("no unit-tier test file spawns a process, makes a namespace or opens a socket", () => {
  const unit = files.filter((f) => !f.startsWith("tests/system/") && f !== "tests/tiers_test.ts");
  assert.ok(unit.length > 40);
  const offenders = unit.filter((f) => SYSTEM_ONLY.test(readFileSync(join(ROOT, f), "utf8")));
  assert.deepEqual(offenders, [], "move these under tests/system/<area>/");
});

test("every system-tier test file needs the system (else it belongs to the unit tier)", () => {
  const system = files.filter((f) => f.startsWith("tests/system/") && f.endsWith("_test.ts"));
  assert.ok(system.length > 10);
  const pure = system.filter((f) => !SYSTEM_ONLY.test(readFileSync(join(ROOT, f), "utf8")));
  assert.deepEqual(pure, [], "these could run in the unit tier");
});

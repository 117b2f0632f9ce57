/**
 * What a capture loads before it reads the kernel: the modules `capture` reaches through static
 * imports (dynamic ones load only when used). The snapshot schema (zod) alone takes longer to
 * evaluate than an idle capture, so none of the reading side may be among them.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), "../../src");

/** The specifiers a module imports or re-exports at run time (not `import type`, not `import()`). */
function staticImports(text: string): string[] {
  const out: string[] = [];
  const re = /^(?:import|export)\s+(?!type\s)([^;]*?)\s*from\s*"([^"]+)"|^import\s+"([^"]+)"/gms;
  for (const m of text.matchAll(re)) {
    const names = m[1];
    // `import { type A, type B } from` is elided like `import type`.
    if (names !== undefined && /^\{[^}]*\}$/s.test(names)) {
      const parts = names.slice(1, -1).split(",").map((p) => p.trim()).filter(Boolean);
      if (parts.every((p) => p.startsWith("type "))) continue;
    }
    out.push(m[2] ?? m[3]!);
  }
  return out;
}

/** Every module `entry` reaches through static imports: files under src/, and package names. */
function staticGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const todo = [resolve(SRC, entry)];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!file.startsWith("/")) continue;
    for (const spec of staticImports(readFileSync(file, "utf8"))) {
      if (spec.startsWith(".")) todo.push(resolve(dirname(file), spec));
      else if (!spec.startsWith("node:")) seen.add(spec);
    }
  }
  return seen;
}

test("the capture command loads neither the snapshot schema, zod, yaml nor the diff engine up front", () => {
  // The executable's entry runs first, then the capture command's module.
  const graph = new Set([...staticGraph("cli/bin.ts"), ...staticGraph("cli/capture.ts")]);
  const rel = [...graph].map((m) => (m.startsWith(SRC) ? m.slice(SRC.length + 1) : m));
  assert.ok(rel.includes("collect/mod.ts"), "the graph walk found the collector's entry");
  assert.ok(rel.includes("cli/main.ts"), "the graph walk found the CLI's entry");
  for (const heavy of ["schema.ts", "zod", "yaml", "snapshot/read.ts"]) {
    const hits = rel.filter((m) => m === heavy || m.startsWith(`${heavy}/`));
    assert.deepEqual(hits, [], `capture loads ${heavy} up front: ${rel.join(" ")}`);
  }
  assert.deepEqual(rel.filter((m) => m.startsWith("diff/") || m.startsWith("render/")), []);
});

test("the graph walk sees what it must: the reading commands do load the schema", () => {
  const rel = [...staticGraph("cli/diff.ts")].map((m) => m.slice(SRC.length + 1));
  assert.ok(rel.includes("schema.ts"));
});

/**
 * The layer rule of src/ (README, "Layout"): a file imports files of its own folder and of lower
 * layers only — never a higher layer, and never another folder of its own layer. So collect,
 * import and view never import diff or render, parsers never reach the runtime, and the model
 * knows nothing of what is built on it. This test reads every import of src/ and holds it to the
 * table below.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** The layers, lowest first. A unit is a folder of src/ or a file directly in it. */
const LAYERS: readonly (readonly string[])[] = [
  ["util"],
  ["errors.ts", "format.ts", "version.ts"],
  ["fields.ts"],
  ["schema.ts"],
  ["model.ts"],
  ["net"],
  ["parse", "runtime"],
  ["snapshot"],
  ["collect", "import", "view", "diff", "periodic"],
  ["check", "timeline"],
  ["fleet", "watch"],
  ["render"],
  ["cli"],
];

const SRC = fileURLToPath(new URL("../src/", import.meta.url));
const ROOT = dirname(normalize(SRC));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** The specifiers a file imports (static, re-exported, side-effect and dynamic with a literal). */
function importsOf(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const out: string[] = [];
  for (const m of code.matchAll(/^\s*(?:import|export)\b[^"';]*?\bfrom\s*["']([^"']+)["']/gm)) {
    out.push(m[1]!);
  }
  for (const m of code.matchAll(/^\s*import\s*["']([^"']+)["']/gm)) out.push(m[1]!);
  for (const m of code.matchAll(/\bimport\s*\(\s*["']([^"']+)["']\s*\)/g)) out.push(m[1]!);
  return out;
}

/** The unit of a path under src/: its first folder, or the file itself. */
function unitOf(path: string): string {
  return relative(SRC, path).split(/[\\/]/)[0]!;
}

function layerOf(unit: string): number {
  return LAYERS.findIndex((units) => units.includes(unit));
}

test("importsOf() finds static, multi-line, type-only, re-exported and dynamic imports", () => {
  const code = 'import { a,\n  b } from "./x.ts";\nimport type { T } from "../model.ts";\n' +
    'export { c } from "./y.ts";\nimport "./side.ts";\n/* import z from "./no.ts"; */\n' +
    ' * import { q } from "./doc.ts";\nconst m = await import("./lazy.ts");\n';
  assert.deepEqual(importsOf(code), ["./x.ts", "../model.ts", "./y.ts", "./side.ts", "./lazy.ts"]);
});

test("every file of src/ belongs to a layer of the table", () => {
  const units = new Set(files(SRC).map(unitOf));
  const unplaced = [...units].filter((u) => layerOf(u) < 0);
  assert.deepEqual(
    unplaced,
    [],
    "add these to LAYERS in tests/layers_test.ts and to the README's Layout",
  );
});

test("no file of src/ imports from a layer above its own or from another folder of its layer", () => {
  const broken: string[] = [];
  let seen = 0;
  for (const file of files(SRC)) {
    const from = unitOf(file);
    for (const spec of importsOf(readFileSync(file, "utf8"))) {
      if (!spec.startsWith(".")) continue; // npm packages and node: built-ins
      const target = normalize(join(dirname(file), spec));
      seen++;
      if (!target.startsWith(normalize(SRC))) {
        // Leaving src/ is allowed only for the project's own manifests (the version).
        if (!(dirname(target) === ROOT && target.endsWith(".json"))) {
          broken.push(`${relative(ROOT, file)} imports ${spec} (outside src/)`);
        }
        continue;
      }
      const to = unitOf(target);
      if (to === from) continue;
      const a = layerOf(from), b = layerOf(to);
      if (b > a) broken.push(`${relative(ROOT, file)} imports ${spec}: ${to} is above ${from}`);
      else if (b === a) {
        broken.push(`${relative(ROOT, file)} imports ${spec}: ${to} and ${from} share a layer`);
      }
    }
  }
  assert.ok(seen > 200, `only ${seen} imports found: the scanner is broken`);
  assert.deepEqual(broken, []);
});

test("README's layer sentence names the layers of LAYERS, in order", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8").replace(/\s+/g, " ");
  const sentence = /Layers, lowest first: (.*?)\. A file imports/.exec(readme)?.[1];
  assert.ok(sentence, "README.md has the sentence");
  const written = sentence.split(" → ").map((group) => group.split(/, |\//).map((u) => u.trim()));
  assert.deepEqual(written, LAYERS.map((units) => units.map((u) => u.replace(/\.ts$/, ""))));
});

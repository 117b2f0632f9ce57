/**
 * Fuzzing the loader and the importers with hostile mutations of real snapshots and real tool
 * outputs (tests/helpers/mutate.ts): truncation, byte flips, huge numbers, deep nesting, YAML
 * aliases, prototype keys, control characters, escaped colons, gzip.
 *
 * - In a child process, many inputs in a row: each loads or is refused with one InputError line
 *   (never another error), what loads renders, and the child's peak memory stays under
 *   MAX_RSS_MIB (inputs are under 1 MiB; the bound holds the whole run).
 * - Through the real CLI (`nsnap show FILE`, `nsnap import FILE -o OUT`): exit 0 or 2, never 70,
 *   no stack trace, every stderr line an `nsnap:` line, and what import wrote `nsnap show` reads.
 * - The import mode takes the seeds of every format of the registry in turn, and reads what
 *   each import wrote back in JSON and in YAML: an import whose output the loader refuses fails.
 *
 * A few seconds per runtime by default; NSNAP_FUZZ_RUNS=20000 (and NSNAP_FUZZ_SEED=n) for a long
 * run.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { runChild } from "../../helpers/child.ts";
import { runCli } from "../../helpers/cli.ts";
import { Mutator, seedInputs } from "../../helpers/mutate.ts";
import { FORMATS } from "../../../src/import/formats.ts";

const CHILD = fileURLToPath(new URL("./_fuzz_child.ts", import.meta.url));
const RUNS = Number(process.env.NSNAP_FUZZ_RUNS ?? 400);
/** Peak resident memory allowed for a fuzz child, loader and renderers included. */
const MAX_RSS_MIB = 384;
/** A fixed seed, so that a run is repeatable; NSNAP_FUZZ_SEED explores others. */
const SEED = Number(process.env.NSNAP_FUZZ_SEED ?? 1);

for (const mode of ["loader", "import"] as const) {
  test(`fuzz: the ${mode} takes ${RUNS} hostile inputs with one-line refusals and bounded memory`, {
    timeout: 600_000,
  }, () => {
    const r = runChild(CHILD, [mode, String(RUNS), String(SEED)], 600_000);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "", "nothing on stderr (no warnings from libraries either)");
    const out = JSON.parse(r.stdout.trim().split("\n").pop()!);
    assert.equal(out.failure, undefined, `seed ${SEED}: ${JSON.stringify(out.failure)}`);
    assert.equal(out.loaded + out.refused, RUNS);
    assert.ok(out.refused > 0, "the mutations did break inputs");
    assert.ok(out.maxRssMiB < MAX_RSS_MIB, `peak ${out.maxRssMiB.toFixed(0)} MiB (seed ${SEED})`);
    if (mode === "import") {
      // Every format of the registry had its seeds mutated.
      const missing = FORMATS.map((f) => f.id).filter((id) => !(out.perFormat[id] > 0));
      assert.deepEqual(missing, [], "formats never fuzzed");
    }
  });
}

test("fuzz: through the CLI, show and import exit 0 or 2 with nsnap lines, never a stack", () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-fuzz-cli-"));
  try {
    const n = Math.max(4, Math.min(40, Math.floor(RUNS / 50)));
    for (const mode of ["loader", "import"] as const) {
      const mutator = new Mutator(SEED + (mode === "import" ? 1 : 0), mode === "loader");
      const seeds = seedInputs(mode);
      for (let i = 0; i < n; i++) {
        const f = join(dir, `${mode}-${i}.${mode === "loader" ? "json" : "txt"}`);
        writeFileSync(f, mutator.mutate(mutator.pick(seeds)));
        const out = join(dir, `${mode}-${i}.out.json`);
        const args = mode === "loader" ? ["show", "-a", f] : ["import", f, "-o", out];
        const r = runCli(args, { cwd: dir });
        const what = `${args.join(" ")} (seed ${SEED})`;
        assert.ok(r.code === 0 || r.code === 2, `${what}: exit ${r.code}: ${r.stderr}`);
        assert.doesNotMatch(r.stderr, /internal error|\n\s+at \S+ \(|^\s+at /m, what);
        for (const line of r.stderr.split("\n").filter((l) => l !== "")) {
          assert.match(line, /^nsnap: /, `${what}: ${line}`);
        }
        if (mode === "import" && r.code === 0) {
          // What import wrote, show reads.
          const show = runCli(["show", "-a", out], { cwd: dir });
          assert.equal(show.code, 0, `show of ${what}: ${show.stderr}`);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

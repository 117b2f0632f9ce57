/**
 * Child process for fuzz_hostile_test.ts: mutates real snapshots (mode `loader`) or real tool
 * outputs (mode `import`) RUNS times from SEED (tests/helpers/mutate.ts), feeds each to the
 * loader (or the importers, whose snapshot the loader must then read back), renders what loaded
 * with the text views, and prints one JSON line: how many inputs loaded, how many were refused
 * with an InputError or ParseError, the first unexpected error (with its input, base64), and the
 * process's peak resident memory.
 *
 *   _fuzz_child.ts loader|import RUNS SEED
 */
import process from "node:process";
import { peakRssMiB } from "../../helpers/child.ts";
import { InputError, ParseError } from "../../../src/errors.ts";
import { parseSnapshotBytes } from "../../../src/snapshot/read.ts";
import { importFiles } from "../../../src/import/mod.ts";
import { normalizeSnapshot } from "../../../src/snapshot/normalize.ts";
import { serializeSnapshot } from "../../../src/snapshot/serialize.ts";
import { renderConnections } from "../../../src/render/show_connections.ts";
import { renderStatistics } from "../../../src/render/show_stats.ts";
import { protocolStatistics } from "../../../src/view/stats.ts";
import { diffSnapshots } from "../../../src/diff/mod.ts";
import { renderDiffText } from "../../../src/render/diff_text.ts";
import type { Snapshot } from "../../../src/model.ts";
import { Mutator, seedInputs } from "../../helpers/mutate.ts";

const [mode, runsText, seedText] = process.argv.slice(2) as ["loader" | "import", string, string];
const RUNS = Number(runsText ?? 200);
const mutator = new Mutator(Number(seedText ?? 1), mode === "loader");
const seeds = seedInputs(mode);
const enc = new TextEncoder();

let loaded = 0, refused = 0;
let failure: { error: string; input: string } | undefined;
const expected = (err: unknown) => err instanceof InputError || err instanceof ParseError;

/** The text views must take whatever loaded, too. */
function render(s: Snapshot): void {
  renderConnections(s, s.connections, { user: true, inode: true, width: 80 });
  renderStatistics(protocolStatistics(s.counters));
  renderDiffText(diffSnapshots(s, s));
}

for (let i = 0; i < RUNS && !failure; i++) {
  const input = mutator.mutate(mutator.pick(seeds));
  try {
    if (mode === "import") {
      const text = new TextDecoder().decode(input);
      const s = importFiles([{ name: "fuzz.txt", text }]);
      // What an importer writes, the loader must read back.
      parseSnapshotBytes(enc.encode(serializeSnapshot(normalizeSnapshot(s), "json")), "fuzz.json");
      render(s);
    } else {
      const s = parseSnapshotBytes(input, "fuzz.json", { maxBytes: 4 * 1024 * 1024 });
      render(s);
    }
    loaded++;
  } catch (err) {
    if (expected(err)) {
      refused++;
      const msg = (err as Error).message;
      if (msg.includes("\n")) failure = { error: `two lines: ${msg}`, input: "" };
    } else {
      failure = {
        error: `${(err as Error)?.name}: ${(err as Error)?.message}`,
        input: btoa(String.fromCharCode(...input.subarray(0, 4096))),
      };
    }
  }
}
console.log(JSON.stringify({
  loaded,
  refused,
  failure,
  maxRssMiB: peakRssMiB(),
}));

/**
 * Child process for fuzz_hostile_test.ts: mutates real snapshots (mode `loader`) or real tool
 * outputs (mode `import`, the seeds of every registry format in turn) RUNS times from SEED
 * (tests/helpers/mutate.ts), feeds each to the loader (or the importers, whose snapshot the
 * loader must then read back in JSON and in YAML: an import that writes what nothing reads is a
 * failure, not a refusal), renders what loaded with the text views, and prints one JSON line:
 * how many inputs loaded, how many were refused with an InputError or ParseError, the runs per
 * seed format, the first unexpected error (with its input, base64), and the process's peak
 * resident memory.
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
import { recognise } from "../../../src/import/detect.ts";
import { Mutator, seedInputs } from "../../helpers/mutate.ts";

const [mode, runsText, seedText] = process.argv.slice(2) as ["loader" | "import", string, string];
const RUNS = Number(runsText ?? 200);
const mutator = new Mutator(Number(seedText ?? 1), mode === "loader");
const seeds = seedInputs(mode);
const enc = new TextEncoder();

/** Import seeds by the format they are (every format of the registry has one), in turn. */
const byFormat = new Map<string, Uint8Array[]>();
if (mode === "import") {
  for (const b of seeds) {
    const id = recognise(new TextDecoder().decode(b))?.format.id ?? "unrecognised";
    byFormat.set(id, [...(byFormat.get(id) ?? []), b]);
  }
}
const formatIds = [...byFormat.keys()].sort();
const perFormat: Record<string, number> = {};

let loaded = 0, refused = 0;
let failure: { error: string; input: string } | undefined;
const expected = (err: unknown) => err instanceof InputError || err instanceof ParseError;

/** The text views must take whatever loaded, too. */
function render(s: Snapshot): void {
  renderConnections(s, s.connections, { user: true, inode: true, width: 80 });
  renderStatistics(protocolStatistics(s.counters));
  renderDiffText(diffSnapshots(s, s));
}

/** What an importer writes, the loader must read back; anything else is a failure. */
function readBack(s: Snapshot): void {
  const n = normalizeSnapshot(s);
  for (const format of ["json", "yaml"] as const) {
    try {
      parseSnapshotBytes(enc.encode(serializeSnapshot(n, format)), `fuzz.${format}`);
    } catch (err) {
      throw new Error(`the import wrote ${format} the loader refuses: ${(err as Error).message}`);
    }
  }
}

for (let i = 0; i < RUNS && !failure; i++) {
  let seed: Uint8Array;
  if (mode === "import") {
    const id = formatIds[i % formatIds.length]!;
    perFormat[id] = (perFormat[id] ?? 0) + 1;
    seed = mutator.pick(byFormat.get(id)!);
  } else seed = mutator.pick(seeds);
  const input = mutator.mutate(seed);
  try {
    if (mode === "import") {
      const text = new TextDecoder().decode(input);
      const s = importFiles([{ name: "fuzz.txt", text }]);
      readBack(s);
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
  perFormat,
  failure,
  maxRssMiB: peakRssMiB(),
}));

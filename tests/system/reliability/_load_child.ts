/**
 * Child process for bounds_test.ts and the fuzz test: runs the loader on one file (a snapshot,
 * or with `--config` a policy file) and prints one JSON line: what happened and the process's
 * peak resident memory.
 */
import process from "node:process";
import { peakRssMiB } from "../../helpers/child.ts";
import { readSnapshot } from "../../../src/snapshot/read.ts";

const [file, maxSize] = process.argv.slice(2) as [string, string | undefined];
let outcome: string;
try {
  const opts = maxSize === undefined
    ? {}
    : { maxBytes: Number(maxSize), maxYamlBytes: Number(maxSize) };
  const s = await readSnapshot(file, opts);
  outcome = `ok ${s.connections.length}`;
} catch (err) {
  outcome = (err as Error).message;
}
console.log(JSON.stringify({ outcome, maxRssMiB: peakRssMiB() }));

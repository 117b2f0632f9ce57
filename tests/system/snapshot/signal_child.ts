/**
 * Child process for write_signal_test.ts: starts writing a large snapshot into the folder given as
 * argument, with the CLI's temporary-file registry, and sends itself the signal given as soon as
 * the temporary file appears.
 */
import { readdirSync } from "node:fs";
import process from "node:process";
import { bigSnapshot } from "../../../bench/load.ts";
import { writeSnapshot } from "../../../src/snapshot/write.ts";
import { tempFiles } from "../../../src/cli/signals.ts";

const [dir, signal] = process.argv.slice(2) as [string, NodeJS.Signals];
const snapshot = bigSnapshot(100_000);
const watch = setInterval(() => {
  if (readdirSync(dir).some((f) => f.endsWith(".tmp"))) {
    clearInterval(watch);
    process.kill(process.pid, signal);
  }
}, 0);
await writeSnapshot(snapshot, { output: `${dir}/big.json`, tempFiles });
clearInterval(watch);
console.log("finished before the signal");

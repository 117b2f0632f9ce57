/**
 * Helper process for the SIGTERM test: writes a large snapshot (many connections) to the file
 * named by its argument with the real writer and the CLI's temporary-file registry, so that the
 * write takes long enough to be interrupted. Prints "written" when it finishes undisturbed.
 *
 *   _slow_write.ts OUTPUT CONNECTIONS
 */
import process from "node:process";
import { writeSnapshot } from "../../../src/snapshot/write.ts";
import { tempFiles } from "../../../src/cli/signals.ts";
import { listen, snap } from "../../diff/_build.ts";

const [output, count] = process.argv.slice(2);
const n = Number(count ?? 200_000);
const connections = Array.from(
  { length: n },
  (_, i) => listen(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 1 + (i % 65000)),
);
await writeSnapshot(snap(undefined, { connections }), { output: output!, tempFiles });
process.stdout.write("written\n");

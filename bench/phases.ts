/**
 * Where a capture spends its time (for profiling, not part of `deno task bench`): runs the capture's
 * phases one by one and prints milliseconds and RSS after each.
 *
 *   ip netns exec NS bun bench/phases.ts       ip netns exec NS deno run -A bench/phases.ts
 */
import { writeFileSync } from "node:fs";
import process from "node:process";
import { captureSnapshot } from "../src/collect/mod.ts";
import { normalizeSnapshot } from "../src/snapshot/normalize.ts";
import { serializeSnapshot } from "../src/snapshot/serialize.ts";
import { collectLinux } from "../src/collect/linux/mod.ts";
import { runCommand } from "../src/runtime/command.ts";

const mb = () => (process.memoryUsage().rss / 1048576).toFixed(0);
let t = performance.now();
const step = (what: string) => {
  const now = performance.now();
  console.log(`${what.padEnd(28)} ${(now - t).toFixed(1).padStart(8)} ms  rss ${mb()} MB`);
  t = now;
};
step("start");
const s = await collectLinux({ root: "/", runner: runCommand }, {
  cmdline: false,
  uid: 0,
  netlink: true,
  tcpInfo: "summary",
  allUnix: false,
});
step(`collectLinux (${s.sections.connections.value.length})`);
const snap = await captureSnapshot({});
step("captureSnapshot (again)");
const n = normalizeSnapshot(snap);
step("normalizeSnapshot (again)");
const text = serializeSnapshot(n, "json");
step("serializeSnapshot");
writeFileSync("/tmp/nsnap-phases.json", text);
step("writeFileSync");

/**
 * `nsnap port N` prints a process's command line as `ps -o args` does: a real nginx in a fresh
 * namespace, whose workers rewrite their argument area to "nginx: worker process" (padded with
 * NULs), shows that title once per worker, not dozens of '' arguments.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { runCli } from "../../helpers/cli.ts";
import { withNetns } from "../../helpers/netns.ts";
import {
  childrenOf,
  nginxPrefix,
  sharedDir,
  skipWithout,
  until,
  untilListening,
} from "../diff/_servers.ts";

const ADDR = "127.0.0.1:7215";

/** What `ps -o args=` prints for a pid, its trailing padding trimmed. */
function psArgs(pid: number): string {
  const r = spawnSync("ps", ["-o", "args=", "-p", String(pid)], { encoding: "utf8" });
  return (r.stdout ?? "").trimEnd();
}

test(
  "port N shows an nginx worker's command line as ps -o args does: nginx: worker process",
  { skip: skipWithout("nginx", "ps", "ss"), timeout: 120_000 },
  async () => {
    const home = sharedDir("port-cmdline");
    try {
      await withNetns("port-cmd", async (ns) => {
        const argv = nginxPrefix(home, ADDR);
        const master = ns.spawn(argv).pid!;
        try {
          await untilListening(ns, ADDR);
          await until("two nginx workers", () => childrenOf(master).length === 2);
          const workers = childrenOf(master);
          const r = runCli(["port", "7215"], { wrap: ns.wrap });
          assert.equal(r.code, 0, r.stderr);
          assert.doesNotMatch(r.stdout, /''/, r.stdout);
          for (const pid of workers) {
            assert.equal(psArgs(pid), "nginx: worker process");
            const block = r.stdout.split("\n\n").find((b) => b.includes(`pid ${pid}: nginx`));
            assert.ok(block, `no process block for worker ${pid}:\n${r.stdout}`);
            assert.match(block!, /\n {4}command: nginx: worker process\n/, block);
          }
          // The master's title (nginx rewrites it too) is what ps prints, in one piece.
          const json = JSON.parse(
            runCli(["port", "7215", "--format", "json"], { wrap: ns.wrap })
              .stdout,
          ) as { processes: { pid: number; cmdline?: string[] }[] }[];
          const procs = new Map(json.flatMap((s) => s.processes).map((p) => [p.pid, p]));
          for (const pid of [master, ...workers]) {
            assert.deepEqual(procs.get(pid)?.cmdline, [psArgs(pid)], `pid ${pid}`);
          }
        } finally {
          ns.exec(...argv, "-s", "stop");
          await untilListening(ns, ADDR, 0);
        }
      });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  },
);

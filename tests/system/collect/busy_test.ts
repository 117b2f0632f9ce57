/**
 * A namespace busy enough (over 4000 sockets) that the descriptor scan runs in a worker beside
 * the socket dump: the capture finishes, from source and from the compiled executable, and every
 * socket has its owner. (A Bun `--bytecode` executable once waited forever for that worker.)
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nsnapBinary, runBare } from "../../helpers/binary.ts";
import { runCli } from "../../helpers/cli.ts";
import { canUseNetns, socketsCommand, whenReady, withNetns } from "../../helpers/netns.ts";

const skip = !canUseNetns() && "needs root and iproute2 to create network namespaces";
const PAIRS = 2200; // 4400 sockets and a listener: above PARALLEL_SCAN_SOCKETS (4000)

type Json = Record<string, unknown>;

test(`a capture of ${2 * PAIRS} sockets scans descriptors in a worker and owns every socket`, {
  skip,
}, async () => {
  await withNetns("busy", async (ns) => {
    const holder = await whenReady(
      ns.spawn([
        "sh",
        "-c",
        'ulimit -n 8192 && exec "$@"',
        "sh",
        ...socketsCommand(["listen:127.0.0.1:7400", `connect:127.0.0.1:7400:${PAIRS}`], 120),
      ]),
      "sockets.ts",
    );
    const check = (text: string, how: string) => {
      const snap = JSON.parse(text) as Json;
      const conns = (snap.connections as Json[]).filter((c) => c.state === "ESTABLISHED");
      assert.equal(conns.length, 2 * PAIRS, `${how}: every session`);
      assert.ok(conns.every((c) => c.pid === holder.pid), `${how}: every session's owner`);
      const sections = (snap.meta as Json).sections as Record<string, Json>;
      assert.equal(sections.processes!.status, "ok", `${how}: ${JSON.stringify(sections)}`);
    };
    const env = { NSNAP_NETLINK: "1" };
    const src = runCli(["capture", "-o", "-"], { wrap: ns.wrap, env, timeoutMs: 60_000 });
    assert.equal(src.code, 0, src.stderr);
    check(src.stdout, "from source");
    const dir = mkdtempSync(join(tmpdir(), "nsnap-busy-"));
    try {
      const file = join(dir, "busy.json");
      const bin = runBare(nsnapBinary(), ["capture", "-o", file], ns.wrap);
      assert.equal(bin.code, 0, bin.stderr);
      check(readFileSync(file, "utf8"), "the executable");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { listSocketInodes, listSocketInodesFs } from "../../../src/runtime/proc_fd.ts";
import { spawnSync } from "node:child_process";

const notLinux = process.platform === "linux" ? false : "/proc/PID/fd is Linux only";
const isDeno = (globalThis as { Deno?: unknown }).Deno !== undefined;

/** The socket inodes of this process by another route: stat() of each fd is the socket itself. */
function socketInodesByStat(fdDir: string): number[] {
  const out: number[] = [];
  for (const fd of readdirSync(fdDir)) {
    try {
      const st = statSync(`${fdDir}/${fd}`);
      if (st.isSocket()) out.push(st.ino);
    } catch { /* closed meanwhile */ }
  }
  return out.sort();
}

test("listSocketInodes() finds every socket this process holds, its listener included", {
  skip: notLinux,
}, async () => {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const fdDir = `/proc/${process.pid}/fd`;
    // The runtime opens and closes sockets of its own meanwhile (Bun closes a finished child's
    // socketpairs a little later): compare listings made while stat() saw no change around them.
    for (let attempt = 1;; attempt++) {
      const before = socketInodesByStat(fdDir);
      const listed = [...listSocketInodes(fdDir)].sort();
      const listedFs = [...listSocketInodesFs(fdDir)].sort();
      const after = socketInodesByStat(fdDir);
      if (before.join() !== after.join() && attempt < 20) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      assert.ok(before.length > 0);
      assert.deepEqual(listed, before);
      assert.deepEqual(listedFs, before);
      break;
    }
  } finally {
    server.close();
  }
});

test("under Deno without --allow-ffi the lister falls back to node:fs, without a prompt", {
  skip: notLinux || (isDeno ? false : "a Deno permission"),
}, () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-procfd-"));
  try {
    const mod = new URL("../../../src/runtime/proc_fd.ts", import.meta.url).href;
    const script = join(dir, "kind.ts");
    writeFileSync(
      script,
      `import { socketListerKind } from ${JSON.stringify(mod)};
console.log(socketListerKind());
`,
    );
    const r = spawnSync(
      process.execPath,
      ["run", "--quiet", "--no-prompt", "--allow-read", "--allow-env", script],
      { encoding: "utf8", env: { ...process.env, DENO_NO_UPDATE_CHECK: "1" }, timeout: 60_000 },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), "node-fs");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

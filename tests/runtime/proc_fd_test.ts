import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { readdirSync, statSync } from "node:fs";
import process from "node:process";
import { listSocketInodes, listSocketInodesFs } from "../../src/runtime/proc_fd.ts";

const linux = process.platform === "linux";

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
  skip: !linux,
}, async () => {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const fdDir = `/proc/${process.pid}/fd`;
    const expected = socketInodesByStat(fdDir);
    assert.ok(expected.length > 0);
    assert.deepEqual([...listSocketInodes(fdDir)].sort(), expected);
    assert.deepEqual([...listSocketInodesFs(fdDir)].sort(), expected);
  } finally {
    server.close();
  }
});

test("listSocketInodes() throws ENOENT for a process that is gone", { skip: !linux }, () => {
  assert.throws(() => listSocketInodes("/proc/999999999/fd"), { code: "ENOENT" });
  assert.throws(() => listSocketInodesFs("/proc/999999999/fd"), { code: "ENOENT" });
});

import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import {
  listSocketInodes,
  listSocketInodesFs,
  socketListerKind,
} from "../../src/runtime/proc_fd.ts";

const notLinux = process.platform === "linux" ? false : "/proc/PID/fd is Linux only";

test("the socket lister is libc through FFI under both runtimes", { skip: notLinux }, () => {
  const g = globalThis as { Deno?: { permissions: { querySync(d: object): { state: string } } } };
  if ((globalThis as { Bun?: unknown }).Bun !== undefined) {
    assert.equal(socketListerKind(), "ffi-bun");
  } else if (g.Deno !== undefined) {
    // The suite runs with -A; the fallback without --allow-ffi is a system test.
    assert.equal(g.Deno.permissions.querySync({ name: "ffi" }).state, "granted");
    assert.equal(socketListerKind(), "ffi-deno");
  } else {
    assert.equal(socketListerKind(), "node-fs");
  }
});

test("listSocketInodes() throws ENOENT for a process that is gone", { skip: notLinux }, () => {
  assert.throws(() => listSocketInodes("/proc/999999999/fd"), { code: "ENOENT" });
  assert.throws(() => listSocketInodesFs("/proc/999999999/fd"), { code: "ENOENT" });
});

test("listSocketInodes() and the node:fs lister agree on this process's descriptors", {
  skip: notLinux,
}, () => {
  const fdDir = `/proc/${process.pid}/fd`;
  // The runtime may open or close a socket of its own between the two listings (other tests of
  // this process run meanwhile): they must agree on one of a few tries, never differ every time.
  let last: [number[], number[]] = [[], []];
  for (let attempt = 0; attempt < 5; attempt++) {
    last = [[...listSocketInodes(fdDir)].sort(), [...listSocketInodesFs(fdDir)].sort()];
    if (JSON.stringify(last[0]) === JSON.stringify(last[1])) break;
  }
  assert.deepEqual(last[0], last[1]);
});

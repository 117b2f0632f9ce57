/**
 * The BPF descriptor iterator on the real kernel: a process this test starts holds sockets of
 * several kinds and plain files, and the iterator reports exactly its sockets with its pid — the
 * inodes that stat() of its /proc/PID/fd entries gives — and this process's own listener too.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import process from "node:process";
import { bpfSocketPairs } from "../../../src/runtime/bpf_fds.ts";
import { bpfScanHindrance } from "../../../src/collect/linux/fd_scan.ts";
import { iteratorTypes } from "../../../src/parse/linux/sys_kernel_btf.ts";

const hindrance = bpfScanHindrance();

/** The socket inodes in /proc/PID/fd, by stat() of each descriptor (the socket itself). */
function socketInodes(pid: number): number[] {
  const out: number[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const st = statSync(`/proc/${pid}/fd/${fd}`);
      if (st.isSocket()) out.push(st.ino);
    } catch { /* closed meanwhile */ }
  }
  return out.sort((a, b) => a - b);
}

function inodesOf(pairs: Float64Array, length: number, pid: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < length; i += 2) if (pairs[i + 1] === pid) out.push(pairs[i]!);
  return out.sort((a, b) => a - b);
}

test(
  "the iterator reports a child's sockets (TCP, UDP, UNIX, a socketpair) with its pid, and no plain file",
  {
    skip: hindrance ? `the BPF iterator cannot run here: ${hindrance}` : false,
  },
  async () => {
    const script = [
      "import socket, os, sys, time",
      "t = socket.socket(); t.bind(('127.0.0.1', 0)); t.listen()",
      "u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('127.0.0.1', 0))",
      "x = socket.socket(socket.AF_UNIX); x.bind('\\0nsnap-bpf-test-%d' % os.getpid()); x.listen()",
      "a, b = socket.socketpair()",
      "files = [open('/dev/null') for _ in range(20)]",
      "print('ready', flush=True)",
      "time.sleep(60)",
    ].join("\n");
    const child = spawn("python3", ["-c", script], { stdio: ["ignore", "pipe", "inherit"] });
    const server = net.createServer();
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on("data", (d: Uint8Array) => {
          if (new TextDecoder().decode(d).includes("ready")) resolve();
        });
        child.once("exit", (code) => reject(new Error(`python3 exited ${code}`)));
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const expected = socketInodes(child.pid!);
      // Listener, UDP, UNIX listener, two socketpair ends (and, under Bun, the stdout pipe: a
      // socketpair too).
      assert.ok(expected.length >= 5, `${expected.length} sockets`);
      const r = bpfSocketPairs(iteratorTypes(readFileSync("/sys/kernel/btf/vmlinux")));
      assert.ok(r.ok, r.ok ? "" : r.reason);
      assert.deepEqual(inodesOf(r.pairs, r.length, child.pid!), expected);
      // This process's own sockets, its listener among them.
      const mine = inodesOf(r.pairs, r.length, process.pid);
      for (const inode of socketInodes(process.pid)) assert.ok(mine.includes(inode), `${inode}`);
    } finally {
      server.close();
      child.kill("SIGKILL");
    }
  },
);

/**
 * The BPF descriptor iterator on the real kernel: a process this test starts holds sockets of
 * several kinds and plain files, and the iterator reports exactly its sockets with its pid — the
 * inodes that stat() of its /proc/PID/fd entries gives — and this process's own listener too.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { spawn } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { bpfSocketPairs, mapFile } from "../../../src/runtime/bpf_fds.ts";
import { whenReady } from "../../helpers/netns.ts";
import { bpfScanHindrance } from "../../../src/collect/linux/fd_scan.ts";
import { iteratorTypes } from "../../../src/parse/linux/sys_kernel_btf.ts";

const hindrance = bpfScanHindrance();

/** The socket inodes in /proc/PID/fd, from the links' "socket:[N]" (as `ss -p` reads them). */
function socketInodes(pid: number): number[] {
  const out: number[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) out.push(Number(m[1]));
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
  "the iterator reports a child's sockets with its pid, and no plain file or O_PATH descriptor",
  {
    skip: hindrance ? `the BPF iterator cannot run here: ${hindrance}` : false,
  },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "nsnap-bpf-fds-"));
    const sockFile = join(dir, "app.sock");
    const script = [
      "import socket, os, sys, time",
      "t = socket.socket(); t.bind(('127.0.0.1', 0)); t.listen()",
      "u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('127.0.0.1', 0))",
      "x = socket.socket(socket.AF_UNIX); x.bind('\\0nsnap-bpf-test-%d' % os.getpid()); x.listen()",
      `f = socket.socket(socket.AF_UNIX); f.bind(${JSON.stringify(sockFile)}); f.listen()`,
      // The socket file on disk, opened O_PATH: its file type is a socket, its inode the disk's.
      `o = os.open(${JSON.stringify(sockFile)}, os.O_PATH)`,
      "a, b = socket.socketpair()",
      "files = [open('/dev/null') for _ in range(20)]",
      "print('ready', flush=True)",
      "time.sleep(60)",
    ].join("\n");
    const child = spawn("python3", ["-c", script], { stdio: ["ignore", "pipe", "pipe"] });
    const server = net.createServer();
    try {
      await whenReady(child, "python3");
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const expected = socketInodes(child.pid!);
      // Listener, UDP, two UNIX listeners, two socketpair ends (and, under Bun, the stdout pipe:
      // a socketpair too).
      assert.ok(expected.length >= 6, `${expected.length} sockets`);
      const links = readdirSync(`/proc/${child.pid}/fd`).map((fd) =>
        readlinkSync(`/proc/${child.pid}/fd/${fd}`)
      );
      assert.ok(links.includes(sockFile), "the O_PATH descriptor shows as the path in /proc");
      const before = socketInodes(process.pid);
      const r = bpfSocketPairs(iteratorTypes(readFileSync("/sys/kernel/btf/vmlinux")));
      assert.ok(r.ok, r.ok ? "" : r.reason);
      assert.deepEqual(inodesOf(r.pairs, r.length, child.pid!), expected);
      // This process's own sockets: those open both before and after the pass.
      const mine = inodesOf(r.pairs, r.length, process.pid);
      const after = new Set(socketInodes(process.pid));
      const held = before.filter((inode) => after.has(inode));
      assert.ok(held.length > 0);
      for (const inode of held) assert.ok(mine.includes(inode), `${inode}`);
    } finally {
      server.close();
      child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

/** Why mapFile() cannot map anything here (no FFI for it), or undefined when it can. */
function noMapping(): string | undefined {
  if (process.platform !== "linux" || process.arch !== "x64") {
    return "mapFile() maps on x86-64 Linux only";
  }
  const probe = mapFile("/proc/self/exe");
  probe?.release();
  return probe === undefined ? "no FFI mmap in this runtime here" : undefined;
}

test("mapFile() maps a file's bytes read-only, as reading it gives them, until released", {
  skip: noMapping() ?? false,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-map-"));
  try {
    const path = join(dir, "blob");
    const data = Uint8Array.from({ length: 70_001 }, (_, i) => (i * 31) & 0xff);
    writeFileSync(path, data);
    const mapped = mapFile(path);
    assert.ok(mapped, "a regular file maps");
    assert.deepEqual(mapped.bytes, data);
    mapped.release();
    mapped.release(); // once unmapped, a second release does nothing
    writeFileSync(join(dir, "empty"), "");
    assert.equal(mapFile(join(dir, "empty")), undefined, "an empty file is read, not mapped");
    assert.equal(mapFile(join(dir, "missing")), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the kernel's BTF mapped gives the iterator what reading it gives", {
  skip: existsSync("/sys/kernel/btf/vmlinux") ? false : "no /sys/kernel/btf/vmlinux here",
}, () => {
  const mapped = mapFile("/sys/kernel/btf/vmlinux");
  const read = iteratorTypes(readFileSync("/sys/kernel/btf/vmlinux"));
  // A kernel that cannot map it is read instead: nothing to compare.
  if (mapped === undefined) return;
  try {
    assert.deepEqual(iteratorTypes(mapped.bytes), read);
  } finally {
    mapped.release();
  }
});

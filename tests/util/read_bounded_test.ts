/**
 * The bounded reader: a file is counted by the bytes read (a device says it has 0), and a file
 * found in a tree (a `--root` capture, a folder member) must be a regular file, refused without
 * waiting or reading when it is not.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  NotRegularError,
  readFileBoundedSync,
  TooLargeError,
} from "../../src/util/read_bounded.ts";
import { readText } from "../../src/collect/linux/files.ts";
import { linuxMachineId } from "../../src/collect/machine_id.ts";

test("readFileBoundedSync() stops a device at the limit, and refuses it as a tree's file", () => {
  assert.throws(() => readFileBoundedSync("/dev/zero", 4096), TooLargeError);
  assert.throws(
    () => readFileBoundedSync("/dev/zero", 4096, { regularOnly: true }),
    (e: unknown) =>
      e instanceof NotRegularError &&
      e.message === "it is a character device, not a regular file",
  );
  const dir = mkdtempSync(join(tmpdir(), "nsnap-bounded-"));
  try {
    writeFileSync(join(dir, "f"), "abc");
    assert.deepEqual(
      [...readFileBoundedSync(join(dir, "f"), 3, { regularOnly: true })],
      [0x61, 0x62, 0x63],
    );
    assert.throws(() => readFileBoundedSync(join(dir, "f"), 2), TooLargeError);
    assert.throws(() => readFileBoundedSync(dir, 2, { regularOnly: true }), /EISDIR/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a --root tree with /dev/zero linked in: a warning naming it, nothing read to the end", () => {
  const root = mkdtempSync(join(tmpdir(), "nsnap-root-"));
  try {
    mkdirSync(join(root, "proc/net"), { recursive: true });
    mkdirSync(join(root, "etc"), { recursive: true });
    symlinkSync("/dev/zero", join(root, "proc/net/snmp"));
    symlinkSync("/dev/zero", join(root, "etc/machine-id"));
    const warnings: string[] = [];
    assert.equal(readText(join(root, "proc/net/snmp"), warnings), undefined);
    assert.deepEqual(warnings, [
      `cannot read ${join(root, "proc/net/snmp")}: it is a character device, not a regular file`,
    ]);
    assert.equal(linuxMachineId(root), undefined);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("reads that share the scratch buffer never alias: every file read keeps its own bytes", () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-bounded-"));
  try {
    // Sizes around the 64 KiB chunk, and files whose size the kernel does not say (/proc).
    const sizes = [0, 1, 4095, 65535, 65536, 65537, 200_000];
    const files = sizes.map((n, i) => {
      const bytes = new Uint8Array(n).map((_, j) => (j * 31 + i * 7) & 255);
      const path = join(dir, `f${i}`);
      writeFileSync(path, bytes);
      return { path, bytes };
    });
    const procs = ["/proc/self/status", "/proc/version", "/proc/self/mountinfo"];
    const before = procs.map((p) => new TextDecoder().decode(readFileBoundedSync(p, 1 << 20)));
    const read = files.map((f) => readFileBoundedSync(f.path, 1 << 20));
    const again = procs.map((p) => readFileBoundedSync(p, 1 << 20));
    files.forEach((f, i) => assert.deepEqual(read[i], f.bytes, `file of ${sizes[i]} bytes`));
    assert.equal(new TextDecoder().decode(again[1]), before[1]);
    assert.ok(before[0]!.startsWith("Name:") && before[2]!.length > 0);
    // A limit still holds for a file of unknown size read through the scratch buffer.
    assert.throws(() => readFileBoundedSync("/proc/self/mountinfo", 10), TooLargeError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

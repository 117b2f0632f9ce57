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

import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { bpfDisabledByEnv, taskFileProgram } from "../../src/runtime/bpf_fds.ts";

test("the iterator program: 22 instructions, every exit jump lands on `r0 = 0; exit`", () => {
  const code = taskFileProgram({
    taskFileIterator: 14,
    fileInode: { offset: 32, size: 8 },
    inodeMode: { offset: 0, size: 2 },
    inodeIno: { offset: 64, size: 8 },
    taskTgid: { offset: 1268, size: 4 },
  });
  assert.equal(code.length, 22 * 8);
  const v = new DataView(code.buffer);
  const at = (i: number) => ({
    op: code[i * 8]!,
    dst: code[i * 8 + 1]! & 0xf,
    src: code[i * 8 + 1]! >> 4,
    off: v.getInt16(i * 8 + 2, true),
    imm: v.getInt32(i * 8 + 4, true),
  });
  const jumps = [...Array(22).keys()].filter((i) => at(i).op === 0x15 || at(i).op === 0x55);
  assert.equal(jumps.length, 4);
  for (const i of jumps) assert.equal(i + 1 + at(i).off, 20, `jump at ${i}`);
  assert.deepEqual(at(20), { op: 0xb7, dst: 0, src: 0, off: 0, imm: 0 });
  assert.equal(at(21).op, 0x95);
  // The kernel's offsets are in the loads: file->f_inode, inode->i_ino, task->tgid.
  assert.deepEqual([at(5).off, at(10).off, at(12).off], [32, 64, 1268]);
  assert.equal(at(10).op, 0x79); // an 8-byte i_ino is a 64-bit load
  assert.equal(at(9).imm, 0xc000); // S_IFSOCK
  assert.equal(at(19).imm, 127); // bpf_seq_write
});

test("NSNAP_BPF=0 (or no, off, false) turns the iterator off", () => {
  const before = process.env.NSNAP_BPF;
  try {
    for (const v of ["0", "no", "OFF", "false"]) {
      process.env.NSNAP_BPF = v;
      assert.equal(bpfDisabledByEnv(), true, v);
    }
    for (const v of ["1", "", "yes"]) {
      process.env.NSNAP_BPF = v;
      assert.equal(bpfDisabledByEnv(), false, v);
    }
  } finally {
    if (before === undefined) delete process.env.NSNAP_BPF;
    else process.env.NSNAP_BPF = before;
  }
});

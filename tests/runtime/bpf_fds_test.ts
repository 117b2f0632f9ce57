import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { bpfDisabledByEnv, taskFileProgram } from "../../src/runtime/bpf_fds.ts";

const LAYOUT = {
  taskFileIterator: 14,
  fileInode: { offset: 32, size: 8 },
  inodeSb: { offset: 40, size: 8 },
  inodeIno: { offset: 64, size: 8 },
  superMagic: { offset: 96, size: 8 },
  taskTgid: { offset: 1268, size: 4 },
};

test("the iterator program: 23 instructions, every exit jump lands on `r0 = 0; exit`", () => {
  const code = taskFileProgram(LAYOUT);
  const n = 23;
  assert.equal(code.length, n * 8);
  const v = new DataView(code.buffer);
  const at = (i: number) => ({
    op: code[i * 8]!,
    dst: code[i * 8 + 1]! & 0xf,
    src: code[i * 8 + 1]! >> 4,
    off: v.getInt16(i * 8 + 2, true),
    imm: v.getInt32(i * 8 + 4, true),
  });
  const jumps = [...Array(n).keys()].filter((i) => at(i).op === 0x15 || at(i).op === 0x55);
  assert.equal(jumps.length, 5);
  for (const i of jumps) assert.equal(i + 1 + at(i).off, n - 2, `jump at ${i}`);
  assert.deepEqual(at(n - 2), { op: 0xb7, dst: 0, src: 0, off: 0, imm: 0 });
  assert.equal(at(n - 1).op, 0x95);
  // The kernel's offsets are in the loads: file->f_inode, inode->i_sb, sb->s_magic,
  // inode->i_ino, task->tgid.
  assert.deepEqual([5, 7, 9, 11, 13].map((i) => at(i).off), [32, 40, 96, 64, 1268]);
  assert.equal(at(11).op, 0x79); // an 8-byte i_ino is a 64-bit load
  assert.equal(at(10).imm, 0x534f434b); // SOCKFS_MAGIC
  assert.equal(at(n - 3).imm, 127); // bpf_seq_write
});

test("a field the program's loads cannot reach is an Error, never a truncated offset", () => {
  assert.throws(
    () => taskFileProgram({ ...LAYOUT, taskTgid: { offset: 40000, size: 4 } }),
    /offset 40000 is out of a BPF load's reach/,
  );
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

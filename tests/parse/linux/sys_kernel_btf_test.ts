import { test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { existsSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { iteratorTypes } from "../../../src/parse/linux/sys_kernel_btf.ts";

/** Builds a BTF blob type by type, as the kernel lays it out (include/uapi/linux/btf.h). */
class BtfBuilder {
  private types: number[] = [];
  private strings = [0];
  private next = 1;

  name(s: string): number {
    const at = this.strings.length;
    for (const c of s) this.strings.push(c.charCodeAt(0));
    this.strings.push(0);
    return at;
  }

  private add(
    name: string,
    kind: number,
    vlen: number,
    sizeOrType: number,
    extra: number[],
    kindFlag = false,
  ) {
    const info = ((kind & 0x1f) << 24) | (vlen & 0xffff) | (kindFlag ? 0x80000000 : 0);
    this.types.push(name === "" ? 0 : this.name(name), info >>> 0, sizeOrType, ...extra);
    return this.next++;
  }

  int(name: string, size: number): number {
    return this.add(name, 1, 0, size, [size * 8]);
  }
  ptr(to: number): number {
    return this.add("", 2, 0, to, []);
  }
  typedef(name: string, to: number): number {
    return this.add(name, 8, 0, to, []);
  }
  func(name: string, proto: number): number {
    return this.add(name, 12, 0, proto, []);
  }
  proto(): number {
    return this.add("", 13, 1, 0, [this.name("ctx"), 0]);
  }
  enumeration(name: string, values: string[]): number {
    return this.add(name, 6, values.length, 4, values.flatMap((v, i) => [this.name(v), i]));
  }
  /**
   * Members as [name ("" for anonymous), type, bit offset, bit-field size]; with any bit field
   * the struct has the kind flag, and each member's offset word holds its size in the top byte.
   */
  struct(
    name: string,
    size: number,
    members: Array<[string, number, number, number?]>,
    union = false,
  ) {
    const flag = members.some((m) => m[3] !== undefined);
    const extra = members.flatMap(([n, type, bits, width]) => [
      n === "" ? 0 : this.name(n),
      type,
      flag ? (((width ?? 0) << 24) | bits) >>> 0 : bits,
    ]);
    return this.add(name, union ? 5 : 4, members.length, size, extra, flag);
  }
  /** An array whose element type is itself: a loop a parser must not follow forever. */
  selfArray(n: number): number {
    const id = this.next;
    return this.add("", 3, 0, 0, [id, id, n]);
  }
  /** A record of an unknown kind. */
  unknown(): number {
    return this.add("", 31, 0, 0, []);
  }

  bytes(): Uint8Array {
    const types = new Uint8Array(new Uint32Array(this.types).buffer);
    const strings = Uint8Array.from(this.strings);
    const out = new Uint8Array(24 + types.length + strings.length);
    const v = new DataView(out.buffer);
    v.setUint16(0, 0xeb9f, true);
    v.setUint8(2, 1);
    v.setUint32(4, 24, true); // hdr_len
    v.setUint32(8, 0, true); // type_off
    v.setUint32(12, types.length, true);
    v.setUint32(16, types.length, true); // str_off
    v.setUint32(20, strings.length, true);
    out.set(types, 24);
    out.set(strings, 24 + types.length);
    return out;
  }
}

/** A small kernel: the three structs, with the layouts' usual twists. */
function kernel(
  opts: {
    withIterator?: boolean;
    inoSize?: number;
    inoType?: (b: BtfBuilder) => number;
    tail?: (b: BtfBuilder) => void;
  } = {},
): Uint8Array {
  const b = new BtfBuilder();
  const int = b.int("int", 4), u16 = b.int("unsigned short", 2);
  const ulong = b.int("long unsigned int", opts.inoSize ?? 8);
  const ino = opts.inoType?.(b) ?? ulong;
  const umode = b.typedef("umode_t", u16), pid = b.typedef("pid_t", int);
  b.enumeration("pid_type", ["PIDTYPE_PID", "PIDTYPE_TGID"]);
  const sb = b.struct("super_block", 1500, [["s_dev", int, 0], ["s_magic", ulong, 768]]);
  const sbPtr = b.ptr(sb);
  // With bit fields (the kind flag): i_sb's offset word carries a size byte of 0.
  const inode = b.struct("inode", 600, [
    ["i_mode", umode, 0, 0],
    ["i_flag_bits", u16, 16, 3],
    ["i_sb", sbPtr, 320, 0],
    ["i_ino", ino, 512, 0],
  ]);
  // f_inode behind an anonymous union, as recent kernels lay out struct file.
  const inodePtr = b.ptr(inode);
  const anon = b.struct("", 8, [["f_inode", inodePtr, 0], ["f_unused", ulong, 0]], true);
  b.struct("file", 200, [["f_count", ulong, 0], ["", anon, 256]]);
  // A struct of another name with a tgid: never the one looked at.
  b.struct("task_struct_extra", 8, [["tgid", int, 0]]);
  b.struct("task_struct", 4000, [["state", int, 0], ["pid", pid, 10112], ["tgid", pid, 10144]]);
  if (opts.withIterator !== false) b.func("bpf_iter_task_file", b.proto());
  // A second struct named file, later: the first of a name is the one looked at.
  b.struct("file", 8, [["f_inode", int, 0]]);
  opts.tail?.(b);
  return b.bytes();
}

test("iteratorTypes() finds the iterator and the fields, through typedefs and anonymous unions", () => {
  const t = iteratorTypes(kernel());
  assert.deepEqual(t, {
    taskFileIterator: 16, // after its FUNC_PROTO (15)
    fileInode: { offset: 32, size: 8 },
    inodeSb: { offset: 40, size: 8 },
    inodeIno: { offset: 64, size: 8 },
    superMagic: { offset: 96, size: 8 },
    taskTgid: { offset: 1268, size: 4 },
  });
});

test("iteratorTypes() reads a blob that starts at any byte of its buffer", () => {
  const blob = kernel();
  const want = iteratorTypes(blob);
  for (const shift of [1, 2, 3, 5]) {
    const host = new Uint8Array(blob.length + shift);
    host.set(blob, shift);
    assert.deepEqual(iteratorTypes(host.subarray(shift)), want);
    // A Buffer (what readFileSync gives), whose slice() is a view and not a copy.
    const buffer = Buffer.concat([Buffer.alloc(shift), blob]).subarray(shift);
    assert.deepEqual(iteratorTypes(buffer), want);
  }
  // A type section moved 1–3 bytes off its usual alignment within the blob (type_off 1–3).
  for (const typeOff of [1, 2, 3]) {
    const moved = new Uint8Array(blob.length + typeOff);
    moved.set(blob.subarray(0, 24));
    moved.set(blob.subarray(24), 24 + typeOff);
    const v = new DataView(moved.buffer);
    v.setUint32(8, typeOff, true);
    v.setUint32(16, v.getUint32(16, true) + typeOff, true);
    assert.deepEqual(iteratorTypes(Buffer.from(moved)), want);
    assert.deepEqual(iteratorTypes(moved), want);
  }
});

test("iteratorTypes() refuses a type section whose last 1–3 bytes begin a record", () => {
  for (const extra of [1, 2, 3]) {
    const blob = kernel();
    const grown = new Uint8Array(blob.length + extra);
    const typeLen = new DataView(blob.buffer).getUint32(12, true);
    grown.set(blob.subarray(0, 24 + typeLen));
    grown.set(blob.subarray(24 + typeLen), 24 + typeLen + extra);
    const v = new DataView(grown.buffer);
    v.setUint32(12, typeLen + extra, true);
    v.setUint32(16, typeLen + extra, true);
    assert.throws(() => iteratorTypes(grown), /BTF type 18 is cut off/);
  }
});

test("iteratorTypes() reads a 4-byte i_ino (32-bit kernels' unsigned long)", () => {
  assert.deepEqual(iteratorTypes(kernel({ inoSize: 4 })).inodeIno, { offset: 64, size: 4 });
});

test("iteratorTypes() says what is missing or malformed", () => {
  assert.throws(
    () => iteratorTypes(kernel({ withIterator: false })),
    /BTF has no bpf_iter_task_file/,
  );
  assert.throws(() => iteratorTypes(new Uint8Array(64)), /not BTF/);
  const cut = kernel().slice(0, 100);
  assert.throws(() => iteratorTypes(cut), /past the end|cut off/);
  assert.throws(() => iteratorTypes(kernel({ inoSize: 2 })), /inode\.i_ino is 2 bytes/);
  assert.throws(() => iteratorTypes(kernel({ tail: (b) => b.unknown() })), /unknown kind 31/);
  // A type section that ends inside super_block's member list (its record starts at byte 100).
  const short = kernel();
  new DataView(short.buffer).setUint32(12, 115, true);
  assert.throws(() => iteratorTypes(short), /BTF type 7 runs past the end of its section/);
});

test("iteratorTypes() stops at an array of itself and says the field has no usable size", () => {
  assert.throws(
    () => iteratorTypes(kernel({ inoType: (b) => b.selfArray(4) })),
    /inode\.i_ino is 0 bytes/,
  );
});

test("the running kernel's BTF has what the iterator needs", {
  skip: existsSync("/sys/kernel/btf/vmlinux") ? false : "no /sys/kernel/btf/vmlinux here",
}, () => {
  const t = iteratorTypes(readFileSync("/sys/kernel/btf/vmlinux"));
  assert.ok(t.taskFileIterator > 0);
  assert.equal(t.fileInode.size, 8);
  assert.equal(t.inodeSb.size, 8);
  assert.ok(t.taskTgid.offset > 0);
});

test("changed, cut or moved bytes end in types or in one of the parser's own errors", () => {
  const blob = kernel();
  const position = fc.oneof(fc.nat(23), fc.nat(blob.length - 1));
  fc.assert(
    fc.property(
      fc.array(fc.tuple(position, fc.integer({ min: 0, max: 255 })), { maxLength: 12 }),
      fc.nat(blob.length),
      fc.nat(7),
      fc.boolean(),
      (changes, cut, shift, asBuffer) => {
        const bytes = new Uint8Array(shift + Math.max(24, cut));
        bytes.set(blob.subarray(0, bytes.length - shift), shift);
        for (const [at, value] of changes) if (shift + at < bytes.length) bytes[shift + at] = value;
        const input = asBuffer ? Buffer.from(bytes).subarray(shift) : bytes.subarray(shift);
        try {
          const t = iteratorTypes(input);
          assert.ok(Number.isInteger(t.taskFileIterator) && t.taskFileIterator > 0);
        } catch (err) {
          // Never a RangeError or TypeError of the engine's: a bug that reads out of place.
          assert.equal((err as Error).constructor, Error, String(err));
          assert.match((err as Error).message, /BTF/);
        }
      },
    ),
    { numRuns: 500 },
  );
});

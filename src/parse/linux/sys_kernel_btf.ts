/**
 * /sys/kernel/btf/vmlinux: the kernel's own type information (BTF), read for the few facts the
 * descriptor scan's BPF iterator (runtime/bpf_fds.ts) needs — the type id of the iterator it
 * attaches to and where five fields sit in the kernel's structures (`file.f_inode`,
 * `inode.i_sb`, `inode.i_ino`, `super_block.s_magic`, `task_struct.tgid`). These move between
 * kernel builds, which is why they are looked up on the running kernel, never written down.
 *
 * The format (include/uapi/linux/btf.h): a header (magic 0xEB9F, then the offsets of the type and
 * string sections), then one record per type, numbered from 1: name offset, info (kind in bits
 * 24–28, member count in bits 0–15, bit 31 "kind flag"), size or type, then kind-specific data.
 * Struct members carry a bit offset (with the kind flag, the low 24 bits). Anonymous struct and
 * union members are looked into, as C lets a field of theirs be named from the outer struct.
 *
 * The blob is the kernel's, but it is read as untrusted bytes all the same: every record must lie
 * inside its section, an unknown kind ends the parse, and type chains are followed a bounded
 * number of hops; anything else is an Error that says what was wrong.
 */

/** What the BPF descriptor iterator needs from the kernel's BTF. */
export interface IteratorTypes {
  /** The BTF id of the function `bpf_iter_task_file` (the program's attach point). */
  taskFileIterator: number;
  /** Byte offset and size of `struct file`'s `f_inode` (a pointer). */
  fileInode: Field;
  /** `struct inode`'s `i_sb` (a pointer to its file system's super block). */
  inodeSb: Field;
  /** `struct inode`'s `i_ino` (the socket inode number). */
  inodeIno: Field;
  /** `struct super_block`'s `s_magic` (SOCKFS_MAGIC for a socket's inode). */
  superMagic: Field;
  /** `struct task_struct`'s `tgid` (the process id). */
  taskTgid: Field;
}

/** Where a structure field sits: byte offset and size in bytes. */
export interface Field {
  offset: number;
  size: number;
}

const MAGIC = 0xeb9f;
const KIND_INT = 1,
  KIND_PTR = 2,
  KIND_ARRAY = 3,
  KIND_STRUCT = 4,
  KIND_UNION = 5,
  KIND_ENUM = 6,
  KIND_TYPEDEF = 8,
  KIND_VOLATILE = 9,
  KIND_CONST = 10,
  KIND_RESTRICT = 11,
  KIND_FUNC = 12,
  KIND_FUNC_PROTO = 13,
  KIND_VAR = 14,
  KIND_DATASEC = 15,
  KIND_DECL_TAG = 17,
  KIND_TYPE_TAG = 18,
  KIND_ENUM64 = 19,
  KIND_MAX = 19;

/** Bytes of kind-specific data after a type record of this kind with `vlen` entries. */
function extraBytes(kind: number, vlen: number): number {
  switch (kind) {
    case KIND_INT:
    case KIND_VAR:
    case KIND_DECL_TAG:
      return 4;
    case KIND_ARRAY:
      return 12;
    case KIND_STRUCT:
    case KIND_UNION:
    case KIND_DATASEC:
    case KIND_ENUM64:
      return 12 * vlen;
    case KIND_ENUM:
    case KIND_FUNC_PROTO:
      return 8 * vlen;
    default:
      return 0; // PTR, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC, FLOAT, TYPE_TAG; UNKN (0)
  }
}

/** The names looked for, with the kinds they must have. */
const WANTED: ReadonlyArray<[name: string, kind: number]> = [
  ["bpf_iter_task_file", KIND_FUNC],
  ["file", KIND_STRUCT],
  ["inode", KIND_STRUCT],
  ["super_block", KIND_STRUCT],
  ["task_struct", KIND_STRUCT],
];

/** A parsed BTF blob: where each type's record starts, and the string section. */
class Btf {
  readonly view: DataView;
  /** Byte offset of type id i's record (index 0 unused). */
  readonly at: Int32Array;
  readonly count: number;
  readonly found = new Map<string, number>();
  private readonly strings: number;
  private readonly stringsEnd: number;

  constructor(readonly bytes: Uint8Array) {
    const view = this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.length < 24 || view.getUint16(0, true) !== MAGIC) {
      throw new Error("not BTF (no 0xEB9F magic)");
    }
    const hdrLen = view.getUint32(4, true);
    const typeOff = hdrLen + view.getUint32(8, true);
    const typeEnd = typeOff + view.getUint32(12, true);
    this.strings = hdrLen + view.getUint32(16, true);
    this.stringsEnd = this.strings + view.getUint32(20, true);
    if (typeEnd > bytes.length || this.stringsEnd > bytes.length) {
      throw new Error("BTF sections run past the end of the data");
    }
    // A type record is at least 12 bytes: an upper bound on the count.
    const at = new Int32Array(Math.floor((typeEnd - typeOff) / 12) + 2);
    const targets = WANTED.map(([name, kind]) => ({ name, kind, bytes: ascii(name) }));
    let id = 1;
    for (let off = typeOff; off < typeEnd; id++) {
      if (off + 12 > typeEnd) throw new Error(`BTF type ${id} is cut off`);
      at[id] = off;
      const info = view.getUint32(off + 4, true);
      const kind = (info >>> 24) & 0x1f;
      if (kind === 0 || kind > KIND_MAX) throw new Error(`BTF type ${id} has unknown kind ${kind}`);
      const next = off + 12 + extraBytes(kind, info & 0xffff);
      if (next > typeEnd) throw new Error(`BTF type ${id} runs past the end of its section`);
      if (kind === KIND_STRUCT || kind === KIND_FUNC) {
        for (const t of targets) {
          if (t.kind === kind && !this.found.has(t.name) && this.nameIs(off, t.bytes)) {
            this.found.set(t.name, id);
          }
        }
      }
      off = next;
    }
    this.at = at;
    this.count = id - 1;
  }

  kind(id: number): number {
    return (this.view.getUint32(this.at[id]! + 4, true) >>> 24) & 0x1f;
  }

  /** Whether type record at `off` is named `want` (NUL-ended in the string section). */
  private nameIs(off: number, want: Uint8Array): boolean {
    const s = this.strings + this.view.getUint32(off, true);
    if (s + want.length >= this.stringsEnd) return false;
    for (let i = 0; i < want.length; i++) if (this.bytes[s + i] !== want[i]) return false;
    return this.bytes[s + want.length] === 0;
  }

  /** The type behind typedefs and qualifiers. */
  resolve(id: number): number {
    for (let hops = 0; hops < 64 && id > 0 && id <= this.count; hops++) {
      const k = this.kind(id);
      if (
        k !== KIND_TYPEDEF && k !== KIND_VOLATILE && k !== KIND_CONST && k !== KIND_RESTRICT &&
        k !== KIND_TYPE_TAG
      ) return id;
      id = this.view.getUint32(this.at[id]! + 8, true);
    }
    return 0;
  }

  /** Size in bytes of a resolved type, or 0 when it has none (void, functions, a loop). */
  size(id: number, depth = 0): number {
    const r = this.resolve(id);
    if (r === 0 || depth > 16) return 0;
    const k = this.kind(r);
    if (k === KIND_PTR) return 8;
    if (k === KIND_ARRAY) {
      const a = this.at[r]! + 12;
      return this.size(this.view.getUint32(a, true), depth + 1) *
        this.view.getUint32(a + 8, true);
    }
    return this.view.getUint32(this.at[r]! + 8, true);
  }

  /** The field `name` of struct or union `id` (looked for in anonymous members too). */
  member(id: number, name: string, depth = 0): Field | undefined {
    const r = this.resolve(id);
    const k = r === 0 ? 0 : this.kind(r);
    if ((k !== KIND_STRUCT && k !== KIND_UNION) || depth > 8) return undefined;
    const off = this.at[r]!;
    const info = this.view.getUint32(off + 4, true);
    const bitfields = (info >>> 31) === 1;
    const want = ascii(name);
    for (let i = 0; i < (info & 0xffff); i++) {
      const m = off + 12 + 12 * i;
      const type = this.view.getUint32(m + 4, true);
      const raw = this.view.getUint32(m + 8, true);
      const bits = bitfields ? raw & 0xffffff : raw;
      if (bitfields && raw >>> 24 !== 0) continue; // A bit field: not one of ours.
      if (this.view.getUint32(m, true) === 0) {
        const inner = bits % 8 === 0 ? this.member(type, name, depth + 1) : undefined;
        if (inner) return { offset: inner.offset + bits / 8, size: inner.size };
      } else if (this.nameIs(m, want)) {
        return bits % 8 === 0 ? { offset: bits / 8, size: this.size(type) } : undefined;
      }
    }
    return undefined;
  }
}

function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/**
 * Finds what the descriptor iterator needs in a BTF blob (the bytes of /sys/kernel/btf/vmlinux).
 * Throws an Error saying what is missing or malformed.
 */
export function iteratorTypes(bytes: Uint8Array): IteratorTypes {
  const btf = new Btf(bytes);
  const id = (name: string) => {
    const found = btf.found.get(name);
    if (found === undefined) throw new Error(`the kernel's BTF has no ${name}`);
    return found;
  };
  const field = (struct: string, name: string, sizes: readonly number[]): Field => {
    const f = btf.member(id(struct), name);
    if (f === undefined) throw new Error(`the kernel's BTF has no ${struct}.${name}`);
    if (!sizes.includes(f.size)) {
      throw new Error(`${struct}.${name} is ${f.size} bytes in the kernel's BTF`);
    }
    return f;
  };
  return {
    taskFileIterator: id("bpf_iter_task_file"),
    fileInode: field("file", "f_inode", [8]),
    inodeSb: field("inode", "i_sb", [8]),
    inodeIno: field("inode", "i_ino", [4, 8]),
    superMagic: field("super_block", "s_magic", [4, 8]),
    taskTgid: field("task_struct", "tgid", [4]),
  };
}

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

/**
 * Words of kind-specific data after a type record of each kind (index = kind): a fixed part, and
 * a part per entry (`vlen`). PTR, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC, FLOAT and
 * TYPE_TAG have none.
 */
const FIXED_WORDS = new Uint8Array(KIND_MAX + 1);
const WORDS_PER_ENTRY = new Uint8Array(KIND_MAX + 1);
for (const k of [KIND_INT, KIND_VAR, KIND_DECL_TAG]) FIXED_WORDS[k] = 1;
FIXED_WORDS[KIND_ARRAY] = 3;
for (const k of [KIND_STRUCT, KIND_UNION, KIND_DATASEC, KIND_ENUM64]) WORDS_PER_ENTRY[k] = 3;
for (const k of [KIND_ENUM, KIND_FUNC_PROTO]) WORDS_PER_ENTRY[k] = 2;

/** The names looked for, with the kinds they must have. */
const WANTED: ReadonlyArray<[name: string, kind: number]> = [
  ["bpf_iter_task_file", KIND_FUNC],
  ["file", KIND_STRUCT],
  ["inode", KIND_STRUCT],
  ["super_block", KIND_STRUCT],
  ["task_struct", KIND_STRUCT],
];

/** Whether this host stores numbers low byte first (BTF is in its kernel's byte order). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * A parsed BTF blob: where each type's record starts, and the string section. Records are read
 * as 32-bit words in this host's order, which is the running kernel's BTF's own: a blob of the
 * other order reads its magic as 0x9FEB and is refused.
 */
class Btf {
  /** The type section as words (a view where it is aligned, else a copy). */
  readonly words: Uint32Array;
  /** Word index of type id i's record in `words` (index 0 unused). */
  readonly at: Int32Array;
  readonly count: number;
  readonly found = new Map<string, number>();
  private readonly strings: number;
  private readonly stringsEnd: number;

  constructor(readonly bytes: Uint8Array) {
    if (bytes.length < 24) throw new Error("not BTF (no 0xEB9F magic)");
    const head = new DataView(bytes.buffer, bytes.byteOffset, 24);
    const le = LITTLE_ENDIAN;
    if (head.getUint16(0, le) !== MAGIC) throw new Error("not BTF (no 0xEB9F magic)");
    const hdrLen = head.getUint32(4, le);
    const typeOff = hdrLen + head.getUint32(8, le);
    const typeLen = head.getUint32(12, le);
    const typeEnd = typeOff + typeLen;
    this.strings = hdrLen + head.getUint32(16, le);
    this.stringsEnd = this.strings + head.getUint32(20, le);
    if (typeEnd > bytes.length || this.stringsEnd > bytes.length) {
      throw new Error("BTF sections run past the end of the data");
    }
    const start = bytes.byteOffset + typeOff;
    const whole = typeLen - (typeLen % 4);
    // A copy of its own where unaligned: `new Uint8Array(view)` copies (a Buffer's slice would not).
    const w = this.words = start % 4 === 0
      ? new Uint32Array(bytes.buffer, start, whole / 4)
      : new Uint32Array(new Uint8Array(bytes.subarray(typeOff, typeOff + whole)).buffer);
    const end = w.length;
    // The wanted names by their first byte: most records' names are then ruled out by one load.
    const byFirst: number[][] = Array.from({ length: 256 }, () => []);
    const wanted = WANTED.map(([name, kind]) => ({ name, kind, bytes: ascii(name) }));
    wanted.forEach((t, k) => byFirst[t.bytes[0]!]!.push(k));
    const strs = this.strings, strsEnd = this.stringsEnd;
    // A type record is at least 3 words: an upper bound on the count.
    const at = new Int32Array(Math.floor(end / 3) + 2);
    let id = 1;
    for (let i = 0; i < end; id++) {
      if (i + 3 > end) throw new Error(`BTF type ${id} is cut off`);
      at[id] = i;
      const info = w[i + 1]!;
      const kind = (info >>> 24) & 0x1f;
      if (kind === 0 || kind > KIND_MAX) throw new Error(`BTF type ${id} has unknown kind ${kind}`);
      const next = i + 3 + FIXED_WORDS[kind]! + WORDS_PER_ENTRY[kind]! * (info & 0xffff);
      if (next > end) throw new Error(`BTF type ${id} runs past the end of its section`);
      if (kind === KIND_STRUCT || kind === KIND_FUNC) {
        const name = strs + w[i]!;
        if (name < strsEnd) {
          for (const k of byFirst[bytes[name]!]!) {
            const t = wanted[k]!;
            if (t.kind === kind && !this.found.has(t.name) && this.nameIs(w[i]!, t.bytes)) {
              this.found.set(t.name, id);
            }
          }
        }
      }
      i = next;
    }
    // 1–3 bytes after the last whole record: the start of one more, cut off.
    if (typeLen % 4 !== 0) throw new Error(`BTF type ${id} is cut off`);
    this.at = at;
    this.count = id - 1;
  }

  kind(id: number): number {
    return (this.words[this.at[id]! + 1]! >>> 24) & 0x1f;
  }

  /** Whether the name at offset `nameOff` of the string section is `want` (NUL-ended). */
  private nameIs(nameOff: number, want: Uint8Array): boolean {
    const s = this.strings + nameOff;
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
      id = this.words[this.at[id]! + 2]!;
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
      const a = this.at[r]! + 3;
      return this.size(this.words[a]!, depth + 1) * this.words[a + 2]!;
    }
    return this.words[this.at[r]! + 2]!;
  }

  /** The field `name` of struct or union `id` (looked for in anonymous members too). */
  member(id: number, name: string, depth = 0): Field | undefined {
    const r = this.resolve(id);
    const k = r === 0 ? 0 : this.kind(r);
    if ((k !== KIND_STRUCT && k !== KIND_UNION) || depth > 8) return undefined;
    const w = this.words, at = this.at[r]!;
    const info = w[at + 1]!;
    const bitfields = (info >>> 31) === 1;
    const want = ascii(name);
    for (let i = 0; i < (info & 0xffff); i++) {
      const m = at + 3 + 3 * i;
      const type = w[m + 1]!;
      const raw = w[m + 2]!;
      const bits = bitfields ? raw & 0xffffff : raw;
      if (bitfields && raw >>> 24 !== 0) continue; // A bit field: not one of ours.
      if (w[m] === 0) {
        const inner = bits % 8 === 0 ? this.member(type, name, depth + 1) : undefined;
        if (inner) return { offset: inner.offset + bits / 8, size: inner.size };
      } else if (this.nameIs(w[m]!, want)) {
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

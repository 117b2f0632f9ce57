/**
 * Every socket descriptor of every process in one pass of the kernel, through a BPF iterator:
 * the fast path of the owner scan for root on a busy host.
 *
 * The /proc way (proc_fd.ts) pays a directory listing and a link read per descriptor — about
 * 2 µs of kernel time each, 160 ms for 80 000 sockets, the larger half of a big capture. A
 * `task_file` BPF iterator visits the same (process, descriptor) pairs inside the kernel without
 * making a dentry for either, and a 23-instruction program writes out, for each socket, its inode
 * and the process id: 16 bytes a socket, read back like a file.
 *
 * Decisions:
 * - A socket is a file whose inode belongs to sockfs (`f_inode->i_sb->s_magic` is SOCKFS_MAGIC),
 *   exactly what /proc shows as "socket:[N]". Not the file type bits: an O_PATH descriptor of a
 *   socket file on disk has those too, with the disk's inode number.
 * - Read-only and short-lived: the program only reads the structures the iterator hands it
 *   (`file->f_inode->i_sb->s_magic`, `->i_ino`, `task->tgid`), and program, link and iterator
 *   are closed before the call returns. Nothing stays loaded or pinned.
 * - Structure field offsets come from the running kernel's BTF (the caller reads it with
 *   parse/linux/sys_kernel_btf.ts), never from a table: struct layouts change between builds.
 *   The iterator context's layout (meta, task, fd, file at 0, 8, 16, 24) is kernel ABI, and the
 *   verifier refuses the program should it ever differ.
 * - Only for root in the initial PID namespace: the iterator reports pids as the initial
 *   namespace numbers them, which is what /proc shows only there. Everywhere else, and whenever
 *   any step fails (no BTF, no FFI, seccomp, lockdown, an old kernel), the caller uses /proc and
 *   is told why in one line.
 * - Threads with their own descriptor table (rare) are visited as well as their process; pairs
 *   repeat then, which the owner merge ignores.
 * - The license string given to the kernel is "Dual MIT/GPL": the kernel lets only programs under
 *   a GPL-compatible license call bpf_seq_write (as it does bpf_seq_printf, the only other way
 *   out of an iterator). So the program that `taskFileProgram` assembles, and that alone, is
 *   offered under the MIT license or the GPL, at the user's choice; the rest of nsnap keeps the
 *   project's license.
 */
import { readlinkSync, statSync } from "node:fs";
import process from "node:process";
import { errnoName } from "../errors.ts";
import { env } from "./process.ts";

/**
 * What the program needs of the running kernel, from its BTF (parse/linux/sys_kernel_btf.ts
 * reads it): the iterator's BTF id and where four fields sit.
 */
export interface TaskFileLayout {
  /** The BTF id of the function `bpf_iter_task_file` (the program's attach point). */
  taskFileIterator: number;
  /** `struct file`'s `f_inode` (a pointer). */
  fileInode: FieldAt;
  /** `struct inode`'s `i_sb` (a pointer). */
  inodeSb: FieldAt;
  /** `struct inode`'s `i_ino` (4 or 8 bytes). */
  inodeIno: FieldAt;
  /** `struct super_block`'s `s_magic` (4 or 8 bytes). */
  superMagic: FieldAt;
  /** `struct task_struct`'s `tgid` (4 bytes). */
  taskTgid: FieldAt;
}

/** Byte offset and size of a structure field. */
export interface FieldAt {
  offset: number;
  size: number;
}

/** Every (socket inode, pid) pair the iterator saw. */
export interface SocketPairs {
  ok: true;
  /** inode, pid, inode, pid, … */
  pairs: Float64Array;
  /** How many numbers of `pairs` are filled. */
  length: number;
}

/** Why the BPF scan cannot be used here, in words for a debug line or a warning. */
export interface BpfUnavailable {
  ok: false;
  reason: string;
}

const SYS_BPF = 321; // x86_64
const BPF_PROG_LOAD = 5, BPF_LINK_CREATE = 28, BPF_ITER_CREATE = 33;
const BPF_PROG_TYPE_TRACING = 26, BPF_TRACE_ITER = 28;
const HELPER_SEQ_WRITE = 127;
/** The initial PID namespace's inode number (PROC_PID_INIT_INO). */
const INIT_PID_NS = 4026531836;
/** The magic number of sockfs, the file system of every socket's inode (linux/magic.h). */
const SOCKFS_MAGIC = 0x534f434b;
const LICENSE = "Dual MIT/GPL";

/** One BPF instruction: opcode, destination and source registers, offset, immediate. */
function insn(code: number, dst: number, src: number, off: number, imm: number): number[] {
  return [code, dst | (src << 4), off & 0xff, (off >> 8) & 0xff, ...le32(imm)];
}

function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

/** Load of `size` bytes (1, 2, 4 or 8) from [src + off] into dst. */
function load(size: number, dst: number, src: number, off: number): number[] {
  if (!Number.isInteger(off) || off < -32768 || off > 32767) {
    throw new Error(`a field at offset ${off} is out of a BPF load's reach`);
  }
  const sizeBits = size === 8 ? 0x18 : size === 4 ? 0x00 : size === 2 ? 0x08 : 0x10;
  return insn(0x61 | sizeBits, dst, src, off, 0);
}

/**
 * The iterator program for these kernel types. Per call (one descriptor of one process):
 * skip the end-of-iteration call, keep only sockets (an inode of sockfs), and write
 * { u64 inode, u64 tgid } to the iterator's output.
 *
 * Registers: r1 the context (struct bpf_iter__task_file: meta at 0, task at 8, fd at 16,
 * file at 24), r6 the context kept, r7 the file, r8 the task.
 */
export function taskFileProgram(t: TaskFileLayout): Uint8Array {
  const R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5, R6 = 6, R7 = 7, R8 = 8, R10 = 10;
  const MOV_X = 0xbf, MOV_K = 0xb7, ADD_K = 0x07, JEQ_K = 0x15, JNE_K = 0x55;
  const STX_DW = 0x7b, CALL = 0x85, EXIT = 0x95;
  // Jumps to `out` (the last two instructions) are relative to the instruction after them.
  const body: Array<(at: number, out: number) => number[]> = [
    () => insn(MOV_X, R6, R1, 0, 0),
    () => load(8, R7, R6, 24),
    (at, out) => insn(JEQ_K, R7, 0, out - at - 1, 0),
    () => load(8, R8, R6, 8),
    (at, out) => insn(JEQ_K, R8, 0, out - at - 1, 0),
    () => load(8, R2, R7, t.fileInode.offset),
    (at, out) => insn(JEQ_K, R2, 0, out - at - 1, 0),
    () => load(8, R3, R2, t.inodeSb.offset),
    (at, out) => insn(JEQ_K, R3, 0, out - at - 1, 0),
    () => load(t.superMagic.size, R3, R3, t.superMagic.offset),
    (at, out) => insn(JNE_K, R3, 0, out - at - 1, SOCKFS_MAGIC),
    () => load(t.inodeIno.size, R4, R2, t.inodeIno.offset),
    () => insn(STX_DW, R10, R4, -16, 0),
    () => load(4, R5, R8, t.taskTgid.offset),
    () => insn(STX_DW, R10, R5, -8, 0),
    () => load(8, R1, R6, 0), // ctx->meta
    () => load(8, R1, R1, 0), // meta->seq
    () => insn(MOV_X, R2, R10, 0, 0),
    () => insn(ADD_K, R2, 0, 0, -16),
    () => insn(MOV_K, R3, 0, 0, 16),
    () => insn(CALL, 0, 0, 0, HELPER_SEQ_WRITE),
    () => insn(MOV_K, R0, 0, 0, 0),
    () => insn(EXIT, 0, 0, 0, 0),
  ];
  const out = body.length - 2;
  return Uint8Array.from(body.flatMap((f, at) => f(at, out)));
}

/** The calls, however the runtime reaches them; addresses are plain numbers. */
interface Calls {
  bpf(cmd: number, attr: Uint8Array): number;
  open(path: Uint8Array, flags: number): number;
  read(fd: number, buf: Uint8Array): number;
  close(fd: number): number;
  /** The first `size` bytes of `fd` mapped read-only, or undefined where mmap fails. */
  map(fd: number, size: number): MappedFile | undefined;
  errno(): number;
  address(buf: Uint8Array): bigint;
}

const PROT_READ = 1, MAP_PRIVATE = 2, O_RDONLY_CLOEXEC = 0o2000000;
/**
 * Where mmap without an address hint places mappings on x86-64: below 2^47, with 5-level paging
 * too (higher only when asked for). MAP_FAILED, (void *)-1, is far above it.
 */
const USER_ADDRESS_END = 2 ** 47;

function bunCalls(): Calls | undefined {
  if ((globalThis as { Bun?: unknown }).Bun === undefined) return undefined;
  type BunFfi = {
    dlopen(path: string, symbols: Record<string, { args: string[]; returns: string }>): {
      symbols: Record<string, (...args: unknown[]) => number>;
    };
    ptr(view: Uint8Array): number;
    read: { i32(ptr: number, offset: number): number };
    toArrayBuffer(ptr: number, offset: number, length: number): ArrayBuffer;
  };
  // Synchronously, as proc_fd.ts does (a top-level await here would reach the worker's graph).
  const require = (import.meta as { require?: (spec: string) => unknown }).require;
  if (require === undefined) return undefined;
  const ffi = require("bun:ffi") as BunFfi;
  const { symbols: s } = ffi.dlopen("libc.so.6", {
    syscall: { args: ["i64", "i64", "ptr", "u32"], returns: "i32" },
    open: { args: ["ptr", "i32"], returns: "i32" },
    read: { args: ["i32", "ptr", "u64"], returns: "i32" },
    close: { args: ["i32"], returns: "i32" },
    mmap: { args: ["ptr", "u64", "i32", "i32", "i32", "i64"], returns: "ptr" },
    munmap: { args: ["ptr", "u64"], returns: "i32" },
    __errno_location: { args: [], returns: "ptr" },
  });
  const errnoAt = s.__errno_location!();
  return {
    bpf: (cmd, attr) => s.syscall!(SYS_BPF, cmd, attr, attr.length),
    open: (path, flags) => s.open!(path, flags),
    read: (fd, buf) => s.read!(fd, buf, buf.length),
    close: (fd) => s.close!(fd),
    map(fd, size) {
      const at = s.mmap!(null, size, PROT_READ, MAP_PRIVATE, fd, 0) as number | null;
      if (at === null || at <= 0 || at >= USER_ADDRESS_END) return undefined;
      return mapped(new Uint8Array(ffi.toArrayBuffer(at, 0, size)), () => s.munmap!(at, size));
    },
    errno: () => ffi.read.i32(errnoAt, 0),
    address: (buf) => BigInt(ffi.ptr(buf)),
  };
}

function denoCalls(): Calls | undefined {
  type Pointer = object;
  type DenoFfi = {
    dlopen(path: string, symbols: Record<string, { parameters: string[]; result: string }>): {
      symbols: Record<string, (...args: unknown[]) => unknown>;
    };
    UnsafePointer: { of(v: Uint8Array): Pointer | null; value(p: Pointer | null): bigint };
    UnsafePointerView: (new (p: Pointer) => { getInt32(offset?: number): number }) & {
      getArrayBuffer(p: Pointer, length: number): ArrayBuffer;
    };
    permissions: { querySync(d: { name: string }): { state: string } };
  };
  const deno = (globalThis as unknown as { Deno?: DenoFfi }).Deno;
  if (deno?.dlopen === undefined) return undefined;
  if (deno.permissions.querySync({ name: "ffi" }).state !== "granted") return undefined;
  const { symbols: s } = deno.dlopen("libc.so.6", {
    syscall: { parameters: ["i64", "i64", "buffer", "u32"], result: "i32" },
    open: { parameters: ["buffer", "i32"], result: "i32" },
    read: { parameters: ["i32", "buffer", "usize"], result: "i32" },
    close: { parameters: ["i32"], result: "i32" },
    mmap: { parameters: ["pointer", "usize", "i32", "i32", "i32", "i64"], result: "pointer" },
    munmap: { parameters: ["pointer", "usize"], result: "i32" },
    __errno_location: { parameters: [], result: "pointer" },
  });
  const errnoView = new deno.UnsafePointerView(s.__errno_location!() as Pointer);
  const n = (v: unknown) => v as number;
  return {
    bpf: (cmd, attr) => n(s.syscall!(SYS_BPF, cmd, attr, attr.length)),
    open: (path, flags) => n(s.open!(path, flags)),
    read: (fd, buf) => n(s.read!(fd, buf, buf.length)),
    close: (fd) => n(s.close!(fd)),
    map(fd, size) {
      const at = s.mmap!(null, BigInt(size), PROT_READ, MAP_PRIVATE, fd, 0n) as Pointer | null;
      const value = deno.UnsafePointer.value(at);
      if (at === null || value === 0n || value >= BigInt(USER_ADDRESS_END)) return undefined;
      const bytes = new Uint8Array(deno.UnsafePointerView.getArrayBuffer(at, size));
      return mapped(bytes, () => s.munmap!(at, BigInt(size)));
    },
    errno: () => errnoView.getInt32(0),
    address: (buf) => deno.UnsafePointer.value(deno.UnsafePointer.of(buf)),
  };
}

let opened: Calls | undefined;

/** The calls, opened once per thread; undefined where the runtime has no FFI for them. */
function libc(): Calls | undefined {
  return opened ??= bunCalls() ?? denoCalls();
}

/** A file mapped read-only into memory: its bytes, valid until `release()` unmaps them. */
export interface MappedFile {
  bytes: Uint8Array;
  release(): void;
}

/**
 * A mapping whose `release()` unmaps it once: a second munmap of the range could take away a
 * mapping made there since.
 */
function mapped(bytes: Uint8Array, unmap: () => unknown): MappedFile {
  let live = true;
  return {
    bytes,
    release() {
      if (live) unmap();
      live = false;
    },
  };
}

/**
 * Maps the file `path` read-only (mmap), or answers undefined where that cannot be done (no FFI,
 * a file system or kernel without mmap for it, an empty file): the caller then reads it. Made
 * for the kernel's BTF, 5 MB that sysfs hands out a page per read() — 1350 calls, 3–4 ms — and
 * that a recent kernel maps in one. Only for a file that never shrinks while mapped: reading a
 * page cut off by a truncation kills the process (SIGBUS). The bytes must not be touched after
 * `release()`.
 */
export function mapFile(path: string): MappedFile | undefined {
  if (process.platform !== "linux" || process.arch !== "x64") return undefined;
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return undefined;
  }
  if (size === 0) return undefined;
  try {
    const c = libc();
    if (c === undefined) return undefined;
    const fd = c.open(
      new TextEncoder().encode(path + "\0"),
      O_RDONLY_CLOEXEC,
    );
    if (fd < 0) return undefined;
    try {
      return c.map(fd, size);
    } finally {
      c.close(fd);
    }
  } catch {
    return undefined;
  }
}

/** A buffer over its own ArrayBuffer, which the engine never moves once a pointer is taken. */
function pinned(size: number): Uint8Array {
  return new Uint8Array(new ArrayBuffer(size));
}

/** Whether the environment turns the iterator off (`NSNAP_BPF=0`, `no`, `off`, `false`). */
export function bpfDisabledByEnv(): boolean {
  return /^(0|no|off|false)$/i.test(env("NSNAP_BPF") ?? "");
}

/**
 * Why this process cannot use the iterator, from cheap checks (no FFI opened), or undefined
 * when it may try.
 */
export function bpfHindrance(): string | undefined {
  if (process.platform !== "linux" || process.arch !== "x64") return "not Linux on x86-64";
  if (process.getuid?.() !== 0) return "not root";
  try {
    const ns = readlinkSync("/proc/self/ns/pid");
    if (ns !== `pid:[${INIT_PID_NS}]`) return "not in the initial PID namespace";
  } catch {
    return "the PID namespace is unknown";
  }
  const g = globalThis as {
    Bun?: unknown;
    Deno?: { dlopen?: unknown; permissions: { querySync(d: { name: string }): { state: string } } };
  };
  if (g.Bun !== undefined) return undefined;
  if (g.Deno?.dlopen === undefined) return "this runtime has no FFI";
  if (g.Deno.permissions.querySync({ name: "ffi" }).state !== "granted") {
    return "Deno runs without --allow-ffi";
  }
  return undefined;
}

/**
 * Every socket descriptor of every process, as (inode, pid) pairs, through a `task_file` BPF
 * iterator; or why that cannot be done here (the caller then scans /proc).
 */
export function bpfSocketPairs(layout: TaskFileLayout): SocketPairs | BpfUnavailable {
  const why = bpfHindrance();
  if (why) return { ok: false, reason: why };
  let calls: Calls | undefined;
  try {
    calls = libc();
  } catch (err) {
    return { ok: false, reason: `FFI is not usable: ${(err as Error).message}` };
  }
  if (calls === undefined) return { ok: false, reason: "this runtime has no FFI for it" };
  try {
    return iterate(calls, layout);
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
}

/** The verifier's last words on a program it refused (its log's last line), or undefined. */
function verifierSays(c: Calls, load: Uint8Array): string | undefined {
  const log = pinned(64 * 1024);
  const lv = new DataView(load.buffer, load.byteOffset, load.byteLength);
  lv.setUint32(24, 1, true); // log_level
  lv.setUint32(28, log.length, true); // log_size
  lv.setBigUint64(32, c.address(log), true); // log_buf
  const fd = c.bpf(BPF_PROG_LOAD, load);
  if (fd >= 0) {
    c.close(fd); // Accepted the second time: nothing to say.
    return undefined;
  }
  const end = log.indexOf(0);
  const text = new TextDecoder().decode(log.subarray(0, end < 0 ? log.length : end));
  return text.split("\n").map((l) => l.trim()).filter((l) => l !== "").pop();
}

function iterate(c: Calls, types: TaskFileLayout): SocketPairs | BpfUnavailable {
  const fds: number[] = [];
  const fail = (step: string): BpfUnavailable => ({
    ok: false,
    reason: `${step}: ${errnoName(c.errno()).text}`,
  });
  try {
    const program = taskFileProgram(types);
    const code = pinned(program.length);
    code.set(program);
    const license = pinned(LICENSE.length + 1);
    license.set(Uint8Array.from(LICENSE, (ch) => ch.charCodeAt(0)));
    // union bpf_attr for BPF_PROG_LOAD (include/uapi/linux/bpf.h).
    const load = pinned(128);
    const lv = new DataView(load.buffer);
    lv.setUint32(0, BPF_PROG_TYPE_TRACING, true);
    lv.setUint32(4, program.length / 8, true);
    lv.setBigUint64(8, c.address(code), true);
    lv.setBigUint64(16, c.address(license), true);
    load.set(Uint8Array.from("nsnap_fds", (ch) => ch.charCodeAt(0)), 48); // prog_name
    lv.setUint32(68, BPF_TRACE_ITER, true); // expected_attach_type
    lv.setUint32(108, types.taskFileIterator, true); // attach_btf_id
    const prog = c.bpf(BPF_PROG_LOAD, load);
    if (prog < 0) {
      const errno = c.errno();
      // EACCES or EINVAL from the loader is the verifier refusing it: say why it did.
      const said = errno === 13 || errno === 22 ? verifierSays(c, load) : undefined;
      const words = errnoName(errno).text + (said ? ` (the verifier: ${said})` : "");
      return { ok: false, reason: `loading the BPF program: ${words}` };
    }
    fds.push(prog);
    const link = pinned(64);
    const kv = new DataView(link.buffer);
    kv.setUint32(0, prog, true);
    kv.setUint32(8, BPF_TRACE_ITER, true);
    const linkFd = c.bpf(BPF_LINK_CREATE, link);
    if (linkFd < 0) return fail("attaching the BPF iterator");
    fds.push(linkFd);
    const iter = pinned(16);
    new DataView(iter.buffer).setUint32(0, linkFd, true);
    const iterFd = c.bpf(BPF_ITER_CREATE, iter);
    if (iterFd < 0) return fail("creating the BPF iterator");
    fds.push(iterFd);
    return readPairs(c, iterFd);
  } finally {
    for (const fd of fds.reverse()) c.close(fd);
  }
}

/** Reads the iterator to its end: 16-byte records { u64 inode, u64 pid }. */
function readPairs(c: Calls, fd: number): SocketPairs | BpfUnavailable {
  const buf = pinned(256 * 1024);
  const view = new DataView(buf.buffer);
  let pairs = new Float64Array(1 << 14);
  let length = 0, carry = 0;
  for (;;) {
    const n = c.read(fd, buf.subarray(carry));
    if (n < 0) {
      if (c.errno() === 4) continue; // EINTR
      return { ok: false, reason: `reading the BPF iterator: ${errnoName(c.errno()).text}` };
    }
    const end = carry + n;
    if (n === 0) break;
    const whole = end - (end % 16);
    if (length + whole / 8 > pairs.length) {
      const bigger = new Float64Array(Math.max(pairs.length * 2, length + whole / 8));
      bigger.set(pairs.subarray(0, length));
      pairs = bigger;
    }
    for (let off = 0; off < whole; off += 16) {
      pairs[length++] = Number(view.getBigUint64(off, true));
      pairs[length++] = view.getUint32(off + 8, true);
    }
    carry = end - whole;
    if (carry > 0) buf.copyWithin(0, whole, end);
  }
  return { ok: true, pairs, length };
}

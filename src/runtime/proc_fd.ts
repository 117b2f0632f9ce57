/**
 * The sockets a process holds, from /proc/PID/fd: the hot loop of a capture on a busy host, one
 * link read per open descriptor (80k and more there).
 *
 * Where the runtime has a foreign-function interface (Bun's `bun:ffi`, Deno's `Deno.dlopen`), the
 * folder is listed with getdents64 and each link read with readlinkat relative to the folder: no
 * path walk from / per descriptor and no strings made for names or targets. Elsewhere, or when the
 * C library cannot be opened, node:fs does the same job. Both give the same answer.
 */
import { closeSync, openSync, readdirSync, readlinkSync } from "node:fs";
import process from "node:process";

/**
 * Lists the inodes of the sockets open in one /proc/PID/fd folder, in descriptor-listing order.
 * Throws a node:fs error (code `ENOENT`, `EACCES`, …) when the folder cannot be opened.
 */
export type SocketInodeLister = (fdDir: string) => number[];

/** "socket:[" as bytes. */
const SOCKET_PREFIX = [115, 111, 99, 107, 101, 116, 58, 91];

/** The inode in a link target "socket:[12345]", or -1 for any other target. */
function socketInode(text: string): number {
  if (text.charCodeAt(0) !== 115 || !text.startsWith("socket:[")) return -1;
  const inode = Number(text.slice(8, -1));
  return Number.isInteger(inode) ? inode : -1;
}

/** The node:fs lister: readdir, then readlink of every entry. */
export const listSocketInodesFs: SocketInodeLister = (fdDir) => {
  const out: number[] = [];
  const prefix = fdDir + "/";
  for (const fd of readdirSync(fdDir)) {
    let link: string;
    try {
      link = readlinkSync(prefix + fd);
    } catch {
      continue; // Closed between the listing and the read.
    }
    const inode = socketInode(link);
    if (inode >= 0) out.push(inode);
  }
  return out;
};

/** The two libc calls, however the runtime reaches them; pointers are byte offsets in buffers. */
interface LibcCalls {
  /** getdents64(fd, dirents, dirents.length) */
  getdents(fd: number): number;
  /** readlinkat(fd, dirents + nameAt, target, target.length) */
  readlinkAt(fd: number, nameAt: number): number;
}

/** Size of the getdents64 buffer: about 2,700 descriptor entries per call. */
const DIRENTS_SIZE = 64 * 1024;
const TARGET_SIZE = 64;

/** The FFI lister over the libc calls, sharing two buffers between calls (it never re-enters). */
function ffiLister(dirents: Uint8Array, target: Uint8Array, libc: LibcCalls): SocketInodeLister {
  const view = new DataView(dirents.buffer, dirents.byteOffset, dirents.byteLength);
  return (fdDir) => {
    const out: number[] = [];
    const fd = openSync(fdDir, "r");
    try {
      let n: number;
      while ((n = libc.getdents(fd)) > 0) {
        // struct linux_dirent64: u64 ino, s64 off, u16 reclen, u8 type, char name[] (NUL-ended).
        for (let off = 0; off < n; off += view.getUint16(off + 16, true)) {
          const first = dirents[off + 19]!;
          if (first < 48 || first > 57) continue; // "." and ".."
          const len = libc.readlinkAt(fd, off + 19);
          if (len <= 9 || target[len - 1] !== 93) continue; // shorter than "socket:[N]" or no "]"
          let isSocket = true;
          for (let i = 0; i < 8 && isSocket; i++) isSocket = target[i] === SOCKET_PREFIX[i];
          if (!isSocket) continue;
          let inode = 0;
          for (let i = 8; i < len - 1; i++) inode = inode * 10 + target[i]! - 48;
          out.push(inode);
        }
      }
      if (n < 0) throw new Error(`Cannot list ${fdDir}: getdents64 failed`);
    } finally {
      closeSync(fd);
    }
    return out;
  };
}

/** libc calls through bun:ffi, or undefined when not under Bun or libc cannot be opened. */
function bunLibc(dirents: Uint8Array, target: Uint8Array): LibcCalls | undefined {
  if ((globalThis as { Bun?: unknown }).Bun === undefined) return undefined;
  type BunFfi = {
    dlopen(path: string, symbols: Record<string, { args: string[]; returns: string }>): {
      symbols: {
        getdents64(fd: number, buf: number, size: number): number;
        readlinkat(fd: number, name: number, buf: number, size: number): number;
      };
    };
    ptr(view: Uint8Array): number;
  };
  // Loaded synchronously: a module with a top-level await that is also in a worker's module
  // graph stops the worker's messages reaching a Bun-compiled executable (bun 1.4.5, bytecode).
  const require = (import.meta as { require?: (spec: string) => unknown }).require;
  if (require === undefined) return undefined;
  const ffi = require("bun:ffi") as BunFfi;
  const { symbols } = ffi.dlopen("libc.so.6", {
    getdents64: { args: ["i32", "ptr", "u64"], returns: "i32" },
    readlinkat: { args: ["i32", "ptr", "ptr", "u64"], returns: "i32" },
  });
  const base = ffi.ptr(dirents), out = ffi.ptr(target);
  return {
    getdents: (fd) => symbols.getdents64(fd, base, dirents.length),
    readlinkAt: (fd, nameAt) => symbols.readlinkat(fd, base + nameAt, out, target.length),
  };
}

/** libc calls through Deno.dlopen, or undefined when not under Deno or FFI is not allowed. */
function denoLibc(dirents: Uint8Array, target: Uint8Array): LibcCalls | undefined {
  type Pointer = object;
  type DenoFfi = {
    dlopen(path: string, symbols: Record<string, { parameters: string[]; result: string }>): {
      symbols: {
        getdents64(fd: number, buf: Uint8Array, size: number | bigint): number;
        readlinkat(
          fd: number,
          name: Pointer | null,
          buf: Uint8Array,
          size: number | bigint,
        ): number;
      };
    };
    UnsafePointer: {
      of(view: Uint8Array): Pointer | null;
      offset(p: Pointer, by: number): Pointer | null;
    };
    permissions: { querySync(d: { name: string }): { state: string } };
  };
  const deno = (globalThis as unknown as { Deno?: DenoFfi }).Deno;
  if (deno?.dlopen === undefined) return undefined;
  // Only when already allowed: asking would stop an interactive run at a permission prompt.
  if (deno.permissions.querySync({ name: "ffi" }).state !== "granted") return undefined;
  const { symbols } = deno.dlopen("libc.so.6", {
    getdents64: { parameters: ["i32", "buffer", "usize"], result: "i32" },
    readlinkat: { parameters: ["i32", "pointer", "buffer", "usize"], result: "i32" },
  });
  const base = deno.UnsafePointer.of(dirents);
  if (base === null) return undefined;
  return {
    getdents: (fd) => symbols.getdents64(fd, dirents, dirents.length),
    readlinkAt: (fd, nameAt) =>
      symbols.readlinkat(fd, deno.UnsafePointer.offset(base, nameAt), target, target.length),
  };
}

/** Which way `listSocketInodes` lists: libc through Bun's or Deno's FFI, or node:fs. */
export type SocketListerKind = "ffi-bun" | "ffi-deno" | "node-fs";

function chooseLister(): [SocketInodeLister, SocketListerKind] {
  const portable: [SocketInodeLister, SocketListerKind] = [listSocketInodesFs, "node-fs"];
  if (process.platform !== "linux") return portable;
  try {
    // Over their own ArrayBuffers, so that the engine never moves them after a pointer is taken.
    const dirents = new Uint8Array(new ArrayBuffer(DIRENTS_SIZE));
    const target = new Uint8Array(new ArrayBuffer(TARGET_SIZE));
    const bun = bunLibc(dirents, target);
    if (bun) return [ffiLister(dirents, target, bun), "ffi-bun"];
    const deno = denoLibc(dirents, target);
    if (deno) return [ffiLister(dirents, target, deno), "ffi-deno"];
    return portable;
  } catch {
    return portable; // No libc.so.6 (musl), FFI not permitted, …: the portable way.
  }
}

let chosen: [SocketInodeLister, SocketListerKind] | undefined;

/**
 * The fastest lister this runtime offers, chosen on the first call (opening libc costs a
 * millisecond that a capture of an idle namespace, which scans nothing, need not pay).
 */
export const listSocketInodes: SocketInodeLister = (fdDir) => (chosen ??= chooseLister())[0](fdDir);

/** The lister `listSocketInodes` uses, so that tests and `--debug` can tell FFI is in use. */
export function socketListerKind(): SocketListerKind {
  return (chosen ??= chooseLister())[1];
}

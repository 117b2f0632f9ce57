/**
 * Netlink sockets through the C library: the only foreign-function code for netlink in nsnap.
 *
 * A capture asks the kernel over netlink (sock_diag for sockets, rtnetlink for links, addresses,
 * routes, rules, neighbours and qdiscs) instead of reading /proc text and spawning `ip`. Neither
 * runtime has netlink sockets of its own, so the few libc calls it takes (`socket`, `sendto`,
 * `recv`, `setsockopt`, `close`, `open`, `setns`) are reached through Bun's `bun:ffi` or Deno's
 * `Deno.dlopen` — the latter only when the ffi permission is already granted, since asking would
 * stop an interactive run at a prompt. One shared implementation sits over a tiny adapter per
 * runtime; where neither works (musl, Node, FFI not allowed) every entry point says why, and the
 * caller falls back to /proc and `ip -j`.
 *
 * Decisions:
 * - A socket keeps the network namespace it was created in, so opening one inside another
 *   namespace is: open our own /proc/thread-self/ns/net, `setns()` into the target, `socket()`,
 *   `setns()` back. Only the calling thread moves (network namespaces allow that in a threaded
 *   process) and nothing else runs on it meanwhile: the calls are synchronous. Returning is
 *   attempted even when `socket()` failed; if it ever fails, the process would go on capturing the
 *   wrong namespace, so that (and only that) throws.
 * - One receive buffer (1 MiB) is shared by every socket: the calls never re-enter, and a reply is
 *   decoded before the next one is read. The kernel hands out dump parts of at most ~32 KiB, so
 *   the buffer is never the limit; a part that still does not fit is reported, never read half.
 * - Receives time out after 5 s (SO_RCVTIMEO): a kernel that never answers ends in a warning, not
 *   a hung capture.
 * - errno is read through `__errno_location()` right after the failing call, on the same thread.
 */
import { statSync } from "node:fs";
import process from "node:process";
import { errnoName } from "../errors.ts";

/** rtnetlink: links, addresses, routes, rules, neighbours, qdiscs. */
export const NETLINK_ROUTE = 0;
/** sock_diag: inet, UNIX and packet sockets. */
export const NETLINK_SOCK_DIAG = 4;

const AF_NETLINK = 16;
const SOCK_RAW = 3;
const SOCK_CLOEXEC = 0o2000000;
const O_RDONLY = 0;
const O_CLOEXEC = 0o2000000;
const CLONE_NEWNET = 0x40000000;
const SOL_SOCKET = 1;
const SO_RCVTIMEO = 20;
const MSG_TRUNC = 0x20;
const EINTR = 4;
const EAGAIN = 11;
const EINVAL = 22;
const RECEIVE_TIMEOUT_S = 5;
const RECEIVE_BUFFER = 1 << 20;

/** Why netlink cannot be used here, in words for a section warning, with the errno when known. */
export interface NetlinkUnavailable {
  ok: false;
  /** "Cannot open a netlink socket in /run/netns/x: setns: permission denied" and such. */
  reason: string;
  /** The errno code (`EPERM`, `EACCES`, `ENOENT`, …) when a system call failed; absent otherwise. */
  code?: string;
}

/** Which foreign-function interface carries the calls. */
export type NetlinkRuntime = "bun:ffi" | "Deno.dlopen";

/** A received datagram: `length` bytes at the start of `bytes` (valid until the next receive). */
export interface NetlinkReceived {
  ok: true;
  bytes: Uint8Array;
  view: DataView;
  length: number;
}

/** An open netlink socket. Synchronous; one request in flight; close it when done. */
export interface NetlinkSocket {
  /** The namespace path it was opened in, or undefined for the namespace of this process. */
  readonly netns: string | undefined;
  /** Sends one request message to the kernel. */
  send(request: Uint8Array): { ok: true } | NetlinkUnavailable;
  /** Waits for the next datagram (up to 5 s) and returns it in the shared receive buffer. */
  receive(): NetlinkReceived | NetlinkUnavailable;
  /** Closes the socket; later calls fail. */
  close(): void;
}

/** The libc calls, however the runtime reaches them; buffers are passed as typed arrays. */
interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  sendto(fd: number, buf: Uint8Array, len: number, addr: Uint8Array, addrLen: number): number;
  recv(fd: number, buf: Uint8Array, len: number, flags: number): number;
  setsockopt(fd: number, level: number, name: number, value: Uint8Array, len: number): number;
  close(fd: number): number;
  open(path: Uint8Array, flags: number): number;
  setns(fd: number, nstype: number): number;
  errno(): number;
}

export { errnoName };

function failure(what: string, errno: number): NetlinkUnavailable {
  const { code, text } = errnoName(errno);
  return { ok: false, reason: `${what}: ${text}`, code };
}

/** libc through bun:ffi, or undefined when not under Bun. */
async function bunLibc(): Promise<(() => Libc) | undefined> {
  if ((globalThis as { Bun?: unknown }).Bun === undefined) return undefined;
  type BunFfi = {
    dlopen(path: string, symbols: Record<string, { args: string[]; returns: string }>): {
      symbols: Record<string, (...args: unknown[]) => number>;
    };
    read: { i32(ptr: number, offset: number): number };
  };
  const spec = "bun:ffi"; // A variable, so that Deno's type checker leaves it alone.
  const ffi = await import(spec) as BunFfi;
  // dlopen compiles a trampoline per symbol: done on first use, not when the module loads.
  return () => {
    const { symbols: s } = ffi.dlopen("libc.so.6", {
      socket: { args: ["i32", "i32", "i32"], returns: "i32" },
      sendto: { args: ["i32", "ptr", "u64", "i32", "ptr", "u32"], returns: "i32" },
      recv: { args: ["i32", "ptr", "u64", "i32"], returns: "i32" },
      setsockopt: { args: ["i32", "i32", "i32", "ptr", "u32"], returns: "i32" },
      close: { args: ["i32"], returns: "i32" },
      open: { args: ["ptr", "i32"], returns: "i32" },
      setns: { args: ["i32", "i32"], returns: "i32" },
      __errno_location: { args: [], returns: "ptr" },
    });
    const errnoAt = s.__errno_location!();
    return {
      socket: (d, t, p) => s.socket!(d, t, p),
      sendto: (fd, buf, len, addr, addrLen) => s.sendto!(fd, buf, len, 0, addr, addrLen),
      recv: (fd, buf, len, flags) => s.recv!(fd, buf, len, flags),
      setsockopt: (fd, level, name, value, len) => s.setsockopt!(fd, level, name, value, len),
      close: (fd) => s.close!(fd),
      open: (path, flags) => s.open!(path, flags),
      setns: (fd, nstype) => s.setns!(fd, nstype),
      errno: () => ffi.read.i32(errnoAt, 0),
    };
  };
}

/** libc through Deno.dlopen, or undefined when not under Deno or FFI is not already allowed. */
function denoLibc(): (() => Libc) | undefined {
  type Pointer = object;
  type DenoFfi = {
    dlopen(path: string, symbols: Record<string, { parameters: string[]; result: string }>): {
      symbols: Record<string, (...args: unknown[]) => unknown>;
    };
    UnsafePointerView: new (p: Pointer) => { getInt32(offset?: number): number };
    permissions: { querySync(d: { name: string }): { state: string } };
  };
  const deno = (globalThis as unknown as { Deno?: DenoFfi }).Deno;
  if (deno?.dlopen === undefined) return undefined;
  // Only when already allowed: asking would stop an interactive run at a permission prompt.
  if (deno.permissions.querySync({ name: "ffi" }).state !== "granted") return undefined;
  return () => {
    const { symbols: s } = deno.dlopen("libc.so.6", {
      socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
      sendto: { parameters: ["i32", "buffer", "usize", "i32", "buffer", "u32"], result: "i32" },
      recv: { parameters: ["i32", "buffer", "usize", "i32"], result: "i32" },
      setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
      close: { parameters: ["i32"], result: "i32" },
      open: { parameters: ["buffer", "i32"], result: "i32" },
      setns: { parameters: ["i32", "i32"], result: "i32" },
      __errno_location: { parameters: [], result: "pointer" },
    });
    const errnoView = new deno.UnsafePointerView(s.__errno_location!() as Pointer);
    const n = (v: unknown) => v as number;
    return {
      socket: (d, t, p) => n(s.socket!(d, t, p)),
      sendto: (fd, buf, len, addr, addrLen) => n(s.sendto!(fd, buf, len, 0, addr, addrLen)),
      recv: (fd, buf, len, flags) => n(s.recv!(fd, buf, len, flags)),
      setsockopt: (fd, level, name, value, len) => n(s.setsockopt!(fd, level, name, value, len)),
      close: (fd) => n(s.close!(fd)),
      open: (path, flags) => n(s.open!(path, flags)),
      setns: (fd, nstype) => n(s.setns!(fd, nstype)),
      errno: () => errnoView.getInt32(0),
    };
  };
}

/** How libc is reached here: a loader (called once, on first use) or the reason there is none. */
type Backend = { runtime: NetlinkRuntime; load: () => Libc } | { runtime: undefined; why: string };

async function chooseBackend(): Promise<Backend> {
  if (process.platform !== "linux") return { runtime: undefined, why: "not Linux" };
  try {
    const bun = await bunLibc();
    if (bun) return { runtime: "bun:ffi", load: bun };
    const deno = denoLibc();
    if (deno) return { runtime: "Deno.dlopen", load: deno };
    const isDeno = (globalThis as { Deno?: unknown }).Deno !== undefined;
    return {
      runtime: undefined,
      why: isDeno ? "the ffi permission is not granted" : "this runtime has no FFI",
    };
  } catch (err) {
    return { runtime: undefined, why: `FFI is not usable: ${(err as Error).message}` };
  }
}

const backend: Backend = await chooseBackend();
let libc: Libc | undefined;
let loadError: string | undefined;
let receiveBuffer: Uint8Array | undefined;
let receiveView: DataView | undefined;

/** The libc calls, loaded on first use, or the reason they cannot be. */
function getLibc(): Libc | NetlinkUnavailable {
  if (libc) return libc;
  if (backend.runtime === undefined) {
    return { ok: false, reason: `Cannot use netlink: ${backend.why}` };
  }
  if (loadError === undefined) {
    try {
      libc = backend.load();
      return libc;
    } catch (err) {
      loadError = `Cannot use netlink: cannot open libc.so.6: ${(err as Error).message}`;
    }
  }
  return { ok: false, reason: loadError };
}

/**
 * Whether netlink can be used in this process, and through which FFI; loads libc the first time.
 *
 * @example
 * ```ts
 * import { netlinkAvailable } from "./netlink.ts";
 * const nl = netlinkAvailable();
 * console.log(nl.ok ? `netlink through ${nl.runtime}` : nl.reason);
 * ```
 */
export function netlinkAvailable(): { ok: true; runtime: NetlinkRuntime } | NetlinkUnavailable {
  const c = getLibc();
  if ("ok" in c) return c;
  return { ok: true, runtime: backend.runtime! };
}

/** A NUL-terminated copy of a path, for open(). */
function cString(text: string): Uint8Array {
  const bytes = new TextEncoder().encode(text);
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}

/**
 * The inode of a network namespace file (`/proc/PID/ns/net`, `/run/netns/NAME`, …): the
 * namespace's identity while it lives. Undefined when the path cannot be read.
 */
export function netnsInode(path: string): number | undefined {
  try {
    return statSync(path).ino;
  } catch {
    return undefined;
  }
}

/** The namespace file of the calling thread (falling back to the process on old kernels). */
function selfNetnsPath(): string {
  return netnsInode("/proc/thread-self/ns/net") !== undefined
    ? "/proc/thread-self/ns/net"
    : "/proc/self/ns/net";
}

/** socket(AF_NETLINK) here, with its receive timeout set; the fd or the errno as a negative. */
function socketHere(c: Libc, protocol: number): number {
  const fd = c.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
  if (fd < 0) return -c.errno();
  const timeval = new Uint8Array(16);
  new DataView(timeval.buffer).setBigInt64(0, BigInt(RECEIVE_TIMEOUT_S), true);
  c.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeval, 16); // Best effort: without it, no timeout.
  return fd;
}

/**
 * Runs `fn` on this thread inside the network namespace at `path` (setns there, run, setns
 * back, whatever `fn` does); `where` words the failures. What `fn` returns or throws is passed
 * on once the thread is home again.
 */
function within<T>(
  c: Libc,
  path: string,
  where: string,
  fn: () => T,
): { ok: true; value: T } | NetlinkUnavailable {
  const self = c.open(cString(selfNetnsPath()), O_RDONLY | O_CLOEXEC);
  if (self < 0) return failure(`${where}: cannot open this thread's namespace`, c.errno());
  try {
    const target = c.open(cString(path), O_RDONLY | O_CLOEXEC);
    if (target < 0) return failure(where, c.errno());
    try {
      if (c.setns(target, CLONE_NEWNET) < 0) {
        const errno = c.errno();
        // setns answers EINVAL for a file that is not a network namespace.
        if (errno === EINVAL) {
          return { ok: false, reason: `${where}: not a network namespace`, code: "EINVAL" };
        }
        return failure(`${where}: setns`, errno);
      }
      let value: T | undefined, thrown: unknown, threw = false;
      try {
        value = fn();
      } catch (err) {
        thrown = err;
        threw = true;
      }
      // Back home before anything else, whatever fn did.
      if (c.setns(self, CLONE_NEWNET) < 0) {
        const { text } = errnoName(c.errno());
        throw new Error(`Cannot return to this process's network namespace: ${text}`);
      }
      if (threw) throw thrown;
      return { ok: true, value: value as T };
    } finally {
      c.close(target);
    }
  } finally {
    c.close(self);
  }
}

/** socket() inside the namespace at `path`: setns there, create, setns back. */
function socketIn(c: Libc, protocol: number, path: string): number | NetlinkUnavailable {
  const where = `Cannot open a netlink socket in ${path}`;
  const r = within(c, path, where, () => socketHere(c, protocol));
  if (!r.ok) return r;
  return r.value < 0 ? failure(`${where}: socket`, -r.value) : r.value;
}

/**
 * Runs `fn` synchronously on this thread inside the network namespace of the file `path`, and
 * comes back before returning: what the kernel answers for "this namespace" during `fn` —
 * /proc/sys/net, /proc/thread-self/net — is that namespace's. Needs CAP_SYS_ADMIN (setns) and
 * the FFI; the result says why not. `fn` must not wait (no await): another task would run in
 * the wrong namespace.
 *
 * @example
 * ```ts
 * import { inNetns } from "./netlink.ts";
 * import { readFileSync } from "node:fs";
 * const r = inNetns("/run/netns/blue", () => readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8"));
 * console.log(r.ok ? r.value : r.reason);
 * ```
 */
export function inNetns<T>(path: string, fn: () => T): { ok: true; value: T } | NetlinkUnavailable {
  const c = getLibc();
  if ("ok" in c) return c;
  return within(c, path, `Cannot enter the network namespace ${path}`, fn);
}

/** sockaddr_nl of the kernel: family AF_NETLINK, pid 0, groups 0. */
const KERNEL_ADDRESS = (() => {
  const a = new Uint8Array(12);
  new DataView(a.buffer).setUint16(0, AF_NETLINK, true);
  return a;
})();

/**
 * Opens a netlink socket of `protocol` (NETLINK_ROUTE, NETLINK_SOCK_DIAG), in the namespace of
 * the file `netns` (`/proc/PID/ns/net`, `/run/netns/NAME`, `/var/run/docker/netns/ID`) when
 * given, else in this process's. Never throws for a missing namespace, a refused `setns`
 * (EPERM: not root) or no FFI: the result says why.
 *
 * @example
 * ```ts
 * import { NETLINK_ROUTE, openNetlink } from "./netlink.ts";
 * const s = openNetlink(NETLINK_ROUTE, "/run/netns/blue");
 * if (s.ok) s.socket.close();
 * else console.error(s.reason);
 * ```
 */
export function openNetlink(
  protocol: number,
  netns?: string,
): { ok: true; socket: NetlinkSocket } | NetlinkUnavailable {
  const c = getLibc();
  if ("ok" in c) return c;
  let fd: number;
  // The same namespace as ours needs no setns (and no privilege).
  const here = netns === undefined ||
    netnsInode(netns) === netnsInode(selfNetnsPath()) && netnsInode(netns) !== undefined;
  if (here) {
    fd = socketHere(c, protocol);
    if (fd < 0) return failure("Cannot open a netlink socket", -fd);
  } else {
    const r = socketIn(c, protocol, netns);
    if (typeof r !== "number") return r;
    fd = r;
  }
  return { ok: true, socket: makeSocket(c, fd, netns) };
}

function makeSocket(c: Libc, fd: number, netns: string | undefined): NetlinkSocket {
  let open = true;
  const closed: NetlinkUnavailable = { ok: false, reason: "Cannot use netlink socket: closed" };
  return {
    netns,
    send(request) {
      if (!open) return closed;
      for (;;) {
        const n = c.sendto(fd, request, request.length, KERNEL_ADDRESS, KERNEL_ADDRESS.length);
        if (n >= 0) return { ok: true };
        const errno = c.errno();
        if (errno !== EINTR) return failure("Cannot send a netlink request", errno);
      }
    },
    receive() {
      if (!open) return closed;
      if (!receiveBuffer) {
        // Its own ArrayBuffer, so that the engine never moves it while a pointer is out.
        receiveBuffer = new Uint8Array(new ArrayBuffer(RECEIVE_BUFFER));
        receiveView = new DataView(receiveBuffer.buffer);
      }
      for (;;) {
        const n = c.recv(fd, receiveBuffer, receiveBuffer.length, MSG_TRUNC);
        if (n > receiveBuffer.length) {
          return {
            ok: false,
            reason: `Cannot read a netlink reply: ${n} bytes do not fit the ${RECEIVE_BUFFER}`,
          };
        }
        if (n >= 0) return { ok: true, bytes: receiveBuffer, view: receiveView!, length: n };
        const errno = c.errno();
        if (errno === EAGAIN) {
          const reason = `Cannot read a netlink reply: none came in ${RECEIVE_TIMEOUT_S} s`;
          return { ok: false, reason, code: "EAGAIN" };
        }
        if (errno !== EINTR) return failure("Cannot read a netlink reply", errno);
      }
    },
    close() {
      if (open) c.close(fd);
      open = false;
    },
  };
}

/**
 * What every sock_diag family shares (linux/sock_diag.h): the request type, and the socket memory
 * counters (`SK_MEMINFO_*`, an array of u32) that inet, UNIX and packet sockets can all report.
 */

/** nlmsg_type of every sock_diag request and answer. */
export const SOCK_DIAG_BY_FAMILY = 20;

/** Socket memory, bytes (`ss -m` skmem: r, rb, t, tb, f, w, o, bl, d). */
export interface SkMemInfo {
  /** Bytes queued for reading (r). */
  rmemAlloc: number;
  /** Receive buffer size (rb). */
  rcvBuf: number;
  /** Bytes of sent data not yet freed (t). */
  wmemAlloc: number;
  /** Send buffer size (tb). */
  sndBuf: number;
  /** Memory reserved ahead (f). */
  fwdAlloc: number;
  /** Bytes queued for sending (w). */
  wmemQueued: number;
  /** Option memory (o). */
  optmem: number;
  /** Backlog queue, bytes (bl); absent on old kernels. */
  backlog?: number;
  /** Packets dropped before they were queued (d); absent on old kernels. */
  drops?: number;
}

/** Decodes an SK_MEMINFO array of `length` bytes at `at`; undefined when shorter than 7 values. */
export function decodeSkMemInfo(view: DataView, at: number, length: number): SkMemInfo | undefined {
  if (length < 28) return undefined;
  const u = (i: number) => view.getUint32(at + 4 * i, true);
  const m: SkMemInfo = {
    rmemAlloc: u(0),
    rcvBuf: u(1),
    wmemAlloc: u(2),
    sndBuf: u(3),
    fwdAlloc: u(4),
    wmemQueued: u(5),
    optmem: u(6),
  };
  if (length >= 32) m.backlog = u(7);
  if (length >= 36) m.drops = u(8);
  return m;
}

/** The 64-bit socket cookie stored as two host-order u32 at `at`. */
export function cookieAt(view: DataView, at: number): bigint {
  const lo = view.getUint32(at, true), hi = view.getUint32(at + 4, true);
  // Cookies count up from 1: the high word is almost always 0, and one BigInt is cheaper than three.
  return hi === 0 ? BigInt(lo) : BigInt(lo) | BigInt(hi) << 32n;
}

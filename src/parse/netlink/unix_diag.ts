/**
 * UNIX sockets over sock_diag (linux/unix_diag.h): the `unix_diag_req` dump request and the
 * `unix_diag_msg` answers (u8 family, type, state, pad; u32 inode; u32 cookie[2]) with the
 * attributes asked for: name, VFS inode of a path, peer, queue lengths, uid, shutdown state.
 *
 * A name that starts with a NUL byte is abstract (no file). It is written the way `ss` writes it,
 * `@` then the rest with every NUL shown as `@`, and flagged `abstract`, so that a path that
 * happens to start with `@` is still told apart.
 */
import { inetStateName } from "./inet_diag.ts";
import { AF_UNIX } from "./addresses.ts";
import {
  attrWalker,
  decodeUtf8,
  type MessageDecoder,
  newRequest,
  NLMSG_HDRLEN,
  type Walk,
} from "./nlmsg.ts";
import { cookieAt, decodeSkMemInfo, type SkMemInfo, SOCK_DIAG_BY_FAMILY } from "./sock_diag.ts";

export const UDIAG_SHOW_NAME = 0x1;
export const UDIAG_SHOW_VFS = 0x2;
export const UDIAG_SHOW_PEER = 0x4;
export const UDIAG_SHOW_ICONS = 0x8;
export const UDIAG_SHOW_RQLEN = 0x10;
export const UDIAG_SHOW_MEMINFO = 0x20;
export const UDIAG_SHOW_UID = 0x40;

const UNIX_DIAG_NAME = 0;
const UNIX_DIAG_VFS = 1;
const UNIX_DIAG_PEER = 2;
const UNIX_DIAG_ICONS = 3;
const UNIX_DIAG_RQLEN = 4;
const UNIX_DIAG_MEMINFO = 5;
const UNIX_DIAG_SHUTDOWN = 6;
const UNIX_DIAG_UID = 7;

/** What a default dump asks for: everything but memory and the pending-connection list. */
export const UNIX_SHOW_DEFAULT = UDIAG_SHOW_NAME | UDIAG_SHOW_VFS | UDIAG_SHOW_PEER |
  UDIAG_SHOW_RQLEN | UDIAG_SHOW_UID;

/** Builds a unix_diag_req dump request (40 bytes) for every state. */
export function unixDiagRequest(seq: number, show = UNIX_SHOW_DEFAULT): Uint8Array {
  const { bytes, view } = newRequest(SOCK_DIAG_BY_FAMILY, seq, 24);
  const p = NLMSG_HDRLEN;
  view.setUint8(p, AF_UNIX);
  view.setUint32(p + 4, 0xffffffff, true); // every state
  view.setUint32(p + 12, show, true);
  view.setUint32(p + 16, 0xffffffff, true); // no cookie
  view.setUint32(p + 20, 0xffffffff, true);
  return bytes;
}

/** Socket types by number, as `ss -x` names them (u_str, u_dgr, u_seq). */
const TYPES: Record<number, "stream" | "dgram" | "seqpacket"> = {
  1: "stream",
  2: "dgram",
  5: "seqpacket",
};

/** One UNIX socket. */
export interface UnixSocket {
  /** SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET. */
  type: "stream" | "dgram" | "seqpacket" | `type_${number}`;
  /** LISTEN, ESTABLISHED (connected), UNCONN (unconnected), SYN_SENT (connecting), CLOSE_WAIT … */
  state: string;
  /** Socket inode, what /proc/PID/fd links name. */
  inode: number;
  /** The kernel's socket cookie. */
  cookie: bigint;
  /** The bound name: a file path, or `@name` for an abstract one; absent when unbound. */
  path?: string;
  /** True for an abstract name (no file behind it). */
  abstract?: boolean;
  /** Inode and device of the socket file of a path-bound socket (`ss -e` ino:, dev:). */
  vfs?: { inode: number; dev: number };
  /** Inode of the connected peer socket; absent when not connected. */
  peerInode?: number;
  /** Bytes waiting to be read (stream) or datagrams/bytes queued; for LISTEN, connections waiting to be accepted. */
  recvQ?: number;
  /** Bytes queued for sending; for LISTEN, the backlog limit. */
  sendQ?: number;
  /** Owner uid (newer kernels). */
  uid?: number;
  /** shutdown() state bits: 1 receive side shut, 2 send side shut. */
  shutdown?: number;
  /** Inodes of connections waiting on a listener (asked for with UDIAG_SHOW_ICONS). */
  pending?: number[];
  /** Socket memory (asked for with UDIAG_SHOW_MEMINFO). */
  memInfo?: SkMemInfo;
}

function name(v: DataView, at: number, len: number): { path: string; abstract: boolean } {
  const bytes = new Uint8Array(v.buffer, v.byteOffset + at, len);
  if (len > 0 && bytes[0] === 0) {
    // Abstract: every NUL (the leading one too) shown as "@", as ss does.
    const text = decodeUtf8(bytes.map((b) => b === 0 ? 64 : b));
    return { path: text, abstract: true };
  }
  let end = len;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return { path: decodeUtf8(bytes.subarray(0, end)), abstract: false };
}

function visit(w: Walk<UnixSocket>, type: number, at: number, len: number): void {
  const v = w.view, rec = w.rec;
  switch (type) {
    case UNIX_DIAG_NAME: {
      const n = name(v, at, len);
      rec.path = n.path;
      if (n.abstract) rec.abstract = true;
      break;
    }
    case UNIX_DIAG_VFS:
      if (len >= 8) rec.vfs = { inode: v.getUint32(at, true), dev: v.getUint32(at + 4, true) };
      break;
    case UNIX_DIAG_PEER:
      if (len >= 4) {
        const peer = v.getUint32(at, true);
        if (peer !== 0) rec.peerInode = peer;
      }
      break;
    case UNIX_DIAG_ICONS: {
      const pending: number[] = [];
      for (let i = 0; i + 4 <= len; i += 4) pending.push(v.getUint32(at + i, true));
      rec.pending = pending;
      break;
    }
    case UNIX_DIAG_RQLEN:
      if (len >= 8) {
        rec.recvQ = v.getUint32(at, true);
        rec.sendQ = v.getUint32(at + 4, true);
      }
      break;
    case UNIX_DIAG_MEMINFO: {
      const m = decodeSkMemInfo(v, at, len);
      if (m) rec.memInfo = m;
      break;
    }
    case UNIX_DIAG_SHUTDOWN:
      if (len >= 1) rec.shutdown = v.getUint8(at);
      break;
    case UNIX_DIAG_UID:
      if (len >= 4) rec.uid = v.getUint32(at, true);
      break;
  }
}

/** Decodes unix_diag_msg answers. */
export function unixDiagDecoder(): MessageDecoder<UnixSocket> {
  const walkAttrs = attrWalker(visit, (rec: UnixSocket) => `unix socket ${rec.inode}`);
  return (view, at, length, _type, warnings) => {
    const p = at + NLMSG_HDRLEN;
    if (length < NLMSG_HDRLEN + 16) {
      warnings.push(`unix sockets: a ${length}-byte answer is too short; skipped`);
      return undefined;
    }
    if (view.getUint8(p) !== AF_UNIX) return undefined;
    const typeNo = view.getUint8(p + 1);
    const rec: UnixSocket = {
      type: TYPES[typeNo] ?? `type_${typeNo}`,
      // ss names these like UDP's: 7 (CLOSE) is an unconnected socket.
      state: inetStateName("udp", view.getUint8(p + 2)),
      inode: view.getUint32(p + 4, true),
      cookie: cookieAt(view, p + 8),
    };
    walkAttrs(view, p + 16, at + length, rec, warnings);
    return rec;
  };
}

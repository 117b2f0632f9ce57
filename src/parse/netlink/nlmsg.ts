/**
 * Netlink framing (linux/netlink.h): the 16-byte `nlmsghdr` in front of every message, the
 * attributes (`rtattr`/`nlattr`: u16 length, u16 type, payload, padded to 4 bytes) that follow a
 * message's fixed part, and the reader that takes a multi-part dump apart as it arrives.
 *
 * Everything here is pure: bytes in, records and warnings out. A message or attribute whose length
 * runs past the bytes it lives in ends that walk with a warning; nothing here throws on input.
 * Numbers are host order (little-endian on every machine nsnap runs on), except where a header
 * says `__be` (ports, addresses).
 */
import { hostText } from "../../util/host_text.ts";

/** nlmsghdr size; also where a message's payload starts. */
export const NLMSG_HDRLEN = 16;
/** Message types the framing itself defines. */
export const NLMSG_NOOP = 1;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const NLMSG_OVERRUN = 4;
/** Header flags. */
export const NLM_F_REQUEST = 0x1;
export const NLM_F_MULTI = 0x2;
export const NLM_F_ACK = 0x4;
export const NLM_F_DUMP_INTR = 0x10;
export const NLM_F_DUMP = 0x300;
/** Attribute type bits that are flags, not part of the type. */
const NLA_TYPE_MASK = 0x3fff;

/** Rounds a length up to netlink's 4-byte alignment. */
export function align4(n: number): number {
  return (n + 3) & ~3;
}

/**
 * Starts a request: a zeroed buffer of header + `bodyLength` bytes (+ `attrLength` for attributes
 * the caller appends), the header filled in for a dump (or a plain request when `dump` is false).
 */
export function newRequest(
  type: number,
  seq: number,
  bodyLength: number,
  attrLength = 0,
  dump = true,
): { bytes: Uint8Array; view: DataView } {
  const length = NLMSG_HDRLEN + align4(bodyLength) + attrLength;
  const bytes = new Uint8Array(length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, length, true);
  view.setUint16(4, type, true);
  view.setUint16(6, NLM_F_REQUEST | (dump ? NLM_F_DUMP : NLM_F_ACK), true);
  view.setUint32(8, seq, true);
  return { bytes, view };
}

/**
 * A dump request whose fixed part is zero but for its first byte, the address family: the shape
 * of the rtnetlink requests (rtmsg, ifaddrmsg, ndmsg, fib_rule_hdr).
 */
export function familyRequest(
  type: number,
  seq: number,
  bodyLength: number,
  family: number,
): { bytes: Uint8Array; view: DataView } {
  const r = newRequest(type, seq, bodyLength);
  r.view.setUint8(NLMSG_HDRLEN, family);
  return r;
}

/** Writes a u32 attribute at `offset`; returns the offset after it. */
export function putAttrU32(view: DataView, offset: number, type: number, value: number): number {
  view.setUint16(offset, 8, true);
  view.setUint16(offset + 2, type, true);
  view.setUint32(offset + 4, value, true);
  return offset + 8;
}

/**
 * Called for each attribute: its type (flag bits removed), where its payload starts and how long
 * it is. `into` is whatever the caller passed along (the record being filled), so that walking
 * needs no closure per message.
 */
export type AttrVisitor<T> = (into: T, type: number, at: number, length: number) => void;

/**
 * Walks the attributes in `view` from `start` to `end`, calling `visit` for each. Returns false
 * when an attribute's length is impossible (shorter than its header or past `end`): the walk stops
 * there and the caller should warn.
 */
export function walkAttrs<T>(
  view: DataView,
  start: number,
  end: number,
  visit: AttrVisitor<T>,
  into: T,
): boolean {
  let at = start;
  while (at + 4 <= end) {
    const len = view.getUint16(at, true);
    if (len < 4 || at + len > end) return false;
    visit(into, view.getUint16(at + 2, true) & NLA_TYPE_MASK, at + 4, len - 4);
    at += align4(len);
  }
  return at >= end || end - at < 4 && isZero(view, at, end);
}

function isZero(view: DataView, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (view.getUint8(i) !== 0) return false;
  return true;
}

/**
 * Reads a NUL-terminated (or length-bounded) string attribute as text, by the host-text rule
 * (decodeUtf8); plain ASCII without a backslash, the common case, is read directly.
 */
export function attrString(view: DataView, at: number, length: number): string {
  let end = at;
  const stop = at + length;
  let ascii = true;
  while (end < stop) {
    const b = view.getUint8(end);
    if (b === 0) break;
    if (b > 127 || b === 0x5c) ascii = false;
    end++;
  }
  if (ascii) {
    let s = "";
    for (let i = at; i < end; i++) s += String.fromCharCode(view.getUint8(i));
    return s;
  }
  return decodeUtf8(new Uint8Array(view.buffer, view.byteOffset + at, end - at));
}

/**
 * A name or path from the kernel as text, by the host-text rule (util/host_text.ts): UTF-8, every
 * byte that is not UTF-8 as `\xHH`, a backslash that would read as an escape as `\\`; the same
 * text as /proc and /sys give for the same bytes.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  return hostText(bytes);
}

/** An error the kernel answered with (NLMSG_ERROR, or NLMSG_DONE carrying one). */
export interface NetlinkError {
  /** The positive errno (EPERM is 1, ENOENT 2, EOPNOTSUPP 95 …). */
  errno: number;
}

/**
 * Decodes one message into a record: `at` is where its header starts, `length` its whole length
 * (header included), `type` its nlmsg_type. Returns undefined to skip it (and may add a warning).
 */
export type MessageDecoder<T> = (
  view: DataView,
  at: number,
  length: number,
  type: number,
  warnings: string[],
) => T | undefined;

/**
 * Takes one request's answer apart as it arrives, part after part: the state machine of a dump,
 * with no I/O of its own (feed it what `recv` returned). Messages of another sequence number
 * (late answers to an earlier request) are skipped.
 *
 * @example
 * ```ts
 * import { DumpReader } from "./nlmsg.ts";
 * const reader = new DumpReader(7, (view, at) => view.getInt32(at + 20, true), "links");
 * const part = new Uint8Array(20);
 * const v = new DataView(part.buffer);
 * v.setUint32(0, 20, true); // an NLMSG_DONE of sequence 7
 * v.setUint16(4, 3, true);
 * v.setUint32(8, 7, true);
 * reader.feed(v, 0, 20); // true: the dump is over
 * ```
 */
export class DumpReader<T> {
  /** Records decoded so far. */
  readonly records: T[] = [];
  /** Problems met so far, each one line naming `what`. */
  readonly warnings: string[] = [];
  /** True once NLMSG_DONE or NLMSG_ERROR ended the answer. */
  done = false;
  /** The kernel's error, when it answered with one instead of (or at the end of) the dump. */
  error: NetlinkError | undefined;
  /** True when the kernel flagged the dump as interrupted by a change (NLM_F_DUMP_INTR). */
  interrupted = false;

  constructor(
    readonly seq: number,
    readonly decode: MessageDecoder<T>,
    readonly what: string,
  ) {}

  /** Reads the messages in `length` bytes from `offset`; returns true when the answer is complete. */
  feed(view: DataView, offset: number, length: number): boolean {
    const end = offset + length;
    let at = offset;
    while (at < end && !this.done) {
      if (end - at < NLMSG_HDRLEN) {
        this.warnings.push(`${this.what}: ${end - at} stray bytes after the last message`);
        break;
      }
      const len = view.getUint32(at, true);
      if (len < NLMSG_HDRLEN || at + len > end) {
        this.warnings.push(
          `${this.what}: a message claims ${len} bytes where ${end - at} are left; part skipped`,
        );
        break;
      }
      const type = view.getUint16(at + 4, true);
      const flags = view.getUint16(at + 6, true);
      if (view.getUint32(at + 8, true) === this.seq) this.message(view, at, len, type, flags);
      at += align4(len);
    }
    return this.done;
  }

  private message(view: DataView, at: number, len: number, type: number, flags: number): void {
    if (flags & NLM_F_DUMP_INTR && !this.interrupted) {
      this.interrupted = true;
      this.warnings.push(`${this.what}: the kernel's tables changed during the dump; re-read`);
    }
    if (type === NLMSG_DONE || type === NLMSG_ERROR) {
      this.done = true;
      const code = len >= NLMSG_HDRLEN + 4 ? view.getInt32(at + NLMSG_HDRLEN, true) : 0;
      if (code < 0) this.error = { errno: -code };
      return;
    }
    if (type === NLMSG_NOOP) return;
    if (type === NLMSG_OVERRUN) {
      this.warnings.push(`${this.what}: the kernel reported lost messages (overrun)`);
      return;
    }
    const rec = this.decode(view, at, len, type, this.warnings);
    if (rec !== undefined) this.records.push(rec);
  }
}

/**
 * Decodes a whole recorded answer (every part of a dump, concatenated) at once: for fixtures and
 * tests; the live path feeds a DumpReader part by part.
 */
export function decodeDump<T>(
  bytes: Uint8Array,
  seq: number,
  decode: MessageDecoder<T>,
  what: string,
): DumpReader<T> {
  const reader = new DumpReader(seq, decode, what);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  reader.feed(view, 0, bytes.length);
  if (!reader.done) reader.warnings.push(`${what}: the answer ended before NLMSG_DONE`);
  return reader;
}

/** The record being filled and the bytes it comes from, handed to an attribute visitor. */
export interface Walk<R> {
  view: DataView;
  rec: R;
}

/**
 * Makes the attribute walk of one kind of message: `visit` fills the record from each attribute,
 * `describe` names the record in the warning when an attribute runs past its message. The walk
 * state is one object reused for every message.
 */
export function attrWalker<R>(
  visit: AttrVisitor<Walk<R>>,
  describe: (rec: R) => string,
): (view: DataView, start: number, end: number, rec: R, warnings: string[]) => void {
  let walk: Walk<R> | undefined;
  return (view, start, end, rec, warnings) => {
    if (walk) {
      walk.view = view;
      walk.rec = rec;
    } else walk = { view, rec };
    if (!walkAttrs(view, start, end, visit, walk)) {
      warnings.push(
        `${describe(rec)}: an attribute runs past the end of its message; the rest is skipped`,
      );
    }
  };
}

/** The recorded netlink answers of tests/testdata/netlink/ (see its README), decoded on demand. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  decodeDump,
  type DumpReader,
  type MessageDecoder,
} from "../../../src/parse/netlink/nlmsg.ts";

/** Absolute path of the folder. */
export const NETLINK_FIXTURES = fileURLToPath(new URL("../../testdata/netlink/", import.meta.url));

/** The bytes of one recorded answer ("inet_tcp4.bin"). */
export function answer(name: string): Uint8Array {
  return new Uint8Array(readFileSync(NETLINK_FIXTURES + name));
}

/** Decodes a recorded answer (sequence number 1) with a decoder, as the live path would. */
export function decodeFixture<T>(name: string, decoder: MessageDecoder<T>): DumpReader<T> {
  return decodeDump(answer(name), 1, decoder, name);
}

/** Builds one netlink message: header (type, flags, seq 1) and payload. */
export function message(type: number, payload: Uint8Array, flags = 2, seq = 1): Uint8Array {
  const len = 16 + payload.length;
  const out = new Uint8Array((len + 3) & ~3);
  const v = new DataView(out.buffer);
  v.setUint32(0, len, true);
  v.setUint16(4, type, true);
  v.setUint16(6, flags, true);
  v.setUint32(8, seq, true);
  out.set(payload, 16);
  return out;
}

/** One attribute: length, type, payload, padding. */
export function attr(type: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array((4 + payload.length + 3) & ~3);
  const v = new DataView(out.buffer);
  v.setUint16(0, 4 + payload.length, true);
  v.setUint16(2, type, true);
  out.set(payload, 4);
  return out;
}

/** The concatenation of byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** NLMSG_DONE (with an optional negative errno) of sequence 1. */
export function done(error = 0): Uint8Array {
  const p = new Uint8Array(4);
  new DataView(p.buffer).setInt32(0, error, true);
  return message(3, p);
}

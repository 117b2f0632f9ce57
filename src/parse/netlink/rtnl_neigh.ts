/**
 * Neighbours (ARP and NDP entries, `ip neigh`) over rtnetlink: the RTM_GETNEIGH dump request (both
 * families; proxy entries are a separate dump) and the RTM_NEWNEIGH answers (linux/neighbour.h
 * `ndmsg`: u8 family, pad, pad; s32 index; u16 state; u8 flags, type) with their NDA_* attributes.
 */
import { AF_UNSPEC, familyName, ipAt, macAt } from "./addresses.ts";
import {
  attrWalker,
  familyRequest,
  type MessageDecoder,
  NLMSG_HDRLEN,
  type Walk,
} from "./nlmsg.ts";

export const RTM_NEWNEIGH = 28;
export const RTM_GETNEIGH = 30;

const NDA_DST = 1;
const NDA_LLADDR = 2;
const NDA_CACHEINFO = 3;
const NDA_PROBES = 4;
const NDA_PROTOCOL = 12;

/** ndm_flags bit of proxy entries (`ip neigh add proxy`); asking with it dumps those instead. */
export const NTF_PROXY = 0x08;
const NTF_ROUTER = 0x80;

/** Clock ticks per second of the cache times (USER_HZ). */
const USER_HZ = 100;

/** Builds an RTM_GETNEIGH dump request: ordinary entries, or proxy entries when `proxy`. */
export function neighbourRequest(seq: number, proxy = false, family = AF_UNSPEC): Uint8Array {
  const { bytes, view } = familyRequest(RTM_GETNEIGH, seq, 12, family);
  if (proxy) view.setUint8(NLMSG_HDRLEN + 10, NTF_PROXY);
  return bytes;
}

/** NUD_* state bits with their `ip neigh` names. */
const STATE_NAMES: ReadonlyArray<[number, string]> = [
  [0x01, "INCOMPLETE"],
  [0x02, "REACHABLE"],
  [0x04, "STALE"],
  [0x08, "DELAY"],
  [0x10, "PROBE"],
  [0x20, "FAILED"],
  [0x40, "NOARP"],
  [0x80, "PERMANENT"],
];

/** The names of NUD_* state bits (`NONE` for 0), as `ip -j neigh` lists them. */
export function neighbourStateNames(state: number): string[] {
  if (state === 0) return ["NONE"];
  const out: string[] = [];
  for (const [bit, name] of STATE_NAMES) if (state & bit) out.push(name);
  return out;
}

/** One neighbour entry. */
export interface Neighbour {
  family: "inet" | "inet6";
  /** The neighbour's IP address. */
  address: string;
  /** Index of the interface it is reached through. */
  ifindex: number;
  /** Name of that interface, when the dump resolved it. */
  interface?: string;
  /** Link-layer (MAC) address; absent while unresolved (INCOMPLETE, FAILED). */
  lladdr?: string;
  /** NUD_* bits: 0x01 INCOMPLETE, 0x02 REACHABLE, 0x04 STALE, 0x08 DELAY, 0x10 PROBE, 0x20 FAILED, 0x40 NOARP, 0x80 PERMANENT. */
  state: number;
  /** The state bits by name. */
  states: string[];
  /** NTF_* flag bits. */
  flags: number;
  /** NTF_ROUTER: the neighbour said it is a router (IPv6). */
  router: boolean;
  /** NTF_PROXY: a proxy entry (we answer for that address). */
  proxy: boolean;
  /** Unanswered probes sent. */
  probes?: number;
  /** Seconds since the entry was last confirmed reachable. */
  confirmedAgo?: number;
  /** Seconds since it was last used. */
  usedAgo?: number;
  /** Seconds since it was last updated. */
  updatedAgo?: number;
  /** Who installed it (NDA_PROTOCOL). */
  protocol?: number;
}

function visit(w: Walk<Neighbour>, type: number, at: number, len: number): void {
  const v = w.view, rec = w.rec;
  switch (type) {
    case NDA_DST: {
      const a = ipAt(v, at, len);
      if (a !== undefined) rec.address = a;
      break;
    }
    case NDA_LLADDR:
      if (len > 0) rec.lladdr = macAt(v, at, len);
      break;
    case NDA_PROBES:
      if (len >= 4) rec.probes = v.getUint32(at, true);
      break;
    case NDA_CACHEINFO:
      if (len >= 12) {
        rec.confirmedAgo = Math.floor(v.getUint32(at, true) / USER_HZ);
        rec.usedAgo = Math.floor(v.getUint32(at + 4, true) / USER_HZ);
        rec.updatedAgo = Math.floor(v.getUint32(at + 8, true) / USER_HZ);
      }
      break;
    case NDA_PROTOCOL:
      if (len >= 1) rec.protocol = v.getUint8(at);
      break;
  }
}

/** Decodes RTM_NEWNEIGH answers of IPv4 (ARP) and IPv6 (NDP); bridge FDB entries are skipped. */
export function neighbourDecoder(): MessageDecoder<Neighbour> {
  const walkAttrs = attrWalker(visit, (rec: Neighbour) => `neighbour ${rec.address || "?"}`);
  return (view, at, length, type, warnings) => {
    if (type !== RTM_NEWNEIGH) return undefined;
    const q = at + NLMSG_HDRLEN;
    if (length < NLMSG_HDRLEN + 12) {
      warnings.push(`neighbours: a ${length}-byte answer is too short; skipped`);
      return undefined;
    }
    const family = familyName(view.getUint8(q));
    if (!family) return undefined;
    const state = view.getUint16(q + 8, true);
    const flags = view.getUint8(q + 10);
    const rec: Neighbour = {
      family,
      address: "",
      ifindex: view.getInt32(q + 4, true),
      state,
      states: neighbourStateNames(state),
      flags,
      router: (flags & NTF_ROUTER) !== 0,
      proxy: (flags & NTF_PROXY) !== 0,
    };
    walkAttrs(view, q + 12, at + length, rec, warnings);
    if (rec.address === "") {
      warnings.push(`neighbours: an entry on interface ${rec.ifindex} without NDA_DST; skipped`);
      return undefined;
    }
    return rec;
  };
}

/**
 * Interface addresses over rtnetlink: the RTM_GETADDR dump request (both families at once) and the
 * RTM_NEWADDR answers (linux/if_addr.h `ifaddrmsg`: u8 family, prefix length, flags, scope; u32
 * index) with their IFA_* attributes.
 *
 * IFA_ADDRESS is the prefix (peer) address and IFA_LOCAL the interface's own; they differ only on
 * point-to-point links, and IPv6 sends IFA_ADDRESS alone. The record's `address` is the local one.
 */
import { AF_UNSPEC, familyName, ipAt } from "./addresses.ts";
import {
  attrString,
  attrWalker,
  familyRequest,
  type MessageDecoder,
  NLMSG_HDRLEN,
  type Walk,
} from "./nlmsg.ts";
import { scopeName } from "./rtnl_names.ts";

export const RTM_NEWADDR = 20;
export const RTM_GETADDR = 22;

const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;
const IFA_LABEL = 3;
const IFA_BROADCAST = 4;
const IFA_ANYCAST = 5;
const IFA_CACHEINFO = 6;
const IFA_FLAGS = 8;
const IFA_RT_PRIORITY = 9;
const IFA_PROTO = 11;

/** Builds an RTM_GETADDR dump request for every address of every family. */
export function addressRequest(seq: number, family = AF_UNSPEC): Uint8Array {
  return familyRequest(RTM_GETADDR, seq, 8, family).bytes;
}

/** Lifetime value meaning "forever". */
export const INFINITY_LIFE_TIME = 0xffffffff;

/** One address of an interface. */
export interface Address {
  family: "inet" | "inet6";
  /** Index of the interface it is on. */
  ifindex: number;
  /** Name of that interface, when the dump resolved it. */
  interface?: string;
  /** The interface's own address (IFA_LOCAL, else IFA_ADDRESS). */
  address: string;
  /** The other end of a point-to-point link, when it differs from `address`. */
  peer?: string;
  prefixLength: number;
  /** global, site, link, host, nowhere (or a number). */
  scope: string;
  /** IPv4 label ("eth0:1"). */
  label?: string;
  broadcast?: string;
  anycast?: string;
  /** IFA_F_* bits (IFA_FLAGS when sent, else the 8-bit field); names from addressFlagNames(). */
  flags: number;
  /** Seconds the address stays valid (4294967295: forever). */
  validLifetime?: number;
  /** Seconds it stays preferred (4294967295: forever). */
  preferredLifetime?: number;
  /** Metric of the prefix route made for it (IFA_RT_PRIORITY). */
  metric?: number;
  /** Who made it (IFA_PROTO: 1 loopback, 2 router advertisement, 3 link-local). */
  protocol?: number;
}

/** IFA_F_* bits as `ip -j addr` names them (each a true-valued key there). */
const FLAG_NAMES: ReadonlyArray<[number, string]> = [
  [0x01, "secondary"], // "temporary" for IPv6
  [0x02, "nodad"],
  [0x04, "optimistic"],
  [0x08, "dadfailed"],
  [0x10, "home"],
  [0x20, "deprecated"],
  [0x40, "tentative"],
  [0x80, "permanent"],
  [0x100, "mngtmpaddr"],
  [0x200, "noprefixroute"],
  [0x400, "autojoin"],
  [0x800, "stable-privacy"],
];

/**
 * Names of the flag bits of an address; IPv6 calls the secondary bit "temporary", and an address
 * without "permanent" is "dynamic" (as ip prints it).
 */
export function addressFlagNames(a: Pick<Address, "flags" | "family">): string[] {
  const out: string[] = [];
  for (const [bit, name] of FLAG_NAMES) {
    if (a.flags & bit) out.push(bit === 1 && a.family === "inet6" ? "temporary" : name);
  }
  if (!(a.flags & 0x80)) out.push("dynamic");
  return out;
}

/** The parts of a message the walk fills, before the record is made. */
interface Parts {
  family: number;
  address?: string | undefined;
  local?: string | undefined;
  label?: string | undefined;
  broadcast?: string | undefined;
  anycast?: string | undefined;
  flags?: number | undefined;
  valid?: number | undefined;
  preferred?: number | undefined;
  metric?: number | undefined;
  protocol?: number | undefined;
}

/** The attributes that carry an IP address, by the part they fill. */
const IP_FIELDS: Array<"address" | "local" | "broadcast" | "anycast" | undefined> = [];
IP_FIELDS[IFA_ADDRESS] = "address";
IP_FIELDS[IFA_LOCAL] = "local";
IP_FIELDS[IFA_BROADCAST] = "broadcast";
IP_FIELDS[IFA_ANYCAST] = "anycast";

function visit(w: Walk<Parts>, type: number, at: number, len: number): void {
  const v = w.view, p = w.rec;
  const ip = IP_FIELDS[type];
  if (ip !== undefined) {
    p[ip] = ipAt(v, at, len);
    return;
  }
  switch (type) {
    case IFA_LABEL:
      p.label = attrString(v, at, len);
      break;
    case IFA_FLAGS:
      if (len >= 4) p.flags = v.getUint32(at, true);
      break;
    case IFA_CACHEINFO:
      if (len >= 8) {
        p.preferred = v.getUint32(at, true);
        p.valid = v.getUint32(at + 4, true);
      }
      break;
    case IFA_RT_PRIORITY:
      if (len >= 4) p.metric = v.getUint32(at, true);
      break;
    case IFA_PROTO:
      if (len >= 1) p.protocol = v.getUint8(at);
      break;
  }
}

/** Decodes RTM_NEWADDR answers (IPv4 and IPv6; others are skipped). */
export function addressDecoder(): MessageDecoder<Address> {
  const walkAttrs = attrWalker(visit, (p: Parts) => `address ${p.local ?? p.address ?? "?"}`);
  return (view, at, length, type, warnings) => {
    if (type !== RTM_NEWADDR) return undefined;
    const q = at + NLMSG_HDRLEN;
    if (length < NLMSG_HDRLEN + 8) {
      warnings.push(`addresses: a ${length}-byte answer is too short; skipped`);
      return undefined;
    }
    const family = familyName(view.getUint8(q));
    if (!family) return undefined;
    const parts: Parts = { family: view.getUint8(q) };
    walkAttrs(view, q + 8, at + length, parts, warnings);
    const address = parts.local ?? parts.address;
    if (address === undefined) {
      warnings.push(`addresses: an ${family} address without IFA_ADDRESS; skipped`);
      return undefined;
    }
    const rec: Address = {
      family,
      ifindex: view.getUint32(q + 4, true),
      address,
      prefixLength: view.getUint8(q + 1),
      scope: scopeName(view.getUint8(q + 3)),
      flags: parts.flags ?? view.getUint8(q + 2),
    };
    if (parts.address !== undefined && parts.address !== address) rec.peer = parts.address;
    if (parts.label !== undefined) rec.label = parts.label;
    if (parts.broadcast !== undefined) rec.broadcast = parts.broadcast;
    if (parts.anycast !== undefined) rec.anycast = parts.anycast;
    if (parts.valid !== undefined) rec.validLifetime = parts.valid;
    if (parts.preferred !== undefined) rec.preferredLifetime = parts.preferred;
    if (parts.metric !== undefined) rec.metric = parts.metric;
    if (parts.protocol !== undefined) rec.protocol = parts.protocol;
    return rec;
  };
}

/**
 * Policy routing rules (`ip rule`) over rtnetlink: the RTM_GETRULE dump request (one family) and
 * the RTM_NEWRULE answers (linux/fib_rules.h `fib_rule_hdr`: u8 family, dst_len, src_len, tos,
 * table, res1, res2, action; u32 flags) with their FRA_* selectors.
 */
import { familyName, ipAt } from "./addresses.ts";
import {
  attrString,
  attrWalker,
  familyRequest,
  type MessageDecoder,
  NLMSG_HDRLEN,
  type Walk,
} from "./nlmsg.ts";
import { routeProtocolName } from "./rtnl_names.ts";

export const RTM_NEWRULE = 32;
export const RTM_GETRULE = 34;

const FRA_DST = 1;
const FRA_SRC = 2;
const FRA_IIFNAME = 3;
const FRA_GOTO = 4;
const FRA_PRIORITY = 6;
const FRA_FWMARK = 10;
const FRA_FLOW = 11;
const FRA_TUN_ID = 12;
const FRA_SUPPRESS_IFGROUP = 13;
const FRA_SUPPRESS_PREFIXLEN = 14;
const FRA_TABLE = 15;
const FRA_FWMASK = 16;
const FRA_OIFNAME = 17;
const FRA_L3MDEV = 19;
const FRA_UID_RANGE = 20;
const FRA_PROTOCOL = 21;
const FRA_IP_PROTO = 22;
const FRA_SPORT_RANGE = 23;
const FRA_DPORT_RANGE = 24;

const FIB_RULE_INVERT = 0x2;
const FIB_RULE_IIF_DETACHED = 0x8;
const FIB_RULE_OIF_DETACHED = 0x10;

/** Builds an RTM_GETRULE dump request for one family (AF_INET or AF_INET6). */
export function ruleRequest(seq: number, family: number): Uint8Array {
  return familyRequest(RTM_GETRULE, seq, 12, family).bytes;
}

const ACTIONS = [
  "unspec",
  "lookup",
  "goto",
  "nop",
  "res3",
  "res4",
  "blackhole",
  "unreachable",
  "prohibit",
];

/** An inclusive range of numbers (uids, ports). */
export interface NumberRange {
  start: number;
  end: number;
}

/** One rule. */
export interface Rule {
  family: "inet" | "inet6";
  /** Priority (`pref`): rules are tried from the lowest. */
  priority: number;
  /** lookup (a table), goto (another rule), nop, blackhole, unreachable, prohibit. */
  action: string;
  /** The table looked up (for action lookup); 254 main, 255 local, 253 default. */
  table: number;
  /** True for `not`: the selectors are inverted. */
  invert: boolean;
  /** Source prefix (`from`), CIDR; absent for "all". */
  from?: string;
  /** Destination prefix (`to`), CIDR. */
  to?: string;
  tos?: number;
  /** Input interface name (`iif`). */
  iif?: string;
  /** True when that interface does not exist now ([detached]). */
  iifDetached?: boolean;
  /** Output interface name (`oif`). */
  oif?: string;
  oifDetached?: boolean;
  fwmark?: number;
  fwmask?: number;
  uidRange?: NumberRange;
  /** IP protocol number it matches (`ipproto`). */
  ipProto?: number;
  sport?: NumberRange;
  dport?: NumberRange;
  /** True for `l3mdev`: the table is the VRF device's. */
  l3mdev?: boolean;
  /** Target priority of a goto rule. */
  goto?: number;
  /** Reject lookups whose prefix is this long or shorter (`suppress_prefixlength`). */
  suppressPrefixLength?: number;
  suppressIfgroup?: number;
  /** Routing realms (`realms`). */
  realms?: number;
  tunId?: bigint;
  /** Who installed it: kernel, boot, static … */
  protocol?: string;
}

interface Parts {
  rec: Rule;
  dst?: string | undefined;
  src?: string | undefined;
}

function range(v: DataView, at: number, len: number, wide: boolean): NumberRange | undefined {
  if (wide) {
    return len >= 8 ? { start: v.getUint32(at, true), end: v.getUint32(at + 4, true) } : undefined;
  }
  return len >= 4 ? { start: v.getUint16(at, true), end: v.getUint16(at + 2, true) } : undefined;
}

/** Rule fields that are one u32 attribute, by attribute type; ~0 means "none" for the suppressors. */
type U32Field =
  | "priority"
  | "table"
  | "goto"
  | "fwmark"
  | "fwmask"
  | "realms"
  | "suppressPrefixLength"
  | "suppressIfgroup";
const U32_FIELDS: Array<U32Field | undefined> = [];
U32_FIELDS[FRA_PRIORITY] = "priority";
U32_FIELDS[FRA_TABLE] = "table";
U32_FIELDS[FRA_GOTO] = "goto";
U32_FIELDS[FRA_FWMARK] = "fwmark";
U32_FIELDS[FRA_FWMASK] = "fwmask";
U32_FIELDS[FRA_FLOW] = "realms";
U32_FIELDS[FRA_SUPPRESS_PREFIXLEN] = "suppressPrefixLength";
U32_FIELDS[FRA_SUPPRESS_IFGROUP] = "suppressIfgroup";

/** Rule fields that are a range attribute: u32 pairs for uids, u16 pairs for ports. */
const RANGE_FIELDS: Array<["uidRange" | "sport" | "dport", boolean] | undefined> = [];
RANGE_FIELDS[FRA_UID_RANGE] = ["uidRange", true];
RANGE_FIELDS[FRA_SPORT_RANGE] = ["sport", false];
RANGE_FIELDS[FRA_DPORT_RANGE] = ["dport", false];

function visit(w: Walk<Parts>, type: number, at: number, len: number): void {
  const v = w.view, p = w.rec, rec = p.rec;
  const field = U32_FIELDS[type];
  if (field !== undefined) {
    const value = len >= 4 ? v.getUint32(at, true) : undefined;
    if (value !== undefined && !(value === 0xffffffff && field.startsWith("suppress"))) {
      rec[field] = value;
    }
    return;
  }
  const ranged = RANGE_FIELDS[type];
  if (ranged !== undefined) {
    const r = range(v, at, len, ranged[1]);
    if (r) rec[ranged[0]] = r;
    return;
  }
  switch (type) {
    case FRA_DST:
      p.dst = ipAt(v, at, len);
      break;
    case FRA_SRC:
      p.src = ipAt(v, at, len);
      break;
    case FRA_IIFNAME:
      rec.iif = attrString(v, at, len);
      break;
    case FRA_OIFNAME:
      rec.oif = attrString(v, at, len);
      break;
    case FRA_TUN_ID:
      if (len >= 8) rec.tunId = v.getBigUint64(at, false);
      break;
    case FRA_L3MDEV:
      if (len >= 1 && v.getUint8(at) !== 0) rec.l3mdev = true;
      break;
    case FRA_PROTOCOL:
      if (len >= 1) rec.protocol = routeProtocolName(v.getUint8(at));
      break;
    case FRA_IP_PROTO:
      if (len >= 1) rec.ipProto = v.getUint8(at);
      break;
  }
}

/** Decodes RTM_NEWRULE answers of IPv4 and IPv6. */
export function ruleDecoder(): MessageDecoder<Rule> {
  const walkAttrs = attrWalker(visit, (p: Parts) => `rule ${p.rec.priority}`);
  return (view, at, length, type, warnings) => {
    if (type !== RTM_NEWRULE) return undefined;
    const q = at + NLMSG_HDRLEN;
    if (length < NLMSG_HDRLEN + 12) {
      warnings.push(`rules: a ${length}-byte answer is too short; skipped`);
      return undefined;
    }
    const family = familyName(view.getUint8(q));
    if (!family) return undefined;
    const action = view.getUint8(q + 7);
    const flags = view.getUint32(q + 8, true);
    // The kernel leaves out FRA_PRIORITY for priority 0.
    const rec: Rule = {
      family,
      priority: 0,
      action: ACTIONS[action] ?? String(action),
      table: view.getUint8(q + 4),
      invert: (flags & FIB_RULE_INVERT) !== 0,
    };
    const tos = view.getUint8(q + 3);
    if (tos !== 0) rec.tos = tos;
    const parts: Parts = { rec };
    walkAttrs(view, q + 12, at + length, parts, warnings);
    const dstLen = view.getUint8(q + 1), srcLen = view.getUint8(q + 2);
    if (parts.src !== undefined) rec.from = `${parts.src}/${srcLen}`;
    if (parts.dst !== undefined) rec.to = `${parts.dst}/${dstLen}`;
    if (rec.iif !== undefined && flags & FIB_RULE_IIF_DETACHED) rec.iifDetached = true;
    if (rec.oif !== undefined && flags & FIB_RULE_OIF_DETACHED) rec.oifDetached = true;
    return rec;
  };
}

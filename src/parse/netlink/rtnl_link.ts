/**
 * Links (network interfaces) over rtnetlink: the RTM_GETLINK dump request and the RTM_NEWLINK
 * answers (linux/rtnetlink.h `ifinfomsg`: u8 family, pad, u16 type, s32 index, u32 flags, u32
 * change) with their IFLA_* attributes (linux/if_link.h), among them IFLA_STATS64, the
 * `rtnl_link_stats64` counters /proc/net/dev is computed from.
 */
import type { InterfaceStatName } from "../../fields.ts";
import { parseSysClassNetFlags } from "../linux/sys_class_net_flags.ts";
import { macAt } from "./addresses.ts";
import {
  attrString,
  attrWalker,
  type MessageDecoder,
  newRequest,
  NLMSG_HDRLEN,
  type Walk,
  walkAttrs,
} from "./nlmsg.ts";

export const RTM_NEWLINK = 16;
export const RTM_GETLINK = 18;

const IFLA_ADDRESS = 1;
const IFLA_BROADCAST = 2;
const IFLA_IFNAME = 3;
const IFLA_MTU = 4;
const IFLA_LINK = 5;
const IFLA_QDISC = 6;
const IFLA_MASTER = 10;
const IFLA_TXQLEN = 13;
const IFLA_OPERSTATE = 16;
const IFLA_LINKMODE = 17;
const IFLA_LINKINFO = 18;
const IFLA_IFALIAS = 20;
const IFLA_STATS64 = 23;
const IFLA_GROUP = 27;
const IFLA_PROMISCUITY = 30;
const IFLA_NUM_TX_QUEUES = 31;
const IFLA_NUM_RX_QUEUES = 32;
const IFLA_CARRIER = 33;
const IFLA_CARRIER_CHANGES = 35;
const IFLA_LINK_NETNSID = 37;
const IFLA_MIN_MTU = 50;
const IFLA_MAX_MTU = 51;
const IFLA_PROP_LIST = 52;
const IFLA_ALT_IFNAME = 53;
const IFLA_PERM_ADDRESS = 54;
const IFLA_ALLMULTI = 61;
const IFLA_INFO_KIND = 1;
const IFLA_INFO_SLAVE_KIND = 4;

/**
 * Builds an RTM_GETLINK dump request for every link: a zeroed 16-byte ifinfomsg, no IFLA_EXT_MASK
 * (so the kernel leaves out per-VF lists, which are big and unused, and keeps the counters).
 */
export function linkRequest(seq: number): Uint8Array {
  return newRequest(RTM_GETLINK, seq, 16).bytes;
}

/** rtnl_link_stats64, every counter (bigint), in the kernel's order. */
export interface LinkStats64 {
  rxPackets: bigint;
  txPackets: bigint;
  rxBytes: bigint;
  txBytes: bigint;
  rxErrors: bigint;
  txErrors: bigint;
  rxDropped: bigint;
  txDropped: bigint;
  multicast: bigint;
  collisions: bigint;
  rxLengthErrors: bigint;
  rxOverErrors: bigint;
  rxCrcErrors: bigint;
  rxFrameErrors: bigint;
  rxFifoErrors: bigint;
  rxMissedErrors: bigint;
  txAbortedErrors: bigint;
  txCarrierErrors: bigint;
  txFifoErrors: bigint;
  txHeartbeatErrors: bigint;
  txWindowErrors: bigint;
  rxCompressed: bigint;
  txCompressed: bigint;
  /** Packets dropped for want of a protocol handler (Linux 4.6+). */
  rxNohandler?: bigint;
  /** Packets dropped because they were for another host (Linux 5.19+). */
  rxOtherhostDropped?: bigint;
}

const STATS64_NAMES: ReadonlyArray<keyof LinkStats64> = [
  "rxPackets",
  "txPackets",
  "rxBytes",
  "txBytes",
  "rxErrors",
  "txErrors",
  "rxDropped",
  "txDropped",
  "multicast",
  "collisions",
  "rxLengthErrors",
  "rxOverErrors",
  "rxCrcErrors",
  "rxFrameErrors",
  "rxFifoErrors",
  "rxMissedErrors",
  "txAbortedErrors",
  "txCarrierErrors",
  "txFifoErrors",
  "txHeartbeatErrors",
  "txWindowErrors",
  "rxCompressed",
  "txCompressed",
  "rxNohandler",
  "rxOtherhostDropped",
];

function decodeStats64(v: DataView, at: number, len: number): LinkStats64 | undefined {
  if (len < 23 * 8) return undefined;
  const s: Partial<Record<keyof LinkStats64, bigint>> = {};
  const n = Math.min(STATS64_NAMES.length, Math.floor(len / 8));
  for (let i = 0; i < n; i++) s[STATS64_NAMES[i]!] = v.getBigUint64(at + 8 * i, true);
  return s as LinkStats64;
}

/**
 * The 16 /proc/net/dev columns from rtnl_link_stats64, summed the way the kernel prints that file
 * (net/core/net-procfs.c): drop includes missed, frame sums the length/over/CRC/frame errors,
 * carrier sums the carrier/aborted/window/heartbeat errors.
 */
export function procNetDevStats(s: LinkStats64): Record<InterfaceStatName, bigint> {
  return {
    rxBytes: s.rxBytes,
    rxPackets: s.rxPackets,
    rxErrors: s.rxErrors,
    rxDropped: s.rxDropped + s.rxMissedErrors,
    rxFifo: s.rxFifoErrors,
    rxFrame: s.rxLengthErrors + s.rxOverErrors + s.rxCrcErrors + s.rxFrameErrors,
    rxCompressed: s.rxCompressed,
    rxMulticast: s.multicast,
    txBytes: s.txBytes,
    txPackets: s.txPackets,
    txErrors: s.txErrors,
    txDropped: s.txDropped,
    txFifo: s.txFifoErrors,
    txCollisions: s.collisions,
    txCarrier: s.txCarrierErrors + s.txAbortedErrors + s.txWindowErrors + s.txHeartbeatErrors,
    txCompressed: s.txCompressed,
  };
}

/** One link. */
export interface Link {
  /** Interface index. */
  index: number;
  name: string;
  /** ARPHRD_* hardware type (1 Ethernet, 772 loopback, 65534 none, …). */
  hwType: number;
  /** IFF_* flag bits (UP 0x1, RUNNING 0x40, LOWER_UP 0x10000 …); names from linkFlagNames(). */
  flags: number;
  mtu?: number;
  minMtu?: number;
  maxMtu?: number;
  /** Hardware address (IFLA_ADDRESS), colon-separated hex. */
  mac?: string;
  /** Link-layer broadcast address. */
  broadcast?: string;
  /** Permanent hardware address, when the driver reports one that differs from `mac`. */
  permanentMac?: string;
  /** RFC 2863 operational state: UNKNOWN, NOTPRESENT, DOWN, LOWERLAYERDOWN, TESTING, DORMANT, UP. */
  operState?: string;
  /** Link mode: 0 default, 1 dormant. */
  linkMode?: number;
  /** The root qdisc's kind ("noqueue", "fq_codel", …). */
  qdisc?: string;
  txQueueLength?: number;
  numTxQueues?: number;
  numRxQueues?: number;
  group?: number;
  /** How many users asked for promiscuous mode (bridge ports, tcpdump, `ip link set promisc on`). */
  promiscuity?: number;
  /** How many users asked for every multicast frame (Linux 6.0+). */
  allmulti?: number;
  /** Index of the master device (bridge, bond, VRF) this one is enslaved to. */
  master?: number;
  /** Name of the master, resolved within the same dump. */
  masterName?: string;
  /** Index of the lower device (VLAN parent, veth peer …), in `linkNetnsId`'s namespace when set. */
  link?: number;
  /** The namespace id (as this namespace numbers it) where `link` lives. */
  linkNetnsId?: number;
  /** Device kind (IFLA_INFO_KIND): veth, bridge, dummy, vlan, wireguard …; absent for plain hardware. */
  kind?: string;
  /** The kind of its role under the master (bridge, bond, vrf). */
  slaveKind?: string;
  alias?: string;
  /** Alternative names (`ip link property add altname`). */
  altNames?: string[];
  /** Carrier (physical link) present. */
  carrier?: boolean;
  carrierChanges?: number;
  /** Every counter of rtnl_link_stats64. */
  stats?: LinkStats64;
}

const OPER_STATES = ["UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP"];

const IFF_RUNNING = 0x40;
const IFF_PROMISC = 0x100;
const IFF_ALLMULTI = 0x200;
const IFF_DORMANT = 0x20000;

/**
 * The flags of a link as /sys/class/net/<link>/flags and `carrier` give them (what nsnap recorded
 * before netlink): the device's own flags, where PROMISC and ALLMULTI are set while any user
 * asked for them (a bridge port is promiscuous) and RUNNING and DORMANT are not kept, plus
 * LOWER_UP while it has carrier. rtnetlink's ifi_flags instead shows PROMISC and ALLMULTI only
 * when set by hand, and adds RUNNING and DORMANT from the operational state.
 */
export function sysfsLinkFlags(l: Pick<Link, "flags" | "promiscuity" | "allmulti">): string[] {
  let f = l.flags & ~(IFF_RUNNING | IFF_DORMANT);
  if (l.promiscuity !== undefined) f = l.promiscuity > 0 ? f | IFF_PROMISC : f & ~IFF_PROMISC;
  if (l.allmulti !== undefined) f = l.allmulti > 0 ? f | IFF_ALLMULTI : f & ~IFF_ALLMULTI;
  return linkFlagNames(f);
}

/**
 * The names of the IFF_* bits set in `flags`, in bit order (UP, BROADCAST, …, LOWER_UP): the same
 * names, in the same order, as the /sys/class/net reader gives, from the same table.
 */
export function linkFlagNames(flags: number): string[] {
  return parseSysClassNetFlags((flags >>> 0).toString(16)) ?? [];
}

function visitLinkInfo(w: Walk<Link>, type: number, at: number, len: number): void {
  if (type === IFLA_INFO_KIND) w.rec.kind = attrString(w.view, at, len);
  else if (type === IFLA_INFO_SLAVE_KIND) w.rec.slaveKind = attrString(w.view, at, len);
}

function visitProps(w: Walk<Link>, type: number, at: number, len: number): void {
  if (type === IFLA_ALT_IFNAME) (w.rec.altNames ??= []).push(attrString(w.view, at, len));
}

/** Link fields that are one u32 attribute, by attribute type. */
type U32Field =
  | "mtu"
  | "minMtu"
  | "maxMtu"
  | "link"
  | "master"
  | "txQueueLength"
  | "numTxQueues"
  | "numRxQueues"
  | "group"
  | "promiscuity"
  | "allmulti"
  | "carrierChanges";
const U32_FIELDS: Array<U32Field | undefined> = [];
U32_FIELDS[IFLA_MTU] = "mtu";
U32_FIELDS[IFLA_MIN_MTU] = "minMtu";
U32_FIELDS[IFLA_MAX_MTU] = "maxMtu";
U32_FIELDS[IFLA_LINK] = "link";
U32_FIELDS[IFLA_MASTER] = "master";
U32_FIELDS[IFLA_TXQLEN] = "txQueueLength";
U32_FIELDS[IFLA_NUM_TX_QUEUES] = "numTxQueues";
U32_FIELDS[IFLA_NUM_RX_QUEUES] = "numRxQueues";
U32_FIELDS[IFLA_GROUP] = "group";
U32_FIELDS[IFLA_PROMISCUITY] = "promiscuity";
U32_FIELDS[IFLA_ALLMULTI] = "allmulti";
U32_FIELDS[IFLA_CARRIER_CHANGES] = "carrierChanges";

/** Link fields that are a string or a link-layer address, by attribute type. */
const TEXT_FIELDS: Array<
  ["name" | "qdisc" | "alias", "string"] | ["mac" | "broadcast" | "permanentMac", "mac"] | undefined
> = [];
TEXT_FIELDS[IFLA_IFNAME] = ["name", "string"];
TEXT_FIELDS[IFLA_QDISC] = ["qdisc", "string"];
TEXT_FIELDS[IFLA_IFALIAS] = ["alias", "string"];
TEXT_FIELDS[IFLA_ADDRESS] = ["mac", "mac"];
TEXT_FIELDS[IFLA_BROADCAST] = ["broadcast", "mac"];
TEXT_FIELDS[IFLA_PERM_ADDRESS] = ["permanentMac", "mac"];

function visit(w: Walk<Link>, type: number, at: number, len: number): void {
  const v = w.view, rec = w.rec;
  const u32 = U32_FIELDS[type];
  if (u32 !== undefined) {
    if (len >= 4) rec[u32] = v.getUint32(at, true);
    return;
  }
  const text = TEXT_FIELDS[type];
  if (text !== undefined) {
    rec[text[0]] = text[1] === "string" ? attrString(v, at, len) : macAt(v, at, len);
    return;
  }
  switch (type) {
    case IFLA_LINK_NETNSID:
      if (len >= 4) rec.linkNetnsId = v.getInt32(at, true);
      break;
    case IFLA_OPERSTATE:
      if (len >= 1) {
        const s = v.getUint8(at);
        rec.operState = OPER_STATES[s] ?? `state_${s}`;
      }
      break;
    case IFLA_LINKMODE:
      if (len >= 1) rec.linkMode = v.getUint8(at);
      break;
    case IFLA_CARRIER:
      if (len >= 1) rec.carrier = v.getUint8(at) !== 0;
      break;
    case IFLA_STATS64: {
      const s = decodeStats64(v, at, len);
      if (s) rec.stats = s;
      break;
    }
    case IFLA_LINKINFO:
      walkAttrs(v, at, at + len, visitLinkInfo, w);
      break;
    case IFLA_PROP_LIST:
      walkAttrs(v, at, at + len, visitProps, w);
      break;
  }
}

/** Decodes RTM_NEWLINK answers. */
export function linkDecoder(): MessageDecoder<Link> {
  const walkAttrs = attrWalker(visit, (rec: Link) => `link ${rec.name || rec.index}`);
  return (view, at, length, type, warnings) => {
    if (type !== RTM_NEWLINK) return undefined;
    const p = at + NLMSG_HDRLEN;
    if (length < NLMSG_HDRLEN + 16) {
      warnings.push(`links: a ${length}-byte answer is too short; skipped`);
      return undefined;
    }
    const rec: Link = {
      index: view.getInt32(p + 4, true),
      name: "",
      hwType: view.getUint16(p + 2, true),
      flags: view.getUint32(p + 8, true),
    };
    walkAttrs(view, p + 16, at + length, rec, warnings);
    if (rec.permanentMac !== undefined && rec.permanentMac === rec.mac) delete rec.permanentMac;
    return rec;
  };
}

/** Fills `masterName` from the other links of the same dump. */
export function resolveMasters(links: Link[]): void {
  const names = new Map(links.map((l) => [l.index, l.name]));
  for (const l of links) {
    if (l.master === undefined) continue;
    const name = names.get(l.master);
    if (name !== undefined) l.masterName = name;
  }
}

/**
 * Packet sockets (AF_PACKET: tcpdump, DHCP clients, anything capturing traffic) over sock_diag
 * (linux/packet_diag.h): the `packet_diag_req` dump request and the `packet_diag_msg` answers
 * (u8 family, type; u16 protocol number in host order; u32 inode; u32 cookie[2]) with the info,
 * uid and memory attributes.
 */
import { AF_PACKET } from "./addresses.ts";
import { attrWalker, type MessageDecoder, newRequest, NLMSG_HDRLEN, type Walk } from "./nlmsg.ts";
import { cookieAt, decodeSkMemInfo, type SkMemInfo, SOCK_DIAG_BY_FAMILY } from "./sock_diag.ts";

export const PACKET_SHOW_INFO = 0x1;
export const PACKET_SHOW_MCLIST = 0x2;
export const PACKET_SHOW_RING_CFG = 0x4;
export const PACKET_SHOW_FANOUT = 0x8;
export const PACKET_SHOW_MEMINFO = 0x10;
export const PACKET_SHOW_FILTER = 0x20;

const PACKET_DIAG_INFO = 0;
const PACKET_DIAG_RX_RING = 2;
const PACKET_DIAG_FANOUT = 4;
const PACKET_DIAG_UID = 5;
const PACKET_DIAG_MEMINFO = 6;
const PACKET_DIAG_FILTER = 7;

/** Builds a packet_diag_req dump request (36 bytes). */
export function packetDiagRequest(
  seq: number,
  show = PACKET_SHOW_INFO | PACKET_SHOW_MEMINFO | PACKET_SHOW_FANOUT | PACKET_SHOW_FILTER |
    PACKET_SHOW_RING_CFG,
): Uint8Array {
  // u8 family, u8 protocol (must be 0), u16 pad, u32 inode, u32 show, u32 cookie[2]
  const { bytes, view } = newRequest(SOCK_DIAG_BY_FAMILY, seq, 20);
  const p = NLMSG_HDRLEN;
  view.setUint8(p, AF_PACKET);
  view.setUint32(p + 8, show, true);
  view.setUint32(p + 12, 0xffffffff, true);
  view.setUint32(p + 16, 0xffffffff, true);
  return bytes;
}

/** Ethernet protocol numbers `ss -0` names (linux/if_ether.h); others print as hex. */
const ETHER_PROTOCOLS: Record<number, string> = {
  0x0003: "ALL",
  0x0800: "ip",
  0x0806: "arp",
  0x86dd: "ipv6",
  0x8100: "802.1Q",
  0x88cc: "lldp",
  0x888e: "802.1X",
};

/** The name of an Ethernet protocol number ("ALL", "ip", "arp", …, or "0x88b5"). */
export function etherProtocolName(protocol: number): string {
  return ETHER_PROTOCOLS[protocol] ?? `0x${protocol.toString(16).padStart(4, "0")}`;
}

/** PDI_* flag bits of packet_diag_info, by name. */
const PDI_FLAGS: ReadonlyArray<[number, string]> = [
  [0x1, "running"],
  [0x2, "auxdata"],
  [0x4, "origdev"],
  [0x8, "vnethdr"],
  [0x10, "loss"],
];

/** One packet socket. */
export interface PacketSocket {
  /** SOCK_RAW (link-layer header included) or SOCK_DGRAM (cooked). */
  type: "raw" | "dgram" | `type_${number}`;
  /** Ethernet protocol it receives (3 is every protocol, ETH_P_ALL; 0 none until bound). */
  protocol: number;
  /** Socket inode, what /proc/PID/fd links name. */
  inode: number;
  /** The kernel's socket cookie. */
  cookie: bigint;
  /** Index of the device it is bound to; absent when it listens on every device. */
  ifindex?: number;
  /** Name of that device, when the dump resolved it. */
  interface?: string;
  /** Owner uid. */
  uid?: number;
  /** Bytes waiting to be read (rmem_alloc). */
  recvQ?: number;
  /** TPACKET version (0 = V1) when the info was given. */
  version?: number;
  /** Packet socket flags: running, auxdata, origdev, vnethdr, loss. */
  flags?: string[];
  /** Fanout group id and mode word, when in a fanout group. */
  fanout?: number;
  /** True when a receive ring (PACKET_RX_RING, mmap capture) is set up. */
  rxRing?: boolean;
  /** Number of classic BPF instructions in the attached filter (tcpdump's expression). */
  filterLength?: number;
  /** Socket memory. */
  memInfo?: SkMemInfo;
}

function visit(w: Walk<PacketSocket>, type: number, at: number, len: number): void {
  const v = w.view, rec = w.rec;
  switch (type) {
    case PACKET_DIAG_INFO:
      if (len >= 24) {
        const index = v.getUint32(at, true);
        if (index !== 0) rec.ifindex = index;
        rec.version = v.getUint32(at + 4, true);
        const bits = v.getUint32(at + 20, true);
        rec.flags = PDI_FLAGS.filter(([bit]) => bits & bit).map(([, n]) => n);
      }
      break;
    case PACKET_DIAG_UID:
      if (len >= 4) rec.uid = v.getUint32(at, true);
      break;
    case PACKET_DIAG_MEMINFO: {
      const m = decodeSkMemInfo(v, at, len);
      if (m) {
        rec.memInfo = m;
        rec.recvQ = m.rmemAlloc;
      }
      break;
    }
    case PACKET_DIAG_FANOUT:
      if (len >= 4) rec.fanout = v.getUint32(at, true);
      break;
    case PACKET_DIAG_RX_RING:
      rec.rxRing = true;
      break;
    case PACKET_DIAG_FILTER:
      rec.filterLength = Math.floor(len / 8); // struct sock_filter is 8 bytes
      break;
  }
}

/** Decodes packet_diag_msg answers. */
export function packetDiagDecoder(): MessageDecoder<PacketSocket> {
  const walkAttrs = attrWalker(visit, (rec: PacketSocket) => `packet socket ${rec.inode}`);
  return (view, at, length, _type, warnings) => {
    const p = at + NLMSG_HDRLEN;
    if (length < NLMSG_HDRLEN + 16) {
      warnings.push(`packet sockets: a ${length}-byte answer is too short; skipped`);
      return undefined;
    }
    if (view.getUint8(p) !== AF_PACKET) return undefined;
    const typeNo = view.getUint8(p + 1);
    const rec: PacketSocket = {
      type: typeNo === 3 ? "raw" : typeNo === 2 ? "dgram" : `type_${typeNo}`,
      protocol: view.getUint16(p + 2, true),
      inode: view.getUint32(p + 4, true),
      cookie: cookieAt(view, p + 8),
    };
    walkAttrs(view, p + 16, at + length, rec, warnings);
    return rec;
  };
}

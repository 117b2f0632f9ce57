/**
 * nftables tables over nfnetlink (`nft list tables`): the NFT_MSG_GETTABLE dump request (every
 * family: nfgenmsg u8 family NFPROTO_UNSPEC, u8 version, be16 resource id) and the
 * NFT_MSG_NEWTABLE answers with NFTA_TABLE_NAME. nsnap asks only which tables a namespace has —
 * the cheap test that says whether `nft list ruleset` is worth running there; the rules
 * themselves come from nft.
 */
import {
  attrString,
  attrWalker,
  familyRequest,
  type MessageDecoder,
  NLMSG_HDRLEN,
  type Walk,
} from "./nlmsg.ts";

/** The nfnetlink protocol of netlink sockets. */
export const NETLINK_NETFILTER = 12;

const NFNL_SUBSYS_NFTABLES = 10;
const NFT_MSG_NEWTABLE = 0;
const NFT_MSG_GETTABLE = 1;
const NFTA_TABLE_NAME = 1;
/** nfgenmsg's length. */
const NFGENMSG = 4;

/** nft's names of the NFPROTO_* families. */
const FAMILIES: Record<number, string> = {
  1: "inet",
  2: "ip",
  3: "arp",
  5: "netdev",
  7: "bridge",
  10: "ip6",
};

/** One nftables table. */
export interface NftTable {
  /** ip, ip6, inet, arp, bridge, netdev (or the number). */
  family: string;
  name: string;
}

/** Builds an NFT_MSG_GETTABLE dump request for the tables of every family. */
export function nftTablesRequest(seq: number): Uint8Array {
  return familyRequest((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETTABLE, seq, NFGENMSG, 0).bytes;
}

function visit(w: Walk<NftTable>, type: number, at: number, len: number): void {
  if (type === NFTA_TABLE_NAME) w.rec.name = attrString(w.view, at, len);
}

/** Decodes NFT_MSG_NEWTABLE answers. */
export function nftTableDecoder(): MessageDecoder<NftTable> {
  const walkAttrs = attrWalker(visit, (t: NftTable) => `nft table ${t.family} ${t.name}`);
  return (view, at, length, type, warnings) => {
    if (type !== ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWTABLE)) return undefined;
    if (length < NLMSG_HDRLEN + NFGENMSG) {
      warnings.push(`nft tables: a ${length}-byte answer is too short; skipped`);
      return undefined;
    }
    const family = view.getUint8(at + NLMSG_HDRLEN);
    const rec: NftTable = { family: FAMILIES[family] ?? String(family), name: "" };
    walkAttrs(view, at + NLMSG_HDRLEN + NFGENMSG, at + length, rec, warnings);
    return rec;
  };
}

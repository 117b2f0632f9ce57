/**
 * Queueing disciplines (`tc qdisc`) over rtnetlink: the RTM_GETQDISC dump request and the
 * RTM_NEWQDISC answers (linux/rtnetlink.h `tcmsg`: u8 family, pads; s32 index; u32 handle,
 * parent, info) with TCA_KIND, the options nsnap reads (the limit of the fifo family and tbf,
 * tbf's rate, the bands and priority map of prio and pfifo_fast: `tc_prio_qopt`) and TCA_STATS2 (linux/gen_stats.h: basic byte/packet counts and the queue
 * counters: qlen, backlog, drops, requeues, overlimits).
 */
import {
  attrString,
  attrWalker,
  type MessageDecoder,
  newRequest,
  NLMSG_HDRLEN,
  type Walk,
  walkAttrs,
} from "./nlmsg.ts";

export const RTM_NEWQDISC = 36;
export const RTM_GETQDISC = 38;

const TCA_KIND = 1;
const TCA_OPTIONS = 2;
const TCA_STATS = 3;
const TCA_STATS2 = 7;
const TCA_HW_OFFLOAD = 12;
const TCA_STATS_BASIC = 1;
const TCA_STATS_QUEUE = 3;
const TCA_STATS_PKT64 = 8;
const TCA_TBF_PARMS = 1;
const TCA_TBF_RATE64 = 4;

/** The parent handle of a root qdisc, and of the ingress/clsact one. */
export const TC_H_ROOT = 0xffffffff;
export const TC_H_INGRESS = 0xfffffff1;

/** Builds an RTM_GETQDISC dump request for every device. */
export function qdiscRequest(seq: number): Uint8Array {
  return newRequest(RTM_GETQDISC, seq, 20).bytes;
}

/** A tc handle as tc writes it: "major:minor" in hex, the minor left out when 0 ("8001:"). */
export function formatTcHandle(handle: number): string {
  if (handle === TC_H_ROOT) return "root";
  const major = (handle >>> 16).toString(16), minor = handle & 0xffff;
  return minor === 0 ? `${major}:` : `${major}:${minor.toString(16)}`;
}

/** Queue counters of a qdisc. */
export interface QdiscStats {
  /** Bytes sent. */
  bytes: bigint;
  /** Packets sent. */
  packets: bigint;
  /** Packets dropped. */
  drops: number;
  /** Times the qdisc throttled (was over its rate or limit). */
  overlimits: number;
  /** Packets put back into the queue by the driver. */
  requeues: number;
  /** Bytes queued now (a gauge). */
  backlog: number;
  /** Packets queued now (a gauge). */
  qlen: number;
}

/** One qdisc. */
export interface Qdisc {
  /** Index of its device. */
  ifindex: number;
  /** Name of that device, when the dump resolved it. */
  interface?: string;
  /** pfifo_fast, fq_codel, noqueue, pfifo, tbf, htb, ingress, clsact, mq … */
  kind: string;
  /** Its handle (0x80010000 is "8001:"); text from formatTcHandle(). */
  handle: number;
  /** The parent's handle; TC_H_ROOT for a root qdisc, TC_H_INGRESS for ingress/clsact. */
  parent: number;
  /** True when it is the device's root qdisc. */
  root: boolean;
  /** Reference count (tcm_info). */
  refcnt: number;
  /** Queue limit: packets for pfifo and pfifo_head_drop, bytes for bfifo and tbf. */
  limit?: number;
  /** tbf's rate, bytes per second. */
  rate?: bigint;
  /** prio's and pfifo_fast's bands. */
  bands?: number;
  /** prio's and pfifo_fast's map of the 16 packet priorities to bands. */
  priomap?: number[];
  /** True when the answer carried TCA_OPTIONS (tc prints no options for a qdisc without). */
  hasOptions?: true;
  /** True when offloaded to hardware. */
  offloaded?: boolean;
  stats?: QdiscStats;
}

const FIFO_KINDS = new Set(["pfifo", "bfifo", "pfifo_head_drop"]);
const PRIO_KINDS = new Set(["prio", "pfifo_fast"]);
/** struct tc_prio_qopt: int bands; u8 priomap[TC_PRIO_MAX + 1]. */
const PRIO_QOPT_LENGTH = 20;

interface Parts {
  rec: Qdisc;
  /** Where TCA_OPTIONS was (the kind may come after it in principle). */
  optionsAt?: number;
  optionsLength?: number;
  pkt64?: bigint;
}

function visitTbf(w: Walk<Qdisc>, type: number, at: number, len: number): void {
  if (type === TCA_TBF_PARMS && len >= 36) {
    w.rec.limit = w.view.getUint32(at + 24, true);
    w.rec.rate ??= BigInt(w.view.getUint32(at + 8, true));
  } else if (type === TCA_TBF_RATE64 && len >= 8) w.rec.rate = w.view.getBigUint64(at, true);
}

function visitStats(w: Walk<Parts>, type: number, at: number, len: number): void {
  const v = w.view, rec = w.rec.rec;
  const s = (rec.stats ??= {
    bytes: 0n,
    packets: 0n,
    drops: 0,
    overlimits: 0,
    requeues: 0,
    backlog: 0,
    qlen: 0,
  });
  if (type === TCA_STATS_BASIC && len >= 12) {
    s.bytes = v.getBigUint64(at, true);
    s.packets = BigInt(v.getUint32(at + 8, true));
  } else if (type === TCA_STATS_PKT64 && len >= 8) w.rec.pkt64 = v.getBigUint64(at, true);
  else if (type === TCA_STATS_QUEUE && len >= 20) {
    s.qlen = v.getUint32(at, true);
    s.backlog = v.getUint32(at + 4, true);
    s.drops = v.getUint32(at + 8, true);
    s.requeues = v.getUint32(at + 12, true);
    s.overlimits = v.getUint32(at + 16, true);
  }
}

function visit(w: Walk<Parts>, type: number, at: number, len: number): void {
  const v = w.view, p = w.rec, rec = p.rec;
  switch (type) {
    case TCA_KIND:
      rec.kind = attrString(v, at, len);
      break;
    case TCA_OPTIONS:
      p.optionsAt = at;
      p.optionsLength = len;
      break;
    case TCA_STATS2:
      walkAttrs(v, at, at + len, visitStats, w);
      break;
    case TCA_STATS:
      // The old fixed struct, used only when TCA_STATS2 is absent.
      if (len >= 36 && rec.stats === undefined) {
        rec.stats = {
          bytes: v.getBigUint64(at, true),
          packets: BigInt(v.getUint32(at + 8, true)),
          drops: v.getUint32(at + 12, true),
          overlimits: v.getUint32(at + 16, true),
          requeues: 0,
          qlen: v.getUint32(at + 28, true),
          backlog: v.getUint32(at + 32, true),
        };
      }
      break;
    case TCA_HW_OFFLOAD:
      if (len >= 1) rec.offloaded = v.getUint8(at) !== 0;
      break;
  }
}

function options(view: DataView, p: Parts): void {
  const rec = p.rec, at = p.optionsAt, len = p.optionsLength ?? 0;
  if (at === undefined) return;
  rec.hasOptions = true;
  if (FIFO_KINDS.has(rec.kind) && len >= 4) rec.limit = view.getUint32(at, true);
  else if (PRIO_KINDS.has(rec.kind) && len >= PRIO_QOPT_LENGTH) {
    rec.bands = view.getInt32(at, true);
    rec.priomap = Array.from({ length: 16 }, (_, i) => view.getUint8(at + 4 + i));
  } else if (rec.kind === "tbf") walkAttrs(view, at, at + len, visitTbf, { view, rec });
}

/** Decodes RTM_NEWQDISC answers. */
export function qdiscDecoder(): MessageDecoder<Qdisc> {
  const walkAttrs = attrWalker(visit, (p: Parts) => `qdisc ${p.rec.kind} on ${p.rec.ifindex}`);
  return (view, at, length, type, warnings) => {
    if (type !== RTM_NEWQDISC) return undefined;
    const q = at + NLMSG_HDRLEN;
    if (length < NLMSG_HDRLEN + 20) {
      warnings.push(`qdiscs: a ${length}-byte answer is too short; skipped`);
      return undefined;
    }
    const parent = view.getUint32(q + 12, true);
    const rec: Qdisc = {
      ifindex: view.getInt32(q + 4, true),
      kind: "",
      handle: view.getUint32(q + 8, true),
      parent,
      root: parent === TC_H_ROOT,
      refcnt: view.getUint32(q + 16, true),
    };
    const parts: Parts = { rec };
    walkAttrs(view, q + 20, at + length, parts, warnings);
    options(view, parts);
    if (parts.pkt64 !== undefined && rec.stats) rec.stats.packets = parts.pkt64;
    return rec;
  };
}

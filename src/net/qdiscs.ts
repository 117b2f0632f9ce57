/**
 * What a queueing discipline is to nsnap: its identity across snapshots (interface and parent:
 * each parent holds exactly one qdisc, while handles repeat — every `mq` child is `0:`) and its
 * text as `tc qdisc` prints it.
 */
import type { Qdisc } from "../model.ts";

/** Identity of a qdisc: `eth0 root`, `eth0 1:10`, `eth0 ffff:fff1`. */
export function qdiscKey(q: Qdisc): string {
  return `${q.interface} ${q.parent}`;
}

/** A qdisc as one line of `tc qdisc`: `qdisc tbf 1: dev eth0 root rate 1Mbit burst 4Kb lat 400ms`. */
export function describeQdisc(q: Qdisc): string {
  const where = q.parent === "root" ? "root" : `parent ${q.parent}`;
  return `qdisc ${q.kind} ${q.handle} dev ${q.interface} ${where}${
    q.options ? ` ${q.options}` : ""
  }`;
}

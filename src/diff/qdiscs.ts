/**
 * Queueing disciplines, keyed by interface and parent (net/qdiscs.ts): added, removed, changed
 * (another kind, handle or options at the same place), and `qdisc-drops` — the deltas and rates
 * of a qdisc's counters when it dropped packets, always notable. Traffic alone is not a change
 * here (`interface-traffic` has it); counters that went backwards (the qdisc was replaced, the
 * host rebooted) give no delta at all.
 */
import {
  type Qdisc,
  QDISC_COUNTER_NAMES,
  QDISC_GAUGE_NAMES,
  type QdiscStats,
  type Snapshot,
} from "../model.ts";
import { describeQdisc, qdiscKey } from "../net/qdiscs.ts";
import { formatCount, formatRateInText } from "../format.ts";
import type { Change, ChangeOf, QdiscField } from "./types.ts";
import { keyed, rate, rebooted, secondsBetween, sortByKey } from "./util.ts";

function side(q: Qdisc): ChangeOf<"qdisc-added">["after"] {
  const { stats: _, ...rest } = q;
  return rest;
}

function keyOf(q: Qdisc): ChangeOf<"qdisc-added">["key"] {
  return { interface: q.interface, parent: q.parent };
}

/** The drops change of a qdisc present in both, when it dropped packets in between. */
function drops(
  qa: Qdisc,
  qb: Qdisc,
  seconds: number | undefined,
): ChangeOf<"qdisc-drops"> | undefined {
  const sa = qa.stats, sb = qb.stats;
  if (!sa || !sb || sa.drops === undefined || sb.drops === undefined || sb.drops <= sa.drops) {
    return undefined;
  }
  const before: QdiscStats = {}, after: QdiscStats = {}, delta: QdiscStats = {};
  const perSecond: Record<string, number> = {};
  for (const n of QDISC_COUNTER_NAMES) {
    const x = sa[n], y = sb[n];
    if (x === undefined || y === undefined) continue;
    if (y < x) return undefined; // restarted: no delta is true
    before[n] = x;
    after[n] = y;
    delta[n] = y - x;
    const r = rate(y - x, seconds);
    if (r !== undefined) perSecond[n] = r;
  }
  for (const n of QDISC_GAUGE_NAMES) {
    if (sa[n] !== undefined) before[n] = sa[n];
    if (sb[n] !== undefined) after[n] = sb[n];
  }
  const d = delta.drops!;
  const ps = perSecond.drops !== undefined ? ` (${formatRateInText(perSecond.drops)}/s)` : "";
  const sent = delta.packets !== undefined ? ` while sending ${formatCount(delta.packets)}` : "";
  const c: ChangeOf<"qdisc-drops"> = {
    kind: "qdisc-drops",
    section: "qdiscs",
    key: keyOf(qb),
    qdisc: side(qb),
    before,
    after,
    delta,
    notable: true,
    summary: `${qb.kind} ${qb.handle} on ${qb.interface} dropped ${
      formatCount(d)
    } packets${ps}${sent}`,
  };
  if (seconds !== undefined) c.perSecond = perSecond;
  return c;
}

/** Compares the qdiscs of two snapshots (both must have them); `drops` off for swapped operands. */
export function diffQdiscs(
  before: Snapshot,
  after: Snapshot,
  opts: { drops: boolean } = { drops: true },
): Change[] {
  const a = keyed(before.qdiscs ?? [], qdiscKey), b = keyed(after.qdiscs ?? [], qdiscKey);
  const seconds = rebooted(before, after) ? undefined : secondsBetween(before, after);
  const reboot = rebooted(before, after);
  const items: Array<[string, Change]> = [];
  for (const [id, qa] of a) {
    const qb = b.get(id);
    if (!qb) {
      items.push([`${id} 1`, {
        kind: "qdisc-removed",
        section: "qdiscs",
        key: keyOf(qa),
        before: side(qa),
        summary: `qdisc removed: ${describeQdisc(qa)}`,
      }]);
      continue;
    }
    const changed = (["kind", "handle", "options"] as QdiscField[]).filter((f) => qa[f] !== qb[f]);
    if (changed.length > 0) {
      items.push([`${id} 2`, {
        kind: "qdisc-changed",
        section: "qdiscs",
        key: keyOf(qa),
        before: side(qa),
        after: side(qb),
        changed,
        summary: `qdisc on ${qa.interface} ${
          qa.parent === "root" ? "root" : `parent ${qa.parent}`
        }: ${[qa.kind, qa.handle, qa.options].filter(Boolean).join(" ")} → ${
          [qb.kind, qb.handle, qb.options].filter(Boolean).join(" ")
        }`,
      }]);
      continue;
    }
    const d = reboot || !opts.drops ? undefined : drops(qa, qb, seconds);
    if (d) items.push([`${id} 3`, d]);
  }
  for (const [id, qb] of b) {
    if (a.has(id)) continue;
    items.push([`${id} 0`, {
      kind: "qdisc-added",
      section: "qdiscs",
      key: keyOf(qb),
      after: side(qb),
      summary: `qdisc added: ${describeQdisc(qb)}`,
    }]);
  }
  return sortByKey(items);
}

/**
 * The Linux collector's queueing disciplines: `tc -j -s qdisc show` for every qdisc with its
 * exact counters, joined with `tc qdisc show` for the options as tc prints them (by interface,
 * parent and handle). Where the JSON cannot be had, `tc -s qdisc show` alone, whose counters are
 * the same but whose backlog tc rounds when large.
 *
 * Over rtnetlink first (`dumpQdiscs`), recorded as source "netlink": the kind, handle, parent
 * and counters (TCA_STATS2) of every qdisc, mapped to what `tc -j -s qdisc` gives (`qdiscOf`).
 *
 * Decisions:
 * - Options: tc's text for them depends on its version (rates, sizes and times rounded its
 *   way), so nsnap writes only the few whose text is plain numbers: none for a qdisc without
 *   TCA_OPTIONS (noqueue, mq) and for ingress/clsact, `limit Np` of pfifo and pfifo_head_drop,
 *   `bands N priomap …` of pfifo_fast and prio. When any other qdisc is there (fq_codel, htb,
 *   netem, tbf …), one `tc qdisc show` gives the options of all, joined as the tc -j reader
 *   joins them; where tc cannot run they are left out with a warning, absent rather than guessed.
 *   An idle namespace (noqueue only) and a host on pfifo_fast spawn nothing.
 */
import type { Qdisc, QdiscStats } from "../../model.ts";
import { qdiscKey } from "../../net/qdiscs.ts";
import { parseTcJsonQdisc } from "../../parse/linux/tc_json_qdisc.ts";
import { parseTcQdisc } from "../../parse/linux/tc_qdisc.ts";
import { type Qdisc as NetlinkQdisc, TC_H_ROOT } from "../../parse/netlink/rtnl_qdisc.ts";
import type { Place } from "../contract.ts";
import type { Section } from "../section.ts";
import { runTc } from "./ip.ts";
import { dumpQdiscs } from "./netlink.ts";
import { dumpIn, type Reader, readSection, unavailable, withNetlink } from "./readers.ts";
import { outputJson, outputText } from "./tools.ts";

/** The options `tc qdisc show` prints, by qdisc identity and handle; a warning when it fails. */
function optionTexts(place: Place, warnings: string[]): Map<string, string> | undefined {
  const r = runTc(place.runner, ["qdisc", "show"]);
  if (!r.ok) {
    warnings.push(`qdisc options unknown: ${r.reason ?? "tc failed"}`);
    return undefined;
  }
  const p = parseTcQdisc(outputText(r), "tc qdisc show");
  warnings.push(...p.warnings);
  return new Map(
    p.value.flatMap((q) =>
      q.options === undefined ? [] : [[`${qdiscKey(q)} ${q.handle}`, q.options]]
    ),
  );
}

/** Every qdisc with exact counters from tc -j, options from tc's text. */
const fromTcJson: Reader<Qdisc[]> = {
  source: "tc -j",
  read: (place, warnings) => {
    const r = runTc(place.runner, ["-j", "-s", "qdisc", "show"]);
    if (!r.ok) return unavailable(r.reason ?? "tc failed");
    const p = parseTcJsonQdisc(outputJson(r), "tc -j -s qdisc show");
    warnings.push(...p.warnings);
    const options = optionTexts(place, warnings);
    for (const q of p.value) {
      const o = options?.get(`${qdiscKey(q)} ${q.handle}`);
      if (o !== undefined) q.options = o;
    }
    return p.value;
  },
};

/** A class id as tc prints it: `root`, `none`, `:MIN`, `MAJ:`, `MAJ:MIN` (hex). */
export function tcClassId(h: number): string {
  if (h === TC_H_ROOT) return "root";
  if (h === 0) return "none";
  const major = h >>> 16, minor = h & 0xffff;
  if (major === 0) return `:${minor.toString(16)}`;
  return minor === 0 ? `${major.toString(16)}:` : `${major.toString(16)}:${minor.toString(16)}`;
}

/** Kinds whose options tc prints as nothing or a row of dashes (which is no option). */
const NO_OPTIONS = new Set(["ingress", "clsact"]);

/**
 * The options text of a qdisc of a dump where it is plain numbers, as `tc qdisc show` prints it
 * (whitespace collapsed); `null` for none at all; undefined where only tc can say.
 */
export function plainOptions(q: NetlinkQdisc): string | null | undefined {
  if (!q.hasOptions || NO_OPTIONS.has(q.kind)) return null;
  if ((q.kind === "pfifo" || q.kind === "pfifo_head_drop") && q.limit !== undefined) {
    return `limit ${q.limit}p`;
  }
  if ((q.kind === "pfifo_fast" || q.kind === "prio") && q.priomap && q.bands !== undefined) {
    return `bands ${q.bands} priomap ${q.priomap.join(" ")}`;
  }
  return undefined;
}

/**
 * A qdisc of a dump as `tc -j -s qdisc` shows it (its options apart: `plainOptions`);
 * undefined for one whose device has no name or that has no parent (tc shows neither).
 *
 * @example
 * ```ts
 * import { qdiscOf } from "./qdiscs.ts";
 * qdiscOf({
 *   ifindex: 1, interface: "lo", kind: "noqueue", handle: 0, parent: 0xffffffff, root: true,
 *   refcnt: 2,
 * }); // { interface: "lo", kind: "noqueue", handle: "0:", parent: "root" }
 * ```
 */
export function qdiscOf(q: NetlinkQdisc): Qdisc | undefined {
  if (q.interface === undefined || q.parent === 0) return undefined;
  const out: Qdisc = {
    interface: q.interface,
    kind: q.kind,
    // tc prints a qdisc's handle as its major number only.
    handle: `${(q.handle >>> 16).toString(16)}:`,
    parent: tcClassId(q.parent),
  };
  const s = q.stats;
  if (s) {
    const stats: QdiscStats = {
      bytes: s.bytes,
      packets: s.packets,
      drops: BigInt(s.drops),
      overlimits: BigInt(s.overlimits),
      requeues: BigInt(s.requeues),
      backlog: BigInt(s.backlog),
      qlen: BigInt(s.qlen),
    };
    out.stats = stats;
  }
  return out;
}

/**
 * Every qdisc over rtnetlink in the place's namespace, the options that are not plain numbers
 * from one `tc qdisc show` when there are any; `names` (interfaces by index, when the caller has
 * them) saves a link dump.
 */
export function netlinkQdiscs(names?: ReadonlyMap<number, string>): Reader<Qdisc[]> {
  return {
    source: "netlink",
    read: (place, warnings) => {
      const records = dumpIn(place, dumpQdiscs, warnings, names);
      if (!Array.isArray(records)) return records;
      const out: Qdisc[] = [];
      const askTc: Qdisc[] = [];
      for (const x of records) {
        const q = qdiscOf(x);
        if (!q) {
          if (x.interface === undefined) {
            warnings.push(`qdisc ${x.kind} on interface ${x.ifindex}: the interface has no name`);
          }
          continue;
        }
        const o = plainOptions(x);
        if (typeof o === "string") q.options = o;
        else if (o === undefined) askTc.push(q);
        out.push(q);
      }
      if (askTc.length > 0) {
        const options = optionTexts(place, warnings);
        for (const q of askTc) {
          const o = options?.get(`${qdiscKey(q)} ${q.handle}`);
          if (o !== undefined) q.options = o;
        }
      }
      return out;
    },
  };
}

/** Every qdisc from `tc -s qdisc show` text alone. */
const fromTcText: Reader<Qdisc[]> = {
  source: "tc",
  read: (place, warnings) => {
    const r = runTc(place.runner, ["-s", "qdisc", "show"]);
    if (!r.ok) return unavailable(r.reason ?? "tc failed");
    const p = parseTcQdisc(outputText(r), "tc -s qdisc show");
    warnings.push(...p.warnings);
    return p.value;
  },
};

/** The sources of the qdiscs section, fastest first. */
export const QDISC_READERS: readonly Reader<Qdisc[]>[] = [
  netlinkQdiscs(),
  fromTcJson,
  fromTcText,
];

/**
 * Reads the queueing disciplines of every interface, with their counters: over netlink when
 * `netlink` (the capture chose it; `names` are the namespace's interfaces by index when known),
 * else with tc.
 */
export function collectQdiscs(
  place: Place,
  netlink = false,
  names?: ReadonlyMap<number, string>,
): Section<Qdisc[]> {
  const readers = names ? [netlinkQdiscs(names), fromTcJson, fromTcText] : QDISC_READERS;
  return readSection(place, withNetlink(readers, netlink), []);
}

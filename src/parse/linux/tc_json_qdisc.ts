/**
 * `tc -j [-s] qdisc`: iproute2's JSON for queueing disciplines — `kind`, `handle`, `dev`, `root`
 * (true) or `parent`, `options` (numbers in tc's base units, not the text `tc qdisc` prints) and
 * with -s the counters `bytes`, `packets`, `drops`, `overlimits`, `requeues`, `backlog`, `qlen`.
 * The options are not read here: a snapshot keeps them as `tc qdisc` prints them (tc_qdisc.ts).
 */
import type { Qdisc, QdiscStats } from "../../model.ts";
import { QDISC_COUNTER_NAMES, QDISC_GAUGE_NAMES } from "../../model.ts";
import { cannotRead, type Parsed } from "../text.ts";
import { parseJsonArray } from "./ip_json.ts";

/** Parses `tc -j [-s] qdisc` into qdiscs without options. */
export function parseTcJsonQdisc(json: string, source = "tc -j qdisc"): Parsed<Qdisc[]> {
  const out: Qdisc[] = [];
  const warnings: string[] = [];
  parseJsonArray(json, source).forEach((raw, i) => {
    const r = (raw ?? {}) as Record<string, unknown>;
    const parent = r.root === true ? "root" : r.parent;
    if (
      typeof r.kind !== "string" || typeof r.handle !== "string" || typeof r.dev !== "string" ||
      typeof parent !== "string"
    ) {
      warnings.push(cannotRead(`${source}[${i}]`, undefined, "qdisc", JSON.stringify(raw)));
      return;
    }
    const q: Qdisc = { interface: r.dev, kind: r.kind, handle: r.handle, parent };
    const stats: QdiscStats = {};
    let any = false;
    for (const name of [...QDISC_COUNTER_NAMES, ...QDISC_GAUGE_NAMES]) {
      const v = r[name];
      if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) {
        stats[name] = BigInt(v);
        any = true;
      }
    }
    if (any) q.stats = stats;
    out.push(q);
  });
  return { value: out, warnings };
}

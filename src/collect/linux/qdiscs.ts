/**
 * The Linux collector's queueing disciplines: `tc -j -s qdisc show` for every qdisc with its
 * exact counters, joined with `tc qdisc show` for the options as tc prints them (by interface,
 * parent and handle). Where the JSON cannot be had, `tc -s qdisc show` alone, whose counters are
 * the same but whose backlog tc rounds when large.
 *
 * A netlink reader goes first in `QDISC_READERS` (`dumpQdiscs`), recorded as source "netlink";
 * netlink gives the kind, handle, parent and counters, and the options text still comes from
 * `tc qdisc show` (or is left out, absent rather than guessed).
 */
import type { Qdisc } from "../../model.ts";
import { qdiscKey } from "../../net/qdiscs.ts";
import { parseTcJsonQdisc } from "../../parse/linux/tc_json_qdisc.ts";
import { parseTcQdisc } from "../../parse/linux/tc_qdisc.ts";
import type { Place } from "../contract.ts";
import type { Section } from "../section.ts";
import { runTc } from "./ip.ts";
import { type Reader, readSection, unavailable } from "./readers.ts";
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
export const QDISC_READERS: readonly Reader<Qdisc[]>[] = [fromTcJson, fromTcText];

/** Reads the queueing disciplines of every interface, with their counters. */
export function collectQdiscs(place: Place): Section<Qdisc[]> {
  return readSection(place, QDISC_READERS, []);
}

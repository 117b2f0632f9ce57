/** Durations on the command line (`--every 10s`, `--for 30m`, `--interval 500ms`). */
import { UsageError } from "../errors.ts";
import { quoteText } from "../util/escape.ts";

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * Parses a duration into milliseconds: a number with a unit (`ms`, `s`, `m`, `h`, `d`), several
 * of them run together (`1h30m`), or a plain number of seconds. `min` is the shortest accepted.
 *
 * @example
 * ```ts
 * import { parseDuration } from "./duration.ts";
 * parseDuration("1m30s", "--every"); // 90000
 * parseDuration("10", "--every"); // 10000
 * ```
 */
export function parseDuration(text: string, flag: string, min = 1): number {
  const value = text.trim();
  let ms = NaN;
  if (/^[0-9]+(?:\.[0-9]+)?$/.test(value)) ms = Number(value) * 1000;
  else if (/^(?:[0-9]+(?:\.[0-9]+)?(?:ms|s|m|h|d))+$/.test(value)) {
    ms = 0;
    for (const m of value.matchAll(/([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)/g)) {
      ms += Number(m[1]) * UNIT_MS[m[2]!]!;
    }
  }
  ms = Math.round(ms);
  if (!Number.isFinite(ms) || ms > Number.MAX_SAFE_INTEGER) {
    throw new UsageError(
      `Cannot use ${flag} ${quoteText(text)}: expected a duration such as 500ms, 10s, 30m or 1h30m`,
    );
  }
  if (ms < min) {
    throw new UsageError(
      `Cannot use ${flag} ${quoteText(text)}: the shortest is ${
        min < 1000 ? `${min}ms` : `${min / 1000}s`
      }`,
    );
  }
  return ms;
}

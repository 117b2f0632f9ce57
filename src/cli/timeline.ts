/**
 * `nsnap diff DIR`: the timeline of one folder of a single host's snapshots — what changed from
 * each snapshot to the next, rolled up, with the notable counter rates per step — as text,
 * Markdown, the `nsnap-timeline/v1` document (json, yaml) or the series report (html).
 *
 * Decisions:
 * - The folder is read as `nsnap report DIR` reads it (fleet/series.ts): the same files, the
 *   same order, one host only. Snapshots are loaded one at a time, so two are in memory at once.
 * - `--fail-on` works across the series: exit 1 when any step has a change of a named kind, or
 *   a threshold holds over any step; stderr names the steps (the first ten).
 * - Warnings are printed on stderr once each, with the number of steps that had them.
 */
import { InputError } from "../errors.ts";
import { measureThreshold } from "../check/threshold.ts";
import { type DiffOptions, type Gate, gateTrips, hasKind } from "../diff/mod.ts";
import { orderSeries, snapshotFilesIn } from "../fleet/series.ts";
import { renderReport, SeriesBuilder } from "../render/html/mod.ts";
import { plainDiff } from "../render/diff_json.ts";
import { displayText, type Paint } from "../render/table.ts";
import { renderTimelineMarkdown } from "../render/timeline_markdown.ts";
import { renderTimelineText } from "../render/timeline_text.ts";
import { writeStderr } from "../runtime/process.ts";
import { clockFormat, TimelineBuilder } from "../timeline/mod.ts";
import { escapeText } from "../util/escape.ts";
import { writeYaml } from "../util/yaml.ts";
import { type CliContext, out } from "./context.ts";
import type { FailOnThreshold } from "./fail_on.ts";
import { loadOperand } from "./operand.ts";

/** What a timeline run needs from the diff command's options. */
export interface TimelineRun {
  format: "text" | "json" | "yaml" | "markdown" | "html";
  gate: Gate;
  /** The `--fail-on` entries as written, for the lines naming the steps that tripped. */
  failOn: readonly string[];
  thresholds: readonly FailOnThreshold[];
  diff: DiffOptions;
  maxBytes?: number | undefined;
  paint: Paint;
}

/** How many tripped steps stderr names before "and N more". */
const NAMED_STEPS = 10;

/** Runs `nsnap diff DIR`. */
export async function runTimeline(dir: string, run: TimelineRun, ctx: CliContext): Promise<void> {
  const skipped: string[] = [];
  const files = snapshotFilesIn(dir, skipped);
  for (const w of skipped) writeStderr(`nsnap: warning: ${escapeText(w)}\n`);
  if (files.length < 2) {
    throw new InputError(
      `Cannot diff folder ${escapeText(dir)}: a timeline needs two snapshots or more, it holds ${
        files.length === 0 ? "none" : "one"
      } (.json, .yaml, .yml, optionally .gz)`,
    );
  }
  const ordered = await orderSeries(files, {
    what: `folder ${dir}`,
    verb: "diff",
    purpose: "a timeline",
    ...(run.maxBytes !== undefined ? { maxBytes: run.maxBytes } : {}),
  });
  const time = clockFormat(ordered.map((f) => f.capturedAt));
  const tripped: string[] = [];
  const builder = new TimelineBuilder({
    diff: run.diff,
    folder: dir,
    onStep: (doc, before, after) => {
      const at = time(after.meta.capturedAt);
      if (hasKind(doc, run.gate)) {
        const kinds = [
          ...new Set(doc.changes.filter((c) => gateTrips(run.gate, c)).map((c) => c.kind)),
        ];
        tripped.push(`${kinds.join(", ")} at ${at}`);
      }
      for (const { text, threshold } of run.thresholds) {
        for (const m of measureThreshold(threshold, after, before)) {
          if (m.holds === true) tripped.push(`${text}: ${m.subject} is ${m.observed} at ${at}`);
        }
      }
    },
  });
  const series = run.format === "html" ? new SeriesBuilder() : undefined;
  const load = run.maxBytes !== undefined ? { maxBytes: run.maxBytes } : {};
  for (const f of ordered) {
    const s = await loadOperand(f.file, load);
    builder.add(s, f.file);
    series?.add(s, f.file);
  }
  const doc = builder.finish();
  for (const w of doc.warnings) {
    const n = w.steps === doc.steps.length
      ? "every step"
      : `${w.steps} of ${doc.steps.length} steps`;
    writeStderr(`nsnap: warning: ${displayText(w.text)} (${n})\n`);
  }
  if (tripped.length > 0) {
    ctx.exitCode = 1;
    const shown = tripped.slice(0, NAMED_STEPS).map(escapeText).join("; ");
    const more = tripped.length > NAMED_STEPS ? `; and ${tripped.length - NAMED_STEPS} more` : "";
    writeStderr(`nsnap: --fail-on ${run.failOn.join(",")}: tripped by ${shown}${more}\n`);
  }
  switch (run.format) {
    case "json":
      return await out(JSON.stringify(plainDiff(doc), null, 2));
    case "yaml":
      return await out(writeYaml(plainDiff(doc)));
    case "markdown":
      return await out(renderTimelineMarkdown(doc));
    case "html":
      return await out(renderReport({ kind: "series", series: series!.finish() }));
    default:
      return await out(renderTimelineText(doc, { paint: run.paint }));
  }
}

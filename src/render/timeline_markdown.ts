/**
 * A timeline as Markdown for an incident ticket: the headline, the stories of what changed as a
 * list, the notable counters as a table, one table row per change of each step, and the
 * warnings as a quote. Every string from a snapshot is escaped (`mdCell`).
 */
import { formatCount, formatRate } from "../format.ts";
import { clockFormat, type TimelineDocument } from "../timeline/mod.ts";
import { mdCell } from "./diff_markdown.ts";
import { changeMark } from "./diff_text.ts";
import { stepHasNews, stepSessions, timelineCounts, timelineHeadline } from "./timeline_text.ts";

/** Renders a timeline document as Markdown. */
export function renderTimelineMarkdown(doc: TimelineDocument): string {
  const time = clockFormat(doc.snapshots.map((s) => s.capturedAt));
  const out: string[] = [
    `### ${mdCell(timelineHeadline(doc))}`,
    "",
    `${doc.folder !== undefined ? `${mdCell(doc.folder)}: ` : ""}${mdCell(timelineCounts(doc))}`,
  ];
  if (doc.warnings.length > 0) {
    out.push("");
    for (const w of doc.warnings) {
      out.push(
        `> ${mdCell(w.text)} (${w.steps === doc.steps.length ? "every step" : `${w.steps} steps`})`,
      );
    }
  }
  out.push("", "#### What changed", "");
  if (doc.events.length === 0) {
    out.push("Nothing: no listener, route, interface or setting changed.");
  }
  for (const e of doc.events) out.push(`- ${mdCell(e.summary)}`);

  const counters = Object.entries(doc.counters);
  if (counters.length > 0) {
    out.push("", "#### Notable counters", "", "| Counter | Total | Max/s | At | Steps |");
    out.push("| --- | ---: | ---: | --- | ---: |");
    for (const [name, c] of counters) {
      out.push(
        `| ${mdCell(name)} | ${formatCount(c.total)} | ${formatRate(c.maxPerSecond)} | ${
          mdCell(time(c.maxAt))
        } | ${c.steps} |`,
      );
    }
  }

  const news = doc.steps.filter(stepHasNews);
  if (news.length > 0) {
    out.push("", "#### Steps", "", "| At | | Change |", "| --- | --- | --- |");
    for (const step of news) {
      const sessions = stepSessions(step);
      if (sessions !== "") out.push(`| ${mdCell(time(step.at))} | | ${mdCell(sessions)} |`);
      for (const c of step.changes) {
        out.push(
          `| ${mdCell(time(step.at))} | ${changeMark(c)} | ${mdCell(`${c.kind}: ${c.summary}`)} |`,
        );
      }
    }
  }
  return out.join("\n") + "\n";
}

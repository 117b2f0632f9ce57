/** The protocol statistics of `nsnap show -s`, laid out like netstat -s. */
import type { StatGroup } from "../view/stats.ts";
import { displayText, type Paint, PLAIN } from "./table.ts";

/** Renders statistics groups: a `Group:` title, then one indented line per counter. */
export function renderStatistics(groups: readonly StatGroup[], paint: Paint = PLAIN): string {
  const out: string[] = [];
  for (const g of groups) {
    out.push(paint.bold(`${displayText(g.group)}:`));
    for (const l of g.lines) {
      const line = `    ${displayText(l.text)}`;
      out.push(l.notable && l.value > 0n ? paint.yellow(line) : line);
    }
  }
  return out.length === 0 ? "" : out.join("\n") + "\n";
}

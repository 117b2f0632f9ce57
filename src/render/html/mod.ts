/**
 * The HTML report renderer: `renderReport(input)` turns a snapshot, a before/after diff or a
 * series into one self-contained page (a string). Pure and deterministic, like the other
 * renderers; the command writes the string.
 *
 * @example
 * ```ts ignore
 * const page = renderReport({ kind: "snapshot", snapshot, file: "before.json" });
 * ```
 */
import { VERSION } from "../../version.ts";
import { renderPage } from "./page.ts";
import { reportContent, type ReportInput } from "./report.ts";

export type { ReportInput } from "./report.ts";
export { type Series, SeriesBuilder } from "./series.ts";
export { type Fleet, FleetBuilder, type FleetDiffInput, type FleetHost } from "./fleet.ts";

/** Renders a report as a complete HTML page. */
export function renderReport(input: ReportInput, opts: { version?: string } = {}): string {
  return renderPage(reportContent(input), { version: opts.version ?? VERSION });
}

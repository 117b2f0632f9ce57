/**
 * What the page inlines, embedded in the program when it is built: the page script and style
 * (client.js, report.css, beside this file) and uPlot's build from node_modules, imported as text
 * so that `bun build --compile` and `deno bundle` carry them inside the binary and a run from
 * source reads them from the same files. The uPlot code is never committed to this repository.
 */
import uplotJs from "uplot/dist/uPlot.iife.min.js" with { type: "text" };
import uplotCss from "uplot/dist/uPlot.min.css" with { type: "text" };
import uplotLicense from "uplot/LICENSE" with { type: "text" };
import clientJs from "./client.js" with { type: "text" };
import reportCss from "./report.css" with { type: "text" };

/** uPlot 1.6.32 (MIT), the minified IIFE build that defines `uPlot`. */
export const UPLOT_JS: string = uplotJs;
/** uPlot's own stylesheet. */
export const UPLOT_CSS: string = uplotCss;
/** uPlot's licence text, carried in every page that includes it. */
export const UPLOT_LICENSE: string = uplotLicense;
/** The page script: tables, filters, paging, sorting and the uPlot charts. */
export const CLIENT_JS: string = clientJs;
/** The page style: light and dark, print, narrow screens. */
export const REPORT_CSS: string = reportCss;

/**
 * The report as one self-contained HTML page: styles, script and data inline, no fonts or
 * requests. A Content-Security-Policy meta tag allows exactly the inline script and style the
 * page carries (by their SHA-256 hashes, computed here), so nothing else can run or load even
 * if a string from a snapshot escaped its escaping.
 */
import { createHash } from "node:crypto";
import { CLIENT_JS, REPORT_CSS, UPLOT_CSS, UPLOT_JS, UPLOT_LICENSE } from "./assets.ts";
import { attr, html, scriptJson } from "./escape.ts";
import type { ReportContent } from "./report.ts";

/** The CSP hash source of an inline script or style text. */
export function cspHash(text: string): string {
  return `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
}

/** A small square icon, so the browser asks for no favicon. */
const ICON = "data:image/svg+xml," +
  encodeURIComponent(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#3a6ea5"/><path d="M3 11h2V7H3zm4 0h2V4H7zm4 0h2V8h-2z" fill="#fff"/></svg>`,
  );

/** Options of the page. */
export interface PageOptions {
  /** The nsnap version for the footer and the generator tag. */
  version: string;
}

/** Renders the report's content as the full page. */
export function renderPage(content: ReportContent, opts: PageOptions): string {
  const charts = content.data.series !== undefined;
  const style = charts ? `${UPLOT_CSS}\n${REPORT_CSS}` : REPORT_CSS;
  const script = charts ? `${UPLOT_JS}\n${CLIENT_JS}` : CLIENT_JS;
  const csp = [
    "default-src 'none'",
    `script-src ${cspHash(script)}`,
    `style-src ${cspHash(style)}`,
    "img-src data:",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
  const nav = content.sections.map((s) => `<a href="#${s.id}">${html(s.title)}</a>`).join("");
  const sections = content.sections.map((s) =>
    `<section id="${s.id}" aria-labelledby="${s.id}-h"><h2 id="${s.id}-h">${
      html(s.title)
    }</h2>\n${s.body}\n</section>`
  ).join("\n");
  const licence = charts
    ? `<!-- Charts drawn with uPlot 1.6.32, https://github.com/leeoniya/uPlot, under its licence:\n${
      UPLOT_LICENSE.replace(/--/g, "- -").replace(/[<>]/g, "")
    }-->\n`
    : "";
  const redacted = content.redacted
    ? ` <span class="badge b-redacted" title="addresses, MACs and host names are pseudonyms">redacted</span>`
    : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${attr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="nsnap ${attr(opts.version)}">
<meta name="referrer" content="no-referrer">
<title>nsnap report: ${html(content.title)} (${html(content.kind)})</title>
<link rel="icon" href="${ICON}">
<style>${style}</style>
</head>
<body>
<header class="top"><div class="wrap"><p class="eyebrow">nsnap report · ${
    html(content.kind)
  }${redacted}</p><h1>${html(content.title)}</h1></div></header>
<nav class="toc" aria-label="Sections"><div class="wrap">${nav}</div></nav>
<main class="wrap">
${sections}
</main>
<footer class="wrap"><p>Made by nsnap ${
    html(opts.version)
  }. This page is self-contained: it opens offline and makes no network requests. It shows what its snapshots hold and nothing more; redacted snapshots stay redacted.${
    charts ? " Time series drawn with uPlot (MIT licence)." : ""
  }</p></footer>
<script type="application/json" id="nsnap-data">${scriptJson(content.data)}</script>
${licence}<script>${script}</script>
</body>
</html>
`;
}

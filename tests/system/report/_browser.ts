/**
 * Headless Chromium for the report tests, driven by playwright-core against the system browser
 * (Debian's /usr/bin/chromium, or $NSNAP_CHROMIUM): a fresh profile in a temporary folder, no
 * background networking, and every request the page makes recorded and refused except the page
 * itself, so a report that tried to load anything fails its test.
 */
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { type BrowserContext, chromium, type Page } from "playwright-core";

/** The browser the tests drive. */
export const CHROMIUM = process.env.NSNAP_CHROMIUM ?? "/usr/bin/chromium";

/** Why the browser tests cannot run here, or undefined when they can. */
export function browserMissing(): string | undefined {
  try {
    accessSync(CHROMIUM, constants.X_OK);
    return undefined;
  } catch {
    return `no Chromium at ${CHROMIUM} (install Debian's chromium or set NSNAP_CHROMIUM)`;
  }
}

/** The flags from the brief: headless, no sandbox (root), nothing that phones home. */
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A browser with a fresh profile; `close()` ends it and removes the profile. */
export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Starts Chromium with a fresh profile. */
export async function startBrowser(
  opts: { colorScheme?: "light" | "dark"; width?: number; height?: number } = {},
): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), `nsnap-chromium-${process.pid}-`));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      colorScheme: opts.colorScheme ?? "light",
      viewport: { width: opts.width ?? 1280, height: opts.height ?? 900 },
      timeout: 60_000,
    });
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
  return {
    context,
    async close() {
      try {
        await context.close();
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}

/** An opened report and what it did while loading. */
export interface Opened {
  page: Page;
  /** Console errors and uncaught exceptions. */
  errors: string[];
  /** Every request other than the page itself (each was refused). */
  requests: string[];
  /** Dialogs that opened (alert, confirm …); each was dismissed. */
  dialogs: string[];
  /** Milliseconds from navigation start until the page script had rendered everything. */
  readyMs: number;
}

/** Opens a report file and waits until its script has run. */
export async function openReport(browser: Browser, file: string): Promise<Opened> {
  const page = await browser.context.newPage();
  const url = pathToFileURL(file).href;
  const errors: string[] = [], requests: string[] = [], dialogs: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`uncaught: ${e.message}`));
  page.on("dialog", (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  page.on("request", (r) => {
    if (r.url() !== url) requests.push(r.url());
  });
  await page.route("**/*", (route) => {
    const u = route.request().url();
    return u === url ? route.continue() : route.abort();
  });
  await page.goto(url, { waitUntil: "load" });
  await waitFor(page, "document.documentElement.dataset.ready !== undefined", () => errors);
  const readyMs = Number(await page.evaluate("document.documentElement.dataset.ready"));
  return { page, errors, requests, dialogs, readyMs };
}

/**
 * Waits until an expression is true in the page. Polls with `evaluate` (which the page's CSP
 * does not govern) rather than waitForFunction, whose string predicates the CSP rightly refuses.
 */
export async function waitFor(
  page: Page,
  expr: string,
  context: () => unknown = () => "",
  timeoutMs = 15_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await page.evaluate(expr))) {
    if (Date.now() > end) {
      throw new Error(`Cannot see ${expr} within ${timeoutMs} ms: ${JSON.stringify(context())}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

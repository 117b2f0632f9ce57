/**
 * What the report tests check on an opened page: it loaded cleanly, a table's row counts, and a
 * screenshot that is a picture rather than a blank page.
 */
import assert from "node:assert/strict";
import { decodePng, inkStats } from "../../helpers/png.ts";
import type { Opened } from "./_browser.ts";

/** The page loaded cleanly: no console error, no request, no dialog. */
export function clean(o: Opened): void {
  assert.deepEqual(o.errors, [], "console errors");
  assert.deepEqual(o.requests, [], "network requests");
  assert.deepEqual(o.dialogs, [], "dialogs");
}

/** Evaluates an expression in the page. */
export const js = <T>(o: Opened, expr: string) => o.page.evaluate(expr) as Promise<T>;

/**
 * Total and shown row counts of a page table, the rows in its body now, and the text of their
 * first cells.
 */
export function tableState(o: Opened, id: string) {
  return js<{ total: number; shown: number; body: number; first: string[] }>(
    o,
    `(() => { const m = document.querySelector('[data-table="${id}"]');
      const rows = [...m.querySelectorAll("tbody tr")];
      return { total: Number(m.dataset.total), shown: Number(m.dataset.shown), body: rows.length,
               first: rows.map((tr) => tr.children[0].textContent) }; })()`,
  );
}

/** Takes a screenshot and checks it is a picture, not a blank page. */
export async function notBlank(o: Opened): Promise<void> {
  const png = await o.page.screenshot({ fullPage: false });
  const img = decodePng(new Uint8Array(png));
  const { ink, colours, total } = inkStats(img);
  assert.ok(ink / total > 0.03, `only ${ink} of ${total} pixels differ from the background`);
  assert.ok(colours > 20, `only ${colours} colours`);
}

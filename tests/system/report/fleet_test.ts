/**
 * The fleet pages in a real browser (headless Chromium): the fleet overview has one listener row
 * per listener per host and its Host filter keeps exactly that host's rows; the fleet diff page's
 * kind filter keeps exactly the roll-up lines of that kind, and a host's collapsed block opens on
 * its full change list. Each opens without a console error or a network request. Skips with the
 * reason when Chromium is not installed.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { FleetBuilder, renderReport, type ReportInput } from "../../../src/render/html/mod.ts";
import { namespacedPair } from "../../diff/_namespaces.ts";
import { memoryFleet, plainHost, runMemoryFleet } from "../../fleet/_fleet.ts";
import { example, listenerCount } from "../../report/_make.ts";
import { browserMissing, type Opened, openReport, startBrowser, waitFor } from "./_browser.ts";
import { clean, notBlank, tableState } from "./_page.ts";

const skip = browserMissing() ?? false;

async function withPage(input: ReportInput, fn: (o: Opened) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `nsnap-report-fleet-${process.pid}-`));
  const file = join(dir, "fleet.html");
  writeFileSync(file, renderReport(input));
  const browser = await startBrowser();
  try {
    await fn(await openReport(browser, file));
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test("a fleet overview: one row per host-listener, and the Host filter keeps that host's", {
  skip,
  timeout: 120_000,
}, async () => {
  const b = new FleetBuilder("snapshots/after");
  const [, docker] = namespacedPair();
  const counts: Array<[string, number]> = [];
  for (const [name, s] of [["vm", example("after.json")], ["docker-1", docker]] as const) {
    b.add(s, name, `snapshots/after/${name}.json`);
    counts.push([name, listenerCount(s)]);
  }
  const all = counts.reduce((n, [, k]) => n + k, 0);
  await withPage({ kind: "fleet", fleet: b.finish() }, async (o) => {
    clean(o);
    const t = await tableState(o, "listeners");
    assert.equal(t.total, all);
    assert.equal(t.body, all);
    const hosts = await tableState(o, "hosts");
    assert.equal(hosts.total, 2);
    await o.page.locator('[data-table="listeners"] .facet button[data-value="docker-1"]').click();
    const only = await tableState(o, "listeners");
    assert.equal(only.shown, counts[1]![1]);
    assert.deepEqual([...new Set(only.first)], ["docker-1"]);
    // The filter box on top of it: the container's port 80 listeners.
    await o.page.locator('[data-table="listeners"] input[type="search"]').fill("container web");
    await waitFor(
      o.page,
      `document.querySelector('[data-table="listeners"]').dataset.shown === "1"`,
    );
    await notBlank(o);
    clean(o);
  });
});

test(
  "a fleet diff page: the kind filter keeps that kind's lines; a host's block opens its changes",
  {
    skip,
    timeout: 120_000,
  },
  async () => {
    const hosts = Array.from({ length: 20 }, (_, i) =>
      plainHost(i, `web-${i + 1}`, {
        listeners: i === 13 ? [3] : [],
        routes: i === 4 ? [0, 1] : [],
        mtu: i < 18 ? 9000 : 1500,
      }));
    const { report, entries } = await runMemoryFleet(memoryFleet(hosts));
    await withPage({ kind: "fleet-diff", report, hosts: entries }, async (o) => {
      clean(o);
      const rollup = await tableState(o, "rollup");
      assert.equal(rollup.total, report.head.rollup.length);
      const outliers = await tableState(o, "outliers");
      assert.equal(outliers.total, report.head.summary.outliers);
      assert.equal(outliers.total, 3, "web-14's listener and web-5's two routes");
      await o.page.locator('[data-table="rollup"] .facet button[data-value="route-added"]').click();
      const routes = await tableState(o, "rollup");
      assert.equal(routes.shown, report.head.rollup.filter((l) => l.kind === "route-added").length);
      assert.equal(routes.shown, 2);
      assert.equal((await tableState(o, "hosts")).total, 20);
      // web-14's block is closed at first, and opens on its full list.
      const i = entries.findIndex((e) => e.name === "web-14");
      const block = o.page.locator(`#host-${i}-d`);
      assert.equal(await block.getAttribute("open"), null);
      assert.equal(await o.page.locator(`[data-table="host-${i}"]`).isVisible(), false);
      await block.locator("summary").click();
      assert.ok(await o.page.locator(`[data-table="host-${i}"]`).isVisible());
      const own = await tableState(o, `host-${i}`);
      assert.equal(own.total, entries[i]!.diff.changes.length);
      assert.equal(own.body, entries[i]!.diff.changes.length);
      await notBlank(o);
      clean(o);
    });
  },
);

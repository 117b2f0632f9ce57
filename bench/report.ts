/**
 * Benchmark of the HTML report (not a test): page size and render time for a 10k-socket
 * snapshot and its diff, and for a series of 10 000 snapshots (10 000 points per chart line);
 * then the time each page takes to be ready in headless Chromium (JSON parsed, first table
 * pages rendered, uPlot charts drawn), as the page itself records it.
 *
 *   deno run -A bench/report.ts          bun bench/report.ts
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { diffSnapshots } from "../src/diff/mod.ts";
import { renderReport, type ReportInput, SeriesBuilder } from "../src/render/html/mod.ts";
import { bigSnapshot, snapshot } from "../tests/report/_make.ts";
import { browserMissing, openReport, startBrowser } from "../tests/system/report/_browser.ts";

const POINTS = Number(process.argv[2] ?? 10_000);

function series(n: number): ReportInput {
  const b = new SeriesBuilder();
  const t0 = Date.parse("2026-11-25T00:00:00Z");
  let retrans = 0n, rsts = 0n, rx = 0n;
  for (let i = 0; i < n; i++) {
    retrans += BigInt(Math.round(20 + 15 * Math.sin(i / 50) + (i % 97 === 0 ? 400 : 0)));
    rsts += BigInt(i % 13);
    rx += BigInt(100_000 + (i % 600) * 1000);
    const s = snapshot(new Date(t0 + i * 10_000).toISOString(), [], {});
    s.counters = { Tcp: { RetransSegs: retrans, OutRsts: rsts, OutSegs: BigInt(i) * 1000n } };
    s.interfaces[0]!.stats = { rxBytes: rx, txBytes: rx / 3n };
    b.add(s);
  }
  return { kind: "series", series: b.finish() };
}

const before = bigSnapshot(10_000, "2026-11-25T09:55:00.000Z");
before.connections = before.connections.slice(500);
const after = bigSnapshot(10_000);
const cases: Array<[string, () => ReportInput]> = [
  ["10k-socket snapshot", () => ({ kind: "snapshot", snapshot: after })],
  ["10k-socket diff", () => ({ kind: "diff", before, after, doc: diffSnapshots(before, after) })],
  [`series of ${POINTS} snapshots`, () => series(POINTS)],
];

const dir = mkdtempSync(join(tmpdir(), `nsnap-bench-report-${process.pid}-`));
const missing = browserMissing();
const browser = missing ? undefined : await startBrowser();
try {
  for (const [name, make] of cases) {
    const t0 = performance.now();
    const input = make();
    const t1 = performance.now();
    const page = renderReport(input);
    const t2 = performance.now();
    const file = join(process.env.NSNAP_BENCH_KEEP ?? dir, "r.html");
    writeFileSync(file, page);
    let ready = "no browser: " + missing;
    if (browser) {
      const runs: number[] = [];
      for (let i = 0; i < 3; i++) {
        const o = await openReport(browser, file);
        if (o.errors.length) throw new Error(o.errors.join("; "));
        runs.push(o.readyMs);
        await o.page.close();
      }
      ready = `ready in Chromium ${runs.sort((a, b) => a - b)[1]} ms (median of 3)`;
    }
    process.stdout.write(
      `${name}: ${(page.length / 1e6).toFixed(2)} MB, input ${Math.round(t1 - t0)} ms, render ${
        Math.round(t2 - t1)
      } ms, ${ready}\n`,
    );
  }
} finally {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
}

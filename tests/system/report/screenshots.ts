/**
 * Makes the README's report screenshots from the example snapshots (not a test):
 *
 *   deno run -A tests/system/report/screenshots.ts [OUT_DIR] [--width 1280] [--dark] [--full]
 *
 * Writes report-snapshot.png, report-diff.png and report-series.png (the top of each page, or
 * the whole page with --full) into OUT_DIR (default docs/). Also handy to look at a change.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { diffSnapshots } from "../../../src/diff/mod.ts";
import { renderReport, type ReportInput, SeriesBuilder } from "../../../src/render/html/mod.ts";
import { parseSnapshotBytes } from "../../../src/snapshot/read.ts";
import { ROOT } from "../../helpers/cli.ts";
import { openReport, startBrowser } from "./_browser.ts";

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const value = (name: string, dflt: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1]! : dflt;
};
const outDir = args.find((a, i) => !a.startsWith("--") && args[i - 1] !== "--width") ??
  join(ROOT, "docs");
const width = Number(value("--width", "1280"));

const examples = join(ROOT, "snapshots/examples");
const read = (path: string) => parseSnapshotBytes(readFileSync(path), path.slice(ROOT.length));
const rel = (p: string) => p.slice(ROOT.length);

const before = read(join(examples, "before.json"));
const after = read(join(examples, "after.json"));
const series = new SeriesBuilder();
const seriesDir = join(examples, "series");
for (const f of readdirSync(seriesDir).filter((n) => n.endsWith(".json")).sort()) {
  series.add(read(join(seriesDir, f)), rel(join(seriesDir, f)));
}

const reports: Array<[string, ReportInput]> = [
  ["snapshot", { kind: "snapshot", snapshot: after, file: rel(join(examples, "after.json")) }],
  [
    "diff",
    {
      kind: "diff",
      before,
      after,
      doc: diffSnapshots(before, after, {
        beforeFile: rel(join(examples, "before.json")),
        afterFile: rel(join(examples, "after.json")),
      }),
    },
  ],
  ["series", { kind: "series", series: series.finish() }],
];

const tmp = mkdtempSync(join(tmpdir(), `nsnap-shots-${process.pid}-`));
const browser = await startBrowser({
  width,
  height: 1100,
  colorScheme: flag("--dark") ? "dark" : "light",
});
try {
  for (const [name, input] of reports) {
    const file = join(tmp, `${name}.html`);
    writeFileSync(file, renderReport(input));
    const o = await openReport(browser, file);
    if (o.errors.length || o.requests.length) {
      throw new Error(`${name}: ${JSON.stringify({ errors: o.errors, requests: o.requests })}`);
    }
    // The series picture shows its charts: start it at the counters.
    const y = name === "series"
      ? Number(await o.page.evaluate(`document.querySelector("#counters").offsetTop - 12`))
      : 0;
    const png = join(outDir, `report-${name}.png`);
    await o.page.screenshot(
      flag("--full")
        ? { path: png, fullPage: true }
        : { path: png, fullPage: true, clip: { x: 0, y, width, height: 1100 } },
    );
    await o.page.close();
    process.stdout.write(`${png} ${statSync(png).size} bytes, ready after ${o.readyMs} ms\n`);
  }
} finally {
  await browser.close();
  rmSync(tmp, { recursive: true, force: true });
}

/**
 * Makes the README's report screenshots from the example snapshots (not a test):
 *
 *   deno run -A tests/system/report/screenshots.ts [OUT_DIR] [--width 1280] [--dark] [--full]
 *
 * Writes report-snapshot.png, report-diff.png, report-series.png and report-fleet-diff.png (the
 * top of each page, or the whole page with --full) into OUT_DIR (default docs/). Also handy to
 * look at a change. The fleet is made from the examples: five hosts, four deployed (the
 * examples' after), web-3 also opened a port the others did not, web-9 gone.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { diffSnapshots } from "../../../src/diff/mod.ts";
import { renderReport, type ReportInput, SeriesBuilder } from "../../../src/render/html/mod.ts";
import { diffFleet, type HostEntry, type Member, pairMembers } from "../../../src/fleet/mod.ts";
import type { Snapshot } from "../../../src/model.ts";
import { memberOf } from "../../fleet/_fleet.ts";
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

/** The fleet diff of the picture, compared in memory. */
async function fleetInput(): Promise<ReportInput> {
  const files = new Map<string, Snapshot>();
  const side: Record<"before" | "after", Member[]> = { before: [], after: [] };
  const put = (phase: "before" | "after", host: string, id: number, src: Snapshot) => {
    const s = structuredClone(src);
    s.meta.host.hostname = host;
    s.meta.host.machineId = String(id).padStart(32, "0");
    s.meta.labels = { phase, deploy: "1234" };
    if (phase === "after") s.meta.capturedAt = after.meta.capturedAt;
    const m = memberOf(s, `${host}.json`, `snapshots/${phase}`);
    side[phase].push(m);
    files.set(m.file, s);
    return s;
  };
  for (const [i, host] of ["web-1", "web-2", "web-3", "web-4", "db-1", "web-9"].entries()) {
    put("before", host, i + 1, before);
    if (host === "web-9") continue;
    const s = put("after", host, i + 1, host === "db-1" ? before : after);
    if (host === "web-3") {
      const l = s.connections.find((c) => c.state === "LISTEN" && c.localPort === 9200)!;
      s.connections.push({ ...l, localPort: 6379 });
    }
  }
  const hosts: HostEntry[] = [];
  const report = await diffFleet(
    { folder: "snapshots/before", members: side.before },
    { folder: "snapshots/after", members: side.after },
    pairMembers(side.before, side.after),
    (m) => Promise.resolve(files.get(m.file)!),
    {},
    (e) => void hosts.push(e),
  );
  return { kind: "fleet-diff", report, hosts };
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
  ["fleet-diff", await fleetInput()],
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

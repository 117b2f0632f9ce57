/**
 * The fleet pages of the report, as data: a fleet overview has one listener row per listener
 * per host and one host row per host; a fleet diff page carries the roll-up, the outliers, the
 * per-host counts and each changed host's full change list; both are deterministic, keep the
 * page's CSP, and show hostile host names only as text.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { FleetBuilder, renderReport, type ReportInput } from "../../src/render/html/mod.ts";
import { namespacedPair } from "../diff/_namespaces.ts";
import { arbFleet, type GenHost, memoryFleet, plainHost, runMemoryFleet } from "../fleet/_fleet.ts";
import { example, HOSTILE, hostileSnapshot, listenerCount, pageData, table } from "./_make.ts";

const kindOf = (page: string) =>
  /<p class="eyebrow">nsnap report · ([^<]*?)(?: <span|<\/p>)/.exec(page)?.[1];

function overview(): { input: ReportInput; counts: Map<string, number> } {
  const b = new FleetBuilder("snapshots/after");
  const [, docker] = namespacedPair();
  docker.meta.host.hostname = "docker-1";
  const hosts = [["vm", example("after.json")], ["docker-1", docker], [
    HOSTILE.host,
    hostileSnapshot(),
  ]] as const;
  const counts = new Map<string, number>();
  for (const [name, s] of hosts) {
    b.add(s, name, `snapshots/after/${name.length < 12 ? name : "x"}.json`);
    counts.set(name, listenerCount(s));
  }
  return { input: { kind: "fleet", fleet: b.finish() }, counts };
}

test("a fleet overview: one listener row per listener per host, one host row per host", () => {
  const { input, counts } = overview();
  const page = renderReport(input);
  assert.equal(kindOf(page), "Fleet");
  const listeners = table(page, "listeners");
  assert.equal(listeners.columns[0]!.label, "Host");
  assert.ok(listeners.columns[0]!.facet, "the Host column filters");
  const byHost = new Map<string, number>();
  for (const r of listeners.rows) byHost.set(String(r[0]), (byHost.get(String(r[0])) ?? 0) + 1);
  assert.deepEqual(byHost, counts);
  // A capture across namespaces among them: the Namespace column names the containers.
  const ns = listeners.columns.findIndex((c) => c.label === "Namespace");
  assert.ok(ns > 0);
  assert.deepEqual(
    [...new Set(listeners.rows.filter((r) => r[0] === "docker-1").map((r) => String(r[ns])))]
      .sort(),
    ["container new", "container web", "host"],
  );
  const hosts = table(page, "hosts");
  assert.deepEqual(hosts.rows.map((r) => r[0]), ["vm", "docker-1", HOSTILE.host]);
  const sections = hosts.columns.findIndex((c) => c.label === "Sections");
  assert.equal(hosts.rows[2]![sections], "processes partial");
  assert.match(page, /<h3>Sections<\/h3>\n<table class="status">/);
  assert.equal(renderReport(input), page, "deterministic");
});

test("a fleet overview shows hostile host names only as text", () => {
  const page = renderReport(overview().input);
  assert.equal(page.match(/<script\b/g)?.length, 2, "only the data and the page script");
  for (const bad of ["<b>host</b>", "<script>alert", "<iframe", "</script><script>"]) {
    assert.ok(!page.includes(bad), bad);
  }
  assert.ok(page.includes("&lt;b&gt;host&lt;/b&gt;&amp;&quot;"));
  assert.ok(page.includes('<span class="ctl" title="U+0000">\\x00</span>'));
});

/** Twenty hosts: web-14 opened a listener no other did (an outlier), 18 changed their MTU. */
function twenty(name = (i: number) => `web-${i + 1}`): GenHost[] {
  return Array.from({ length: 20 }, (_, i) =>
    plainHost(i, name(i), {
      listeners: i === 13 ? [3] : [],
      mtu: i < 18 ? 9000 : 1500,
      inSegs: 1n + BigInt(i),
    }));
}

test("a fleet diff page: roll-up, outliers, per-host counts and each changed host's changes", async () => {
  const { report, entries } = await runMemoryFleet(memoryFleet(twenty()));
  const page = renderReport({ kind: "fleet-diff", report, hosts: entries });
  assert.equal(kindOf(page), "Fleet before → after");
  assert.match(
    page,
    /<p class="headline">20 hosts paired: 20 hosts changed, 38 changes, 1 outlier;/,
  );
  const rollup = table(page, "rollup");
  assert.equal(rollup.rows.length, report.head.rollup.length);
  assert.ok(rollup.columns[0]!.facet, "a kind filter");
  const outliers = table(page, "outliers");
  assert.deepEqual(outliers.rows.map((r) => [r[0], r[2], r[4]]), [
    ["listener-opened", "tcp 127.0.0.1:5432 (postgres)", "web-14"],
  ]);
  const mtu = rollup.rows.find((r) => r[0] === "interface-changed")!;
  assert.equal(mtu[3], 18);
  assert.equal(mtu[4], "all but web-19, web-20");
  const hosts = table(page, "hosts");
  assert.equal(hosts.rows.length, 20);
  const per = pageData(page).tables.filter((t) => /^host-\d+$/.test(t.id));
  const changed = entries.filter((e) => e.diff.changes.length > 0);
  assert.equal(per.length, changed.length);
  for (const t of per) {
    const e = entries[Number(t.id.slice(5))]!;
    assert.equal(t.rows.length, e.diff.changes.length, e.name);
    assert.match(page, new RegExp(`<details class="host" id="${t.id}-d" data-host="${e.name}">`));
  }
  assert.equal(table(page, "tallies").rows.length, report.head.tallies.length);
  assert.equal(
    renderReport({ kind: "fleet-diff", report, hosts: entries }),
    page,
    "deterministic",
  );
});

test("a fleet diff page's data stands for exactly the fleet document, on generated fleets", async () => {
  await fc.assert(
    fc.asyncProperty(arbFleet, async (hosts) => {
      const { report, entries } = await runMemoryFleet(memoryFleet(hosts));
      const page = renderReport({ kind: "fleet-diff", report, hosts: entries });
      const data = pageData(page);
      const t = (id: string) => data.tables.find((x) => x.id === id)!;
      assert.equal(t("rollup").rows.length, report.head.rollup.length);
      assert.equal(t("outliers").rows.length, report.head.summary.outliers);
      assert.equal(t("hosts").rows.length, report.head.summary.hosts);
      const perHost = data.tables.filter((x) => x.id.startsWith("host-"))
        .reduce((n, x) => n + x.rows.length, 0);
      assert.equal(perHost, report.head.summary.changes);
    }),
    { numRuns: 25 },
  );
});

test("a fleet diff page shows hostile host names only as text", async () => {
  const { report, entries } = await runMemoryFleet(
    memoryFleet(twenty((i) => (i === 13 ? HOSTILE.host : `web-${i + 1}`))),
  );
  const page = renderReport({ kind: "fleet-diff", report, hosts: entries });
  assert.ok(!page.includes("<b>host</b>"));
  assert.equal(page.match(/<script\b/g)?.length, 2);
  assert.ok(page.includes("&lt;b&gt;host&lt;/b&gt;&amp;&quot;"));
  assert.equal(table(page, "outliers").rows[0]![4], HOSTILE.host, "exact in the data");
});

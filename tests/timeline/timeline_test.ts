/**
 * The timeline rules: what changed from each snapshot to the next, rolled up with the times of
 * each change; notable rates per step; compact files never read as "everything closed"; the
 * same order and the same refusals as the series report; --fail-on across the whole series;
 * text that fits 80 columns and escapes every name.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { renderTimelineText } from "../../src/render/timeline_text.ts";
import { compactSnapshot } from "../../src/snapshot/compact.ts";
import { clockFormat, TimelineBuilder } from "../../src/timeline/mod.ts";
import { textWidth } from "../../src/render/table.ts";
import { runMain } from "../helpers/main.ts";
import { iface, snap } from "../diff/_build.ts";
import { at, folderOf, incident } from "./_series.ts";

function timeline(snaps = incident()) {
  const b = new TimelineBuilder({ folder: "incident/" });
  snaps.forEach((s, i) => b.add(s, `f${i}.json`));
  return b.finish();
}

test("timeline: a listener's story names the times it opened and closed", () => {
  const doc = timeline();
  const l = doc.events.find((e) => e.section === "listeners");
  assert.equal(
    l?.summary,
    "listener tcp 0.0.0.0:9200 (python3) opened at 10:42:10, closed at 10:42:30",
  );
  assert.deepEqual(l?.history.map((h) => [h.step, h.kind]), [[0, "listener-opened"], [
    2,
    "listener-closed",
  ]]);
  const r = doc.events.find((e) => e.section === "routes");
  assert.equal(r?.summary, "route IPv4 10.40.0.0/16 via 10.0.0.254 dev eth0 added at 10:42:20");
  assert.equal(doc.events.length, 2, JSON.stringify(doc.events.map((e) => e.summary)));
});

test("timeline: each step has its changes, its sessions and its notable rates", () => {
  const doc = timeline();
  assert.equal(doc.steps.length, 5);
  assert.deepEqual(doc.steps.map((s) => [s.from, s.to, s.seconds]), [
    [0, 1, 10],
    [1, 2, 10],
    [2, 3, 10],
    [3, 4, 10],
    [4, 5, 10],
  ]);
  assert.deepEqual(doc.steps.map((s) => s.sessions), [
    { opened: 0, closed: 0 },
    { opened: 3, closed: 0 },
    { opened: 0, closed: 3 },
    { opened: 0, closed: 0 },
    { opened: 0, closed: 0 },
  ]);
  assert.deepEqual(doc.steps.map((s) => s.counterRates["Tcp.RetransSegs"]), [0, 0, 0, 12, 0]);
  assert.equal(doc.steps[3]!.counterDeltas["Tcp.RetransSegs"], 120n);
  assert.equal(doc.steps[3]!.counterRates["Udp.InErrors"], null, "absent on both sides: a gap");
  assert.deepEqual(doc.steps[1]!.traffic.eth0, { rx: 100, tx: 50, errors: 0, drops: 0 });
  assert.deepEqual(doc.counters["Tcp.RetransSegs"], {
    total: 120n,
    maxPerSecond: 12,
    maxAt: at(4),
    steps: 1,
  });
  assert.deepEqual(doc.summary.byKind, {
    "listener-opened": 1,
    "session-opened": 1,
    "route-added": 1,
    "listener-closed": 1,
    "session-closed": 1,
    "counter-increased": 1,
  });
  assert.equal(doc.first, at(0));
  assert.equal(doc.last, at(5));
});

test("timeline: compact snapshots leave sessions and routes out, with a counted warning, not closed", () => {
  const full = incident();
  const snaps = full.map((s, i) => (i === 0 ? s : compactSnapshot(s, "f0.json")));
  const doc = timeline(snaps);
  for (const step of doc.steps) {
    assert.ok(!step.sections.includes("sessions") && !step.sections.includes("routes"));
    assert.equal(step.sessions, undefined);
    assert.ok(!step.changes.some((c) => c.section === "sessions" || c.section === "routes"));
  }
  assert.deepEqual(doc.snapshots.map((s) => s.sessions), [0, null, null, null, null, null]);
  assert.deepEqual(doc.snapshots.map((s) => s.compact ?? false), [
    false,
    true,
    true,
    true,
    true,
    true,
  ]);
  // Listeners are still followed across compact files.
  assert.match(doc.events[0]!.summary, /opened at 10:42:10, closed at 10:42:30$/);
  const w = doc.warnings.find((x) => x.text.startsWith("sessions not compared"));
  assert.ok(w, JSON.stringify(doc.warnings));
  assert.equal(w.steps, 1, "the first step: after is compact");
  const total = doc.warnings.filter((x) => x.text.startsWith("sessions not compared"))
    .reduce((n, x) => n + x.steps, 0);
  assert.equal(total, 5, "every step says so");
});

test("clockFormat(): clock times, milliseconds when two share a second, dates across days", () => {
  assert.equal(clockFormat([at(0), at(1)])(at(1)), "10:42:10");
  const close = ["2026-03-01T10:42:10.100Z", "2026-03-01T10:42:10.600Z"];
  assert.equal(clockFormat(close)(close[1]!), "10:42:10.600");
  const days = ["2026-03-01T23:59:50.000Z", "2026-03-02T00:00:10.000Z"];
  assert.equal(clockFormat(days)(days[1]!), "2026-03-02 00:00:10");
});

test("timeline text: fits 80 columns, escapes a hostile interface name, and tells the stories", () => {
  const snaps = incident();
  const evil = "eth\x1b]0;pwned\x07\u202e0";
  snaps[3]!.interfaces.push(iface(evil, { index: 9 }));
  snaps[4]!.interfaces.push(iface(evil, { index: 9 }));
  const text = renderTimelineText(timeline(snaps));
  for (const line of text.split("\n")) assert.ok(textWidth(line) <= 80, `too wide: ${line}`);
  const raw = [...text].filter((ch) =>
    ch !== "\n" && (ch < " " || ch === "\x7f" || ch === "\u202e")
  );
  assert.deepEqual(raw, [], "no raw control character");
  assert.ok(text.includes("interface eth\\x1b]0;pwned\\x07\\u{202e}0 appeared at 10:42:30"), text);
  assert.match(text, /^Timeline of web-1: 6 snapshots, 2026-03-01 10:42:00 → 10:42:50 UTC$/m);
  assert.match(
    text,
    /^ {2}listener tcp 0\.0\.0\.0:9200 \(python3\) opened at 10:42:10, closed at 10:42:30$/m,
  );
  assert.ok(text.includes("\n  10:42:20  +10s  sessions: 3 opened, 0 closed\n"), text);
});

test("nsnap diff DIR: orders by capture time, not by name, and prints the timeline", async () => {
  // Names that sort against time: the order must come from meta.capturedAt.
  const dir = folderOf(incident(), (_s, i) => `${String.fromCharCode(122 - i)}.json`);
  try {
    const r = await runMain(["diff", dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /opened at 10:42:10, closed at 10:42:30/);
    const j = await runMain(["diff", dir, "--format", "json"]);
    const doc = JSON.parse(j.stdout);
    assert.equal(doc.schema, "nsnap-timeline/v1");
    assert.deepEqual(doc.snapshots.map((s: { file: string }) => s.file.slice(-6)), [
      "z.json",
      "y.json",
      "x.json",
      "w.json",
      "v.json",
      "u.json",
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("nsnap diff DIR --fail-on: exit 1 when any step has the kind, naming the step", async () => {
  const dir = folderOf(incident());
  try {
    const hit = await runMain(["diff", dir, "--fail-on", "listener-closed"]);
    assert.equal(hit.code, 1, hit.stderr);
    assert.match(hit.stderr, /--fail-on listener-closed: tripped by listener-closed at 10:42:30\n/);
    const miss = await runMain(["diff", dir, "--fail-on", "interface-removed"]);
    assert.equal(miss.code, 0, miss.stderr);
    const threshold = await runMain(["diff", dir, "--fail-on", "Tcp.RetransSegs>100"]);
    assert.equal(threshold.code, 1, threshold.stderr);
    assert.match(threshold.stderr, /tripped by Tcp\.RetransSegs>100: .* at 10:42:40/);
    const only = await runMain(["diff", dir, "--only", "routes", "--format", "json"]);
    assert.deepEqual(JSON.parse(only.stdout).events.map((e: { section: string }) => e.section), [
      "routes",
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("nsnap diff DIR refuses several hosts, naming them, and a folder of fewer than two", async () => {
  const snaps = incident();
  snaps[2]!.meta.host.hostname = "db-1";
  const dir = folderOf(snaps);
  try {
    const r = await runMain(["diff", dir]);
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      `nsnap: Cannot diff folder ${dir}: it holds snapshots of 2 hosts (db-1, web-1); a timeline needs one host's snapshots\n`,
    );
    assert.equal(r.stdout, "");
    // The report refuses it in the same words.
    const rep = await runMain(["report", dir, "-o", "-"]);
    assert.equal(rep.code, 2);
    assert.match(
      rep.stderr,
      /Cannot report on folder .*: it holds snapshots of 2 hosts \(db-1, web-1\)/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const one = folderOf([snap(at(0))]);
  try {
    const r = await runMain(["diff", one]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /a timeline needs two snapshots or more, it holds one/);
  } finally {
    rmSync(one, { recursive: true, force: true });
  }
  const f = await runMain(["diff", "snapshots/examples/before.json"]);
  assert.equal(f.code, 2);
  assert.match(
    f.stderr,
    /Cannot diff one snapshot: give two snapshots \(before, after\), two folders/,
  );
});

test("nsnap diff DIR and nsnap report DIR read the same steps", async () => {
  const dir = folderOf(incident());
  try {
    const tl = JSON.parse((await runMain(["diff", dir, "--format", "json"])).stdout);
    const html = (await runMain(["report", dir, "-o", "-"])).stdout;
    // Every change the timeline lists is in the page's change list, with its summary.
    for (const step of tl.steps) {
      for (const c of step.changes) {
        const summary = c.summary.replaceAll("&", "&amp;").replaceAll("<", "&lt;");
        assert.ok(
          html.includes(JSON.stringify(summary).slice(1, -1)) || html.includes(summary),
          c.summary,
        );
      }
    }
    const fromHtml = await runMain(["diff", dir, "--format", "html"]);
    assert.equal(fromHtml.code, 0);
    assert.match(fromHtml.stdout, /^<!doctype html>/i);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

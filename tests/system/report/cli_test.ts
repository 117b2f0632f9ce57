import { test } from "node:test";
import assert from "node:assert/strict";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { runCli } from "../../helpers/cli.ts";
import { nsnapBinary, runBare } from "../../helpers/binary.ts";
import { serializeSnapshot } from "../../../src/snapshot/serialize.ts";
import { EXAMPLES, snapshot } from "../../report/_make.ts";

const BEFORE = join(EXAMPLES, "before.json");
const AFTER = join(EXAMPLES, "after.json");
const SERIES = join(EXAMPLES, "series");

function tmp(): string {
  return mkdtempSync(join(tmpdir(), `nsnap-report-cli-${process.pid}-`));
}

const kindOf = (page: string) =>
  /<p class="eyebrow">nsnap report · ([^<]*?)(?: <span|<\/p>)/.exec(page)?.[1];

test("nsnap report writes one page, mode 0600, and prints its path", () => {
  const dir = tmp();
  try {
    const out = join(dir, "r.html");
    const r = runCli(["report", AFTER, "-o", out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${out}\n`);
    assert.equal(statSync(out).mode & 0o777, 0o600);
    const page = readFileSync(out, "utf8");
    assert.ok(page.startsWith("<!doctype html>"));
    assert.equal(kindOf(page), "Snapshot");
    assert.deepEqual(readdirSync(dir), ["r.html"], "no temporary file left");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("nsnap report never replaces a file without --force", () => {
  const dir = tmp();
  try {
    const out = join(dir, "r.html");
    writeFileSync(out, "keep");
    const r = runCli(["report", AFTER, "-o", out]);
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      `nsnap: Cannot write report ${out}: file exists (use --force to replace it)\n`,
    );
    assert.equal(readFileSync(out, "utf8"), "keep");
    assert.equal(runCli(["report", AFTER, "-o", out, "--force"]).code, 0);
    assert.ok(readFileSync(out, "utf8").startsWith("<!doctype html>"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("nsnap report picks the kind from its operands: one, two, a folder, three files", () => {
  const two = runCli(["report", BEFORE, AFTER, "-o", "-"]);
  assert.equal(two.code, 0, two.stderr);
  assert.equal(kindOf(two.stdout), "Before → after");
  const folder = runCli(["report", SERIES, "-o", "-"]);
  assert.equal(folder.code, 0, folder.stderr);
  assert.equal(kindOf(folder.stdout), "Series");
  const files = readdirSync(SERIES).filter((f) => f.endsWith(".json")).map((f) => join(SERIES, f));
  const three = runCli(["report", files[2]!, files[0]!, files[1]!, "-o", "-"]);
  assert.equal(three.code, 0, three.stderr);
  assert.equal(kindOf(three.stdout), "Series");
  assert.match(three.stdout, /3 snapshots of/);
});

test("nsnap diff --format html prints the before/after report", () => {
  const r = runCli(["diff", BEFORE, AFTER, "--format", "html"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(kindOf(r.stdout), "Before → after");
  const report = runCli(["report", BEFORE, AFTER, "-o", "-"]);
  assert.equal(r.stdout.trimEnd(), report.stdout.trimEnd());
});

/** A folder `fleet` in `dir`: web-1 and web-2 (small snapshots), and vm (the example's after). */
function fleetFolder(dir: string, name = "fleet", at = "2026-11-25T10:00:0"): string {
  const src = join(dir, name);
  mkdirSync(src);
  for (const [i, host] of ["web-1", "web-2"].entries()) {
    const s = snapshot(`${at}${i}.000Z`, [], {});
    s.meta.host.hostname = host;
    writeFileSync(join(src, `${host}.json`), serializeSnapshot(s, "json"));
  }
  copyFileSync(AFTER, join(src, "vm.json"));
  return src;
}

test("nsnap report DIR of several hosts, one snapshot each, is a fleet overview", () => {
  const dir = tmp();
  try {
    const src = fleetFolder(dir);
    const r = runCli(["report", src, "-o", "-"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(kindOf(r.stdout), "Fleet");
    assert.match(r.stdout, /3 hosts in /);
    const plain = runCli(["report", src], { cwd: dir });
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(plain.stdout, "nsnap-report-fleet-20261125T152500.950Z.html\n");
    // One host's files directly in a folder stay a series, whatever lies below it.
    const series = join(dir, "series");
    mkdirSync(join(series, "other"), { recursive: true });
    for (const f of readdirSync(SERIES).filter((n) => n.endsWith(".json")).slice(0, 3)) {
      copyFileSync(join(SERIES, f), join(series, f));
    }
    copyFileSync(join(src, "web-1.json"), join(series, "other", "web-1.json"));
    const still = runCli(["report", series, "-o", "-"]);
    assert.equal(still.code, 0, still.stderr);
    assert.equal(kindOf(still.stdout), "Series");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("nsnap report refuses a folder where a host has several snapshots, naming hostnames", () => {
  const dir = tmp();
  try {
    const src = fleetFolder(dir);
    copyFileSync(join(src, "web-1.json"), join(src, "web-1-again.json"));
    const r = runCli(["report", src, "-o", join(dir, "r.html")]);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /^nsnap: Cannot report on folder .*fleet: it holds snapshots of 3 hosts \(vm, web-1, web-2\) and several of web-1; give one snapshot per host/,
    );
    assert.deepEqual(readdirSync(dir), ["fleet"], "nothing written");
    // Files of several hosts as a series: named by hostname, never by machine id.
    const files = ["vm.json", "web-1.json", "web-2.json"].map((f) => join(src, f));
    const three = runCli(["report", ...files, "-o", "-"]);
    assert.equal(three.code, 2);
    assert.match(
      three.stderr,
      /^nsnap: Cannot report on these snapshots: it holds snapshots of 3 hosts \(vm, web-1, web-2\);/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("nsnap report BEFORE_DIR AFTER_DIR is the fleet diff page, as diff --format html", () => {
  const dir = tmp();
  try {
    const before = fleetFolder(dir, "before", "2026-11-25T09:00:0");
    const after = fleetFolder(dir, "after");
    copyFileSync(BEFORE, join(before, "vm.json"));
    const r = runCli(["report", before, after, "-o", "-"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(kindOf(r.stdout), "Fleet before → after");
    assert.match(r.stdout, /3 hosts paired: 1 host changed, 45 changes/);
    const d = runCli(["diff", before, after, "--format", "html"]);
    assert.equal(d.code, 0, d.stderr);
    assert.equal(d.stdout.trimEnd(), r.stdout.trimEnd());
    const gated = runCli([
      "diff",
      before,
      after,
      "--format",
      "html",
      "--fail-on",
      "listener-opened",
    ]);
    assert.equal(gated.code, 1, "the gate holds for the page too");
    assert.match(gated.stdout, /tripped by listener-opened on 1 host/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("nsnap report says why it cannot read its input, in one line", () => {
  const dir = tmp();
  try {
    const empty = runCli(["report", dir]);
    assert.equal(empty.code, 2);
    // The folder is looked at as a fleet first (snapshots at any depth), in the fleet's words.
    assert.match(empty.stderr, /^nsnap: Cannot read folder .*: no snapshots in it \(\*\.json/);
    const missing = runCli(["report", join(dir, "nope.json")]);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr.split("\n").length, 2, missing.stderr);
    const both = runCli(["report", "-", "-"]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /Cannot read both snapshots from stdin/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the compiled binary renders a series report with uPlot inside", { timeout: 180_000 }, () => {
  const r = runBare(nsnapBinary(), ["report", SERIES, "-o", "-"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /leeoniya\/uPlot \(v1\.6\.32\)/);
  assert.match(r.stdout, /"charts":\[\{"id":"tcp-trouble"/);
});

test("without -o, or with -o DIR/, the page is named after the host and capture time", () => {
  const dir = tmp();
  try {
    const name = "nsnap-report-vm-20261125T152500.950Z.html";
    const plain = runCli(["report", AFTER], { cwd: dir });
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(plain.stdout, `${name}\n`);
    mkdirSync(join(dir, "out"));
    const inFolder = runCli(["report", AFTER, "-o", "out/"], { cwd: dir });
    assert.equal(inFolder.stdout, `out/${name}\n`);
    assert.deepEqual(readdirSync(join(dir, "out")), [name]);
    const missing = runCli(["report", AFTER, "-o", "nope/"], { cwd: dir });
    assert.equal(missing.code, 2);
    assert.equal(
      missing.stderr,
      `nsnap: Cannot write report nope/${name}: folder nope does not exist\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

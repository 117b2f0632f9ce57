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

test("nsnap report refuses a folder of several hosts, naming them, and writes nothing", () => {
  const dir = tmp();
  try {
    const src = join(dir, "fleet");
    mkdirSync(src);
    for (const [i, host] of ["web-1", "web-2"].entries()) {
      const s = snapshot(`2026-11-25T10:00:0${i}.000Z`, [], {});
      s.meta.host.hostname = host;
      writeFileSync(join(src, `${host}.json`), serializeSnapshot(s, "json"));
    }
    copyFileSync(AFTER, join(src, "vm.json"));
    const r = runCli(["report", src, "-o", join(dir, "r.html")]);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /^nsnap: Cannot report on folder .*fleet: it holds snapshots of 3 hosts \(vm, web-1, web-2\)/,
    );
    assert.deepEqual(readdirSync(dir), ["fleet"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("nsnap report says why it cannot read its input, in one line", () => {
  const dir = tmp();
  try {
    const empty = runCli(["report", dir]);
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /^nsnap: Cannot report on folder .*: it holds no snapshot files/);
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

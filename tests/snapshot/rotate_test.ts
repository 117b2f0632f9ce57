/**
 * Rotation keeps exactly the newest N of this host's snapshots (and under the size cap), by the
 * capture time in their names, and never touches a file it did not write: other hosts', names
 * typed by hand, links, folders, temporary files.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { planRotation, rotateFolder } from "../../src/snapshot/rotate.ts";
import { parseGeneratedName } from "../../src/snapshot/write.ts";

const name = (i: number, host = "web-1", copy = "") =>
  `${host}-20260301T10${String(Math.floor(i / 60)).padStart(2, "0")}${
    String(i % 60).padStart(2, "0")
  }.000Z${copy}.json`;

test("parseGeneratedName(): reads the names writeSnapshot() generates, and nothing else", () => {
  assert.deepEqual(parseGeneratedName("web-1-20261125T150812.345Z.yaml"), {
    host: "web-1",
    timestamp: "20261125T150812.345Z",
    copy: 1,
    format: "yaml",
  });
  assert.equal(parseGeneratedName("web-1-20261125T150812.345Z-3.json")?.copy, 3);
  for (
    const other of [
      "notes.json",
      "web-1-20261125T150812.345Z.json.gz",
      "web-1-20261125T150812Z.json",
      ".nsnap-0123456789ab.tmp",
      "web-1-20261125T150812.345Z-1.json",
      "web-1-20261125T150812.345Z-02.json",
      ".hidden-20261125T150812.345Z.json",
      "before.json",
    ]
  ) {
    assert.equal(parseGeneratedName(other), undefined, other);
  }
});

test("planRotation(): keeps the newest N by capture time, copies after their original", () => {
  const files = [name(3), name(1), name(2), name(2, "web-1", "-2"), name(0)].map((n) => ({
    name: n,
    bytes: 10,
  }));
  const plan = planRotation(files, "web-1", { keep: 2 });
  assert.deepEqual(plan.keep, [name(2, "web-1", "-2"), name(3)]);
  assert.deepEqual(plan.remove, [name(0), name(1), name(2)]);
});

test("planRotation(): the size cap removes the oldest but never the newest", () => {
  const files = [0, 1, 2, 3].map((i) => ({ name: name(i), bytes: 100 }));
  assert.deepEqual(planRotation(files, "web-1", { maxTotalBytes: 250 }).keep, [name(2), name(3)]);
  const huge = planRotation([...files, { name: name(4), bytes: 1000 }], "web-1", {
    maxTotalBytes: 250,
  });
  assert.deepEqual(huge.keep, [name(4)]);
  assert.equal(huge.overCap, true);
  // Both limits: the stricter one wins.
  assert.deepEqual(planRotation(files, "web-1", { keep: 3, maxTotalBytes: 150 }).keep, [name(3)]);
});

test("planRotation(): other hosts' files and other names are neither kept nor removed", () => {
  const files = [name(0), name(1), name(0, "db-1"), "notes.json", "web-1.json"].map((n) => ({
    name: n,
    bytes: 1,
  }));
  const plan = planRotation(files, "web-1", { keep: 1 });
  assert.deepEqual(plan.remove, [name(0)]);
  assert.deepEqual(plan.keep, [name(1)]);
});

test("planRotation(): keeps exactly min(N, files) and removes the rest, for any N", () => {
  fc.assert(fc.property(
    fc.uniqueArray(fc.integer({ min: 0, max: 3599 }), { maxLength: 40 }),
    fc.integer({ min: 1, max: 50 }),
    (times, keep) => {
      const files = times.map((t) => ({ name: name(t), bytes: 7 }));
      const plan = planRotation(files, "web-1", { keep });
      assert.equal(plan.keep.length, Math.min(keep, files.length));
      assert.equal(plan.keep.length + plan.remove.length, files.length);
      const newest = [...times].sort((a, b) => b - a).slice(0, keep).map((t) => name(t)).sort();
      assert.deepEqual([...plan.keep].sort(), newest);
    },
  ));
});

test("rotateFolder(): removes only this host's regular snapshot files", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-rotate-"));
  try {
    for (let i = 0; i < 5; i++) writeFileSync(join(dir, name(i)), "{}");
    writeFileSync(join(dir, name(0, "db-1")), "{}");
    writeFileSync(join(dir, "notes.json"), "keep me");
    writeFileSync(join(dir, ".nsnap-0123456789ab.tmp"), "being written");
    // A link and a folder named like snapshots: never followed, never removed.
    writeFileSync(join(dir, "..target"), "x");
    symlinkSync(join(dir, "..target"), join(dir, name(100)));
    mkdirSync(join(dir, name(101)));
    const r = await rotateFolder(dir, "web-1", { keep: 2 });
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.remove, [name(0), name(1), name(2)]);
    assert.deepEqual(
      readdirSync(dir).sort(),
      [
        "..target",
        ".nsnap-0123456789ab.tmp",
        name(0, "db-1"),
        name(101),
        name(100),
        name(3),
        name(4),
        "notes.json",
      ].sort(),
    );
    assert.ok(lstatSync(join(dir, name(100))).isSymbolicLink());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("rotateFolder(): a folder that cannot be listed is a problem, not a failure", async () => {
  const r = await rotateFolder(join(tmpdir(), `nsnap-missing-${Date.now()}`), "h", { keep: 1 });
  assert.equal(r.remove.length, 0);
  assert.match(r.problems[0]!, /cannot list/);
});

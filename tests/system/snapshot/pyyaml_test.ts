/**
 * A YAML snapshot and a YAML diff read by another YAML reader: PyYAML (YAML 1.1, which Ansible and most Python
 * tooling use) reads every process name as nsnap wrote it, the hostile ones included — NEL, LS
 * and PS, which YAML 1.1 folds to a space when written raw, and the C1 controls and noncharacters
 * that it refuses outright.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { normalizeSnapshot } from "../../../src/snapshot/normalize.ts";
import { serializeSnapshot } from "../../../src/snapshot/serialize.ts";
import { diffSnapshots } from "../../../src/diff/mod.ts";
import { renderDiffJson, renderDiffYaml } from "../../../src/render/diff_json.ts";
import { listen, proc, procs, snap } from "../../diff/_build.ts";

const NAMES = [
  "nel\u0085x",
  "ls\u2028ps\u2029",
  "del\x7fc1\x9b",
  "bom\ufeff",
  "non\ufffe\uffff",
  "esc\x1b[2J",
  "tab\tcr\r",
  "日本語🙂",
  // Plain words YAML 1.1 reads as booleans, numbers or null.
  "yes",
  "on",
  "12:30",
  "0b11",
  "1_000",
  "~",
];

const READ_NAMES = "import json, sys, yaml\n" +
  "d = yaml.safe_load(open(sys.argv[1], encoding='utf-8'))\n" +
  "print(json.dumps([d['processes'][k]['name'] for k in sorted(d['processes'], key=int)]))\n";

const probe = spawnSync("python3", ["-c", "import yaml"], { encoding: "utf8" });
const skip = probe.status !== 0 && "needs python3 with PyYAML (python3-yaml, which ansible brings)";

test("PyYAML reads a YAML snapshot's hostile process names as nsnap wrote them", { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-pyyaml-"));
  try {
    const s = normalizeSnapshot(
      snap("2026-03-01T12:00:00.000Z", {
        processes: procs(...NAMES.map((n, i) => proc(100 + i, n))),
      }),
    );
    const file = join(dir, "a.yaml");
    writeFileSync(file, serializeSnapshot(s, "yaml"));
    const r = spawnSync("python3", ["-c", READ_NAMES, file], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), NAMES);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// json.dumps fails on what YAML 1.1 resolved to a date, and the data must equal the JSON diff's.
const READ_DIFF = "import json, sys, yaml\n" +
  "print(json.dumps(yaml.safe_load(open(sys.argv[1], encoding='utf-8'))))\n";

test("PyYAML reads a YAML diff with hostile program names as the JSON diff says", { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-pyyaml-"));
  try {
    const before = snap("2026-03-01T12:00:00.000Z", {});
    const after = snap("2026-03-01T12:01:00.000Z", {
      connections: NAMES.map((_, i) => listen("0.0.0.0", 8000 + i, 100 + i)),
      processes: procs(...NAMES.map((n, i) => proc(100 + i, n))),
    });
    const file = join(dir, "d.yaml");
    const doc = diffSnapshots(before, after);
    writeFileSync(file, renderDiffYaml(doc));
    const r = spawnSync("python3", ["-c", READ_DIFF, file], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const read = JSON.parse(r.stdout);
    assert.deepEqual(read, JSON.parse(renderDiffJson(doc)));
    const programs = read.changes.flatMap((c: { after?: { program?: string } }) =>
      c.after?.program === undefined ? [] : [c.after.program]
    );
    assert.deepEqual(programs.sort(), [...NAMES].sort());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * A FIFO named like a snapshot in a folder: opening it would wait for a writer forever. Every
 * command that reads a folder skips it unopened, with a warning naming it, and finishes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, runCli } from "../../helpers/cli.ts";

const EXAMPLES = `${ROOT}snapshots/examples/`;

test("a FIFO in a folder is warned of and never opened: diff DIR DIR, diff DIR, show, report, check, import", (t) => {
  const root = mkdtempSync(join(tmpdir(), "nsnap-fifo-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const a = join(root, "a"), b = join(root, "b"), saved = join(root, "saved");
  const series = join(root, "series");
  for (const d of [a, b, saved, series]) mkdirSync(d);
  copyFileSync(`${EXAMPLES}before.json`, join(series, "t1.json"));
  copyFileSync(`${EXAMPLES}after.json`, join(series, "t2.json"));
  copyFileSync(`${EXAMPLES}before.json`, join(a, "h1.json"));
  copyFileSync(`${EXAMPLES}after.json`, join(b, "h1.json"));
  writeFileSync(
    join(saved, "route.txt"),
    "Kernel IP routing table\n" +
      "Destination     Gateway         Genmask         Flags Metric Ref    Use Iface\n" +
      "0.0.0.0         192.168.1.1     0.0.0.0         UG    100    0        0 eth0\n",
  );
  writeFileSync(join(root, "p.yaml"), "schema: nsnap-policy/v1\n");
  const mk = spawnSync("mkfifo", [
    join(b, "h2.json"),
    join(saved, "ss.txt"),
    join(series, "t3.json"),
  ]);
  if (mk.status !== 0) return t.skip("mkfifo (coreutils) cannot make a FIFO here");

  const cases: Array<[string[], string]> = [
    [["diff", a, b], join(b, "h2.json")],
    [["diff", series], join(series, "t3.json")],
    [["show", b], join(b, "h2.json")],
    [["report", b, "-o", join(root, "r.html")], join(b, "h2.json")],
    [["check", join(root, "p.yaml"), b], join(b, "h2.json")],
    [["import", saved, "-o", join(root, "i.json")], join(saved, "ss.txt")],
  ];
  for (const [args, fifo] of cases) {
    const r = runCli(args, { cwd: root, timeoutMs: 30_000 });
    assert.ok(r.code === 0 || r.code === 1, `${args.join(" ")}: exit ${r.code} ${r.stderr}`);
    assert.ok(
      r.stderr.includes(
        `nsnap: warning: skipped ${fifo}: it is a FIFO (named pipe), not a regular file\n`,
      ),
      `${args.join(" ")}: ${r.stderr}`,
    );
  }
});

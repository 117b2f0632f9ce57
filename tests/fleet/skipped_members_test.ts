/**
 * A folder's member that is not a regular file — a link to a device, a UNIX socket — is never
 * opened and never skipped silently: every command that reads a folder (diff DIR DIR, show,
 * port, report, check, import) warns, naming it. (A FIFO, which would hang an open, is the
 * system tier's: tests/system/fleet/fifo_member_test.ts.)
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../helpers/cli.ts";
import { runMain } from "../helpers/main.ts";

const EXAMPLES = `${ROOT}snapshots/examples/`;

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => resolve());
  });
}

test("diff DIR DIR, diff DIR, show, port, report, check and import warn of a device link or a socket", async (t) => {
  const root = mkdtempSync(join(tmpdir(), "nsnap-skip-"));
  const server = createServer();
  t.after(() => {
    server.close();
    rmSync(root, { recursive: true, force: true });
  });
  const a = join(root, "a"), b = join(root, "b"), saved = join(root, "saved");
  for (const d of [a, b, saved]) mkdirSync(d);
  copyFileSync(`${EXAMPLES}before.json`, join(a, "h1.json"));
  copyFileSync(`${EXAMPLES}after.json`, join(b, "h1.json"));
  symlinkSync("/dev/zero", join(b, "h2.json"));
  await listen(server, join(b, "h3.json"));
  writeFileSync(
    join(saved, "route.txt"),
    "Kernel IP routing table\n" +
      "Destination     Gateway         Genmask         Flags Metric Ref    Use Iface\n" +
      "0.0.0.0         192.168.1.1     0.0.0.0         UG    100    0        0 eth0\n",
  );
  symlinkSync("/dev/zero", join(saved, "zero.txt"));
  writeFileSync(join(root, "p.yaml"), "schema: nsnap-policy/v1\n");

  const device = `skipped ${join(b, "h2.json")}: it is a character device, not a regular file`;
  const socket = `skipped ${join(b, "h3.json")}: it is a socket, not a regular file`;
  const both = [device, socket].map((w) => `nsnap: warning: ${w}`);
  const warned = (stderr: string, lines: string[]) =>
    assert.deepEqual(stderr.split("\n").filter((l) => l.includes("skipped")), lines, stderr);

  const diff = await runMain(["diff", a, b]);
  assert.ok(diff.code === 0 || diff.code === 1, diff.stderr);
  warned(diff.stderr, both);
  const json = await runMain(["diff", a, b, "--format", "json"]);
  const doc = JSON.parse(json.stdout) as { warnings: string[] };
  assert.deepEqual(doc.warnings.filter((w) => w.startsWith("skipped")), [device, socket]);

  for (const args of [["show", b], ["port", "22", b]]) {
    const r = await runMain(args);
    assert.ok(r.code === 0 || r.code === 1, `${args.join(" ")}: ${r.stderr}`);
    warned(r.stderr, both);
  }
  // check follows no link in a folder (by decision); it says so.
  const check = await runMain(["check", join(root, "p.yaml"), b]);
  assert.ok(check.code === 0 || check.code === 1, check.stderr);
  warned(check.stderr, [
    `nsnap: warning: skipped ${join(b, "h2.json")}: a symbolic link (not followed in a folder)`,
    both[1]!,
  ]);
  const report = await runMain(["report", b, "-o", join(root, "r.html")]);
  assert.equal(report.code, 0, report.stderr);
  warned(report.stderr, both);

  // report DIR DIR (the fleet diff page) and report DIR of several hosts (the fleet overview).
  const pair = await runMain(["report", a, b, "-o", join(root, "pair.html")]);
  assert.equal(pair.code, 0, pair.stderr);
  warned(pair.stderr, both);
  const fleet = join(root, "fleet");
  mkdirSync(fleet);
  copyFileSync(`${EXAMPLES}before.json`, join(fleet, "web-1.json"));
  const other = JSON.parse(readFileSync(`${EXAMPLES}after.json`, "utf8"));
  other.meta.host.hostname = "web-2";
  writeFileSync(join(fleet, "web-2.json"), JSON.stringify(other));
  symlinkSync("/dev/zero", join(fleet, "web-3.json"));
  const overview = await runMain(["report", fleet, "-o", join(root, "fleet.html")]);
  assert.equal(overview.code, 0, overview.stderr);
  warned(overview.stderr, [
    `nsnap: warning: skipped ${
      join(fleet, "web-3.json")
    }: it is a character device, not a regular file`,
  ]);

  // A timeline folder (one host's series): the same warning, the series still diffed.
  const series = join(root, "series");
  mkdirSync(series);
  copyFileSync(`${EXAMPLES}before.json`, join(series, "t1.json"));
  copyFileSync(`${EXAMPLES}after.json`, join(series, "t2.json"));
  symlinkSync("/dev/zero", join(series, "t3.json"));
  const timeline = await runMain(["diff", series]);
  assert.ok(timeline.code === 0 || timeline.code === 1, timeline.stderr);
  warned(timeline.stderr, [
    `nsnap: warning: skipped ${
      join(series, "t3.json")
    }: it is a character device, not a regular file`,
  ]);

  const imp = await runMain(["import", saved, "-o", join(root, "i.json")]);
  assert.equal(imp.code, 0, imp.stderr);
  warned(imp.stderr, [
    `nsnap: warning: skipped ${
      join(saved, "zero.txt")
    }: it is a character device, not a regular file`,
  ]);
});

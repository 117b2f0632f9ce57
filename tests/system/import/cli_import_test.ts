import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../helpers/cli.ts";
import { FIXTURES } from "../../helpers/fixtures.ts";

test("nsnap import writes a snapshot of a folder of saved outputs and prints its path", () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-import-"));
  try {
    const inputs = join(dir, "in");
    const out = join(dir, "out.json");
    const files = {
      "a": "linux/ss-tulpen/jc-ubuntu-18.04.txt",
      "b": "linux/ip-route/jc-centos-7.7.txt",
      "c": "linux/ip-s-link/insights-core-1.txt",
    };
    mkdirSync(inputs);
    for (const [name, path] of Object.entries(files)) {
      writeFileSync(join(inputs, name), readFileSync(FIXTURES + path));
    }
    const r = runCli(["import", inputs, "-o", out, "--hostname", "web1", "--label", "t=1"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), out);
    assert.equal(statSync(out).mode & 0o777, 0o600);
    const doc = JSON.parse(readFileSync(out, "utf8"));
    assert.equal(doc.schema, "nsnap/v1");
    assert.equal(doc.meta.host.hostname, "web1");
    assert.deepEqual(doc.meta.labels, { t: "1" });
    assert.deepEqual(doc.meta.source.formats, ["ip-addr", "ip-route", "ss"]);
    assert.equal(doc.connections.length, 73);
    assert.equal(doc.meta.sections.counters.error, "not provided");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("nsnap import refuses content it does not recognise with exit 2, naming the file", () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-import-"));
  try {
    const notes = join(dir, "notes.txt");
    writeFileSync(notes, "dear diary, today the network was slow\n");
    const r = runCli(["import", notes, "-o", join(dir, "x.json")]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim(), `nsnap: Cannot import ${notes}: format not recognised`);
    const missing = runCli(["import", join(dir, "nope.txt"), "-o", join(dir, "y.json")]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /Cannot read .*nope\.txt: no such file or directory/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("nsnap import --redact leaves none of the ticket's addresses or its host name", () => {
  const ss = FIXTURES + "linux/ss-tulpen/jc-ubuntu-18.04.txt";
  const route = FIXTURES + "linux/ip-route/jc-centos-7.7.txt";
  const plain = runCli(["import", ss, route, "-o", "-", "--hostname", "db7.corp.example"]);
  const r = runCli([
    "import",
    ss,
    route,
    "-o",
    "-",
    "--hostname",
    "db7.corp.example",
    "--redact",
    "--redact-key",
    "k1",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.meta.redacted, true);
  assert.doesNotMatch(r.stdout, /db7\.corp\.example/);
  const original = JSON.parse(plain.stdout);
  const routed = original.routes.map((x: { gateway?: string }) => x.gateway).filter(Boolean);
  assert.ok(routed.length > 0);
  for (const gw of routed) assert.ok(!r.stdout.includes(`"${gw}"`), `gateway ${gw} leaked`);
  assert.equal(doc.connections.length, original.connections.length);
  const again = runCli(["import", ss, route, "-o", "-", "--redact", "--redact-key", "k1"]);
  assert.deepEqual(JSON.parse(again.stdout).routes, doc.routes);
});

test("nsnap import --redact-key without --redact is a usage error", () => {
  const r = runCli(["import", FIXTURES + "linux/ip-route/jc-centos-7.7.txt", "--redact-key", "k"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--redact-key needs --redact/);
});

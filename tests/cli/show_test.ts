/** `nsnap show` and `nsnap port` through the CLI in-process: the ss habits people type. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runMain } from "../helpers/main.ts";
import { serializeSnapshot } from "../../src/snapshot/serialize.ts";
import type { Snapshot } from "../../src/model.ts";
import { sampleSnapshot } from "../view/fixture.ts";

/** Writes `snapshot` to a temporary file and runs `fn` with its path. */
async function withFile(snapshot: Snapshot, fn: (path: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-show-"));
  try {
    const path = join(dir, "web1.json");
    writeFileSync(path, serializeSnapshot(snapshot, "json"));
    await fn(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const families = (json: string) =>
  [...new Set((JSON.parse(json) as { family: string }[]).map((c) => c.family))].sort();

test("show -4 and -6 are flags, not file names: each keeps one address family", async () => {
  await withFile(sampleSnapshot(), async (file) => {
    const v4 = await runMain(["show", "-4", "-ta", file, "--format", "json"]);
    assert.equal(v4.code, 0, v4.stderr);
    assert.deepEqual(families(v4.stdout), ["inet"]);
    const v6 = await runMain(["show", "-ta", "-6", file, "--format", "json"]);
    assert.equal(v6.code, 0, v6.stderr);
    assert.deepEqual(families(v6.stdout), ["inet6"]);
    // The dual-stack [::]:80 listener is an IPv6 socket, as ss -6 shows it.
    assert.ok(
      (JSON.parse(v6.stdout) as { localAddress: string }[]).some((c) => c.localAddress === "::"),
    );
    const both = await runMain(["show", "-46", "-ta", file, "--format", "json"]);
    assert.deepEqual(families(both.stdout), ["inet", "inet6"]);
    const text = await runMain(["show", "-tl4", file]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /0\.0\.0\.0:80 /);
    assert.doesNotMatch(text.stdout, /\[::\]/);
  });
});

test("show -r -6 prints the IPv6 routes only, and says so when there are none", async () => {
  const s = sampleSnapshot();
  s.routes.push({
    family: "inet6",
    table: 254,
    type: "unicast",
    destination: "2001:db8::/64",
    interface: "eth0",
    metric: 256,
    protocol: "kernel",
  });
  await withFile(s, async (file) => {
    const r = await runMain(["show", "-r", "-6", file, "--format", "json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      (JSON.parse(r.stdout) as { destination: string }[]).map((x) => x.destination),
      ["2001:db8::/64"],
    );
    const none = await runMain(["show", "-r", "-6", "--table", "100", file]);
    assert.equal(none.stdout, "");
    assert.equal(none.stderr, "nsnap: no IPv6 routes in table 100\n");
  });
});

test("port N -6 keeps the IPv6 sockets on the port", async () => {
  await withFile(sampleSnapshot(), async (file) => {
    const r = await runMain(["port", "80", file, "-6", "--format", "json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(families(r.stdout), ["inet6"]);
  });
});

/**
 * `nsnap capture --redact` in a network namespace: no address, MAC or host name of the namespace
 * is left in the bytes, and two captures with one key diff like the originals
 * (tests/reliability/redact_test.ts holds `redactSnapshot()` itself to that).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readSnapshot } from "../../../src/snapshot/read.ts";
import type { Snapshot } from "../../../src/model.ts";
import { runCli } from "../../helpers/cli.ts";
import { canUseNetns, holdSockets, type Netns, withNetns } from "../../helpers/netns.ts";
import { changeKinds as kinds } from "../../diff/_build.ts";

const skip = !canUseNetns() ? "needs root and ip netns" : false;

/** Waits until IPv6 autoconfiguration on the new links is done: no tentative address, and the
 * route tables stay the same for a moment (so two captures see the same routes). */
async function settle(ns: Netns): Promise<void> {
  let last = "";
  for (let i = 0; i < 60; i++) {
    const now = ns.ip("route", "show", "table", "all") +
      ns.ip("-6", "route", "show", "table", "all");
    const tentative = ns.ip("-6", "addr").includes("tentative");
    if (!tentative && now === last) return;
    last = now;
    await new Promise((r) => setTimeout(r, 250));
  }
}

test("capture --redact writes a snapshot without the host's addresses, MAC or name", {
  skip,
  timeout: 120_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-redact-"));
  try {
    await withNetns("redact", async (ns) => {
      ns.ip(
        "link",
        "add",
        "veth0",
        "address",
        "52:54:00:ab:cd:ef",
        "type",
        "veth",
        "peer",
        "name",
        "peer0",
      );
      ns.ip("link", "set", "peer0", "address", "52:54:00:ab:cd:f0", "up");
      ns.ip("link", "set", "veth0", "up");
      ns.ip("addr", "add", "198.51.100.7/24", "dev", "veth0");
      ns.ip("-6", "addr", "add", "2001:db8:77::7/64", "dev", "veth0", "nodad");
      ns.ip("route", "add", "203.0.113.0/24", "via", "198.51.100.1");
      await settle(ns);
      await holdSockets(ns, ["listen:198.51.100.7:443", "connect:198.51.100.7:443"]);
      // Its own UTS namespace gives the capture a host name that appears nowhere else.
      const hostname = "secret-host-4821";
      const uts = ["unshare", "--uts", "sh", "-c", `hostname ${hostname} && exec "$@"`, "sh"];
      const files: string[] = [];
      for (const name of ["a.json", "b.json"]) {
        const out = join(dir, name);
        const r = runCli(["capture", "--redact", "-o", out], {
          wrap: [...ns.wrap, ...uts],
          env: { NSNAP_REDACT_KEY: "shared" },
        });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stderr, "", "a given key means no warning");
        files.push(out);
      }
      const text = readFileSync(files[0]!, "utf8");
      for (
        const o of ["198.51.100.", "203.0.113.", "2001:db8:77:", "52:54:00:ab:cd:", hostname]
      ) {
        assert.ok(!text.includes(o), `${o} leaked`);
      }
      const [a, b] = [await readSnapshot(files[0]!), await readSnapshot(files[1]!)];
      assert.equal(a.meta.redacted, true);
      assert.equal(a.meta.host.hostname, b.meta.host.hostname, "same key, same host pseudonym");
      const addrs = (s: Snapshot) =>
        s.interfaces.find((i) => i.name === "veth0")!.addresses.map((x) => x.address);
      assert.deepEqual(addrs(a), addrs(b));
      assert.ok(a.connections.some((c) => c.localPort === 443 && c.state === "LISTEN"));
      // Nothing changed between the two captures but traffic and counters.
      const moved = kinds(a, b).filter((k) => !/^counters:|interface-traffic$/.test(k));
      assert.deepEqual(moved, []);

      const random = runCli(["capture", "--redact", "-o", "-"], { wrap: ns.wrap });
      assert.equal(random.code, 0, random.stderr);
      assert.match(random.stderr, /random key.*share a key to be diffed/);
      const usage = runCli(["capture", "--redact-key", "k", "-o", "-"], { wrap: ns.wrap });
      assert.equal(usage.code, 2);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

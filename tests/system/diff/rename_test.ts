/**
 * `ip link set v1 name v1new` on a real kernel: the interface's IPv4 route, its IPv6 link-local
 * and multicast routes (keyed by interface), its neighbour and its qdisc all follow the rename.
 * The diff is one `interface-renamed`, and a gate on `route-*` does not trip.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../helpers/cli.ts";
import { canUseNetns, withNetns } from "../../helpers/netns.ts";
import { settled } from "../collect/_settle.ts";

const skip = !canUseNetns() && "needs root and iproute2 to create network namespaces";

test("a renamed interface is one interface-renamed: no route, neighbour or qdisc churn", {
  skip,
  timeout: 120_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-rename-"));
  try {
    await withNetns("rename", async (ns) => {
      ns.ip("link", "add", "v1", "type", "veth", "peer", "name", "v1p");
      ns.ip("link", "set", "v1p", "up");
      ns.ip("link", "set", "v1", "up");
      ns.ip("addr", "add", "10.71.0.1/24", "dev", "v1");
      ns.ip("route", "add", "10.72.0.0/24", "via", "10.71.0.2", "dev", "v1");
      ns.ip(
        "neigh",
        "add",
        "10.71.0.2",
        "lladdr",
        "52:54:00:aa:bb:cc",
        "dev",
        "v1",
        "nud",
        "permanent",
      );
      await settled(ns);
      const a = join(dir, "a.json"), b = join(dir, "b.json");
      const ca = runCli(["capture", "-o", a], { wrap: ns.wrap });
      assert.equal(ca.code, 0, ca.stderr);
      // A rename needs the link down; bring it back up and let IPv6 settle again.
      ns.ip("link", "set", "v1", "down");
      ns.ip("link", "set", "v1", "name", "v1new");
      ns.ip("link", "set", "v1new", "up");
      // Taking the link down flushed its neighbours and its gateway route: put them back as they
      // were, so that only the name differs.
      ns.ip("route", "replace", "10.72.0.0/24", "via", "10.71.0.2", "dev", "v1new");
      ns.ip(
        "neigh",
        "replace",
        "10.71.0.2",
        "lladdr",
        "52:54:00:aa:bb:cc",
        "dev",
        "v1new",
        "nud",
        "permanent",
      );
      await settled(ns);
      // The routes the kernel recreates on up: the same set, under the new name.
      const routes = ns.ip("-6", "route", "show", "table", "all", "dev", "v1new");
      assert.match(routes, /fe80::\/64/, routes);
      const cb = runCli(["capture", "-o", b], { wrap: ns.wrap });
      assert.equal(cb.code, 0, cb.stderr);

      const r = runCli([
        "diff",
        a,
        b,
        "--format",
        "json",
        "--only",
        "routes,interfaces,neighbours,qdiscs",
      ]);
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout) as {
        changes: Array<{ kind: string; key: Record<string, unknown>; summary: string }>;
      };
      const kinds = doc.changes.filter((c) => c.kind !== "interface-traffic");
      assert.deepEqual(
        kinds.map((c) => [c.kind, c.key.interface]),
        [["interface-renamed", "v1"]],
        JSON.stringify(kinds, null, 1),
      );
      const gate = runCli([
        "diff",
        a,
        b,
        "--only",
        "routes,interfaces,neighbours,qdiscs",
        "--fail-on",
        "route-*",
      ]);
      assert.equal(gate.code, 0, gate.stdout + gate.stderr);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

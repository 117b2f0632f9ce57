/**
 * End to end on a real kernel: capture a fresh network namespace, change it the way a deploy
 * does (restart a listener, widen one from 127.0.0.1 to 0.0.0.0, close one, open one, open 5
 * sessions, swap a route, change an MTU and add an address), capture again, and check that the
 * diff holds each change with the right kind — and nothing else.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../helpers/cli.ts";
import { canUseNetns, holdSockets, type Netns, withNetns } from "../../helpers/netns.ts";

const skip = !canUseNetns() && "needs root and iproute2 to create network namespaces";

interface Change {
  kind: string;
  section: string;
  key: Record<string, string | number>;
  count?: number;
  exposure?: string;
  addressesAdded?: string[];
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
}

/** Waits until IPv6 duplicate address detection is over, so no address settles mid-test. */
async function settled(ns: Netns): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if (ns.ip("-6", "addr", "show", "tentative").trim() === "") return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Kills a holder and waits until it is gone, so its sockets are closed before the capture. */
function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

test(
  "diff of two namespace captures reports each deploy change with its kind and nothing spurious",
  { skip, timeout: 120_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "nsnap-diff-ns-"));
    try {
      await withNetns("diff", async (ns) => {
        ns.ip("link", "add", "d0", "type", "veth", "peer", "name", "d1");
        ns.ip("link", "set", "d1", "up");
        ns.ip("link", "set", "d0", "up");
        ns.ip("addr", "add", "10.50.0.1/24", "dev", "d0");
        ns.ip("route", "add", "10.60.0.0/24", "via", "10.50.0.2");
        await settled(ns);
        const restarted = await holdSockets(ns, ["listen:127.0.0.1:7101"]);
        const moved = await holdSockets(ns, ["listen:127.0.0.1:7102"]);
        const closed = await holdSockets(ns, ["listen:127.0.0.1:7103"]);
        await holdSockets(ns, ["listen:127.0.0.1:7104"]);

        const a = join(dir, "a.json"), b = join(dir, "b.json");
        const ca = runCli(["capture", "-o", a], { wrap: ns.wrap });
        assert.equal(ca.code, 0, ca.stderr);

        await stop(restarted);
        const again = await holdSockets(ns, ["listen:127.0.0.1:7101"]);
        await stop(moved);
        await holdSockets(ns, ["listen:0.0.0.0:7102"]);
        await stop(closed);
        await holdSockets(ns, ["listen:127.0.0.1:7105"]);
        await holdSockets(ns, ["connect:127.0.0.1:7104:5"]);
        ns.ip("route", "del", "10.60.0.0/24");
        ns.ip("route", "add", "10.70.0.0/24", "via", "10.50.0.2");
        ns.ip("link", "set", "d0", "mtu", "1400");
        ns.ip("addr", "add", "10.50.0.9/24", "dev", "d0");

        const cb = runCli(["capture", "-o", b], { wrap: ns.wrap });
        assert.equal(cb.code, 0, cb.stderr);

        const r = runCli(["diff", a, b, "--format", "json"]);
        assert.equal(r.code, 0, r.stderr);
        const doc = JSON.parse(r.stdout) as { changes: Change[] };
        // Counters and traffic move on their own; everything else must be accounted for.
        const changes = doc.changes.filter((c) =>
          c.section !== "counters" && c.kind !== "interface-traffic"
        );
        const take = (pred: (c: Change) => boolean, what: string): Change => {
          const i = changes.findIndex(pred);
          assert.ok(i >= 0, `missing ${what} in ${JSON.stringify(changes, null, 1)}`);
          return changes.splice(i, 1)[0]!;
        };

        const re = take((c) => c.kind === "listener-restarted" && c.key.port === 7101, "restart");
        assert.equal(re.after?.pid, again.pid);
        const ex = take(
          (c) => c.kind === "listener-exposure-changed" && c.key.port === 7102,
          "exposure change",
        );
        assert.equal(ex.exposure, "widened");
        assert.deepEqual([ex.before?.address, ex.after?.address], ["127.0.0.1", "0.0.0.0"]);
        take((c) => c.kind === "listener-closed" && c.key.port === 7103, "closed listener");
        take((c) => c.kind === "listener-opened" && c.key.port === 7105, "opened listener");
        const inbound = take(
          (c) => c.kind === "session-opened" && c.key.direction === "inbound",
          "inbound sessions",
        );
        assert.deepEqual([inbound.key.localPort, inbound.key.remoteAddress, inbound.count], [
          7104,
          "127.0.0.1",
          5,
        ]);
        const outbound = take(
          (c) => c.kind === "session-opened" && c.key.direction === "outbound",
          "outbound sessions",
        );
        assert.deepEqual([outbound.key.remotePort, outbound.count], [7104, 5]);
        take(
          (c) => c.kind === "route-removed" && c.key.destination === "10.60.0.0/24",
          "removed route",
        );
        take(
          (c) => c.kind === "route-added" && c.key.destination === "10.70.0.0/24",
          "added route",
        );
        const ifc = take(
          (c) => c.kind === "interface-changed" && c.key.interface === "d0",
          "interface change",
        );
        assert.deepEqual([ifc.before?.mtu, ifc.after?.mtu], [1500, 1400]);
        assert.deepEqual(ifc.addressesAdded, ["10.50.0.9/24"]);
        // The new address brings its own host route in the local table (255): a real change too.
        const localRoute = changes.findIndex((c) =>
          c.kind === "route-added" && c.key.table === 255 &&
          String(c.key.destination).startsWith("10.50.0.9")
        );
        if (localRoute >= 0) changes.splice(localRoute, 1);
        assert.deepEqual(changes, [], "nothing else changed");

        // `live` captures now: the listeners are those of the second capture.
        const live = runCli([
          "diff",
          b,
          "live",
          "--only",
          "listeners",
          "--fail-on",
          "listener-closed",
        ], {
          wrap: ns.wrap,
        });
        assert.equal(live.code, 0, live.stderr + live.stdout);
        assert.match(live.stdout, /^no changes/);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

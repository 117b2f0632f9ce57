/**
 * The diff has no quadratic path on adversarial input: 20k listeners that all share one port,
 * and 100k routes, finish in seconds, and four times the input costs far less than sixteen times
 * the time.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { diffSnapshots } from "../../src/diff/mod.ts";
import { formatIPv4 } from "../../src/net/address.ts";
import type { Route, Snapshot } from "../../src/model.ts";
import { listen, snap } from "../diff/_build.ts";

/** n listeners on port 443, each on its own address; `shift` moves a quarter of them. */
function listeners(n: number, shift: number): Snapshot {
  const connections = Array.from({ length: n }, (_, i) => {
    const moved = shift > 0 && i % 4 === 0 ? i + shift : i;
    const c = listen(formatIPv4((10 << 24) + moved), 443, 100 + (i % 7));
    c.inode = 10_000 + i;
    return c;
  });
  return snap("2026-01-01T00:00:00.000Z", { connections });
}

/** n routes in the main table; `shift` changes every tenth gateway and replaces every 50th. */
function routes(n: number, shift: number): Snapshot {
  const list: Route[] = Array.from({ length: n }, (_, i) => {
    const dest = shift > 0 && i % 50 === 0 ? i + n : i;
    const r: Route = {
      family: "inet",
      table: 254,
      type: "unicast",
      destination: `${formatIPv4((11 << 24) + dest * 256)}/24`,
      gateway: formatIPv4((192 << 24) + (168 << 16) + (shift > 0 && i % 10 === 0 ? 2 : 1)),
      interface: "eth0",
      metric: 0,
      protocol: "bgp",
    };
    return r;
  });
  return snap("2026-01-01T00:00:00.000Z", { routes: list });
}

function timeDiff(a: Snapshot, b: Snapshot): { ms: number; changes: number } {
  const t0 = performance.now();
  const doc = diffSnapshots(a, b);
  return { ms: performance.now() - t0, changes: doc.changes.length };
}

test("diff of 20k listeners all on one port finishes quickly and scales linearly", () => {
  const small = timeDiff(listeners(5_000, 0), listeners(5_000, 7_000_000));
  const large = timeDiff(listeners(20_000, 0), listeners(20_000, 7_000_000));
  assert.ok(large.changes >= 5_000, `moved listeners are reported (${large.changes})`);
  assert.ok(large.ms < 30_000, `20k listeners took ${large.ms} ms`);
  // Quadratic work would cost ~16x for 4x the input; allow noise from a shared machine.
  assert.ok(
    large.ms < Math.max(small.ms, 20) * 10,
    `5k: ${small.ms.toFixed(0)} ms, 20k: ${large.ms.toFixed(0)} ms`,
  );
});

test("diff of 100k routes finishes quickly and scales linearly", () => {
  const small = timeDiff(routes(25_000, 0), routes(25_000, 1));
  const large = timeDiff(routes(100_000, 0), routes(100_000, 1));
  assert.ok(large.changes >= 10_000, `changed routes are reported (${large.changes})`);
  assert.ok(large.ms < 60_000, `100k routes took ${large.ms} ms`);
  assert.ok(
    large.ms < Math.max(small.ms, 20) * 10,
    `25k: ${small.ms.toFixed(0)} ms, 100k: ${large.ms.toFixed(0)} ms`,
  );
});

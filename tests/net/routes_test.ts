import { test } from "node:test";
import assert from "node:assert/strict";
import { isPerInterfaceRoute, routeKey, tableId, tableName } from "../../src/net/routes.ts";
import type { Route } from "../../src/model.ts";

test("tableId() reads iproute2's reserved names, numbers and an absent table (main)", () => {
  assert.deepEqual(
    [undefined, "main", "local", "default", "unspec", "100", 100, "4294967295"].map(tableId),
    [254, 254, 255, 253, 0, 100, 100, 4294967295],
  );
});

test("tableId() knows no other name, not even ones inherited by plain objects", () => {
  for (
    const t of ["private", "constructor", "toString", "__proto__", "4294967296", "-1", -1, 1.5]
  ) {
    assert.equal(tableId(t), undefined, String(t));
  }
});

test("tableName() names the reserved tables and prints any other id as its number", () => {
  assert.deepEqual([254, 255, 253, 0, 100].map(tableName), [
    "main",
    "local",
    "default",
    "0",
    "100",
  ]);
});

test("routeKey() and isPerInterfaceRoute() say which routes are the same across snapshots", () => {
  const r: Route = {
    family: "inet6",
    table: 254,
    type: "unicast",
    destination: "fe80::/64",
    metric: 256,
  };
  assert.equal(routeKey(r), "inet6 254 unicast fe80::/64 256");
  assert.equal(isPerInterfaceRoute(r), true);
  assert.equal(isPerInterfaceRoute({ ...r, destination: "ff00::/8" }), true);
  assert.equal(isPerInterfaceRoute({ ...r, destination: "2001:db8::/64" }), false);
});

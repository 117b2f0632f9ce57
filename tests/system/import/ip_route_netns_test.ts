/**
 * `ip route` text read the way `ip -j` reads the same namespace: routes of both families, a policy
 * table, multipath routes with weights, made in a fresh namespace (iproute2 of this machine).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { canUseNetns, Netns } from "../../helpers/netns.ts";
import { parseIpRoute } from "../../../src/parse/linux/ip_route.ts";
import { parseIpJsonRoutes } from "../../../src/parse/linux/ip_json.ts";
import { importFiles } from "../../../src/import/mod.ts";
import { normalizeSnapshot } from "../../../src/snapshot/normalize.ts";
import type { Route } from "../../../src/model.ts";
import { snap } from "../../diff/_build.ts";

const skip = !canUseNetns() && "needs root and iproute2 to create network namespaces";

/** Routes in snapshot order. */
function ordered(routes: Route[]): Route[] {
  return normalizeSnapshot(snap(undefined, { routes })).routes;
}

test("ip route text of a namespace with multipath routes reads as ip -j reads it", { skip }, () => {
  const ns = new Netns("iprt");
  try {
    ns.ip("link", "add", "a0", "type", "veth", "peer", "name", "a1");
    ns.ip("link", "add", "b0", "type", "veth", "peer", "name", "b1");
    for (const l of ["a0", "a1", "b0", "b1"]) ns.ip("link", "set", l, "up");
    ns.ip("addr", "add", "10.77.0.1/24", "dev", "a0");
    ns.ip("addr", "add", "10.78.0.1/24", "dev", "b0");
    ns.ip("-6", "addr", "add", "2001:db8:77::1/64", "dev", "a0", "nodad");
    ns.ip("route", "add", "default", "via", "10.77.0.2");
    ns.ip(
      ...["route", "add", "10.9.0.0/16", "nexthop", "via", "10.77.0.3", "dev", "a0", "weight", "1"],
      ...["nexthop", "via", "10.78.0.3", "dev", "b0", "weight", "2"],
    );
    ns.ip("route", "add", "10.50.0.0/16", "via", "10.78.0.9", "table", "100");
    ns.ip("-6", "route", "add", "default", "via", "2001:db8:77::2");
    ns.ip(
      ...["-6", "route", "add", "2001:db8:99::/48", "nexthop", "via", "2001:db8:77::3"],
      ...[
        "dev",
        "a0",
        "weight",
        "1",
        "nexthop",
        "via",
        "2001:db8:77::4",
        "dev",
        "a0",
        "weight",
        "3",
      ],
    );
    const want = ordered([
      ...parseIpJsonRoutes(ns.ip("-j", "-4", "route", "show", "table", "all"), "inet").value,
      ...parseIpJsonRoutes(ns.ip("-j", "-6", "route", "show", "table", "all"), "inet6").value,
    ]);
    assert.ok(want.some((r) => r.nexthops?.length === 2 && r.family === "inet"));
    for (const form of [[], ["-o"]]) {
      const text = ns.ip(...form, "route", "show", "table", "all");
      const { value, warnings } = parseIpRoute(text, "ip route show table all");
      assert.deepEqual(warnings, [], form.join(" "));
      assert.deepEqual(ordered(value), want, form.join(" "));
      const s = importFiles([{ name: "table-all.txt", text }, {
        name: "ip-6.txt",
        text: ns.ip("-6", "route"),
      }]);
      assert.deepEqual(s.routes, want, `import ${form.join(" ")}`);
    }
  } finally {
    ns.close();
  }
});

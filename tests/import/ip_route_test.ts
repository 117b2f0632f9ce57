/**
 * `ip route` text as operators save it, on real outputs of one namespace
 * (tests/testdata/ip-route, made by its make.sh): multipath routes on indented `nexthop` lines,
 * both families in one `table all` listing, and listings that overlap. The `-j` output of the
 * same state is the reference the text is held to.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { detectFormat } from "../../src/import/detect.ts";
import { importFiles } from "../../src/import/mod.ts";
import { parseIpRoute } from "../../src/parse/linux/ip_route.ts";
import { parseIpJsonRoutes } from "../../src/parse/linux/ip_json.ts";
import type { Route } from "../../src/model.ts";
import { normalizeSnapshot } from "../../src/snapshot/normalize.ts";
import { snap } from "../diff/_build.ts";

const read = (name: string) =>
  readFileSync(new URL(`../testdata/ip-route/${name}`, import.meta.url), "utf8");
const input = (name: string) => ({ name, text: read(name) });

/** The routes of the -j outputs, as the capture reads them. */
function reference(): Route[] {
  return [
    ...parseIpJsonRoutes(read("route-j-4-table-all.json"), "inet").value,
    ...parseIpJsonRoutes(read("route-j-6-table-all.json"), "inet6").value,
  ];
}

/** Routes in snapshot order, for comparing sets. */
function sorted(routes: Route[]): Route[] {
  return normalizeSnapshot(snap(undefined, { routes })).routes;
}

test("an `ip route show table all` file with multipath routes is recognised and imported", () => {
  for (const name of ["route-table-all.txt", "route-o-table-all.txt", "route-6.txt"]) {
    assert.equal(detectFormat(read(name)), "ip-route", name);
  }
  const s = importFiles([input("route-table-all.txt")]);
  assert.deepEqual(s.meta.sections.routes, { status: "ok" });
  const v4 = s.routes.find((r) => r.destination === "10.9.0.0/16");
  assert.deepEqual(v4?.nexthops, [
    { gateway: "10.77.0.3", interface: "a0", weight: 1 },
    { gateway: "10.78.0.3", interface: "b0", weight: 2 },
  ]);
  const v6 = s.routes.find((r) => r.destination === "2001:db8:99::/48");
  assert.equal(v6?.family, "inet6");
  assert.deepEqual(v6?.nexthops?.map((n) => n.weight), [1, 3]);
});

test("each default route of a mixed IPv4/IPv6 listing keeps its own family", () => {
  const { value, warnings } = parseIpRoute(read("route-table-all.txt"), "route-table-all.txt");
  assert.deepEqual(warnings, []);
  const defaults = value.filter((r) => r.destination.endsWith("/0"));
  assert.deepEqual(
    defaults.map((r) => [r.family, r.destination, r.gateway]),
    [["inet", "0.0.0.0/0", "10.77.0.2"], ["inet6", "::/0", "2001:db8:77::2"]],
  );
  // Without a gateway, a default route takes the family of the routes printed around it.
  const text = "10.0.0.0/8 dev eth0\ndefault dev ppp0 scope link\nfe80::/64 dev eth0\n" +
    "unreachable default dev lo metric 4294967295\n";
  assert.deepEqual(parseIpRoute(text).value.map((r) => r.destination), [
    "10.0.0.0/8",
    "0.0.0.0/0",
    "fe80::/64",
    "::/0",
  ]);
});

test("the text of `ip route show table all` reads as the same routes as `ip -j` of that state", () => {
  for (const name of ["route-table-all.txt", "route-o-table-all.txt"]) {
    const { value, warnings } = parseIpRoute(read(name), name);
    assert.deepEqual(warnings, [], name);
    assert.deepEqual(sorted(value), sorted(reference()), name);
  }
});

test("overlapping listings (table all, then ip -6 route) give each route once", () => {
  const alone = importFiles([input("route-table-all.txt")]);
  const both = importFiles([input("route-table-all.txt"), input("route-6.txt")]);
  assert.equal(both.routes.length, alone.routes.length);
  assert.deepEqual(both.routes, alone.routes);
  // Two routes of one listing stay two, even with one key (a route per interface).
  assert.equal(alone.routes.filter((r) => r.destination === "fe80::/64").length, 4);
});

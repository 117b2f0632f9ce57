import { test } from "node:test";
import assert from "node:assert/strict";
import { parseIpRoute } from "../../../src/parse/linux/ip_route.ts";
import { fixture, jcExpected } from "../../helpers/fixtures.ts";

test("parseIpRoute() reads ip route as jc does, linkdown kept as a flag", () => {
  const path = "linux/ip-route/jc-centos-7.7.txt";
  const { value: routes, warnings } = parseIpRoute(fixture(path), path);
  assert.deepEqual(warnings, []);
  const jc = jcExpected(path);
  assert.equal(routes.length, jc.length);
  routes.forEach((r, i) => {
    const j = jc[i]!;
    const ip = j.ip === "default" ? "0.0.0.0/0" : String(j.ip);
    assert.equal(r.destination, ip);
    assert.equal(r.interface, j.dev);
    assert.equal(r.gateway, j.via);
    assert.equal(r.metric, j.metric ?? 0);
    assert.equal(r.source, j.src);
  });
  assert.deepEqual(routes[3]!.flags, ["linkdown"]);
});

test("parseIpRoute() reads ip -4 route and a last line without newline or with trailing space", () => {
  for (const path of ["linux/ip-route/cloud-init-v4.txt", "linux/ip-route/facter-basic.txt"]) {
    const { value: routes, warnings } = parseIpRoute(fixture(path), path);
    assert.deepEqual(warnings, []);
    assert.equal(routes.length, 3);
    assert.equal(routes[0]!.destination, "0.0.0.0/0");
  }
  const { value: routes } = parseIpRoute(fixture("linux/ip-route/facter-basic.txt"));
  assert.equal(routes[2]!.destination, "10.16.112.1/32");
  assert.equal(routes[2]!.protocol, "dhcp");
});

test("parseIpRoute() reads ip -6 route: expires/pref left out, table local is 255", () => {
  const path = "linux/ip-6-route/cloud-init-v6.txt";
  const { value: routes, warnings } = parseIpRoute(fixture(path), path);
  assert.deepEqual(warnings, []);
  assert.equal(routes.length, 11);
  assert.ok(routes.every((r) => r.family === "inet6"));
  assert.equal(routes[8]!.destination, "::/0");
  assert.equal(routes[8]!.gateway, "fe80::32ee:54de:cd43:b4e1");
  assert.deepEqual([routes[9]!.type, routes[9]!.table, routes[9]!.destination], [
    "local",
    255,
    "::1/128",
  ]);
  assert.equal(routes[0]!.flags, undefined);
});

test("parseIpRoute() reads ip -o route: a multipath route's nexthops after \\ separators", () => {
  const path = "linux/ip-o-route/ohai-1.txt";
  const { value: routes, warnings } = parseIpRoute(fixture(path), path);
  assert.deepEqual(warnings, []);
  assert.equal(routes.length, 7);
  assert.deepEqual(routes[5]!.nexthops, [
    { gateway: "10.5.4.1", interface: "eth0", weight: 1 },
    { gateway: "10.5.4.2", interface: "eth0", weight: 1 },
  ]);
  assert.equal(routes[2]!.interface, "foo:veth0@eth0");
});

test("parseIpRoute() reads multi-line multipath nexthops into the route above", () => {
  const text = "default proto static metric 100\n\tnexthop via 10.0.0.1 dev eth0 weight 1\n" +
    "\tnexthop via 10.0.0.2 dev eth1 weight 2\n";
  const { value: routes, warnings } = parseIpRoute(text);
  assert.deepEqual(warnings, []);
  assert.equal(routes.length, 1);
  assert.equal(routes[0]!.nexthops?.length, 2);
});

test("parseIpRoute() reads table all: types, table local → 255, named tables warned", () => {
  const path = "linux/ip-route-table-all/insights-core-1.txt";
  const { value: routes, warnings } = parseIpRoute(fixture(path), path);
  assert.equal(routes.length, 14);
  assert.equal(routes[0]!.type, "throw");
  assert.deepEqual(routes[0]!.flags, ["table=red_mgmt"]);
  assert.equal(warnings.length, 4, "four routes of tables known only by name");
  assert.match(warnings[0]!, /:1: table "red_mgmt" has no number/);
  assert.deepEqual([routes[12]!.type, routes[12]!.table], ["broadcast", 255]);
  assert.deepEqual([routes[13]!.type, routes[13]!.scope], ["local", "host"]);
  assert.equal(routes[7]!.metric, 1012);
});

test("parseIpRoute() warns about a line it cannot read", () => {
  const { value: routes, warnings } = parseIpRoute("10.0.0.0/8 dev eth0\nnot a route\n", "r");
  assert.equal(routes.length, 1);
  assert.match(warnings[0]!, /^r:2: cannot read route/);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { parseRouteN } from "../../../src/parse/linux/route_n.ts";
import { fixture, fixturePaths, jcExpected } from "../../helpers/fixtures.ts";

const WITH_JC = [
  "linux/route-vn/jc-ubuntu-18.04.txt",
  "linux/route/jc-centos-7.7.txt",
  "linux/netstat-r/jc-centos-7.7.txt",
  "linux/netstat-rne/jc-ubuntu-18.04.txt",
  "linux/netstat-rnee/jc-centos-7.7.txt",
  "linux/route-6-n/jc-centos-7.7.txt",
];

for (const path of WITH_JC) {
  test(`parseRouteN() reads every route of ${path} as jc does`, () => {
    const { value: routes, warnings } = parseRouteN(fixture(path), path);
    assert.deepEqual(warnings, []);
    const jc = jcExpected(path);
    assert.equal(routes.length, jc.length);
    routes.forEach((r, i) => {
      const j = jc[i]!;
      assert.equal(r.interface, j.iface);
      if (r.family === "inet") {
        const dst = j.destination === "default" ? "0.0.0.0" : j.destination;
        assert.equal(r.destination.split("/")[0], dst);
        assert.equal(r.gateway, j.gateway === "0.0.0.0" ? undefined : j.gateway);
      } else {
        assert.equal(r.destination, String(j.destination).replace(/^0\.0\.0\.0/, "::ffff:0.0.0.0"));
      }
      if (typeof j.metric === "number") {
        assert.equal(r.metric, j.metric < 0 ? 0xffffffff : j.metric);
      }
    });
  });
}

test("parseRouteN() reads the route -n fixtures without jc expectations", () => {
  for (const path of fixturePaths("linux/route-n")) {
    const { value: routes, warnings } = parseRouteN(fixture(path), path);
    assert.deepEqual(warnings, [], path);
    assert.equal(routes.length, 3, path);
    assert.ok(routes.some((r) => r.destination === "0.0.0.0/0" && r.gateway !== undefined), path);
  }
  const { value: routes } = parseRouteN(fixture("linux/route-n/insights-core-1.txt"));
  assert.deepEqual(routes[1], {
    family: "inet",
    table: 254,
    type: "unicast",
    destination: "169.254.0.0/16",
    interface: "eth0",
    metric: 1002,
    flags: ["U"],
  });
});

test("parseRouteN() turns a netmask into a prefix length and keeps resolved gateway names", () => {
  const { value: routes } = parseRouteN(fixture("linux/route/jc-centos-7.7.txt"));
  assert.equal(routes[0]!.destination, "0.0.0.0/0");
  assert.equal(routes[0]!.gateway, "gateway");
  assert.equal(routes[1]!.destination, "172.17.0.0/16");
});

test("parseRouteN() marks IPv6 reject routes unreachable and reads metric -1 as 2^32-1", () => {
  const { value: routes } = parseRouteN(fixture("linux/route-6-n/jc-centos-7.7.txt"));
  assert.equal(routes.length, 21);
  assert.equal(routes[0]!.type, "unreachable");
  assert.equal(routes[14]!.metric, 0xffffffff);
  assert.equal(routes[13]!.gateway, "fe80::feae:34ff:fea1:3a80");
  assert.equal(routes[1]!.destination, "::ffff:0.0.0.0/96", "the IPv4-mapped block");
});

test("parseRouteN() warns about a line it cannot read", () => {
  const text = "Kernel IP routing table\nDestination Gateway Genmask Flags Metric Ref Use Iface\n" +
    "10.0.0.0 0.0.0.0 255.0.255.0 U 0 0 0 eth0\n";
  const { value: routes, warnings } = parseRouteN(text, "r.txt");
  assert.equal(routes.length, 0);
  assert.match(warnings[0]!, /^r\.txt:3: cannot read route line/);
});

test("parseRouteN() keeps rows with values past the last column, with one warning for the file", () => {
  const path = "linux/route/jc-centos-7.7.txt";
  const plain = parseRouteN(fixture(path), path).value;
  // Every route row of the real capture with two words appended that no header names.
  const text = fixture(path).split("\n").map((l, i) =>
    i >= 2 && l !== "" ? `${l}   extra1 extra2` : l
  )
    .join("\n");
  const { value, warnings } = parseRouteN(text, "route-extra.txt");
  assert.equal(value.length, 3);
  assert.deepEqual(value, plain);
  assert.deepEqual(warnings, [
    "route-extra.txt:3: 3 rows carry values after the last column (Iface), left out",
  ]);
});

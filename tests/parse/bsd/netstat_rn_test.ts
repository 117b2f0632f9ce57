import { test } from "node:test";
import assert from "node:assert/strict";
import { parseNetstatRn } from "../../../src/parse/bsd/netstat_rn.ts";
import { jc, testdata } from "./helpers.ts";

function assertMatchesJc(path: string) {
  const parsed = parseNetstatRn(testdata(path + ".txt"), path);
  const routes = parsed.value;
  const expected = jc(path + ".json");
  assert.equal(routes.length, expected.length);
  routes.forEach((r, i) => {
    const e = expected[i]!;
    const dest = String(e.destination);
    assert.equal(r.flags?.join(""), e.route_flags, `row ${i}`);
    assert.equal(r.interface, e.iface, `row ${i}`);
    assert.equal(r.table, 254);
    assert.equal(r.metric, 0);
    if (dest === "default") {
      assert.equal(r.destination, r.family === "inet6" ? "::/0" : "0.0.0.0/0", `row ${i}`);
    } else {
      // "127" → "127.0.0.0/8", "fe80::%lo0/64" stays: the address part starts as jc's does.
      assert.ok(r.destination.startsWith(dest.split("/")[0]!), `row ${i}: ${r.destination}`);
    }
    const gw = String(e.gateway);
    if (/^link#/.test(gw)) assert.equal(r.gateway, undefined, `row ${i}`);
    else assert.equal(r.gateway?.replace(/^([0-9a-f]):/, "$1:"), r.gateway, `row ${i}`);
  });
  return parsed;
}

test("parseNetstatRn() reads macOS netstat -rnl like jc: 89 routes in both families, no warnings", () => {
  const { value: routes, warnings } = assertMatchesJc("fixtures/darwin/netstat-rnl/jc-osx-10.14.6");
  assert.deepEqual(warnings, []);
  assert.equal(routes.filter((r) => r.family === "inet").length, 30);
  const def = routes[0]!;
  assert.deepEqual(
    [def.destination, def.gateway, def.interface, def.type],
    ["0.0.0.0/0", "192.168.1.254", "en0", "unicast"],
  );
  assert.equal(routes.find((r) => r.destination === "127.0.0.0/8")?.gateway, "127.0.0.1");
  // link#N means directly connected: no gateway, the interface from Netif.
  const lan = routes.find((r) => r.destination === "192.168.1.0/24");
  assert.equal(lan?.gateway, undefined);
  assert.equal(lan?.interface, "en0");
  assert.equal(routes.find((r) => r.destination === "224.0.0.0/4")?.type, "multicast");
  assert.equal(routes.find((r) => r.flags?.includes("b"))?.type, "broadcast");
  const v6def = routes.filter((r) => r.destination === "::/0");
  assert.equal(v6def.length, 5);
  assert.equal(v6def[1]?.gateway, "fe80::%utun0");
  assert.ok(routes.some((r) => r.destination === "fe80::%lo0/64" && r.gateway === "fe80::1%lo0"));
  // An ARP entry keeps its link-layer address as printed.
  assert.equal(
    routes.find((r) => r.destination === "192.168.1.64/32")?.gateway,
    "e0:33:8e:68:38:d6",
  );
});

test("parseNetstatRn() reads FreeBSD netstat -r like jc, keeping names and reject routes", () => {
  const { value: routes, warnings } = assertMatchesJc("fixtures/freebsd/netstat-r/jc-freebsd12");
  assert.equal(routes.length, 13);
  assert.equal(routes.find((r) => r.destination === "::/96")?.type, "reject");
  assert.equal(routes.find((r) => r.destination === "::ffff:0.0.0.0/96")?.gateway, "localhost");
  assert.ok(routes.some((r) => r.destination === "localhost" && r.family === "inet"));
  // The Destination column cut "fe80::20c:29ff:fe1…": kept as printed, reported once.
  assert.ok(routes.some((r) => r.destination === "fe80::20c:29ff:fe1"));
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /names or truncated/);
});

test("parseNetstatRn() turns an unreadable row into a warning and refuses text without a table", () => {
  const text = testdata("fixtures/freebsd/netstat-r/jc-freebsd12.txt").replace(
    "192.168.71.0/24    link#1             U ",
    "192.168.71.0/24    link#1             ? ",
  );
  const { value: routes, warnings } = parseNetstatRn(text, "r.txt");
  assert.equal(routes.length, 12);
  assert.ok(warnings.some((w) => /^r\.txt:7: cannot read route: /.test(w)));
  assert.throws(() => parseNetstatRn("no table here", "x"), { name: "ParseError" });
});

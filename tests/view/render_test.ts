import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import process from "node:process";
import { selectConnections } from "../../src/view/select.ts";
import { selectRoutes } from "../../src/view/routes.ts";
import { protocolStatistics, selectCounterGroups } from "../../src/view/stats.ts";
import { socketsOnPort } from "../../src/view/port.ts";
import { renderConnections, truncateEndpoint } from "../../src/render/show_connections.ts";
import { renderRoutes } from "../../src/render/show_routes.ts";
import { renderInterfaces } from "../../src/render/show_interfaces.ts";
import { renderStatistics } from "../../src/render/show_stats.ts";
import { renderPortReport, shellQuote } from "../../src/render/show_port.ts";
import { renderJson } from "../../src/render/show_json.ts";
import { makePaint, renderTable, textWidth } from "../../src/render/table.ts";
import { sampleSnapshot } from "./fixture.ts";

const s = sampleSnapshot();
const GOLDEN = new URL("../testdata/view/", import.meta.url);

/** Compares with tests/testdata/view/NAME; UPDATE_GOLDEN=1 rewrites the file instead. */
function golden(name: string, text: string): void {
  const url = new URL(name, GOLDEN);
  if (process.env.UPDATE_GOLDEN === "1") writeFileSync(url, text);
  assert.equal(text, readFileSync(url, "utf8"));
}

const widest = (text: string) => Math.max(...text.split("\n").map(textWidth));

test("renderConnections() prints netstat's columns, numeric, with PID/Program", () => {
  const text = renderConnections(s, selectConnections(s, { all: true }));
  golden("connections-all-wide.txt", text);
  const lines = text.split("\n");
  assert.match(
    lines[0]!,
    /^Proto Recv-Q Send-Q Local Address +Foreign Address +State +PID\/Program$/,
  );
  assert.match(text, /tcp +3 +511 0\.0\.0\.0:80 +0\.0\.0\.0:\* +LISTEN +1000\/nginx \(\+2\)/);
  assert.match(text, /tcp6 .*\[2001:db8:85a3:8d3:1319:8a2e:370:7348\]:443 /);
  assert.match(text, /TIME_WAIT +-\n/);
});

test("renderConnections() fits 80 columns, shortening IPv6 addresses in the middle and keeping ports", () => {
  const text = renderConnections(s, selectConnections(s, { all: true }), { width: 80 });
  golden("connections-all-80.txt", text);
  assert.ok(widest(text) <= 80, `widest line ${widest(text)}`);
  assert.match(text, /\[2001:…:7348\]:443|\[2001[^\]]*…[^\]]*\]:443 /);
  assert.match(text, /\]:60000 /);
  // IPv4 endpoints of ordinary length are never cut.
  assert.match(text, /127\.0\.0\.1:41000 +127\.0\.0\.1:5432 /);
});

test("renderConnections() -e at 80 columns still prints IPv4 endpoints whole", () => {
  const text = renderConnections(s, selectConnections(s, { all: true }), {
    width: 80,
    user: true,
    inode: true,
  });
  assert.match(text, /127\.0\.0\.1:41000 +127\.0\.0\.1:5432 /);
  for (const line of text.split("\n")) assert.doesNotMatch(line, /[0-9]…[0-9.]*:[0-9]+ /);
});

test("renderConnections() -e adds the socket's User and its Inode", () => {
  const text = renderConnections(s, selectConnections(s, { listening: true }), {
    user: true,
    inode: true,
  });
  assert.match(text.split("\n")[0]!, /State +User +Inode +PID\/Program$/);
  assert.match(text, /127\.0\.0\.1:5432 .* LISTEN +postgres +6432 +2000\/postgres/);
  assert.match(text, /UNCONN +systemd-resolve +1053 +800\/systemd-resolve/);
});

test("truncateEndpoint() cuts the address, never the port", () => {
  assert.equal(truncateEndpoint("[2001:db8::1234:5678]:443", 16), "[2001…:5678]:443");
  assert.equal(truncateEndpoint("10.0.0.1:22", 20), "10.0.0.1:22");
  assert.equal(truncateEndpoint("192.168.100.200:65535", 15).endsWith(":65535"), true);
});

test("renderTable() pads before painting, so colour never shifts the columns", () => {
  const cols = [{ header: "A" }, {
    header: "B",
    color: (_v: string, p: ReturnType<typeof makePaint>) => p.green,
  }];
  const plain = renderTable(cols, [["x", "yy"], ["xxx", "y"]]);
  const coloured = renderTable(cols, [["x", "yy"], ["xxx", "y"]], { paint: makePaint(true) });
  // deno-lint-ignore no-control-regex
  assert.equal(coloured.replace(/\x1b\[[0-9;]*m/g, ""), plain);
  assert.ok(coloured.includes("\x1b[32m"));
  assert.ok(!plain.includes("\x1b"));
});

test("renderRoutes() prints every table with a title, next hops of multipath routes below", () => {
  const text = renderRoutes(selectRoutes(s));
  golden("routes.txt", text);
  assert.match(text, /^Table main \(254\)\n/);
  assert.match(text, /\nTable 100\n/);
  assert.match(text, /192\.168\.50\.0\/24 +multipath/);
  assert.ok(text.includes("\n  nexthop via 10.0.0.3 dev eth0 weight 2\n"));
  assert.match(text, /\nTable local \(255\)\nType +Destination/);
  assert.ok(widest(text) <= 80);
});

test("renderInterfaces() shows MTU, state, RX/TX bytes, packets, errors, drops, flags and addresses", () => {
  const text = renderInterfaces(s.interfaces);
  golden("interfaces.txt", text);
  assert.match(text, /eth0 +1500 +up +RX +9007199254740993 +3405107 +0 +12\n/);
  assert.match(text, /\n +TX +812810111 +2886201 +0 +0\n/);
  assert.match(text, /flags BROADCAST,MULTICAST,UP,LOWER_UP +mac 52:54:00:12:34:56/);
  assert.ok(text.includes("\n  inet6 fe80::5054:ff:fe12:3456/64\n"));
  assert.match(text, /lo +65536 +unknown +RX +- +- +- +-\n/);
  assert.ok(widest(text) <= 80);
});

test("protocolStatistics() words the notable counters and lists the rest by kernel name", () => {
  const text = renderStatistics(protocolStatistics(s.counters));
  golden("statistics.txt", text);
  for (
    const line of [
      "428 segments retransmitted (0.01% of segments sent)",
      "212 resets sent",
      "105 failed connection attempts",
      "3 times the listen queue of a socket overflowed",
      "107 packets to unknown port received",
      "0 packet receive errors",
      "0 incoming packets discarded",
      "RtoAlgorithm: 1",
      "TCPFunnyCounter: 9007199254740993",
      "TCP_inuse: 5",
    ]
  ) assert.ok(text.includes(`    ${line}\n`), line);
  // Kernel group order: Ip before Tcp before Udp before TcpExt.
  assert.deepEqual(
    text.split("\n").filter((l) => /^\S/.test(l)),
    ["Ip:", "Tcp:", "Udp:", "TcpExt:", "Sockstat:"],
  );
});

test("protocolStatistics() with -t keeps the TCP groups, with -u the UDP ones", () => {
  assert.deepEqual(protocolStatistics(s.counters, { tcp: true }).map((g) => g.group), [
    "Tcp",
    "TcpExt",
  ]);
  assert.deepEqual(Object.keys(selectCounterGroups(s.counters, { udp: true })), ["Udp"]);
});

test("renderJson() writes counters above 2^53 as decimal strings and smaller ones as numbers", () => {
  const doc = JSON.parse(renderJson(selectCounterGroups(s.counters, { tcp: true })));
  assert.equal(doc.TcpExt.TCPFunnyCounter, "9007199254740993");
  assert.equal(doc.Tcp.RetransSegs, 428);
  const ifs = JSON.parse(renderJson(s.interfaces));
  assert.equal(ifs[0].stats.rxBytes, "9007199254740993");
  assert.equal(ifs[0].stats.txPackets, 2886201);
});

test("renderPortReport() lists the sockets with User, then each holder's start time and command", () => {
  const text = renderPortReport(s, socketsOnPort(s, 80), { width: 80 });
  golden("port-80.txt", text);
  assert.ok(widest(text) <= 80);
  assert.match(text, /State +User +PID\/Program/);
  assert.ok(text.includes(
    "\npid 1000: nginx, user root, started 2026-11-25T14:00:00.000Z, parent 1\n" +
      "    command: 'nginx: master process /usr/sbin/nginx' -g 'daemon on;'\n" +
      "    exe: /usr/sbin/nginx\n",
  ));
  assert.match(text, /\npid 1002: nginx, user www-data, parent 1000\n/);
});

test("shellQuote() leaves plain words alone and quotes the rest so it can be pasted", () => {
  assert.equal(shellQuote("--port=80"), "--port=80");
  assert.equal(shellQuote("a b"), "'a b'");
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
  assert.equal(shellQuote(""), "''");
});

test("renderPortReport() shows a title the process wrote over its argv as ps does, padding dropped", () => {
  const snap = sampleSnapshot();
  // An older nsnap split the worker's NUL padding into empty arguments.
  snap.processes["1001"]!.cmdline = ["nginx: worker process", "", "", "", ""];
  snap.processes["1002"]!.cmdline = ["sh", "-c", "", "x"];
  const text = renderPortReport(snap, socketsOnPort(snap, 80), { width: 80 });
  assert.ok(text.includes("\n    command: nginx: worker process\n"), text);
  assert.ok(text.includes("\n    command: sh -c '' x\n"), text);
});

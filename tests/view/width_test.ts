/**
 * The show and port views fit 80 columns on wide data (long interface names, IPv6 addresses,
 * long program names, -e), and what they shorten stays distinct: two routes that differ only in
 * their interface, or two sessions that differ only in the middle of an IPv6 address, never print
 * alike.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Connection, Route, Snapshot } from "../../src/model.ts";
import { selectConnections } from "../../src/view/select.ts";
import { selectRoutes } from "../../src/view/routes.ts";
import { socketsOnPort } from "../../src/view/port.ts";
import { renderConnections } from "../../src/render/show_connections.ts";
import { renderRoutes } from "../../src/render/show_routes.ts";
import { renderInterfaces } from "../../src/render/show_interfaces.ts";
import { renderPortReport } from "../../src/render/show_port.ts";
import {
  renderFirewall,
  renderNeighbours,
  renderQdiscs,
  renderRules,
  renderSettings,
} from "../../src/render/show_routing.ts";
import { CONTINUATION_INDENT, textWidth } from "../../src/render/table.ts";
import { arbSnapshot } from "../helpers/arbitrary.ts";
import { sampleSnapshot } from "./fixture.ts";

/** The widest line, tabs drawn to the next multiple of 8 as a terminal does. */
function widest(text: string): number {
  return Math.max(
    ...text.split("\n").map((l) => {
      const tabs = /^\t*/.exec(l)![0].length;
      return tabs * 8 + textWidth(l.slice(tabs));
    }),
  );
}

/** Rows of a table with their continuation lines joined: one block per record. */
function blocks(table: string): string[] {
  const out: string[] = [];
  for (const line of table.trimEnd().split("\n").slice(1)) {
    if (line.startsWith(" ".repeat(CONTINUATION_INDENT)) && out.length) out[out.length - 1] += line;
    else out.push(line);
  }
  return out;
}

const session = (local: string, remote: string, pid: number): Connection => ({
  protocol: "tcp",
  family: "inet6",
  localAddress: local,
  localPort: 5432,
  remoteAddress: remote,
  remotePort: 50123,
  state: "ESTABLISHED",
  recvQ: 0,
  sendQ: 0,
  uid: 110,
  inode: 4_757_967_000 + pid,
  pid,
  pids: [pid],
});

/** The sample snapshot with wide things added: IPv6 sessions, veths, long program names. */
export function wideSnapshot(): Snapshot {
  const s = sampleSnapshot();
  s.connections.push(
    session("2001:db8:aaaa:bbbb:cccc:dddd:eeee:1", "2001:db8:aaaa:1111:cccc:dddd:eeee:2", 4100),
    session("2001:db8:aaaa:bbbb:cccc:dddd:eeee:1", "2001:db8:aaaa:2222:cccc:dddd:eeee:2", 4101),
    session("fe80::a0a0:38ff:fe00:af40", "fe80::b04e:e0ff:fef0:959e", 4102),
  );
  s.connections.push({
    ...session("::ffff:10.201.204.10", "::ffff:10.201.204.9", 4103),
    protocol: "udp",
    state: "UNCONN",
    localPort: 51820,
    remotePort: 0,
  });
  for (const pid of [4100, 4101, 4102, 4103]) {
    s.processes[String(pid)] = {
      pid,
      name: pid === 4103 ? "wireguard-go-userspace" : "postgres",
      user: "postgres",
      uid: 110,
      cmdline: pid === 4103
        ? ["/usr/local/bin/wireguard-go-userspace", "--foreground", "--log-level=debug", "wg0"]
        : [`postgres: 16/main: app appdb 2001:db8:aaaa:${pid}::2(50123) idle in transaction`],
    };
  }
  const veths = ["veth-a0", "veth-b0", "vethab12cd34ef0", "vethab12cd34ef1", "br-0123456789ab"];
  for (const [n, name] of veths.entries()) {
    s.interfaces.push({
      name,
      index: 10 + n,
      mtu: 1500,
      flags: ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"],
      operState: "up",
      addresses: [{ family: "inet6", address: `fe80::dead:beef:cafe:${n + 1}`, prefixLength: 64 }],
      stats: { rxBytes: 18446744073709551615n, rxPackets: 9_007_199_254_740_993n, rxErrors: 3n },
    });
    const perLink: Route = {
      family: "inet6",
      table: 254,
      type: "unicast",
      destination: "fe80::/64",
      interface: name,
      metric: 256,
      protocol: "kernel",
    };
    s.routes.push(perLink, {
      family: "inet6",
      table: 255,
      type: "local",
      destination: `fe80::dead:beef:cafe:${n + 1}/128`,
      interface: name,
      metric: 0,
      protocol: "kernel",
      scope: "host",
      source: `2001:db8:aaaa:bbbb:cccc:dddd:eeee:${n + 1}`,
    });
  }
  s.routes.push({
    family: "inet6",
    table: 254,
    type: "unicast",
    destination: "2001:db8:aaaa:bbbb::/64",
    gateway: "fe80::b04e:e0ff:fef0:959e",
    interface: "vethab12cd34ef1",
    metric: 1024,
    protocol: "static",
    scope: "global",
    source: "2001:db8:aaaa:bbbb:cccc:dddd:eeee:1",
  });
  return s;
}

test("show -tae, -ta, -r, -i and port N fit 80 columns on wide data", () => {
  const s = wideSnapshot();
  const all = selectConnections(s, { all: true });
  const views: Record<string, string> = {
    "-tae": renderConnections(s, all, { width: 80, user: true, inode: true }),
    "-ta": renderConnections(s, all, { width: 80 }),
    "-r": renderRoutes(selectRoutes(s), { width: 80 }),
    "-i": renderInterfaces(s.interfaces, { width: 80 }),
    "port 5432": renderPortReport(s, socketsOnPort(s, 5432), { width: 80 }),
    "port 51820": renderPortReport(s, socketsOnPort(s, 51820), { width: 80 }),
  };
  for (const [name, text] of Object.entries(views)) {
    assert.ok(widest(text) <= 80, `${name}: a line of ${widest(text)} columns\n${text}`);
  }
  // What -e adds is still there, under the row when it does not fit in it.
  assert.match(views["-tae"]!, /Inode 4757971100/);
  assert.match(views["port 51820"]!, /4103\/wiregua/);
  assert.match(views["port 51820"]!, /\npid 4103: wireguard-go-userspace, user postgres\n/);
  assert.match(views["port 51820"]!, /--log-level=debug wg0/);
});

test("shortened interface names and IPv6 addresses stay distinct", () => {
  const s = wideSnapshot();
  const main = renderRoutes(selectRoutes(s, 254), { width: 80 });
  // Five fe80::/64 routes differing only in their interface: five different lines, each name whole
  // or cut so that it is still told apart.
  const perLink = main.split("\n").filter((l) => l.startsWith("fe80::/64"));
  assert.equal(perLink.length, 5 + 0, main);
  assert.equal(new Set(perLink).size, perLink.length, main);
  for (const name of ["veth-a0", "veth-b0"]) assert.ok(main.includes(` ${name} `), main);
  const sessions = renderConnections(
    s,
    s.connections.filter((c) => c.pid === 4100 || c.pid === 4101),
    { width: 80, user: true, inode: true },
  );
  const rows = blocks(sessions);
  assert.equal(rows.length, 2);
  assert.notEqual(rows[0], rows[1]);
  // The remote addresses differ in their middle (…1111… and …2222…): cut, they still differ.
  const remote = rows.map((r) => r.split(/ +/)[2]);
  assert.notEqual(remote[0], remote[1], sessions);
  assert.ok(!sessions.includes("PID/Program\n"), "a label is never left without its value");
});

test("every view of any snapshot fits 80 columns", () => {
  fc.assert(
    fc.property(arbSnapshot, (s) => {
      const texts = [
        renderConnections(s, s.connections, { width: 80, user: true, inode: true }),
        renderRoutes(selectRoutes(s), { width: 80 }),
        renderInterfaces(s.interfaces, { width: 80 }),
        renderPortReport(s, socketsOnPort(s, s.connections[0]?.localPort || 22), { width: 80 }),
        renderRules(s.rules ?? []),
        renderNeighbours(s.neighbours ?? [], undefined, 80),
        renderSettings(s.settings ?? {}, 80),
        renderQdiscs(s.qdiscs ?? [], undefined, 80),
        renderFirewall(s.firewall ?? { tables: [] }, 80),
      ];
      for (const t of texts) assert.ok(widest(t) <= 80, `${widest(t)} columns:\n${t}`);
    }),
    { numRuns: 150 },
  );
});

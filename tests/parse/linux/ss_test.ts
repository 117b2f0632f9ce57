import { test } from "node:test";
import assert from "node:assert/strict";
import { parseSs } from "../../../src/parse/linux/ss.ts";
import { fixture, jcExpected } from "../../helpers/fixtures.ts";

const TULPEN = "linux/ss-tulpen/jc-ubuntu-18.04.txt";

test("parseSs() reads every socket of ss -tulpen as jc does", () => {
  const { value: { connections }, warnings } = parseSs(fixture(TULPEN), TULPEN);
  const jc = jcExpected(TULPEN);
  assert.deepEqual(warnings, []);
  assert.equal(connections.length, jc.length);
  connections.forEach((c, i) => {
    const j = jc[i] as Record<string, unknown>;
    assert.equal(c.protocol, j.netid);
    assert.equal(c.localAddress, j.local_address);
    assert.equal(String(c.localPort), j.local_port);
    assert.equal(c.recvQ, j.recv_q);
    assert.equal(c.sendQ, j.send_q);
  });
});

test("parseSs() takes pids, process names, uid and inode from the -p and -e fields", () => {
  const { value: { connections, processes } } = parseSs(fixture(TULPEN), TULPEN);
  const avahi = connections.find((c) => c.localPort === 5353 && c.protocol === "udp")!;
  assert.equal(avahi.pid, 1510);
  assert.deepEqual(avahi.pids, [1510]);
  assert.equal(avahi.uid, 112);
  assert.equal(avahi.inode, 25147);
  const vxlan = connections.find((c) => c.localPort === 4789)!;
  assert.equal(vxlan.uid, 0, "ss -e leaves out uid:0");
  assert.equal(vxlan.pid, undefined);
  const apache = connections.find((c) => c.localPort === 80 && c.state === "LISTEN")!;
  assert.deepEqual(apache.pids, [2079, 2153, 2154, 2155, 2156, 2157, 24795]);
  assert.equal(apache.pid, 2079);
  assert.equal(processes.find((p) => p.pid === 1510)?.name, "avahi-daemon");
});

test("parseSs() keeps only TCP and UDP from ss -a, resolving service names, without warnings", () => {
  const path = "linux/ss-a/jc-ubuntu-18.04.txt";
  const { value: { connections }, warnings } = parseSs(fixture(path), path);
  assert.deepEqual(warnings, []);
  const jc = jcExpected(path).filter((j) => j.netid === "tcp" || j.netid === "udp");
  assert.equal(connections.length, jc.length);
  assert.deepEqual(
    connections.map((c) => `${c.protocol} ${c.localAddress}:${c.localPort}`),
    [
      "udp 127.0.0.53:53",
      "udp 192.168.71.131:68",
      "tcp 127.0.0.53:53",
      "tcp 0.0.0.0:22",
      "tcp 127.0.0.1:35485",
      "tcp :::22",
    ],
  );
  assert.equal(connections[5]!.family, "inet6");
});

test("parseSs() reads the old layout: * is IPv4 any, ::: IPv6 any, users without pid=", () => {
  const path = "linux/ss-tupna/insights-core-1.txt";
  const { value: { connections }, warnings } = parseSs(fixture(path), path);
  assert.deepEqual(warnings, []);
  assert.equal(connections.length, 15);
  const ssh = connections.find((c) => c.state === "ESTABLISHED" && c.localPort === 22)!;
  assert.equal(ssh.remoteAddress, "192.168.0.101");
  assert.equal(ssh.remotePort, 59232);
  assert.equal(ssh.pid, 11427);
  const any = connections.find((c) => c.state === "LISTEN" && c.localPort === 111)!;
  assert.deepEqual([any.family, any.localAddress], ["inet", "0.0.0.0"]);
  const any6 = connections.filter((c) => c.state === "LISTEN" && c.localPort === 111)[1]!;
  assert.deepEqual([any6.family, any6.localAddress], ["inet6", "::"]);
});

test("parseSs() reads the newer right-aligned layout and drops the %iface bind scope", () => {
  const path = "linux/ss-tupna/insights-core-2.txt";
  const { value: { connections }, warnings } = parseSs(fixture(path), path);
  assert.deepEqual(warnings, []);
  assert.equal(connections.length, 33);
  const dhcp = connections.find((c) => c.localPort === 67)!;
  assert.equal(dhcp.localAddress, "0.0.0.0");
  assert.equal(connections.find((c) => c.localPort === 68)!.recvQ, 9728);
  const est = connections.find((c) => c.protocol === "udp" && c.state === "ESTABLISHED")!;
  assert.equal(est.remoteAddress, "10.68.5.26");
  assert.ok(connections.every((c) => !c.localAddress.includes("%")));
});

test("parseSs() names TIME-WAIT and ESTAB the way netstat does", () => {
  const text = "State Recv-Q Send-Q Local Address:Port Peer Address:Port\n" +
    "ESTAB 0 0 10.0.0.1:22 10.0.0.2:5000\nTIME-WAIT 0 0 10.0.0.1:22 10.0.0.3:5001\n" +
    "UNCONN 0 0 0.0.0.0:68 0.0.0.0:*\n";
  const { value: { connections } } = parseSs(text);
  assert.deepEqual(connections.map((c) => [c.protocol, c.state]), [
    ["tcp", "ESTABLISHED"],
    ["tcp", "TIME_WAIT"],
    ["udp", "UNCONN"],
  ]);
});

test("parseSs() turns an unreadable line into a warning naming source and line", () => {
  const text = "Netid State Recv-Q Send-Q Local Address:Port Peer Address:Port\n" +
    "tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:*\ntcp LISTEN zero 128 0.0.0.0:23 0.0.0.0:*\n";
  const { value: { connections }, warnings } = parseSs(text, "ss.txt");
  assert.equal(connections.length, 1);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /^ss\.txt:3: cannot read ss line: /);
});

test("parseSs() says a port beyond 65535 is out of range, an unknown name unknown", () => {
  const text = "Netid State  Recv-Q Send-Q Local Address:Port Peer Address:Port\n" +
    "tcp   LISTEN 0      128    0.0.0.0:99999      0.0.0.0:*\n" +
    "tcp   LISTEN 0      128    0.0.0.0:nosuchsvc  0.0.0.0:*\n" +
    "tcp   ESTAB  0      0      10.0.0.1:22        10.0.0.2:70000\n";
  const { value, warnings } = parseSs(text, "ss.txt");
  assert.equal(value.connections.length, 0);
  assert.equal(warnings.length, 3);
  assert.match(warnings[0]!, /^ss\.txt:2: cannot read ss line \(port out of range\): /);
  assert.match(warnings[1]!, /^ss\.txt:3: cannot read ss line \(unknown port name\): /);
  assert.match(warnings[2]!, /^ss\.txt:4: cannot read ss line \(port out of range\): /);
});

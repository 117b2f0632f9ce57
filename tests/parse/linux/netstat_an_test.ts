import { test } from "node:test";
import assert from "node:assert/strict";
import { parseLinuxNetstat } from "../../../src/parse/linux/netstat_an.ts";
import { fixture, jcExpected } from "../../helpers/fixtures.ts";

const FILES = [
  "linux/netstat-aeep/jc-centos-7.7.txt",
  "linux/netstat-l/jc-centos-7.7.txt",
  "linux/netstat-lnp/jc-centos-7.7.txt",
  "linux/netstat-lnp/jc-ubuntu-18.04.txt",
  "linux/netstat-p/jc-centos-7.7.txt",
  "linux/netstat/jc-generic-old.txt",
  "linux/netstat/jc-ubuntu-18.04.txt",
];

for (const path of FILES) {
  test(`parseLinuxNetstat() reads every TCP/UDP socket of ${path} as jc does`, () => {
    const { value: { connections }, warnings } = parseLinuxNetstat(fixture(path), path);
    assert.deepEqual(warnings, []);
    const jc = jcExpected(path).filter((j) => /^(tcp|udp)6?$/.test(String(j.proto)));
    assert.equal(connections.length, jc.length);
    connections.forEach((c, i) => {
      const j = jc[i]!;
      assert.equal(c.protocol, j.transport_protocol);
      assert.equal(c.family, String(j.proto).endsWith("6") ? "inet6" : "inet");
      const addr = String(j.local_address).replace(/^\[(.*)\]$/, "$1");
      assert.equal(c.localAddress, addr === "*" ? "0.0.0.0" : addr);
      if (j.local_port_num !== undefined) assert.equal(c.localPort, j.local_port_num);
      if (j.foreign_port_num !== undefined) assert.equal(c.remotePort, j.foreign_port_num);
      assert.equal(c.state, j.state ?? "UNCONN");
      assert.equal(c.pid, j.pid);
      if (j.inode !== undefined) assert.equal(c.inode, j.inode);
    });
  });
}

test("parseLinuxNetstat() keeps host names and maps service names to ports", () => {
  const path = "linux/netstat-aeep/jc-centos-7.7.txt";
  const { value: { connections, processes } } = parseLinuxNetstat(fixture(path), path);
  const smtp = connections[0]!;
  assert.deepEqual([smtp.localAddress, smtp.localPort, smtp.uid], ["localhost", 25, 0]);
  const ssh = connections.find((c) => c.state === "ESTABLISHED" && c.localPort === 22)!;
  assert.equal(ssh.remotePort, 38134);
  assert.equal(ssh.uid, 0);
  const client = connections.find((c) => c.localPort === 38134)!;
  assert.equal(client.uid, undefined, "a user name other than root has no known uid");
  assert.equal(processes.find((p) => p.pid === 6492)?.name, "sshd: kbrazil");
});

test("parseLinuxNetstat() reads -neopa: numeric User, Inode, PID/Program and Timer columns", () => {
  const path = "linux/netstat-neopa/insights-core-1.txt";
  const { value: { connections, processes }, warnings } = parseLinuxNetstat(fixture(path), path);
  assert.deepEqual(warnings, []);
  assert.equal(connections.length, 6);
  assert.deepEqual(
    [connections[1]!.uid, connections[1]!.inode, connections[1]!.pid],
    [996, 19422, 1279],
  );
  assert.equal(processes.find((p) => p.pid === 12387)?.name, "Passenger Rac");
  const synRecv = connections[5]!;
  assert.equal(synRecv.state, "SYN_RECV");
  assert.equal(synRecv.pid, undefined, "'-' means the owner is not known");
});

test("parseLinuxNetstat() reports an unreadable socket line with its line number", () => {
  const text = "Proto Recv-Q Send-Q Local Address Foreign Address State\n" +
    "tcp 0 0 0.0.0.0:22 0.0.0.0:* LISTEN\ntcp x 0 0.0.0.0:23 0.0.0.0:* LISTEN\n";
  const { value: { connections }, warnings } = parseLinuxNetstat(text, "n.txt");
  assert.equal(connections.length, 1);
  assert.match(warnings[0]!, /^n\.txt:3: cannot read netstat line/);
});

test("parseLinuxNetstat() passes over a trailing column it does not know (netstat -Z)", () => {
  const path = "linux/netstat-lnp/jc-centos-7.7.txt";
  const text = fixture(path);
  const withContext = text.split("\n").map((l) =>
    l.startsWith("Proto ")
      ? `${l}Security Context`
      : /^(tcp|udp)/.test(l)
      ? `${l}system_u:system_r:unconfined_t:s0`
      : l
  ).join("\n");
  const plain = parseLinuxNetstat(text, path);
  const z = parseLinuxNetstat(withContext, path);
  assert.deepEqual(z.warnings, plain.warnings);
  assert.deepEqual(z.value, plain.value);
  assert.ok(z.value.connections.length > 5);
});

test("parseLinuxNetstat() says a port beyond 65535 is out of range, a name it does not know unknown", () => {
  const text = "Proto Recv-Q Send-Q Local Address Foreign Address State\n" +
    "tcp 0 0 0.0.0.0:99999 0.0.0.0:* LISTEN\ntcp 0 0 0.0.0.0:nosuchsvc 0.0.0.0:* LISTEN\n";
  const { value: { connections }, warnings } = parseLinuxNetstat(text, "n.txt");
  assert.equal(connections.length, 0);
  assert.match(warnings[0]!, /^n\.txt:2: cannot read netstat line \(port out of range\): /);
  assert.match(warnings[1]!, /^n\.txt:3: cannot read netstat line \(unknown port name\): /);
});

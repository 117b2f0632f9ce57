import { test } from "node:test";
import assert from "node:assert/strict";
import { parseLsof } from "../../../src/parse/bsd/lsof.ts";
import { testdata } from "./helpers.ts";

// Both inputs are hand-written from lsof's documented layouts (tests/testdata/darwin/README.md).

test("parseLsof() reads -F field output: pid, command, user, uid, ppid and every TCP/UDP socket", () => {
  const { value: sockets, warnings } = parseLsof(testdata("darwin/capture/lsof-F.txt"), "lsof-F");
  assert.deepEqual(warnings, []);
  assert.equal(sockets.length, 12);
  assert.deepEqual(sockets[0], {
    pid: 1,
    command: "launchd",
    user: "root",
    uid: 0,
    ppid: 0,
    protocol: "tcp",
    family: "inet6",
    localAddress: "::",
    localPort: 22,
    state: "LISTEN",
  });
  const v6 = sockets.find((s) => s.localPort === 50000)!;
  assert.equal(v6.command, "Slack Helper");
  assert.equal(v6.remoteAddress, "2607:f8b0:4003:c00::6a");
  assert.equal(v6.remotePort, 443);
  assert.equal(sockets.find((s) => s.localPort === 1023)?.localAddress, "fe80::1%lo0");
  const udp = sockets.find((s) => s.protocol === "udp" && s.remotePort === 53)!;
  assert.equal(udp.state, undefined);
  assert.equal(sockets.filter((s) => s.localPort === 80).map((s) => s.pid).join(), "500,501");
});

test("parseLsof() reads the column layout, NAME with its (STATE) and bracketed IPv6", () => {
  const { value: sockets, warnings } = parseLsof(testdata("darwin/lsof-columns.txt"));
  assert.deepEqual(warnings, []);
  assert.equal(sockets.length, 7);
  assert.deepEqual(sockets[1], {
    pid: 137,
    command: "cupsd",
    user: "root",
    protocol: "tcp",
    family: "inet",
    localAddress: "127.0.0.1",
    localPort: 631,
    state: "LISTEN",
  });
  const v6 = sockets.find((s) => s.pid === 420)!;
  assert.equal(v6.localAddress, "2600:1700:bab0:d40::24");
  assert.equal(v6.state, "ESTABLISHED");
  assert.equal(v6.command, "Slack H");
});

test("parseLsof() reads NUL-separated field output (-F0) the same way", () => {
  const text = testdata("darwin/capture/lsof-F.txt");
  const a = parseLsof(text);
  const b = parseLsof(text.replaceAll("\n", "\0"));
  assert.deepEqual(b, a);
});

test("parseLsof() warns on an unreadable endpoint and refuses text that is not lsof output", () => {
  const { value: sockets, warnings } = parseLsof(
    "p9\ncx\nf3\ntIPv4\nPTCP\nnnot-an-endpoint\nf4\ntIPv4\nPUDP\nn*:53\n",
    "l.txt",
  );
  assert.equal(sockets.length, 1);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /^l\.txt:3: cannot read local endpoint: "/);
  assert.throws(() => parseLsof("hello", "x"), { name: "ParseError" });
  assert.deepEqual(parseLsof(""), { value: [], warnings: [] });
});

test("parseLsof() writes BSD states as nsnap names them (ST=SYN_RCVD is SYN_RECV)", () => {
  const text = "p9\ncnginx\nf3\ntIPv4\nPTCP\nn10.0.0.1:80->10.0.0.2:4000\nTST=SYN_RCVD\n" +
    "f4\ntIPv4\nPTCP\nn10.0.0.1:80->10.0.0.3:4000\nTST=FIN_WAIT_1\n" +
    "f5\ntIPv4\nPTCP\nn10.0.0.1:81->10.0.0.3:4001\nTST=CLOSED\n";
  const { value, warnings } = parseLsof(text);
  assert.deepEqual(warnings, []);
  assert.deepEqual(value.map((s) => s.state), ["SYN_RECV", "FIN_WAIT1", "CLOSE"]);
});

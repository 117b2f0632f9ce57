/**
 * /proc/net/unix and /proc/net/packet, read from real files (tests/testdata/procnet, recorded
 * with the `ss` output that shows the same sockets), and their damaged copies.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseProcNetUnix } from "../../../src/parse/linux/proc_net_unix.ts";
import { parseProcNetPacket } from "../../../src/parse/linux/proc_net_packet.ts";
import { parseProcNetSockets } from "../../../src/parse/linux/proc_net_tcp.ts";

const procnet = (name: string) =>
  readFileSync(new URL(`../../testdata/procnet/${name}`, import.meta.url), "latin1");

test("parseProcNetUnix() reads listeners, a socketpair and abstract names as ss -xan shows them", () => {
  const r = parseProcNetUnix(procnet("unix.txt"));
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(r.value, [
    { type: "stream", state: "LISTEN", inode: 1250446, path: "/tmp/nsnap-rec.sock" },
    { type: "stream", state: "ESTABLISHED", inode: 1250450 },
    { type: "stream", state: "ESTABLISHED", inode: 1250449 },
    { type: "dgram", state: "UNCONN", inode: 1250447, path: "@nsnap-rec-dgram", abstract: true },
    {
      type: "seqpacket",
      state: "LISTEN",
      inode: 1250448,
      path: "@nsnap-rec-seq",
      abstract: true,
    },
  ]);
});

test("parseProcNetUnix() keeps spaces and UTF-8 in a path and warns on a broken line", () => {
  const latin1 = (s: string) => String.fromCharCode(...new TextEncoder().encode(s));
  const text = "Num       RefCount Protocol Flags    Type St Inode Path\n" +
    latin1("0000000002c7d038: 00000002 00000000 00010000 0001 01 77 /run/my app/süß.sock\n") +
    "garbage line\n" +
    "0000000002c7d039: 00000002 00000000 00000000 0002 01 78\n";
  const r = parseProcNetUnix(text, "unix");
  assert.deepEqual(r.value.map((u) => u.path), ["/run/my app/süß.sock", undefined]);
  assert.deepEqual(r.warnings, ['unix:3: cannot read UNIX socket line: "garbage line"']);
});

test("parseProcNetPacket() reads type, protocol, interface index, queue, uid and inode", () => {
  const r = parseProcNetPacket(procnet("packet.txt"));
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(r.value, [
    { type: "raw", protocol: 3, recvQ: 34304, uid: 0, inode: 1250451 },
    { type: "raw", protocol: 0x0806, recvQ: 0, uid: 0, inode: 1250452, ifindex: 3 },
  ]);
  const bad = parseProcNetPacket("sk RefCnt\n00000000f2d206f1 3 3 zz 0 1 0 0 1\n", "packet");
  assert.equal(bad.value.length, 0);
  assert.match(bad.warnings[0]!, /^packet:2: cannot read packet socket line/);
});

test("/proc/net/raw and raw6 read as UDP lines: the port is the IP protocol", () => {
  const v4 = parseProcNetSockets(procnet("raw.txt"), "udp", "inet", "raw").value;
  const v6 = parseProcNetSockets(procnet("raw6.txt"), "udp", "inet6", "raw6").value;
  assert.deepEqual(
    [...v4, ...v6].map((c) => [c.localAddress, c.localPort, c.state, c.inode]),
    [["0.0.0.0", 1, "UNCONN", 1250453], ["::", 58, "UNCONN", 1250454]],
  );
});

/**
 * The netlink FFI layer in this process's own namespace, without privileges: a TCP listener, a UDP
 * socket and a UNIX listener this test opens are in the dumps with the inodes stat() gives their
 * descriptors, and the loopback link is there with its counters.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import dgram from "node:dgram";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { netlinkAvailable } from "../../../src/runtime/netlink.ts";
import { dumpInetSockets, dumpLinks, dumpUnixSockets } from "../../../src/collect/linux/netlink.ts";

const linux = process.platform === "linux";

/** Inodes of the sockets this process holds, by stat() of each descriptor. */
function ownSocketInodes(): Set<number> {
  const out = new Set<number>();
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      const st = statSync(`/proc/self/fd/${fd}`);
      if (st.isSocket()) out.add(st.ino);
    } catch { /* closed meanwhile */ }
  }
  return out;
}

test("dumpInetSockets() and dumpUnixSockets() find the sockets this process opened", {
  skip: !linux,
}, async () => {
  assert.ok(netlinkAvailable().ok);
  const dir = mkdtempSync(join(tmpdir(), "nsnap-nl-"));
  const tcp = net.createServer();
  const unix = net.createServer();
  const udp = dgram.createSocket("udp4");
  try {
    await new Promise<void>((resolve) => tcp.listen(0, "127.0.0.1", 5, resolve));
    await new Promise<void>((resolve) => unix.listen(join(dir, "s.sock"), resolve));
    await new Promise<void>((resolve) => udp.bind(0, "127.0.0.1", resolve));
    const tcpPort = (tcp.address() as net.AddressInfo).port;
    const udpPort = udp.address().port;
    const mine = ownSocketInodes();
    const inet = dumpInetSockets({ tcpInfo: "summary" });
    assert.ok(inet.ok, inet.ok ? "" : inet.reason);
    const listener = inet.records.find((s) => s.protocol === "tcp" && s.localPort === tcpPort);
    assert.ok(listener, "the TCP listener is in the dump");
    assert.deepEqual([listener.state, listener.localAddress], ["LISTEN", "127.0.0.1"]);
    // The backlog is the runtime's choice (Bun takes 512 whatever listen() is given).
    assert.ok(listener.sendQ >= 5, `backlog ${listener.sendQ}`);
    assert.ok(mine.has(listener.inode), "with the inode of our descriptor");
    assert.equal(listener.uid, process.getuid!());
    const u = inet.records.find((s) => s.protocol === "udp" && s.localPort === udpPort);
    assert.ok(u && mine.has(u.inode) && u.state === "UNCONN");
    const unixDump = dumpUnixSockets();
    assert.ok(unixDump.ok, unixDump.ok ? "" : unixDump.reason);
    const path = unixDump.records.find((s) => s.path === join(dir, "s.sock"));
    assert.ok(path && mine.has(path.inode) && path.state === "LISTEN" && path.type === "stream");
  } finally {
    tcp.close();
    unix.close();
    udp.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("dumpLinks() lists the loopback device with its counters", { skip: !linux }, () => {
  const r = dumpLinks();
  assert.ok(r.ok, r.ok ? "" : r.reason);
  const lo = r.records.find((l) => l.name === "lo");
  assert.ok(lo);
  assert.equal(lo.hwType, 772);
  assert.equal(typeof lo.stats?.rxBytes, "bigint");
});

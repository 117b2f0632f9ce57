/**
 * The netlink FFI layer in this process's own namespace, without privileges: a TCP listener, a UDP
 * socket and a UNIX listener this test opens are in the dumps with the inodes stat() gives their
 * descriptors, and the loopback link is there with its counters. The TCP sockets of both families
 * come from one request, and from one request per family where the kernel refuses that one.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import dgram from "node:dgram";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { NETLINK_SOCK_DIAG, netlinkAvailable } from "../../../src/runtime/netlink.ts";
import {
  dumpInetSockets,
  dumpLinks,
  type DumpPart,
  dumpUnixSockets,
  runDump,
} from "../../../src/collect/linux/netlink.ts";
import { AF_INET, AF_INET6 } from "../../../src/parse/netlink/addresses.ts";
import {
  extBit,
  INET_DIAG_INFO,
  inetDiagDecoder,
  inetDiagRequest,
  type InetSocket,
  IPPROTO_TCP,
  TCPDIAG_GETSOCK,
  tcpDiagRequest,
} from "../../../src/parse/netlink/inet_diag.ts";
import { newRequest } from "../../../src/parse/netlink/nlmsg.ts";

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

/**
 * Runs `fn` while a TCP listener is open on each loopback address the host has (::1 may be
 * missing); `ports` maps each address to its listener's port.
 */
async function withListeners(fn: (ports: Map<string, number>) => void): Promise<void> {
  const servers: net.Server[] = [], ports = new Map<string, number>();
  try {
    for (const host of ["127.0.0.1", "::1"]) {
      const s = net.createServer();
      const bound = await new Promise<boolean>((resolve) => {
        s.once("error", () => resolve(false));
        s.listen(0, host, () => resolve(true));
      });
      if (!bound) continue;
      servers.push(s);
      ports.set(host, (s.address() as net.AddressInfo).port);
    }
    fn(ports);
  } finally {
    for (const s of servers) s.close();
  }
}

/** A complete dump, without warnings, that holds every listener of `ports`. */
function assertHasListeners(
  r: ReturnType<typeof runDump<InetSocket>>,
  ports: Map<string, number>,
): void {
  assert.ok(r.ok, r.ok ? "" : r.reason);
  assert.deepEqual([r.incomplete, r.warnings], [[], []]);
  const found = [...ports].filter(([host, port]) =>
    r.records.some((s) => s.state === "LISTEN" && s.localAddress === host && s.localPort === port)
  );
  assert.deepEqual(found.map(([host]) => host), [...ports.keys()]);
}

test("dumpInetSockets() reads the TCP sockets of both families with one request", {
  skip: !linux,
}, () =>
  withListeners((ports) => {
    assertHasListeners(dumpInetSockets({ protocols: ["tcp"] }), ports);
  }));

test("the kernel answers the one TCP request itself: both listeners, no fallback asked", {
  skip: !linux,
}, () =>
  withListeners((ports) => {
    // No `otherwise`: were the request refused, this would say so.
    assertHasListeners(
      runDump(NETLINK_SOCK_DIAG, undefined, [{
        name: "tcp",
        request: (seq) => tcpDiagRequest(seq, extBit(INET_DIAG_INFO)),
        decoder: inetDiagDecoder("tcp", "summary"),
      }]),
      ports,
    );
  }));

test("a request the kernel refuses is replaced by its per-family requests, without a warning", {
  skip: !linux,
}, () =>
  withListeners((ports) => {
    const decoder = inetDiagDecoder("tcp");
    // Shorter than an inet_diag_req: the kernel answers EINVAL.
    const refused = (seq: number) => newRequest(TCPDIAG_GETSOCK, seq, 8).bytes;
    const alone = runDump(NETLINK_SOCK_DIAG, undefined, [{
      name: "tcp",
      request: refused,
      decoder,
    }]);
    assert.ok(alone.ok);
    assert.deepEqual(alone.incomplete, ["tcp"]);
    assert.match(alone.warnings.join("\n"), /^tcp: the kernel answered EINVAL/);
    const perFamily: DumpPart<InetSocket>[] = ([[AF_INET, "tcp4"], [AF_INET6, "tcp6"]] as const)
      .map(([family, name]) => ({
        name,
        request: (seq: number) => inetDiagRequest(seq, family, IPPROTO_TCP),
        decoder,
      }));
    assertHasListeners(
      runDump(NETLINK_SOCK_DIAG, undefined, [
        { name: "tcp", request: refused, decoder, otherwise: perFamily },
      ]),
      ports,
    );
  }));

test("dumpLinks() lists the loopback device with its counters", { skip: !linux }, () => {
  const r = dumpLinks();
  assert.ok(r.ok, r.ok ? "" : r.reason);
  const lo = r.records.find((l) => l.name === "lo");
  assert.ok(lo);
  assert.equal(lo.hwType, 772);
  assert.equal(typeof lo.stats?.rxBytes, "bigint");
});

/**
 * The sock_diag codecs on answers recorded from this machine's kernel (Linux 6.18) in the scenario
 * namespace of tests/system/netlink/_scenario.ts, and on hand-built corner cases.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ALL_STATES,
  extBit,
  INET_DIAG_INFO,
  INET_DIAG_PROTOCOL,
  INET_DIAG_SKV6ONLY,
  inetDiagDecoder,
  inetDiagRequest,
  type InetSocket,
  IPPROTO_RAW,
  TCPDIAG_GETSOCK,
  tcpDiagRequest,
} from "../../../src/parse/netlink/inet_diag.ts";
import { decodeDump } from "../../../src/parse/netlink/nlmsg.ts";
import { etherProtocolName, packetDiagDecoder } from "../../../src/parse/netlink/packet_diag.ts";
import {
  decodeTcpInfo,
  summarizeTcpInfo,
  TCP_INFO_KNOWN,
  tcpOptionNames,
} from "../../../src/parse/netlink/tcp_info.ts";
import { unixDiagDecoder } from "../../../src/parse/netlink/unix_diag.ts";
import { answer, attr, concat, decodeFixture, done, message } from "./_fixtures.ts";

function find(list: InetSocket[], port: number, state?: string): InetSocket {
  const s = list.find((x) => x.localPort === port && (state === undefined || x.state === state));
  assert.ok(s, `no socket on port ${port} ${state ?? ""}`);
  return s;
}

test("inet_diag: a LISTEN socket's queues are its accept queue and backlog", () => {
  const r = decodeFixture("inet_tcp4.bin", inetDiagDecoder("tcp"));
  assert.deepEqual(r.warnings, []);
  assert.equal(r.done, true);
  const l = find(r.records, 7001, "LISTEN");
  assert.equal(l.localAddress, "127.0.0.1");
  assert.equal(l.recvQ, 2, "two connections wait to be accepted");
  assert.equal(l.sendQ, 7, "listen(7)");
  assert.equal(l.protocol, "tcp");
  assert.equal(l.family, "inet");
});

test("inet_diag: a SO_BINDTODEVICE listener carries its device index", () => {
  const r = decodeFixture("inet_tcp4.bin", inetDiagDecoder("tcp"));
  assert.equal(find(r.records, 7002, "LISTEN").ifindex, 3); // nl0 in links.bin
  assert.equal(find(r.records, 7001, "LISTEN").ifindex, undefined);
});

test("inet_diag: an established socket shows unread bytes, keepalive timer and tcp_info", () => {
  const r = decodeFixture("inet_tcp4.bin", inetDiagDecoder("tcp"));
  const server = r.records.find((s) => s.localPort === 7005 && s.state === "ESTABLISHED")!;
  assert.equal(server.recvQ, 100);
  const client = r.records.find((s) => s.remotePort === 7005 && s.state === "ESTABLISHED")!;
  assert.equal(client.timer?.name, "keepalive");
  assert.ok(client.timer!.expiresMs > 7_000_000 && client.timer!.expiresMs <= 7_200_000);
  assert.equal(client.congestion, "bbr");
  const info = client.tcpInfo!;
  assert.equal(info.state, 1);
  assert.equal(info.bytesAcked, 101n, "100 bytes and the SYN");
  assert.equal(server.tcpInfo!.bytesReceived, 100n);
  assert.ok(info.rtt > 0 && info.rtt < 1_000_000, `rtt ${info.rtt} µs`);
  assert.ok(info.sndCwnd >= 1);
  assert.deepEqual(tcpOptionNames(info.options).slice(0, 3), ["ts", "sack", "wscale"]);
  assert.ok(client.memInfo && client.memInfo.sndBuf > 0);
  assert.equal(typeof client.cookie, "bigint");
  assert.ok(client.inode > 0);
});

test("inet_diag: the summary detail keeps the health fields of tcp_info and nothing else", () => {
  const full = decodeFixture("inet_tcp4.bin", inetDiagDecoder("tcp", "full")).records;
  const summary = decodeFixture("inet_tcp4.bin", inetDiagDecoder("tcp", "summary")).records;
  assert.equal(summary.length, full.length);
  summary.forEach((s, i) => {
    const f = full[i]!;
    assert.equal(s.tcpInfo, undefined);
    assert.equal(f.tcpSummary, undefined);
    assert.deepEqual(s.tcpSummary, f.tcpInfo ? summarizeTcpInfo(f.tcpInfo) : undefined);
    const { tcpSummary: _s, ...rest } = s;
    const { tcpInfo: _i, ...restFull } = f;
    assert.deepEqual(rest, restFull);
  });
  assert.ok(summary.some((s) => s.tcpSummary && s.tcpSummary.rtt > 0));
});

test("inet_diag: TIME_WAIT has a timewait timer and no owner; unaccepted children no inode", () => {
  const r = decodeFixture("inet_tcp4.bin", inetDiagDecoder("tcp"));
  const tw = r.records.find((s) => s.state === "TIME_WAIT")!;
  assert.equal(tw.remotePort, 7009);
  assert.equal(tw.timer?.name, "timewait");
  assert.ok(tw.timer!.expiresMs <= 60_000);
  assert.equal(tw.inode, 0);
  assert.equal(tw.tcpInfo, undefined);
  const children = r.records.filter((s) => s.localPort === 7001 && s.state === "ESTABLISHED");
  assert.equal(children.length, 2);
  for (const c of children) assert.equal(c.inode, 0);
});

test("inet_diag: v6only tells a v6-only [::] listener from a dual-stack one", () => {
  const r = decodeFixture("inet_tcp6.bin", inetDiagDecoder("tcp"));
  assert.deepEqual(r.warnings, []);
  assert.equal(find(r.records, 7003, "LISTEN").v6only, true);
  assert.equal(find(r.records, 7004, "LISTEN").v6only, false);
  assert.equal(find(r.records, 7003, "LISTEN").localAddress, "::");
  const pair = r.records.filter((s) => s.state === "ESTABLISHED");
  assert.deepEqual(pair.map((s) => s.localAddress), ["::1", "::1"]);
});

test("inet_diag: UDP sockets are UNCONN, one bound to a device", () => {
  const r4 = decodeFixture("inet_udp4.bin", inetDiagDecoder("udp"));
  assert.deepEqual(
    r4.records.map((s) => [s.localAddress, s.localPort, s.state, s.ifindex]),
    [["0.0.0.0", 7007, "UNCONN", undefined], ["10.77.5.1", 7010, "UNCONN", 3]],
  );
  const r6 = decodeFixture("inet_udp6.bin", inetDiagDecoder("udp"));
  assert.deepEqual(r6.records.map((s) => [s.localAddress, s.localPort, s.v6only]), [[
    "::",
    7008,
    false,
  ]]);
});

test("inet_diag: a raw socket's protocol comes from INET_DIAG_PROTOCOL and its port", () => {
  // Hand-built: this kernel has no raw_diag, so there is no recorded answer to read.
  const msg = new Uint8Array(72);
  const v = new DataView(msg.buffer);
  v.setUint8(0, 10); // AF_INET6
  v.setUint8(1, 7); // CLOSE
  v.setUint16(4, 58, false); // the "port" is the protocol
  v.setUint32(64, 1000, true); // uid
  v.setUint32(68, 4242, true); // inode
  const bytes = concat(
    message(
      20,
      concat(
        msg,
        attr(INET_DIAG_PROTOCOL, new Uint8Array([58])),
        attr(INET_DIAG_SKV6ONLY, new Uint8Array([1])),
      ),
    ),
    done(),
  );
  const r = decodeDump(bytes, 1, inetDiagDecoder("raw"), "raw6");
  assert.deepEqual(r.warnings, []);
  const s = r.records[0]!;
  assert.equal(s.state, "UNCONN");
  assert.equal(s.localAddress, "::");
  assert.equal(s.localPort, 58);
  assert.equal(s.rawProtocol, 58);
  assert.equal(s.uid, 1000);
  assert.equal(s.inode, 4242);
  assert.equal(s.v6only, true);
});

test("inet_diag: an attribute cut short is a warning and the socket is still there", () => {
  const msg = new Uint8Array(72);
  new DataView(msg.buffer).setUint8(0, 2);
  const info = attr(INET_DIAG_INFO, new Uint8Array(280));
  new DataView(info.buffer).setUint16(0, 900, true); // claims more than the message holds
  const r = decodeDump(
    concat(message(20, concat(msg, info)), done()),
    1,
    inetDiagDecoder("tcp"),
    "tcp",
  );
  assert.equal(r.records.length, 1);
  assert.equal(r.records[0]!.tcpInfo, undefined);
  assert.match(r.warnings[0]!, /tcp socket 0\.0\.0\.0:0: an attribute runs past the end/);
});

test("inet_diag: an answer shorter than inet_diag_msg is skipped with a warning", () => {
  const r = decodeDump(
    concat(message(20, new Uint8Array(40)), done()),
    1,
    inetDiagDecoder("udp"),
    "udp",
  );
  assert.deepEqual(r.records, []);
  assert.match(r.warnings[0]!, /too short/);
});

test("inetDiagRequest asks for one family and protocol, every state, and the extensions", () => {
  const req = inetDiagRequest(9, 10, IPPROTO_RAW, extBit(INET_DIAG_INFO), ALL_STATES, 1);
  const v = new DataView(req.buffer);
  assert.equal(req.length, 72);
  assert.equal(v.getUint16(4, true), 20); // SOCK_DIAG_BY_FAMILY
  assert.deepEqual([v.getUint8(16), v.getUint8(17), v.getUint8(18), v.getUint8(19)], [
    10,
    255,
    2,
    1,
  ]);
  assert.equal(v.getUint32(20, true), 0xffffffff);
});

test("tcpDiagRequest asks for the TCP sockets of both families in one inet_diag_req", () => {
  const req = tcpDiagRequest(7, extBit(INET_DIAG_INFO), 0x0a);
  const v = new DataView(req.buffer);
  assert.equal(req.length, 76);
  assert.equal(v.getUint32(0, true), 76);
  assert.equal(v.getUint16(4, true), TCPDIAG_GETSOCK);
  assert.equal(v.getUint32(8, true), 7);
  // Family unset (both), no address lengths, the extensions.
  assert.deepEqual([...req.subarray(16, 20)], [0, 0, 0, 2]);
  // The socket id: any, with "no cookie" as all ones.
  assert.ok(req.subarray(20, 60).every((b) => b === 0));
  assert.ok(req.subarray(60, 68).every((b) => b === 0xff));
  assert.equal(v.getUint32(68, true), 0x0a); // states
  assert.equal(v.getUint32(72, true), 0); // dbs
});

test("tcp_info: a shorter struct from an older kernel leaves the missing fields absent", () => {
  const full = decodeFixture("inet_tcp4.bin", inetDiagDecoder("tcp")).records.find((s) =>
    s.tcpInfo && s.state === "ESTABLISHED"
  )!;
  // Rebuild the struct's bytes from a recorded answer: find the INFO attribute's payload.
  const bytes = answer("inet_tcp4.bin");
  const v = new DataView(bytes.buffer, bytes.byteOffset);
  let at = -1;
  for (let i = 16 + 72; i + 4 < bytes.length; i += 4) {
    if (
      v.getUint16(i, true) === 4 + TCP_INFO_KNOWN && v.getUint16(i + 2, true) === INET_DIAG_INFO
    ) {
      at = i + 4;
      break;
    }
  }
  assert.ok(at > 0, "an INET_DIAG_INFO of 280 bytes");
  const long = decodeTcpInfo(v, at, TCP_INFO_KNOWN)!;
  const old = decodeTcpInfo(v, at, 160)!; // Linux 4.6-ish: up to delivery_rate's start
  assert.equal(old.rtt, long.rtt);
  assert.equal(old.dataSegsOut, long.dataSegsOut);
  assert.equal("deliveryRate" in old, false);
  assert.equal("totalRto" in old, false);
  assert.equal(decodeTcpInfo(v, at, 103), undefined, "shorter than the oldest struct");
  // A newer kernel's longer struct: the known part reads the same.
  const padded = new Uint8Array(TCP_INFO_KNOWN + 24);
  padded.set(bytes.subarray(at, at + TCP_INFO_KNOWN));
  assert.deepEqual(decodeTcpInfo(new DataView(padded.buffer), 0, padded.length), long);
  assert.ok(full.tcpInfo!.totalRto !== undefined);
});

test("unix_diag: paths, abstract names, types, listener backlog and peers", () => {
  const r = decodeFixture("unix.bin", unixDiagDecoder());
  assert.deepEqual(r.warnings, []);
  const byPath = new Map(r.records.filter((s) => s.path).map((s) => [s.path!, s]));
  const stream = byPath.get("/tmp/nsnap-nl-rec.sock")!;
  assert.equal(stream.type, "stream");
  assert.equal(stream.state, "LISTEN");
  assert.equal(stream.sendQ, 16, "listen(16)");
  assert.equal(stream.abstract, undefined);
  assert.ok(stream.vfs && stream.vfs.inode > 0);
  const dgram = byPath.get("@nsnap-nl-rec-dgram")!;
  assert.equal(dgram.type, "dgram");
  assert.equal(dgram.state, "UNCONN");
  assert.equal(dgram.abstract, true);
  assert.equal(byPath.get("@nsnap-nl-rec-seq")!.type, "seqpacket");
  const pair = r.records.filter((s) => s.path === undefined);
  assert.equal(pair.length, 2);
  assert.equal(pair[0]!.peerInode, pair[1]!.inode);
  assert.equal(pair[1]!.peerInode, pair[0]!.inode);
  assert.ok(r.records.every((s) => s.uid === 0 && s.memInfo !== undefined));
});

test("packet_diag: protocol, bound device and flags of packet sockets", () => {
  const r = decodeFixture("packet.bin", packetDiagDecoder());
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(
    r.records.map((s) => [s.type, etherProtocolName(s.protocol), s.ifindex, s.flags]),
    [["raw", "ALL", undefined, ["running"]], ["raw", "arp", 3, ["running"]]],
  );
  assert.equal(etherProtocolName(0x88b5), "0x88b5");
});

/** The ss views' cells: timers as ss -o prints them, the ss -ti line, UNIX/raw/packet tables. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { tcpInfoText, timerText, timerTime } from "../../src/render/show_tcp_info.ts";
import {
  renderPacketSockets,
  renderRawSockets,
  renderUnixSockets,
} from "../../src/render/show_sockets.ts";
import { endpointText } from "../../src/render/show_connections.ts";
import { textWidth } from "../../src/render/table.ts";
import { sampleSnapshot } from "../view/fixture.ts";

test("timerTime() writes a timer's expiry as ss does", () => {
  assert.equal(timerTime(7_140_000), "119min");
  assert.equal(timerTime(72_000), "1min12sec");
  assert.equal(timerTime(59_000), "59sec");
  assert.equal(timerTime(1_500), "1sec500ms");
  assert.equal(timerTime(12_300), "12sec");
  assert.equal(timerTime(204), "204ms");
  assert.equal(timerTime(0), "0");
  assert.equal(
    timerText({ name: "keepalive", expiresMs: 7_140_000, retrans: 0 }),
    "keepalive,119min,0",
  );
});

test("tcpInfoText() prints rtt in ms, retrans as in flight/total, lost when any", () => {
  assert.equal(
    tcpInfoText({ rtt: 55, rttvar: 27, retrans: 0, totalRetrans: 5, lost: 0 }),
    "rtt:0.055/0.027 retrans:0/5",
  );
  const full = tcpInfoText({
    rtt: 38_200,
    rttvar: 1_000,
    retrans: 1,
    totalRetrans: 1204,
    lost: 3,
    congestion: "cubic",
    rto: 204_000,
    sndCwnd: 10,
    sndSsthresh: 0x7fffffff,
    bytesAcked: 123n,
  });
  assert.equal(full, "cubic rto:204 rtt:38.2/1 cwnd:10 bytes_acked:123 retrans:1/1204 lost:3");
});

test("a bound device and a link-local scope read as ss prints them", () => {
  assert.equal(endpointText("0.0.0.0", 7800, "eth1"), "0.0.0.0%eth1:7800");
  assert.equal(endpointText("fe80::1", 22, "eth0"), "[fe80::1]%eth0:22");
  assert.equal(endpointText("::", 0), "[::]:*");
});

test("the UNIX, raw and packet tables show names, protocols, devices and holders in 80 columns", () => {
  const s = sampleSnapshot();
  const unix = renderUnixSockets(s, [
    {
      type: "stream",
      state: "LISTEN",
      path: "/run/php/php8.2-fpm-www.sock",
      recvQ: 0,
      sendQ: 0,
      backlog: 511,
      inode: 4748135,
      pid: 1000,
    },
    { type: "dgram", state: "UNCONN", path: "@/org/freedesktop/systemd1/notify", inode: 4748136 },
    { type: "stream", state: "ESTABLISHED", inode: 4748137, peerInode: 4748138, pid: 1001 },
  ], { width: 80 });
  assert.match(
    unix,
    /^u_str LISTEN +0 +511 \/run\/php\/php8\.2-fpm-www\.sock +4748135 +1000\/nginx/m,
  );
  assert.match(unix, /^u_dgr UNCONN +- +- @\/org\/freedesktop\/systemd1\/notify +4748136 +-$/m);
  // Peer makes room for the name first: it goes under the row.
  assert.match(unix, /^u_str ESTAB .* \* +4748137 +1001\/nginx\n {4}Peer 4748138$/m);
  const raw = renderRawSockets(s, [{
    family: "inet6",
    ipProtocol: 58,
    localAddress: "::",
    remoteAddress: "::",
    state: "UNCONN",
    recvQ: 0,
    sendQ: 0,
    interface: "eth0",
    pid: 3000,
  }], { width: 80 });
  assert.match(raw, /^raw6 +UNCONN +0 +0 \[::\]%eth0:ipv6-icmp +\[::\]:ipv6-icmp +3000\/curl$/m);
  const pkt = renderPacketSockets(s, [
    { type: "raw", protocol: 3, inode: 1, pid: 700 },
    { type: "dgram", protocol: 0x0800, interface: "eth0", recvQ: 0, inode: 2, pid: 800 },
    { type: "raw", protocol: 0x88b5, inode: 3 },
  ], { width: 80 });
  assert.match(pkt, /^p_raw +- +all +\* +700\/sshd$/m);
  assert.match(pkt, /^p_dgr +0 +ip +eth0 +800\/systemd-resolve$/m);
  assert.match(pkt, /^p_raw +- +0x88b5 +\* +-$/m);
  for (const t of [unix, raw, pkt]) {
    for (const l of t.split("\n")) assert.ok(textWidth(l) <= 80, l);
  }
});

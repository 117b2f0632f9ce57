import { test } from "node:test";
import assert from "node:assert/strict";
import { parseNetstatS } from "../../../src/parse/bsd/netstat_s.ts";
import { testdata } from "./helpers.ts";

test("parseNetstatS() keeps every number of macOS netstat -s -p tcp under TcpBsd", () => {
  const text = testdata("fixtures/darwin/netstat-s/datadog-macos-tcp.txt");
  const { value: counters, warnings } = parseNetstatS(text);
  assert.deepEqual(warnings, []);
  // Each line's leading number, plus each number in parentheses ("(0 byte)").
  const lines = text.split("\n").filter((l) => /^\t+[0-9]/.test(l)).length;
  const parens = (text.match(/\([^)]*[0-9][^)]*\)/g) ?? []).length;
  assert.equal(Object.keys(counters["TcpBsd"]!).length, lines + parens);
  assert.equal(counters["TcpBsd"]?.["packetSent"], 0n);
  assert.equal(counters["TcpBsd"]?.["dataPacketRetransmittedByte"], 0n);
  // "window update packet" appears under sent and received: the second is named by its parent.
  assert.ok("packetReceivedWindowUpdatePacket" in counters["TcpBsd"]!);
  assert.equal(counters["Tcp"]?.["RetransSegs"], 0n);
  assert.equal(counters["TcpExt"]?.["ListenOverflows"], 0n);
});

test("parseNetstatS() names singular and plural wording alike", () => {
  const one = parseNetstatS("tcp:\n\t1 packet sent\n\t\t1 data packet (1 byte) retransmitted\n");
  const many = parseNetstatS(
    "tcp:\n\t2 packets sent\n\t\t3 data packets (40 bytes) retransmitted\n",
  );
  assert.deepEqual(Object.keys(one.value["TcpBsd"]!), Object.keys(many.value["TcpBsd"]!));
  assert.equal(many.value["Tcp"]?.["OutSegs"], 2n);
  assert.equal(many.value["Tcp"]?.["RetransSegs"], 3n);
});

test("parseNetstatS() maps tcp, udp, ip and ip6 lines to kernel counter names, exactly above 2^53", () => {
  const { value: counters, warnings } = parseNetstatS(testdata("darwin/capture/netstat-s.txt"));
  assert.deepEqual(warnings, []);
  assert.deepEqual({ ...counters["Tcp"] }, {
    OutSegs: 123456n,
    RetransSegs: 120n,
    InSegs: 234567n,
    ActiveOpens: 500n,
    PassiveOpens: 80n,
    AttemptFails: 4n,
    InCsumErrors: 3n,
    InErrs: 4n,
  });
  assert.deepEqual({ ...counters["TcpExt"] }, { ListenOverflows: 7n, TCPTimeouts: 30n });
  assert.equal(counters["Udp"]?.["InDatagrams"], 4685n);
  assert.equal(counters["Udp"]?.["NoPorts"], 12n);
  assert.equal(counters["Udp"]?.["InErrors"], 3n);
  assert.equal(counters["Ip"]?.["InReceives"], 9007199254740993n);
  assert.equal(counters["Ip"]?.["OutRequests"], 280000n);
  assert.equal(counters["Ip"]?.["OutDiscards"], 5n);
  assert.equal(counters["Ip6"]?.["OutRequests"], 900n);
  assert.equal(counters["IcmpBsd"]?.["echoReply"], 10n);
  assert.equal(counters["UdpBsd"]?.["broadcastMulticastDatagramUndelivered"], 300n);
});

test("parseNetstatS() warns on a counter outside a section and refuses text with no counters", () => {
  const { warnings } = parseNetstatS("\t5 packets sent\ntcp:\n\t1 packet sent\n", "s.txt");
  assert.deepEqual(warnings, [
    's.txt:1: cannot read counter outside a protocol section: "5 packets sent"',
  ]);
  assert.throws(() => parseNetstatS("just words\n", "x"), { name: "ParseError" });
});

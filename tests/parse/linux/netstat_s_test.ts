import { test } from "node:test";
import assert from "node:assert/strict";
import { parseLinuxNetstatS } from "../../../src/parse/linux/netstat_s.ts";
import { fixture } from "../../helpers/fixtures.ts";

const PATH = "linux/netstat-s/insights-core-1.txt";

test("parseLinuxNetstatS() maps net-tools sentences back to kernel counter names", () => {
  const { value: counters, warnings } = parseLinuxNetstatS(fixture(PATH), PATH);
  assert.deepEqual(warnings, []);
  assert.equal(counters.Tcp?.RetransSegs, 428n);
  assert.equal(counters.Tcp?.OutSegs, 2890303n);
  assert.equal(counters.Tcp?.AttemptFails, 105n);
  assert.equal(counters.Udp?.NoPorts, 107n);
  assert.equal(counters.Ip?.InReceives, 3405107n);
  assert.equal(counters.Ip?.OutDiscards, 456n);
  assert.equal(counters.TcpExt?.DelayedACKLost, 9n, "number in the middle of the sentence");
  assert.equal(counters.TcpExt?.TCPLossProbes, 12n, "Name: value lines keep their name");
  assert.equal(counters.IcmpMsg?.OutType3, 254n);
  assert.equal(counters.IpExt?.InOctets, 865450302n);
});

test("parseLinuxNetstatS() reads the ICMP histograms as In/Out type counters", () => {
  const { value: counters } = parseLinuxNetstatS(fixture(PATH), PATH);
  assert.equal(counters.Icmp?.InDestUnreachs, 107n);
  assert.equal(counters.Icmp?.OutDestUnreachs, 254n);
  assert.equal(counters.Icmp?.OutEchos, 3n);
  assert.equal(counters.Icmp?.InEchoReps, 3n);
});

test("parseLinuxNetstatS() keeps every counter line: 88 lines, none lost", () => {
  const { value: counters } = parseLinuxNetstatS(fixture(PATH), PATH);
  const n = Object.values(counters).reduce((a, g) => a + Object.keys(g).length, 0);
  // 88 lines minus 8 section headers and 2 histogram titles.
  assert.equal(n, 78);
  assert.equal(counters.UdpLite, undefined, "an empty section adds no group");
});

test("parseLinuxNetstatS() keeps an unknown sentence under a derived name", () => {
  const { value: counters, warnings } = parseLinuxNetstatS(
    "Tcp:\n    7 frobnicated segments\nUdp:\n    huh\n",
    "s.txt",
  );
  assert.equal(counters.Tcp?.FrobnicatedSegments, 7n);
  assert.deepEqual(warnings, ['s.txt:4: cannot read netstat -s line: "huh"']);
});

test("parseLinuxNetstatS() keeps counters above 2^53 exact", () => {
  const { value: counters } = parseLinuxNetstatS("IpExt:\n    InOctets: 18446744073709551615\n");
  assert.equal(counters.IpExt?.InOctets, 18446744073709551615n);
});

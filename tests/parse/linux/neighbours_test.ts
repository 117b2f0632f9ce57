import { test } from "node:test";
import assert from "node:assert/strict";
import { parseIpNeigh } from "../../../src/parse/linux/ip_neigh.ts";
import { parseIpJsonNeigh } from "../../../src/parse/linux/ip_json_neigh.ts";
import { parseProcNetArp } from "../../../src/parse/linux/proc_net_arp.ts";
import { parseArpAn } from "../../../src/parse/linux/arp_an.ts";
import { describeNeighbour } from "../../../src/net/neighbours.ts";
import { routingData } from "../../helpers/routing_data.ts";

test("parseIpNeigh() and parseIpJsonNeigh() read the same entries, a FAILED one included", () => {
  const text = parseIpNeigh(routingData("ip-neigh.txt"));
  const json = parseIpJsonNeigh(routingData("ip-j-neigh.json"));
  assert.deepEqual(text.warnings, []);
  assert.deepEqual(text.value, json.value);
  const failed = text.value.find((n) => n.address === "10.77.0.9")!;
  assert.deepEqual(failed, {
    family: "inet",
    address: "10.77.0.9",
    interface: "v0",
    state: "FAILED",
  });
  const router = text.value.find((n) => n.address === "fd00:77::2")!;
  assert.deepEqual(router, {
    family: "inet6",
    address: "fd00:77::2",
    interface: "v0",
    mac: "02:00:00:00:00:12",
    state: "STALE",
    router: true,
  });
  assert.deepEqual(
    text.value.map(describeNeighbour),
    routingData("ip-neigh.txt").trimEnd().split("\n").map((l) => l.trim()),
  );
});

test("parseIpNeigh() marks proxy entries, and ip -j neigh show proxy gives the same", () => {
  const text = parseIpNeigh(routingData("ip-neigh-proxy.txt"));
  const json = parseIpJsonNeigh(routingData("ip-j-neigh-proxy.json"), "ip -j neigh", true);
  assert.deepEqual(text.value, [{
    family: "inet",
    address: "10.77.0.50",
    interface: "v0",
    proxy: true,
  }]);
  assert.deepEqual(json.value, text.value);
});

test("parseIpNeigh() reads ip -s neigh's counts past and writes MACs in lower case", () => {
  const { value, warnings } = parseIpNeigh(
    "192.168.1.1 dev eth0 lladdr 00:0C:29:AB:CD:EF ref 1 used 10/10/5 probes 1 REACHABLE\n" +
      "fe80::1 dev eth0 lladdr 00:0c:29:ab:cd:01 router extern_learn STALE\nnot a neighbour\n",
  );
  assert.equal(value[0]!.mac, "00:0c:29:ab:cd:ef");
  assert.equal(value[0]!.state, "REACHABLE");
  assert.equal(value[1]!.router, true);
  assert.equal(warnings.length, 1);
});

test("parseProcNetArp() and parseArpAn() read the same IPv4 entries; neither shows the NUD state", () => {
  const proc = parseProcNetArp(routingData("proc-net-arp.txt"));
  const arp = parseArpAn(routingData("arp-an.txt"));
  assert.deepEqual(proc.warnings, []);
  assert.deepEqual(arp.warnings, []);
  assert.deepEqual(arp.value, proc.value);
  const by = new Map(proc.value.map((n) => [n.address, n]));
  assert.deepEqual(by.get("10.77.0.2"), {
    family: "inet",
    address: "10.77.0.2",
    interface: "v0",
    mac: "02:00:00:00:00:02",
    state: "PERMANENT",
  });
  // A resolved dynamic entry: the state is not shown, so it is absent (not guessed).
  assert.equal(by.get("10.77.0.3")!.state, undefined);
  assert.equal(by.get("10.77.0.3")!.mac, "02:00:00:00:00:03");
  // FAILED in ip neigh: unresolved here, which these files call incomplete.
  assert.equal(by.get("10.77.0.9")!.state, "INCOMPLETE");
  assert.equal(by.get("10.77.0.9")!.mac, undefined);
  assert.deepEqual(by.get("10.77.0.50"), {
    family: "inet",
    address: "10.77.0.50",
    interface: "v0",
    proxy: true,
  });
});

test("parseArpAn() reads arp -a with host names (jc's CentOS 7.7 capture)", () => {
  // kellyjonbrazil/jc tests/fixtures/centos-7.7/arp-a.out @ d1927456b02e (MIT).
  const text = "gateway (192.168.71.2) at 00:50:56:f7:4a:fc [ether] on ens33\n" +
    "? (192.168.71.1) at 00:50:56:c0:00:08 [ether] on ens33\n" +
    "? (192.168.71.254) at 00:50:56:fe:7a:b4 [ether] on ens33\n";
  const { value, warnings } = parseArpAn(text);
  assert.deepEqual(warnings, []);
  assert.deepEqual(value.map((n) => [n.address, n.mac, n.interface]), [
    ["192.168.71.2", "00:50:56:f7:4a:fc", "ens33"],
    ["192.168.71.1", "00:50:56:c0:00:08", "ens33"],
    ["192.168.71.254", "00:50:56:fe:7a:b4", "ens33"],
  ]);
});

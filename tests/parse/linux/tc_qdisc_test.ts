import { test } from "node:test";
import assert from "node:assert/strict";
import { parseTcQdisc } from "../../../src/parse/linux/tc_qdisc.ts";
import { parseTcJsonQdisc } from "../../../src/parse/linux/tc_json_qdisc.ts";
import { describeQdisc } from "../../../src/net/qdiscs.ts";
import { routingData } from "../../helpers/routing_data.ts";

test("parseTcQdisc() reads tc -s qdisc: the same qdiscs and counters as tc -j -s qdisc", () => {
  const text = parseTcQdisc(routingData("tc-s-qdisc.txt"));
  const json = parseTcJsonQdisc(routingData("tc-j-s-qdisc.json"));
  assert.deepEqual(text.warnings, []);
  assert.deepEqual(json.warnings, []);
  assert.equal(text.value.length, 7);
  assert.deepEqual(
    text.value.map(({ options: _, ...q }) => ({ ...q, stats: { ...q.stats } })),
    json.value.map((q) => ({ ...q, stats: { ...q.stats } })).map((q) => {
      // The two captures were taken moments apart while tbf was still sending its backlog.
      if (q.kind !== "tbf") return q;
      const t = text.value.find((x) => x.kind === "tbf")!;
      return { ...q, stats: t.stats! };
    }),
  );
  const tbf = text.value.find((q) => q.kind === "tbf")!;
  assert.equal(tbf.options, "rate 1Mbit burst 4Kb lat 400ms");
  assert.ok(tbf.stats!.drops! > 0n, "the fixture's tbf dropped packets");
  assert.equal(tbf.parent, "root");
  const leaf = text.value.find((q) => q.kind === "bfifo")!;
  assert.deepEqual([leaf.handle, leaf.parent, leaf.options], ["10:", "1:10", "limit 30000b"]);
  const htb = text.value.find((q) => q.kind === "htb")!;
  assert.equal(
    htb.options,
    "r2q 10 default 0x10 direct_qlen 1000",
    "direct_packets_stat is a counter",
  );
  const ingress = text.value.find((q) => q.kind === "ingress")!;
  assert.deepEqual([ingress.parent, ingress.options], ["ffff:fff1", undefined]);
});

test("parseTcQdisc() reads tc qdisc without -s: options, no counters", () => {
  const { value } = parseTcQdisc(routingData("tc-qdisc.txt"));
  assert.ok(value.every((q) => q.stats === undefined));
  assert.deepEqual(
    value.map(describeQdisc),
    routingData("tc-qdisc.txt").trimEnd().split("\n").map((l) =>
      l.trimEnd().replace(/ refcnt [0-9]+/, "").replace(/ direct_packets_stat [0-9]+/, "")
        .replace(/ -+$/, "")
    ),
  );
});

test("parseTcQdisc() reads an older layout and leaves a rounded backlog out", () => {
  const { value, warnings } = parseTcQdisc(
    "qdisc pfifo_fast 0: dev eth0 root refcnt 2 bands 3 priomap  1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1\n" +
      " Sent 18446744073709551615 bytes 12 pkt (dropped 3, overlimits 0 requeues 1) \n" +
      " rate 0bit 0pps backlog 14Kb 10p requeues 1 \n",
  );
  assert.deepEqual(warnings, []);
  assert.equal(value[0]!.options, "bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1");
  assert.equal(value[0]!.stats!.bytes, 18446744073709551615n);
  assert.equal(value[0]!.stats!.backlog, undefined);
  assert.equal(value[0]!.stats!.qlen, 10n);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { detectCandidates, detectFormat, type FormatId } from "../../src/import/detect.ts";
import { fixture, fixturePaths } from "../helpers/fixtures.ts";

/** The format each fixture folder holds (platform/folder). */
const EXPECTED: Record<string, FormatId> = {
  "darwin/ifconfig": "bsd-ifconfig",
  "darwin/netstat-An": "bsd-netstat-an",
  "darwin/netstat": "bsd-netstat-an",
  "darwin/netstat-i": "bsd-netstat-i",
  "darwin/netstat-ibdln": "bsd-netstat-i",
  "darwin/netstat-rnl": "bsd-netstat-rn",
  "darwin/netstat-s": "bsd-netstat-s",
  "freebsd/ifconfig": "bsd-ifconfig",
  "freebsd/netstat-Aa": "bsd-netstat-an",
  "freebsd/netstat-AaT": "bsd-netstat-an",
  "freebsd/netstat-Aax": "bsd-netstat-an",
  "freebsd/netstat-an": "bsd-netstat-an",
  "freebsd/netstat-i": "bsd-netstat-i",
  "freebsd/netstat-ibdn": "bsd-netstat-i",
  "freebsd/netstat-r": "bsd-netstat-rn",
  "linux/ifconfig": "linux-ifconfig",
  "linux/ip-6-route": "ip-route",
  "linux/ip-addr": "ip-addr",
  "linux/ip-d-s-link": "ip-addr",
  "linux/ip-j-addr": "ip-json-addr",
  "linux/ip-o-link": "ip-addr",
  "linux/ip-o-route": "ip-route",
  "linux/ip-route-table-all": "ip-route",
  "linux/ip-route": "ip-route",
  "linux/ip-s-link": "ip-addr",
  "linux/netstat-aeep": "linux-netstat",
  "linux/netstat-i": "linux-netstat-i",
  "linux/netstat-l": "linux-netstat",
  "linux/netstat-lnp": "linux-netstat",
  "linux/netstat-neopa": "linux-netstat",
  "linux/netstat-p": "linux-netstat",
  "linux/netstat-r": "route-n",
  "linux/netstat-rne": "route-n",
  "linux/netstat-rnee": "route-n",
  "linux/netstat-s": "linux-netstat-s",
  "linux/netstat": "linux-netstat",
  "linux/proc-net-dev": "proc-net-dev",
  "linux/proc-net-dev_snmp6": "proc-net-dev_snmp6",
  "linux/proc-net-if_inet6": "proc-net-if_inet6",
  "linux/proc-net-ipv6_route": "proc-net-ipv6_route",
  "linux/proc-net-netstat": "proc-net-netstat",
  "linux/proc-net-route": "proc-net-route",
  "linux/proc-net-snmp": "proc-net-snmp",
  "linux/proc-net-snmp6": "proc-net-snmp6",
  "linux/proc-net-sockstat": "proc-net-sockstat",
  "linux/proc-net-sockstat6": "proc-net-sockstat6",
  "linux/proc-net-tcp": "proc-net-tcp",
  "linux/proc-net-tcp6": "proc-net-tcp6",
  "linux/proc-net-udp": "proc-net-udp",
  "linux/proc-net-udp6": "proc-net-udp6",
  "linux/route-6-n": "route-n",
  "linux/route-n": "route-n",
  "linux/route-vn": "route-n",
  "linux/route": "route-n",
  "linux/ss-a": "ss",
  "linux/ss-tulpen": "ss",
  "linux/ss-tupna": "ss",
};

/**
 * The procfs udp copies carry tcp rows (state 0A, LISTEN) under tcp's header (README: "copied
 * tcp-like rows"): by content they are tcp first, with udp as the other candidate.
 */
const TCP_LOOKALIKES = new Set([
  "linux/proc-net-udp/procfs-basic.txt",
  "linux/proc-net-udp/procfs-broken.txt",
]);

test("detectFormat() has an expectation for every fixture folder", () => {
  const folders = new Set(fixturePaths().map((p) => p.split("/").slice(0, 2).join("/")));
  assert.deepEqual([...folders].filter((f) => !(f in EXPECTED)), []);
});

for (const path of fixturePaths()) {
  const want = EXPECTED[path.split("/").slice(0, 2).join("/")];
  test(`detectFormat() recognises ${path} as ${want} by its content`, () => {
    const text = fixture(path);
    if (TCP_LOOKALIKES.has(path)) {
      assert.equal(detectFormat(text), "proc-net-tcp");
      assert.ok(detectCandidates(text).includes("proc-net-udp"));
    } else {
      assert.equal(detectFormat(text), want);
    }
  });
}

test("detectFormat() recognises the hand-written darwin inputs (netstat -anv, lsof)", () => {
  for (
    const [path, want] of [
      ["../darwin/netstat-anv-10.15.txt", "bsd-netstat-an"],
      ["../darwin/netstat-anv-14.txt", "bsd-netstat-an"],
      ["../darwin/lsof-columns.txt", "lsof"],
    ] as const
  ) {
    assert.equal(detectFormat(fixture(path)), want, path);
  }
  assert.equal(detectFormat("p123\ncnginx\nf6\nPTCP\nn*:80\nTST=LISTEN\n"), "lsof");
});

test("detectFormat() tells /proc/net/udp by its header and udp states", () => {
  const header = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt" +
    "   uid  timeout inode ref pointer drops\n";
  const row = "  1: 00000000:0044 00000000:0000 07 00000000:00000000 00:00000000 00000000" +
    "     0        0 1234 2 0000000000000000 0\n";
  assert.equal(detectFormat(header + row), "proc-net-udp");
  const noRef = header.replace(" ref pointer drops", "");
  assert.deepEqual(detectCandidates(noRef + row), ["proc-net-udp", "proc-net-tcp"]);
});

test("detectFormat() refuses random text, empty text, other JSON and snapshots", () => {
  for (
    const text of [
      "",
      "\n\n",
      "hello world\n",
      "Lorem ipsum dolor sit amet,\nconsectetur adipiscing elit.\n",
      "{}",
      "[]",
      '{"schema":"nsnap/v1","meta":{},"connections":[]}',
      '[{"a":1}]',
      "not json [",
      "#!/bin/sh\necho hi\n",
      "key: value\nother: thing\n",
      "1 2 3\n4 5 6\n",
      "\u0000\u0001binary",
    ]
  ) {
    assert.equal(detectFormat(text), undefined, JSON.stringify(text));
  }
});

test("detectFormat() never throws on random strings", () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 400 }), (s) => {
      const f = detectFormat(s);
      assert.ok(f === undefined || typeof f === "string");
    }),
    { numRuns: 300 },
  );
});

test("detectFormat() never throws on mutated fixtures", () => {
  const paths = fixturePaths();
  fc.assert(
    fc.property(
      fc.constantFrom(...paths),
      fc.nat(),
      fc.nat(),
      fc.string({ maxLength: 20 }),
      (path, a, b, insert) => {
        const t = fixture(path);
        const i = a % (t.length + 1), j = Math.min(t.length, i + (b % 200));
        detectFormat(t.slice(0, i) + insert + t.slice(j));
      },
    ),
    { numRuns: 200 },
  );
});

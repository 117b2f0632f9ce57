/**
 * `nsnap import` never writes a snapshot the loader refuses: out-of-range values (a queue of
 * 2^80, a pid of 1e20, a 44-digit counter, a prefix of 999) are warnings naming the file and the
 * line, and are left out (the field, the element, or the record when a required field is bad).
 * Every format of the registry gets the crafted values; every result is written in JSON and YAML
 * and read back.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { importFiles } from "../../src/import/mod.ts";
import { FORMATS } from "../../src/import/formats.ts";
import { recognise } from "../../src/import/detect.ts";
import { checkContribution } from "../../src/import/validate.ts";
import { InputError, ParseError } from "../../src/errors.ts";
import { normalizeSnapshot } from "../../src/snapshot/normalize.ts";
import { serializeSnapshot } from "../../src/snapshot/serialize.ts";
import { parseSnapshotBytes } from "../../src/snapshot/read.ts";
import type { Snapshot } from "../../src/model.ts";
import { importSeedPaths } from "../helpers/mutate.ts";

const enc = new TextEncoder();

/** Numbers no snapshot may hold where the importers put numbers. */
export const BIG = [
  "1208925819614629174706176", // 2^80: a queue, a pid, a counter
  "100000000000000000000", // 1e20
  "12345678901234567890123456789012345678901234", // 44 digits
  "18446744073709551616", // 2^64: one past the largest counter
];

/** The import written in both formats and read back, as `nsnap show` reads it. */
function readBack(s: Snapshot): Snapshot[] {
  const n = normalizeSnapshot(s);
  return (["json", "yaml"] as const).map((f) =>
    parseSnapshotBytes(enc.encode(serializeSnapshot(n, f)), `back.${f}`)
  );
}

function warningsOf(s: Snapshot): string[] {
  return Object.values(s.meta.sections).flatMap((st) => st?.warnings ?? []);
}

function importOne(name: string, text: string): Snapshot {
  const s = importFiles([{ name, text }], { time: "2026-01-01T00:00:00.000Z" });
  readBack(s);
  return s;
}

test("ss: a queue of 2^80 costs its socket, a pid of 1e20 costs the pid; both say file and line", () => {
  const text = "Netid State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n" +
    'tcp LISTEN 0 1208925819614629174706176 0.0.0.0:22 0.0.0.0:* users:(("sshd",pid=1,fd=3))\n' +
    'tcp LISTEN 0 128 0.0.0.0:80 0.0.0.0:* users:(("nginx",pid=100000000000000000000,fd=6))\n' +
    'tcp LISTEN 0 128 0.0.0.0:443 0.0.0.0:* users:(("nginx",pid=7,fd=6))\n';
  const s = importOne("t/ss.txt", text);
  assert.deepEqual(s.connections.map((c) => c.localPort), [80, 443]);
  const http = s.connections.find((c) => c.localPort === 80)!;
  assert.equal(http.pid, undefined, "the bad pid is left out");
  assert.equal(http.pids, undefined, "and the list it was the only holder of");
  assert.deepEqual(Object.keys(s.processes), ["1", "7"]);
  const w = s.meta.sections.connections.warnings ?? [];
  assert.ok(
    w.some((x) =>
      /^t\/ss\.txt:2: socket tcp 0\.0\.0\.0:22 left out: sendQ: .*1\.2089258196146292e\+24/.test(x)
    ),
    w.join("\n"),
  );
  assert.ok(w.some((x) => x.startsWith("t/ss.txt:3: pid of socket tcp 0.0.0.0:80 left out")));
  assert.ok(!w.some((x) => x.includes("process 100000000000000000000")), w.join("\n"));
  assert.equal(s.meta.sections.connections.status, "partial");
  // The left-out process is the processes section's loss, warned of there.
  const pw = s.meta.sections.processes.warnings ?? [];
  assert.ok(
    pw.some((x) => x.startsWith("t/ss.txt:3: process 100000000000000000000 nginx left out")),
    pw.join("\n"),
  );
  assert.equal(s.meta.sections.processes.status, "partial");
});

test("/proc/net/tcp: queues, uid and inode beyond 2^53 are left out with their line", () => {
  const header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt" +
    "   uid  timeout inode\n";
  const row = (tx: string, uid: string, inode: string) =>
    `   0: 0100007F:0016 00000000:0000 0A ${tx}:00000000 00:00000000 00000000 ${uid} 0 ${inode} 1 0000000000000000 100 0 0 10 0\n`;
  const text = header + row("FFFFFFFFFFFFFFFFFFFF", "0", "1") +
    row("00000000", "99999999999999999999", "2") + row("00000000", "0", BIG[2]!);
  const s = importOne("tcp.txt", text);
  const w = warningsOf(s);
  assert.equal(s.connections.length, 2, w.join("\n"));
  assert.ok(w.some((x) => x.startsWith("tcp.txt:2: ")), w.join("\n"));
  assert.ok(
    s.connections.every((c) => c.uid === undefined || Number.isSafeInteger(c.uid)),
    "no unsafe uid",
  );
  assert.ok(w.some((x) => /^tcp\.txt:[34]: /.test(x)), w.join("\n"));
});

test("/proc/net/snmp, snmp6, sockstat, netstat -s: a 44-digit counter is a warning with its line", () => {
  const cases: [string, string, RegExp][] = [
    [
      "snmp.txt",
      `Tcp: RtoAlgorithm InSegs\nTcp: 1 ${BIG[2]}\n`,
      /^snmp\.txt:2: cannot read Tcp\.InSegs \(beyond 64 bits\)/,
    ],
    [
      "snmp6.txt",
      `Ip6InReceives ${BIG[2]}\nIp6OutRequests 5\n`,
      /^snmp6\.txt:1: cannot read counter line/,
    ],
    [
      "sockstat.txt",
      `sockets: used 1\nTCP: inuse ${BIG[2]}\n`,
      /^sockstat\.txt:2: cannot read TCP inuse \(beyond 64 bits\)/,
    ],
    [
      "netstat-s.txt",
      `Tcp:\n    ${BIG[2]} active connection openings\n    3 passive connection openings\n`,
      /^netstat-s\.txt:2: cannot read counter \(beyond 64 bits\)/,
    ],
    [
      "netstat-s-named.txt",
      `TcpExt:\n    TCPTimeouts: ${BIG[3]}\n    TCPLossProbes: 1\n`,
      /^netstat-s-named\.txt:2: /,
    ],
  ];
  for (const [name, text, want] of cases) {
    const s = importOne(name, text);
    const w = s.meta.sections.counters.warnings ?? [];
    assert.ok(w.some((x) => want.test(x)), `${name}: ${w.join("\n")}`);
    for (const g of Object.values(s.counters)) {
      for (const v of Object.values(g)) assert.ok(v < 2n ** 64n, `${name}: ${v}`);
    }
  }
});

test("interfaces: an index of 1e20, an MTU of 2^80, a prefix of 999 and huge counters are left out", () => {
  const ipJson = JSON.stringify([
    { ifindex: 1e20, ifname: "eth0", flags: ["UP"], mtu: 1500, addr_info: [] },
    {
      ifindex: 2,
      ifname: "eth1",
      flags: ["UP"],
      mtu: 2 ** 80,
      addr_info: [
        { family: "inet", local: "10.0.0.1", prefixlen: 999 },
        { family: "inet", local: "10.0.0.2", prefixlen: 24 },
      ],
    },
  ]);
  const s = importOne("addr.json", ipJson);
  const eth0 = s.interfaces.find((i) => i.name === "eth0")!;
  const eth1 = s.interfaces.find((i) => i.name === "eth1")!;
  assert.equal(eth0.index, undefined);
  assert.equal(eth1.mtu, undefined);
  assert.deepEqual(eth1.addresses.map((a) => a.address), ["10.0.0.2"]);
  const w = s.meta.sections.interfaces.warnings ?? [];
  assert.ok(
    w.some((x) => x.startsWith("addr.json[0]: index of interface eth0 left out")),
    w.join("\n"),
  );
  assert.ok(
    w.some((x) =>
      x.startsWith(
        "addr.json[1]: addresses[0] (addresses[0].prefixLength) of interface eth1 left out",
      )
    ),
    w.join("\n"),
  );
  const dev = "Inter-|   Receive                                                |  Transmit\n" +
    " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n" +
    `  eth0: ${BIG[3]} 1 0 0 0 0 0 0 5 1 0 0 0 0 0 0\n`;
  const d = importOne("dev.txt", dev);
  assert.equal(d.interfaces[0]!.stats?.rxBytes, undefined);
  assert.equal(d.interfaces[0]!.stats?.txBytes, 5n);
  assert.ok(
    (d.meta.sections.interfaces.warnings ?? []).some((x) =>
      x.startsWith("dev.txt:3: cannot read eth0 rxBytes")
    ),
  );
  const netstatI = "Kernel Interface table\n" +
    "Iface             MTU    RX-OK RX-ERR RX-DRP RX-OVR    TX-OK TX-ERR TX-DRP TX-OVR Flg\n" +
    `eth0             ${BIG[0]}  ${BIG[2]} 0 0 0 1 0 0 0 BMRU\n`;
  const n = importOne("netstat-i.txt", netstatI);
  assert.equal(n.interfaces[0]!.mtu, undefined);
  assert.equal(n.interfaces[0]!.stats?.rxPackets, undefined);
  assert.ok(
    (n.meta.sections.interfaces.warnings ?? []).every((x) => x.startsWith("netstat-i.txt:3: ")),
  );
});

test("routes: a metric or table beyond 2^53 costs the route, a nexthop weight only the weight", () => {
  const s = importOne(
    "route.txt",
    `default via 10.0.0.1 dev eth0 metric ${
      BIG[1]
    }\n10.0.0.0/24 dev eth0 proto kernel scope link\n`,
  );
  assert.deepEqual(s.routes.map((r) => r.destination), ["10.0.0.0/24"]);
  assert.ok(
    warningsOf(s).some((x) => x.startsWith("route.txt:1: route 0.0.0.0/0 left out: metric")),
  );
  const j = importOne(
    "route.json",
    JSON.stringify([{
      dst: "192.0.2.0/24",
      nexthops: [{ gateway: "10.0.0.2", dev: "eth0", weight: 2 ** 80 }],
    }]),
  );
  assert.equal(j.routes[0]?.nexthops?.[0]?.weight, undefined);
  assert.equal(j.routes[0]?.nexthops?.[0]?.gateway, "10.0.0.2");
});

test("checkContribution() keeps what is valid as it was and leaves out only what is not", () => {
  const c = checkContribution({
    connections: [{
      protocol: "tcp",
      family: "inet",
      localAddress: "10.0.0.1",
      localPort: 22,
      remoteAddress: "0.0.0.0",
      remotePort: 0,
      state: "LISTEN",
      recvQ: 0,
      sendQ: 0,
      pids: [1, 2 ** 80, 3],
      pid: 1,
    }],
    counters: { Tcp: { InSegs: 5n, OutSegs: 2n ** 64n, Neg: -(2n ** 63n) - 1n } },
    warnings: ["earlier"],
  }, "x\x1b.txt");
  assert.deepEqual(c.connections?.[0]?.pids, [1, 3]);
  assert.deepEqual({ ...c.counters?.Tcp }, { InSegs: 5n });
  assert.deepEqual(c.warnings, ["earlier"]);
  // Each loss is warned of under its own section.
  const left = [...c.sectionWarnings?.connections ?? [], ...c.sectionWarnings?.counters ?? []];
  assert.equal(c.sectionWarnings?.connections?.length, 1);
  assert.equal(c.sectionWarnings?.counters?.length, 2);
  for (const w of left) assert.ok(w.startsWith("x\\x1b.txt"), `escaped: ${w}`);
});

/** The number tokens of a text, where a crafted value can go. */
function numberSpans(text: string): [number, number][] {
  return [...text.matchAll(/(?<![0-9A-Za-z])[0-9]+(?![0-9])/g)].map((m) => [
    m.index,
    m.index + m[0].length,
  ]);
}

test("every registry format takes crafted numbers in every position and writes what loads back", () => {
  const byFormat = new Map<string, string[]>();
  for (const path of importSeedPaths()) {
    const text = readFileSync(path, "utf8");
    const id = recognise(text)?.format.id;
    if (id !== undefined) byFormat.set(id, [...(byFormat.get(id) ?? []), path]);
  }
  assert.deepEqual(
    FORMATS.map((f) => f.id).filter((id) => !byFormat.has(id)),
    [],
    "every format has a real seed",
  );
  let imports = 0;
  const warned = new Set<string>();
  for (const [id, paths] of byFormat) {
    // The first two seeds of each format, at most 20 positions each, every crafted value.
    for (const path of paths.slice(0, 2)) {
      const text = readFileSync(path, "utf8");
      const spans = numberSpans(text);
      const step = Math.max(1, Math.floor(spans.length / 20));
      for (let k = 0; k < spans.length; k += step) {
        const [a, b] = spans[k]!;
        for (const big of BIG) {
          const crafted = text.slice(0, a) + big + text.slice(b);
          const name = `${basename(path)}@${k}`;
          let s: Snapshot;
          try {
            s = importFiles([{ name, text: crafted }]);
          } catch (err) {
            // The crafted number may make the text another format, or none: refused in one line.
            assert.ok(
              err instanceof InputError || err instanceof ParseError,
              `${id} ${name}: ${err}`,
            );
            continue;
          }
          imports++;
          try {
            readBack(s);
          } catch (err) {
            assert.fail(
              `${id} ${name} (${big}): written but unreadable: ${(err as Error).message}`,
            );
          }
          if (warningsOf(s).some((w) => w.startsWith(`${name}:`) || w.startsWith(`${name}[`))) {
            warned.add(id);
          }
        }
      }
    }
  }

  assert.ok(imports > 1500, `${imports} crafted imports`);
  // Formats whose numbers nsnap keeps as numbers (a counter, a queue, a pid, a metric, an MTU,
  // a priority …) said where a bad one was.
  const keepNumbers = [
    "ss",
    "linux-netstat",
    "proc-net-tcp",
    "proc-net-udp",
    "proc-net-snmp",
    "proc-net-netstat",
    "proc-net-sockstat",
    "linux-netstat-s",
    "proc-net-dev",
    "linux-netstat-i",
    "ip-addr",
    "ip-json-addr",
    "route-n",
    "ip-route",
    "lsof",
    "bsd-netstat-s",
    "bsd-netstat-i",
    "ip-rule",
    "tc-qdisc",
    "iptables-save",
    "nft-ruleset",
  ];
  assert.deepEqual(keepNumbers.filter((id) => !warned.has(id)), [], `warned: ${[...warned]}`);
});

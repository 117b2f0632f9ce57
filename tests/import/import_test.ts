import { test } from "node:test";
import assert from "node:assert/strict";
import { Snapshot } from "../../src/schema.ts";
import { encodeCounter } from "../../src/model.ts";
import { importFiles } from "../../src/import/mod.ts";
import { normalizeSnapshot } from "../../src/snapshot/normalize.ts";
import { InputError } from "../../src/errors.ts";
import { fixture } from "../helpers/fixtures.ts";

const input = (path: string) => ({ name: path, text: fixture(path) });

/** The on-disk form of a snapshot (counters as number|string), for schema validation. */
function onDisk(s: unknown): unknown {
  return JSON.parse(
    JSON.stringify(s, (_k, v) => typeof v === "bigint" ? encodeCounter(v) : v),
  );
}

const LINUX_SET = [
  "linux/ss-tulpen/jc-ubuntu-18.04.txt",
  "linux/netstat-aeep/jc-centos-7.7.txt",
  "linux/ip-addr/ohai-1.txt",
  "linux/ifconfig/ohai-1.txt",
  "linux/ip-route-table-all/insights-core-1.txt",
  "linux/ip-6-route/cloud-init-v6.txt",
  "linux/proc-net-dev/procfs-host.txt",
  "linux/proc-net-snmp/node_exporter-basic.txt",
  "linux/proc-net-netstat/jc-ubuntu.txt",
  "linux/proc-net-sockstat/procfs-basic.txt",
  "linux/proc-net-tcp/jc-ubuntu.txt",
];

test("importFiles() merges several Linux outputs into a snapshot the schema accepts", () => {
  const s = importFiles(LINUX_SET.map(input), {
    hostname: "web1",
    time: "2026-01-02T03:04:05.000Z",
    labels: { ticket: "42" },
  });
  const parsed = Snapshot.safeParse(onDisk(s));
  assert.ok(parsed.success, parsed.success ? "" : JSON.stringify(parsed.error.issues.slice(0, 3)));
  assert.equal(s.meta.host.hostname, "web1");
  assert.equal(s.meta.host.os, "linux");
  assert.equal(s.meta.capturedAt, "2026-01-02T03:04:05.000Z");
  assert.deepEqual({ ...s.meta.labels }, { ticket: "42" });
  assert.equal(s.meta.source?.kind, "import");
  assert.deepEqual(s.meta.source?.files, LINUX_SET);
  assert.ok(s.meta.source?.formats?.includes("ss"));
  assert.ok(s.connections.length > 70);
  assert.ok(s.routes.some((r) => r.family === "inet6" && r.destination === "::/0"));
  assert.ok(s.counters.Tcp?.RetransSegs !== undefined);
  assert.ok(s.counters.TcpExt !== undefined);
  assert.equal(s.processes["1510"]?.name, "avahi-daemon");
});

test("importFiles() gives a result normalizeSnapshot leaves unchanged (already in order)", () => {
  const s = importFiles(LINUX_SET.map(input), { time: "2026-01-02T03:04:05.000Z" });
  assert.deepEqual(normalizeSnapshot(s), s);
});

test("importFiles() joins sockets seen twice by 5-tuple and keeps the owner", () => {
  const tcp =
    "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
    "   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 21767 1 0000000000000000 100 0 0 10 0\n";
  const ss = "Netid State Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n" +
    'tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:* users:(("sshd",pid=1215,fd=3))\n';
  const s = importFiles([{ name: "tcp", text: tcp }, { name: "ss.txt", text: ss }]);
  assert.equal(s.connections.length, 1);
  const c = s.connections[0]!;
  assert.deepEqual([c.inode, c.uid, c.pid, c.pids], [21767, 0, 1215, [1215]]);
  assert.equal(s.processes["1215"]?.name, "sshd");
});

test("importFiles() merges an interface by name from ip addr, ip -s link and /proc/net/dev", () => {
  const addr = "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP\n" +
    "    link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff\n    inet 10.0.0.5/24 brd 10.0.0.255 scope global eth0\n";
  const dev = "Inter-|   Receive                                                |  Transmit\n" +
    " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n" +
    "  eth0: 1000 10 0 0 0 0 0 0 2000 20 0 0 0 0 0 0\n";
  const s = importFiles([{ name: "addr", text: addr }, { name: "dev", text: dev }]);
  assert.equal(s.interfaces.length, 1);
  const i = s.interfaces[0]!;
  assert.deepEqual([i.name, i.mtu, i.mac, i.addresses.length], [
    "eth0",
    1500,
    "52:54:00:12:34:56",
    1,
  ]);
  assert.equal(i.stats?.rxBytes, 1000n);
  assert.equal(i.stats?.txPackets, 20n);
});

test("importFiles() marks sections without input as not provided, warnings as file:line", () => {
  const s = importFiles([input("linux/ip-addr/insights-core-1.txt")]);
  assert.deepEqual(s.meta.sections.connections, { status: "error", error: "not provided" });
  assert.deepEqual(s.meta.sections.routes, { status: "error", error: "not provided" });
  assert.deepEqual(s.meta.sections.counters, { status: "error", error: "not provided" });
  const itf = s.meta.sections.interfaces;
  assert.equal(itf.status, "partial");
  assert.match(itf.warnings![0]!, /^linux\/ip-addr\/insights-core-1\.txt:1: cannot read/);
});

test("importFiles() reads the macOS and FreeBSD fixtures through the darwin parsers", () => {
  const s = importFiles([
    input("darwin/netstat-An/jc-osx-10.14.6.txt"),
    input("darwin/netstat-rnl/jc-osx-10.14.6.txt"),
    input("darwin/ifconfig/jc-osx-10.14.6.txt"),
    input("darwin/netstat-s/datadog-macos-tcp.txt"),
  ]);
  assert.ok(Snapshot.safeParse(onDisk(s)).success);
  assert.equal(s.meta.host.os, "darwin");
  assert.ok(s.connections.length > 0);
  assert.ok(s.routes.length > 0);
  assert.ok(s.interfaces.length > 0);
});

test("importFiles() refuses unknown content naming the file", () => {
  assert.throws(
    () => importFiles([{ name: "notes.txt", text: "dear diary\n" }]),
    (err: unknown) =>
      err instanceof InputError &&
      err.message === "Cannot import notes.txt: format not recognised",
  );
});

test("importFiles() imports every Linux fixture alone into a valid snapshot", async () => {
  const { fixturePaths } = await import("../helpers/fixtures.ts");
  for (const path of fixturePaths("linux")) {
    const s = importFiles([input(path)], { time: "2026-01-02T03:04:05.000Z" });
    const parsed = Snapshot.safeParse(onDisk(s));
    assert.ok(parsed.success, path);
  }
});

test("importFiles() keeps two sockets of one file that share a 5-tuple (two dhclients)", () => {
  const s = importFiles([input("linux/ss-tulpen/jc-ubuntu-18.04.txt")]);
  const dhcp = s.connections.filter((c) => c.protocol === "udp" && c.localPort === 68);
  assert.deepEqual(dhcp.map((c) => c.pid).sort(), [4738, 4852]);
});

test("importFiles() adds lsof's holders to sockets, the parent being the owner", () => {
  const ss = "Netid State Recv-Q Send-Q Local Address:Port Peer Address:Port\n" +
    "tcp LISTEN 0 511 0.0.0.0:80 0.0.0.0:*\n";
  const lsof = "p200\ncnginx\nR100\nf6\ntIPv4\nPTCP\nn*:80\nTST=LISTEN\n" +
    "p100\ncnginx\nR1\nf6\ntIPv4\nPTCP\nn*:80\nTST=LISTEN\n";
  const s = importFiles([{ name: "ss", text: ss }, { name: "lsof", text: lsof }]);
  assert.equal(s.connections.length, 1, JSON.stringify(s.meta.sections.connections));
  assert.deepEqual(s.connections[0]!.pids, [100, 200]);
  assert.equal(s.connections[0]!.pid, 100);
});

test("importFiles() on mutated fixtures gives a valid snapshot or an InputError, nothing else", async () => {
  const fc = (await import("fast-check")).default;
  const { fixturePaths } = await import("../helpers/fixtures.ts");
  const paths = fixturePaths();
  fc.assert(
    fc.property(
      fc.constantFrom(...paths),
      fc.nat(),
      fc.nat(),
      fc.string({ maxLength: 30 }),
      (path: string, a: number, b: number, insert: string) => {
        const t = fixture(path);
        const i = a % (t.length + 1), j = Math.min(t.length, i + (b % 80));
        try {
          const s = importFiles([{ name: path, text: t.slice(0, i) + insert + t.slice(j) }]);
          const parsed = Snapshot.safeParse(onDisk(s));
          assert.ok(
            parsed.success,
            parsed.success ? "" : `${path}: ${JSON.stringify(parsed.error.issues.slice(0, 2))}`,
          );
        } catch (err) {
          if (!(err instanceof InputError)) throw err;
        }
      },
    ),
    { numRuns: 300 },
  );
});

test("importFiles() labels FreeBSD outputs freebsd, not darwin", () => {
  const s = importFiles([
    input("freebsd/netstat-Aa/jc-freebsd12.txt"),
    input("freebsd/netstat-i/jc-freebsd12.txt"),
    input("freebsd/netstat-r/jc-freebsd12.txt"),
    input("freebsd/ifconfig/jc-freebsd12-1.txt"),
  ]);
  assert.equal(s.meta.host.os, "freebsd");
  assert.equal(importFiles([input("freebsd/ifconfig/cloud-init-1.txt")]).meta.host.os, "freebsd");
});

test("importFiles() says unknown where BSD output does not show which BSD, or systems mix", () => {
  // FreeBSD's and macOS's plain `netstat -an` look the same: a guess would read as fact.
  assert.equal(importFiles([input("freebsd/netstat-an/jc-freebsd12.txt")]).meta.host.os, "unknown");
  const mixed = importFiles([
    input("darwin/netstat-An/jc-osx-10.14.6.txt"),
    input("freebsd/netstat-Aa/jc-freebsd12.txt"),
  ]);
  assert.equal(mixed.meta.host.os, "unknown");
  const lsof = "p1\ncsshd\nf3\ntIPv4\nPTCP\nn*:22\nTST=LISTEN\n";
  const linux = importFiles([input("linux/ss-tulpen/jc-ubuntu-18.04.txt"), {
    name: "lsof",
    text: lsof,
  }]);
  // lsof runs everywhere: it does not make a Linux import "unknown".
  assert.equal(linux.meta.host.os, "linux");
});

test("every BSD fixture that tells which BSD it came from tells the truth", async () => {
  const { recognise } = await import("../../src/import/detect.ts");
  const { fixturePaths } = await import("../helpers/fixtures.ts");
  for (const [dir, other] of [["darwin", "freebsd"], ["freebsd", "darwin"]] as const) {
    for (const path of fixturePaths(dir)) {
      const found = recognise(fixture(path));
      assert.ok(found, path);
      assert.notEqual(found.format.system?.(found.probe), other, path);
    }
  }
});

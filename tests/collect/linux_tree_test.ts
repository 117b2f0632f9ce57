/**
 * The Linux collector on a fixture tree: real /proc/net files (tests/testdata/fixtures/linux)
 * laid out under a temporary root with hand-made /proc/[pid] entries and /sys/class/net, and no
 * `ip` command. Shows the injectable root, the /proc fallbacks and how faults become warnings.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { captureSnapshot } from "../../src/collect/mod.ts";
import type { CommandRunner } from "../../src/runtime/command.ts";
import type { CollectOptions } from "../../src/collect/contract.ts";
import { fixture } from "../helpers/fixtures.ts";

const noIp: CommandRunner = (argv) => ({
  ok: false,
  stdout: "",
  stderr: "",
  reason: `${argv[0]}: not found`,
});

function put(root: string, path: string, text: string | Uint8Array): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

/** A process: its stat line, and one fd link per socket inode. */
function proc(root: string, pid: number, ppid: number, comm: string, inodes: number[]): void {
  put(
    root,
    `proc/${pid}/stat`,
    `${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5000 0 0\n`,
  );
  mkdirSync(join(root, `proc/${pid}/fd`), { recursive: true });
  symlinkSync("/dev/null", join(root, `proc/${pid}/fd/0`));
  inodes.forEach((inode, i) =>
    symlinkSync(`socket:[${inode}]`, join(root, `proc/${pid}/fd/${i + 3}`))
  );
  put(root, `proc/${pid}/cmdline`, `${comm}\0--password=hunter2\0`);
}

function tree(): string {
  const root = mkdtempSync(join(tmpdir(), "nsnap-tree-"));
  put(root, "proc/net/tcp", fixture("linux/proc-net-tcp/jc-ubuntu.txt"));
  put(root, "proc/net/tcp6", fixture("linux/proc-net-tcp6/jc-ubuntu.txt"));
  put(root, "proc/net/udp", fixture("linux/proc-net-udp/procfs-broken.txt"));
  // udp6 left out on purpose: a missing file is a warning, not a crash.
  put(root, "proc/net/route", fixture("linux/proc-net-route/jc-ubuntu.txt"));
  put(root, "proc/net/ipv6_route", fixture("linux/proc-net-ipv6_route/jc-ubuntu.txt"));
  put(root, "proc/net/dev", fixture("linux/proc-net-dev/procfs-host.txt"));
  // A damaged pair appended to a real file: one warning, every other counter kept.
  put(
    root,
    "proc/net/snmp",
    fixture("linux/proc-net-snmp/node_exporter-basic.txt") + "Udp: Extra\nUdp: notanumber\n",
  );
  put(root, "proc/net/netstat", fixture("linux/proc-net-netstat/insights-core-1.txt"));
  put(root, "proc/net/snmp6", fixture("linux/proc-net-snmp6/node_exporter-basic.txt"));
  put(root, "proc/net/sockstat", fixture("linux/proc-net-sockstat/procfs-basic.txt"));
  put(root, "proc/net/sockstat6", fixture("linux/proc-net-sockstat6/procfs-basic.txt"));
  for (const f of ["unix", "packet", "raw", "raw6"]) {
    put(
      root,
      `proc/net/${f}`,
      readFileSync(new URL(`../testdata/procnet/${f}.txt`, import.meta.url)),
    );
  }
  put(root, "proc/stat", "cpu  1 2 3\nbtime 1764000000\n");
  // As the kernel writes it: a tab between the two ports. No reserved-ports file: left out.
  put(root, "proc/sys/net/ipv4/ip_local_port_range", "32768\t60999\n");
  put(root, "etc/passwd", "root:x:0:0::/root:/bin/sh\nsystemd-resolve:x:101:101::/:/bin/false\n");
  // A pre-fork server: master 100 and worker 101 (its child) hold the same listener.
  proc(root, 100, 1, "resolver", [34000]);
  proc(root, 101, 100, "resolver", [34000]);
  proc(root, 200, 1, "sshd", [34523]);
  // The process of tests/testdata/procnet: a UNIX listener, a packet socket, a raw ICMP socket.
  proc(root, 300, 1, "python3", [1250446, 1250451, 1250453]);
  for (
    const [name, index, mtu, flags, state] of [["eth0", 2, 9000, "0x1003", "up"], [
      "lo",
      1,
      65536,
      "0x9",
      "unknown",
    ]] as const
  ) {
    put(root, `sys/class/net/${name}/ifindex`, `${index}\n`);
    put(root, `sys/class/net/${name}/mtu`, `${mtu}\n`);
    put(root, `sys/class/net/${name}/flags`, `${flags}\n`);
    put(root, `sys/class/net/${name}/operstate`, `${state}\n`);
    put(root, `sys/class/net/${name}/address`, "52:54:00:12:34:56\n");
  }
  put(root, "sys/class/net/eth0/speed", "1000\n");
  return root;
}

test("captureSnapshot() reads a fixture tree below --root: sockets with owners, the master as pid", async () => {
  const root = tree();
  try {
    const s = await captureSnapshot({ root, runner: noIp, platform: "linux" });
    const dns = s.connections.find((c) => c.localAddress === "127.0.0.53" && c.localPort === 53);
    assert.equal(dns?.state, "LISTEN");
    assert.deepEqual(dns?.pids, [100, 101]);
    assert.equal(dns?.pid, 100);
    const ssh = s.connections.find((c) => c.inode === 34523);
    assert.equal(ssh?.pid, 200);
    assert.equal(s.processes["100"]?.name, "resolver");
    assert.equal(typeof s.processes["100"]?.uid, "number");
    assert.equal(s.processes["100"]?.startTime, new Date(1764000000_000 + 5000 * 10).toISOString());
    assert.equal(s.processes["100"]?.cmdline, undefined);
    // The invoked name is kept without --cmdline, and nothing else of the command line.
    assert.equal(s.processes["100"]?.invokedAs, "resolver");
    assert.ok(!JSON.stringify(s.processes).includes("hunter2"));
    assert.equal(s.connections.filter((c) => c.family === "inet6").length, 8);
    assert.deepEqual({ ...s.settings }, { "net.ipv4.ip_local_port_range": "32768 60999" });
    // What is absent without loss is a note: ok, and the notes say why.
    assert.deepEqual(s.meta.sections.settings, {
      status: "ok",
      source: "/proc/sys",
      warnings: [
        "net.netfilter.nf_conntrack_max absent: the nf_conntrack module is not loaded",
        "net.netfilter.nf_conntrack_count absent: the nf_conntrack module is not loaded",
      ],
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("captureSnapshot() turns a broken and a missing socket file into warnings of a partial section", async () => {
  const root = tree();
  try {
    const s = await captureSnapshot({ root, runner: noIp, platform: "linux" });
    const st = s.meta.sections.connections;
    assert.equal(st.status, "partial");
    assert.ok(st.warnings?.some((w) => w.includes("proc/net/udp:2: cannot read socket line")));
    assert.ok(st.warnings?.some((w) => w.includes("proc/net/udp6: no such file or directory")));
    assert.equal(s.meta.sections.counters.status, "partial");
    assert.ok(
      s.meta.sections.counters.warnings?.some((w) =>
        w.includes("cannot read Udp.Extra (not an integer)")
      ),
    );
    assert.equal(s.counters.Udp?.InDatagrams !== undefined, true);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("captureSnapshot() without ip falls back to /proc/net/route and says so", async () => {
  const root = tree();
  try {
    const s = await captureSnapshot({ root, runner: noIp, platform: "linux" });
    assert.equal(s.meta.sections.routes.status, "partial");
    assert.ok(s.meta.sections.routes.warnings?.some((w) => w.includes("main table only")));
    const def = s.routes.find((r) => r.destination === "0.0.0.0/0");
    assert.deepEqual([def?.gateway, def?.interface, def?.metric, def?.table], [
      "192.168.71.2",
      "ens33",
      100,
      254,
    ]);
    assert.ok(s.routes.some((r) => r.family === "inet6" && r.destination === "fe80::/64"));
    const eth0 = s.interfaces.find((i) => i.name === "eth0");
    assert.equal(eth0?.mtu, 9000);
    assert.equal(eth0?.speedMbps, 1000);
    assert.deepEqual(eth0?.flags, ["UP", "BROADCAST", "MULTICAST"]);
    assert.equal(eth0?.stats?.rxBytes, 874354587n);
    // Listed by /proc/net/dev only: kept, with counters and no invented attributes.
    const veth = s.interfaces.find((i) => i.name === "vethf345468");
    assert.equal(veth?.mtu, undefined);
    assert.equal(veth?.stats?.rxPackets, 8n);
    assert.equal(s.meta.sections.interfaces.status, "partial"); // addresses unknown without ip
    assert.equal(s.counters.Tcp?.MaxConn, -1n);
    assert.equal(s.counters.Sockstat6?.TCP6_inuse, 17n);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("captureSnapshot() with cmdline records masked command lines only", async () => {
  const root = tree();
  try {
    const s = await captureSnapshot({ root, runner: noIp, platform: "linux", cmdline: true });
    assert.deepEqual(s.processes["200"]?.cmdline, ["sshd", "--password=***"]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("the Linux collector says where each section came from, ip or /proc", async () => {
  const { collectLinux } = await import("../../src/collect/linux/mod.ts");
  const root = tree();
  try {
    // Netlink asked for, but a fixture tree is no kernel it could ask: /proc is read.
    const opts: CollectOptions = {
      cmdline: false,
      uid: 0,
      netlink: true,
      tcpInfo: "summary",
      allUnix: false,
    };
    const without = await collectLinux({ root, runner: noIp }, opts);
    assert.deepEqual(
      Object.fromEntries(Object.entries(without.sections).map(([k, v]) => [k, v.source])),
      {
        connections: "proc",
        processes: "proc",
        routes: "proc",
        interfaces: "sysfs+proc+ip -j",
        counters: "/proc/net",
        // Tried in this order, none answered (no ip, tc or nft; no /proc/net/arp in the tree).
        rules: "ip -j",
        neighbours: "ip -j, /proc/net/arp",
        settings: "/proc/sys",
        qdiscs: "tc -j, tc",
        firewall: "iptables-save",
      },
    );
    assert.deepEqual(without.capture, { tcpInfo: "off", unixSockets: "listeners" });
    const withIp: CommandRunner = (argv) =>
      argv.includes("route")
        ? { ok: true, stdout: '[{"dst":"default","gateway":"10.0.0.1","dev":"eth0"}]', stderr: "" }
        : noIp(argv);
    const s = await collectLinux({ root, runner: withIp }, opts);
    assert.equal(s.sections.routes.source, "ip -j");
    assert.equal(s.sections.routes.value.length, 2); // one per family asked
    assert.deepEqual(s.sections.routes.status, { status: "ok" });
    assert.equal(s.bootTime, new Date(1764000000_000).toISOString());
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("the Linux collector reads user names from /etc/passwd below the root, warning on a broken line", async () => {
  const root = tree();
  try {
    put(root, "etc/passwd", "root:x:0:0::/root:/bin/sh\nbroken\n");
    const s = await captureSnapshot({ root, runner: noIp, platform: "linux" });
    assert.ok(
      s.meta.sections.processes.warnings?.some((w) => /etc\/passwd:2: cannot read account/.test(w)),
      JSON.stringify(s.meta.sections.processes),
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("captureSnapshot() from /proc lists UNIX listeners, raw and packet sockets with their owners", async () => {
  const root = tree();
  try {
    const s = await captureSnapshot({ root, runner: noIp, platform: "linux", uid: 0 });
    assert.deepEqual(
      s.unixSockets?.map((u) => [u.path, u.state, u.pid]),
      [
        ["/tmp/nsnap-rec.sock", "LISTEN", 300],
        ["@nsnap-rec-dgram", "UNCONN", undefined],
        ["@nsnap-rec-seq", "LISTEN", undefined],
      ],
      "listeners and bound datagram sockets; the socketpair only with --all-unix",
    );
    assert.deepEqual(
      s.rawSockets?.map((r) => [r.family, r.ipProtocol, r.pid]),
      [["inet", 1, 300], ["inet6", 58, undefined]],
    );
    assert.deepEqual(
      s.packetSockets?.map((p) => [p.protocol, p.interface, p.pid]),
      [[3, undefined, 300], [0x0806, "if3", undefined]],
    );
    assert.equal(s.processes["300"]?.name, "python3");
    assert.deepEqual(s.meta.capture, { tcpInfo: "off", unixSockets: "listeners" });
    const all = await captureSnapshot({ root, runner: noIp, platform: "linux", allUnix: true });
    assert.equal(all.unixSockets?.length, 5);
    assert.equal(all.meta.capture?.unixSockets, "all");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("a BusyBox ip (no -j) is named as the reason addresses and policy tables are missing", async () => {
  const root = tree();
  const usage = "BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.\n\n" +
    "Usage: ip [OPTIONS] address|route|link|tunnel|neigh|rule [ARGS]\n";
  const seen: string[] = [];
  const busybox: CommandRunner = (argv) => {
    seen.push(argv[0]!);
    return { ok: false, stdout: "", stderr: usage, reason: `${argv.join(" ")}: exit 1` };
  };
  try {
    const s = await captureSnapshot({ root, runner: busybox, platform: "linux" });
    const why = "ip is BusyBox's, which has no JSON output (-j): install iproute2";
    assert.ok(s.meta.sections.interfaces.warnings?.includes(`interface addresses unknown: ${why}`));
    assert.equal(s.meta.sections.interfaces.status, "partial");
    assert.ok(s.meta.sections.routes.warnings?.includes(why));
    assert.equal(s.meta.sections.routes.source, "proc");
    // Every place iproute2 may be was tried before giving up.
    assert.ok(seen.includes("/usr/sbin/ip") && seen.includes("/sbin/ip"));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("socketsInUse() counts TCP (with TIME_WAIT) and UDP of both families from sockstat", async () => {
  const { socketsInUse } = await import("../../src/collect/linux/owners.ts");
  const root = mkdtempSync(join(tmpdir(), "nsnap-sockstat-"));
  try {
    put(
      root,
      "net/sockstat",
      "sockets: used 85\nTCP: inuse 3000 orphan 0 tw 700 alloc 3100 mem 2\nUDP: inuse 5 mem 1\n" +
        "UDPLITE: inuse 0\nRAW: inuse 1\n",
    );
    put(root, "net/sockstat6", "TCP6: inuse 300\nUDP6: inuse 2\nUDPLITE6: inuse 0\n");
    assert.equal(socketsInUse(join(root, "net")), 3000 + 700 + 5 + 300 + 2);
    assert.equal(socketsInUse(join(root, "missing")), 0);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("captureSnapshot({ skip }): a light capture leaves owners, routes, addresses and the tools' sections out, and says so", async () => {
  const root = tree();
  try {
    const ran: (readonly string[])[] = [];
    const runner: CommandRunner = (argv) => {
      ran.push(argv);
      return noIp(argv);
    };
    const s = await captureSnapshot({
      root,
      runner,
      platform: "linux",
      skip: ["owners", "routes", "addresses", "rules", "neighbours", "qdiscs", "firewall"],
    });
    assert.deepEqual(ran, [], "no command runs");
    for (const name of ["rules", "neighbours", "qdiscs", "firewall"] as const) {
      assert.deepEqual(s.meta.sections[name], {
        status: "error",
        error: "not captured: light capture",
        source: "none",
      }, name);
    }
    assert.deepEqual([s.rules, s.neighbours, s.qdiscs], [[], [], []]);
    assert.ok(s.connections.length > 0 && s.connections.every((c) => c.pid === undefined));
    assert.deepEqual(Object.keys(s.processes), []);
    assert.deepEqual(s.meta.sections.processes, {
      status: "error",
      error: "not captured: light capture",
      source: "none",
    });
    assert.deepEqual(s.meta.sections.routes, {
      status: "error",
      error: "not captured: light capture",
      source: "none",
    });
    assert.deepEqual(s.routes, []);
    assert.ok(
      s.meta.sections.interfaces.warnings?.includes(
        "interface addresses unknown: not captured: light capture",
      ),
    );
    assert.ok(s.interfaces.some((i) => i.name === "eth0" && i.stats !== undefined));
    assert.ok(Object.keys(s.counters).length > 0);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

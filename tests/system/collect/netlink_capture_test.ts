/**
 * `nsnap capture` over netlink in a namespace, cross-checked against the tools a user would run
 * in the same namespace: every TCP and UDP socket against `ss -tanpieO` and `ss -uanpe` (owners,
 * queues, bound device, v6only, timers, tcp_info counters exactly and rtt within a tolerance),
 * every UNIX socket against `ss -xanp`, the raw and packet sockets of a Python process with its
 * pid, the interfaces against `ip -j -s link`, `ip -j addr` and /proc/net/dev, the routes against
 * what `ip -j route show table all` gives.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { parseIpJsonAddr, parseIpJsonRoutes } from "../../../src/parse/linux/ip_json.ts";
import { parseProcNetDev } from "../../../src/parse/linux/proc_net_dev.ts";
import { orderRoute } from "../../../src/snapshot/normalize.ts";
import type { Route } from "../../../src/model.ts";
import { runCli } from "../../helpers/cli.ts";
import { type Netns, withNetns } from "../../helpers/netns.ts";
import {
  buildNetwork,
  holdScenarioSockets,
  netlinkConnectionsSource,
  SCENARIO_SKIP,
  unixNames,
} from "../netlink/_scenario.ts";
import { parseSsLines, ssEndpoint, type SsSocket, ssState, ssTimerMs } from "../netlink/_ss.ts";
import { settled } from "./_settle.ts";

const skip = SCENARIO_SKIP;
/** These tests are about netlink: on even where the environment turns it off for the others. */
const NETLINK_ON = { NSNAP_NETLINK: "1" };
type Json = Record<string, unknown>;

interface Conn {
  protocol: string;
  family: "inet" | "inet6";
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  state: string;
  recvQ: number;
  sendQ: number;
  uid: number;
  inode: number;
  pid?: number;
  pids?: number[];
  interface?: string;
  v6only?: boolean;
  backlog?: number;
  mark?: number;
  timer?: { name: string; expiresMs: number; retrans: number };
  tcpInfo?: { rtt: number; rttvar: number; retrans: number; totalRetrans: number; lost: number };
}

/** The capture, ss before it and ss after it, all in one namespace. */
interface Seen {
  snap: Json;
  before: SsSocket[];
  after: SsSocket[];
}

async function withCapture(
  tag: string,
  args: string[],
  ss: string[][],
  fn: (ns: Netns, seen: Seen[], pid: number) => void,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-nlcap-"));
  try {
    await withNetns(tag, async (ns) => {
      buildNetwork(ns);
      const { pid } = await holdScenarioSockets(ns, `${tag}-${process.pid}`);
      await settled(ns);
      const read = () =>
        ss.map((argv) => {
          const flags = argv[1]!;
          return parseSsLines(ns.exec(...argv), /[x0]/.test(flags), flags.includes("x"));
        });
      const before = read();
      const file = join(dir, "cap.json");
      const r = runCli(["capture", "-o", file, ...args], { wrap: ns.wrap, env: NETLINK_ON });
      assert.equal(r.code, 0, r.stderr);
      const after = read();
      const snap = JSON.parse(readFileSync(file, "utf8")) as Json;
      fn(ns, ss.map((_, i) => ({ snap, before: before[i]!, after: after[i]! })), pid);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The ss line of a socket: by inode where it has one, else by its endpoints and state. */
function ssLineOf(c: Conn, lines: SsSocket[]): SsSocket | undefined {
  const local = ssEndpoint(c.family, c.localAddress, c.localPort, c.v6only, c.interface);
  const peer = ssEndpoint(c.family, c.remoteAddress, c.remotePort, c.v6only, undefined);
  return lines.find((s) =>
    c.inode !== 0
      ? s.fields.get("ino") === String(c.inode)
      : s.local === local && s.peer === peer && s.state === ssState(c.state)
  );
}

/** ss -i's rtt:A/B (ms) and retrans:X/Y of a line. */
function ssHealth(s: SsSocket): { rtt?: number[]; retrans: number[]; lost: number } {
  const rtt = s.fields.get("rtt")?.split("/").map(Number);
  const retrans = (s.fields.get("retrans") ?? "0/0").split("/").map(Number);
  return { ...(rtt ? { rtt } : {}), retrans, lost: Number(s.fields.get("lost") ?? 0) };
}

test(
  "every TCP and UDP socket of a netlink capture is what ss -tanpieO and ss -uanpe show, owners and tcp_info included",
  {
    skip,
  },
  async () => {
    await withCapture(
      "nlcapi",
      [],
      [["ss", "-tanpieO"], ["ss", "-uanpe"]],
      (_ns, [tcp, udp], pid) => {
        const conns = tcp!.snap.connections as Conn[];
        for (const c of conns) {
          const where = `${c.protocol} ${c.localAddress}:${c.localPort} ${c.state}`;
          const { before, after } = c.protocol === "tcp" ? tcp! : udp!;
          const s = ssLineOf(c, before), t = ssLineOf(c, after);
          assert.ok(s && t, `ss does not show ${where}`);
          assert.equal(ssState(c.state), s.state, `${where}: state`);
          assert.equal(
            ssEndpoint(c.family, c.localAddress, c.localPort, c.v6only, c.interface),
            s.local,
            `${where}: local endpoint (with its device and v6only)`,
          );
          // ss shows a listener's limit as Send-Q; nsnap keeps /proc's 0 there and the limit apart.
          assert.equal(c.recvQ, s.recvQ, `${where}: Recv-Q`);
          assert.equal(c.state === "LISTEN" && c.protocol === "tcp" ? c.backlog : c.sendQ, s.sendQ);
          if (c.inode !== 0) assert.equal(String(c.inode), s.fields.get("ino"), `${where}: inode`);
          assert.equal(String(c.uid), s.fields.get("uid") ?? "0", `${where}: uid`);
          assert.equal(
            c.v6only === undefined ? undefined : c.v6only ? "1" : "0",
            s.fields.get("v6only"),
            `${where}: v6only`,
          );
          assert.deepEqual(c.pids ?? [], s.pids, `${where}: owners`);
          const mark = s.fields.get("fwmark");
          assert.equal(c.mark, mark === undefined ? undefined : Number(mark), `${where}: mark`);
          if (s.pids.length) assert.equal(c.pid, pid, `${where}: the holder's pid`);
          assert.equal(c.timer?.name, s.timer?.name, `${where}: timer`);
          if (c.timer && s.timer && t.timer) {
            // The capture ran between the two ss readings; ss cuts the value to its last unit
            // ("58sec" for 58.9 s, "119min" for 119.9 min).
            const unit = (x: string) => x.endsWith("min") ? 60_000 : x.endsWith("ms") ? 1 : 1000;
            const hi = ssTimerMs(s.timer.expires) + unit(s.timer.expires);
            const lo = ssTimerMs(t.timer.expires) - 1000;
            assert.ok(
              c.timer.expiresMs <= hi && c.timer.expiresMs >= lo,
              `${where}: expires ${c.timer.expiresMs} not in [${lo}, ${hi}] (${s.timer.expires}, ${t.timer.expires})`,
            );
          }
          if (c.protocol === "tcp" && c.state !== "LISTEN" && c.state !== "TIME_WAIT") {
            const h = ssHealth(s);
            assert.ok(c.tcpInfo, `${where}: tcp_info summary`);
            assert.deepEqual(
              [c.tcpInfo.retrans, c.tcpInfo.totalRetrans, c.tcpInfo.lost],
              [h.retrans[0], h.retrans[1], h.lost],
              `${where}: retransmits and loss, exactly (idle sockets)`,
            );
            if (h.rtt) {
              assert.ok(Math.abs(c.tcpInfo.rtt / 1000 - h.rtt[0]!) <= 1, `${where}: rtt`);
              assert.ok(Math.abs(c.tcpInfo.rttvar / 1000 - h.rtt[1]!) <= 1, `${where}: rttvar`);
            }
          } else assert.equal(c.tcpInfo, undefined, `${where}: no tcp_info`);
        }
        assert.equal(conns.length, tcp!.before.length + udp!.before.length, "as many as ss shows");
        // The promises of the issue, one by one.
        const listen = (port: number) =>
          conns.find((c) => c.localPort === port && c.state === "LISTEN")!;
        assert.equal(listen(7002).interface, "nl0", "a SO_BINDTODEVICE listener shows its device");
        assert.equal(listen(7003).v6only, true, "[::]:7003 is IPv6 only");
        assert.equal(listen(7004).v6only, false, "[::]:7004 takes IPv4 too");
        assert.deepEqual(
          [listen(7011).localAddress, listen(7011).interface],
          ["fe80::1", "nl0"],
          "a link-local listener keeps its scope",
        );
        assert.equal(listen(7012).mark, 42, "SO_MARK");
        assert.deepEqual([listen(7001).recvQ, listen(7001).sendQ, listen(7001).backlog], [2, 0, 7]);
        const bound = conns.find((c) => c.protocol === "udp" && c.localPort === 7010)!;
        assert.equal(bound.interface, "nl0");
      },
    );
  },
);

test(
  "every UNIX socket of a capture with --all-unix is what ss -xanp shows; by default the listeners",
  {
    skip,
  },
  async () => {
    await withCapture("nlcapx", ["--all-unix"], [["ss", "-xanpe"]], (ns, [x], pid) => {
      const unix = x!.snap.unixSockets as Json[];
      const lines = new Map(x!.before.map((s) => [s.localPort!, s]));
      for (const u of unix) {
        const s = lines.get(String(u.inode));
        const where = `unix ${u.path ?? u.inode}`;
        assert.ok(s, `ss does not show ${where}`);
        assert.equal(
          { stream: "u_str", dgram: "u_dgr", seqpacket: "u_seq" }[String(u.type)],
          s.netid,
        );
        assert.equal(ssState(String(u.state)), s.state, `${where}: state`);
        assert.equal(u.path ?? "*", s.local, `${where}: name`);
        assert.equal(String(u.peerInode ?? 0), s.peerPort, `${where}: peer`);
        assert.equal(u.recvQ, s.recvQ, `${where}: Recv-Q`);
        assert.equal(u.state === "LISTEN" ? u.backlog : u.sendQ, s.sendQ, `${where}: Send-Q`);
        assert.deepEqual(u.pids ?? [], s.pids, `${where}: owners`);
      }
      assert.equal(unix.length, x!.before.length, "as many as ss shows");
      const names = unixNames(`nlcapx-${process.pid}`);
      for (const name of [names.stream, names.dgram, names.seqpacket]) {
        const u = unix.find((s) => s.path === name);
        assert.equal(u?.pid, pid, `${name} appears with its pid`);
        assert.equal(u?.abstract, name.startsWith("@") ? true : undefined);
      }
      // Without --all-unix: the listeners and the bound datagram socket, not the socketpair.
      const r = runCli(["capture", "-o", "-"], { wrap: ns.wrap, env: NETLINK_ON });
      assert.equal(r.code, 0, r.stderr);
      const dflt = (JSON.parse(r.stdout) as Json).unixSockets as Json[];
      assert.deepEqual(
        dflt.map((u) => u.path).sort(),
        [names.dgram, names.seqpacket, names.stream].sort(),
      );
    });
  },
);

test("the raw ICMP socket and the AF_PACKET sockets of a Python process appear with its pid", {
  skip,
}, async () => {
  await withCapture("nlcapw", [], [["ss", "-wanpe"], ["ss", "-0anpe"]], (_ns, [w, p], pid) => {
    const raw = w!.snap.rawSockets as Json[];
    assert.deepEqual(raw.map((r) => [r.family, r.ipProtocol, r.pid]).sort(), [
      ["inet", 1, pid],
      ["inet6", 58, pid],
    ]);
    for (const r of raw) {
      const s = w!.before.find((l) => l.pids.includes(pid) && l.local.endsWith(`:${r.ipProtocol}`));
      assert.ok(s, `ss -w shows the raw socket of protocol ${r.ipProtocol}`);
    }
    const sources = ((w!.snap.meta as Json).sections as Record<string, Json>).connections!;
    const source = netlinkConnectionsSource();
    assert.equal(sources.source, source, "raw sockets from /proc where the kernel has no raw_diag");
    if (source === "netlink+proc") {
      assert.ok(
        (sources.warnings as string[]).some((n) => /raw: .*ENOENT.*read .*\/raw instead/.test(n)),
      );
    }
    const packet = p!.snap.packetSockets as Json[];
    assert.deepEqual(packet.map((s) => [s.type, s.protocol, s.interface ?? "*", s.pid]), [
      ["raw", 3, "*", pid],
      ["raw", 0x0806, "nl0", pid],
    ]);
    assert.deepEqual(
      p!.before.map((s) => [s.netid, s.local, s.pids]),
      [["p_raw", "*:*", [pid]], ["p_raw", "[2054]:nl0", [pid]]],
    );
  });
});

/** Asserts before ≤ ours ≤ after for a counter read on each side of the capture. */
function between(what: string, before: bigint | number, ours: unknown, after: bigint | number) {
  const o = BigInt(ours as number);
  assert.ok(
    BigInt(before) <= o && o <= BigInt(after),
    `${what}: ${o} not in [${before}, ${after}]`,
  );
}

test(
  "interfaces and routes of a netlink capture equal ip -j -s link, ip -j addr, /proc/net/dev and ip -j route",
  {
    skip,
  },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "nsnap-nlcap-"));
    try {
      await withNetns("nlcapr", async (ns) => {
        buildNetwork(ns);
        // A bridge's link-local address comes when its port has carrier: wait for it.
        await settled(ns);
        const links = JSON.parse(ns.exec("ip", "-j", "-s", "link")) as Json[];
        const devBefore = parseProcNetDev(ns.exec("cat", "/proc/net/dev")).value;
        const routes = [
          ...parseIpJsonRoutes(ns.exec("ip", "-j", "-4", "route", "show", "table", "all"), "inet")
            .value,
          ...parseIpJsonRoutes(ns.exec("ip", "-j", "-6", "route", "show", "table", "all"), "inet6")
            .value,
        ];
        const file = join(dir, "cap.json");
        const r = runCli(["capture", "-o", file], { wrap: ns.wrap, env: NETLINK_ON });
        assert.equal(r.code, 0, r.stderr);
        const addrs = parseIpJsonAddr(ns.exec("ip", "-j", "addr")).value;
        const devAfter = parseProcNetDev(ns.exec("cat", "/proc/net/dev")).value;
        const snap = JSON.parse(readFileSync(file, "utf8")) as Json;
        const sections = (snap.meta as Json).sections as Record<string, Json>;
        assert.equal(sections.interfaces!.source, "netlink+sysfs");
        assert.equal(sections.routes!.source, "netlink");
        const itfs = snap
          .interfaces as (Json & { stats: Json; addresses: Json[]; flags: string[] })[];
        assert.deepEqual(itfs.map((i) => i.name), links.map((l) => l.ifname));
        for (const i of itfs) {
          const ip = links.find((l) => l.ifname === i.name)!;
          assert.equal(i.index, ip.ifindex);
          assert.equal(i.mtu, ip.mtu);
          assert.equal(i.mac, ip.address);
          assert.equal(i.operState, String(ip.operstate).toLowerCase());
          // ip prints UP and LOWER_UP as /sys does; RUNNING and PROMISC are its own business.
          for (const f of ["UP", "LOWER_UP", "BROADCAST", "MULTICAST", "LOOPBACK"]) {
            assert.equal(i.flags.includes(f), (ip.flags as string[]).includes(f), `${i.name} ${f}`);
          }
          const ipAddrs = addrs.find((a) => a.name === i.name)!.addresses;
          assert.deepEqual(
            i.addresses.map((a) => `${a.address}/${a.prefixLength}`).sort(),
            ipAddrs.map((a) => `${a.address}/${a.prefixLength}`).sort(),
            `${i.name}: addresses`,
          );
          const b = devBefore.find((d) => d.name === i.name)!.stats;
          const a = devAfter.find((d) => d.name === i.name)!.stats;
          for (const k of Object.keys(b) as (keyof typeof b)[]) {
            between(`${i.name} ${k}`, b[k]!, i.stats[k], a[k]!);
          }
          const s64 = ip.stats64 as Record<string, Json>;
          between(`${i.name} rx bytes (ip)`, s64.rx!.bytes as number, i.stats.rxBytes, a.rxBytes!);
        }
        // A route's expires counts down between ip's reading and the capture's: compared apart.
        const key = (x: Route) => JSON.stringify(orderRoute({ ...x, expires: undefined }));
        assert.deepEqual(
          (snap.routes as Route[]).map(key).sort(),
          routes.map(key).sort(),
          "routes as ip -j gives them, every table",
        );
        for (const r of routes.filter((x) => x.expires !== undefined)) {
          const ours = (snap.routes as Route[]).find((x) => key(x) === key(r))?.expires;
          assert.ok(
            ours !== undefined && ours <= r.expires! && ours >= r.expires! - 5,
            `${r.destination}: expires ${ours} not within 5 s below ip's ${r.expires}`,
          );
        }
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test("capture --tcp-info keeps every tcp_info field: cwnd, mss, bytes and segments equal ss -ti", {
  skip,
}, async () => {
  await withCapture("nlcapt", ["--tcp-info"], [["ss", "-tanpieO"]], (_ns, [tcp]) => {
    assert.equal(((tcp!.snap.meta as Json).capture as Json).tcpInfo, "full");
    const est = (tcp!.snap.connections as (Conn & { tcpInfo: Json })[]).filter((c) =>
      c.state === "ESTABLISHED"
    );
    assert.ok(est.length >= 6);
    for (const c of est) {
      const s = ssLineOf(c, tcp!.before)!, u = ssLineOf(c, tcp!.after)!, t = c.tcpInfo;
      const where = `${c.localAddress}:${c.localPort} → ${c.remotePort}`;
      assert.equal(String(t.sndCwnd), s.fields.get("cwnd"), `${where}: cwnd`);
      assert.equal(String(t.sndMss), s.fields.get("mss"), `${where}: mss`);
      assert.equal(String(t.pmtu), s.fields.get("pmtu"), `${where}: pmtu`);
      // Counters: between the reading before the capture and the one after it.
      for (
        const [k, ss] of [["segsOut", "segs_out"], ["segsIn", "segs_in"], [
          "bytesAcked",
          "bytes_acked",
        ]]
      ) {
        between(
          `${where} ${ss}`,
          BigInt(s.fields.get(ss!) ?? 0),
          t[k!],
          BigInt(u.fields.get(ss!) ?? 0),
        );
      }
      assert.ok(s.words.has(String(t.congestion)), `${where}: congestion ${t.congestion}`);
    }
  });
});

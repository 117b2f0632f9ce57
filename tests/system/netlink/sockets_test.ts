/**
 * Socket dumps over sock_diag, cross-checked field by field against `ss` run inside the same
 * namespace. The test process stays in its own namespace and dumps the test's through
 * /run/netns/NAME (setns), which is what proves namespace support; it also checks that it is back
 * in its own namespace afterwards, and that the FFI of the runtime running the test did the work.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import process from "node:process";
import { parseProcNetSockets } from "../../../src/parse/linux/proc_net_tcp.ts";
import type { InetSocket } from "../../../src/parse/netlink/inet_diag.ts";
import { etherProtocolName } from "../../../src/parse/netlink/packet_diag.ts";
import type { TcpInfo } from "../../../src/parse/netlink/tcp_info.ts";
import { netnsInode } from "../../../src/runtime/netlink.ts";
import {
  dumpInetSockets,
  dumpPacketSockets,
  dumpRawSockets,
  type DumpResult,
  dumpUnixSockets,
} from "../../../src/collect/linux/netlink.ts";
import { listSocketInodes } from "../../../src/runtime/proc_fd.ts";
import { type Netns, withNetns } from "../../helpers/netns.ts";
import {
  buildNetwork,
  holdScenarioSockets,
  netnsPath,
  SCENARIO_SKIP,
  unixNames,
} from "./_scenario.ts";
import { parseSsLines, ssEndpoint, type SsSocket, ssState, ssTimerMs } from "./_ss.ts";

const skip = SCENARIO_SKIP;
const RUNTIME = (globalThis as { Bun?: unknown }).Bun !== undefined ? "bun:ffi" : "Deno.dlopen";
const SELF_NS = "/proc/thread-self/ns/net";

/** Asserts a dump worked through this runtime's FFI; returns its records. */
function records<T>(r: DumpResult<T>, what: string): T[] {
  assert.ok(r.ok, `${what}: ${r.ok ? "" : r.reason}`);
  assert.equal(r.runtime, RUNTIME, "the runtime's own FFI carried the calls");
  return r.records;
}

/** inode → pid of the sockets a process holds, from its /proc/PID/fd. */
function ownerOf(pid: number): Map<number, number> {
  return new Map(listSocketInodes(`/proc/${pid}/fd`).map((inode) => [inode, pid]));
}

/** Runs the scenario's namespace and socket holder; waits for its sockets to go idle. */
async function withScenario(
  tag: string,
  fn: (ns: Netns, path: string, pid: number) => Promise<void> | void,
): Promise<void> {
  await withNetns(tag, async (ns) => {
    buildNetwork(ns);
    const { pid } = await holdScenarioSockets(ns, `${tag}-${process.pid}`);
    await new Promise((r) => setTimeout(r, 400)); // delayed ACKs and the like have gone out
    await fn(ns, netnsPath(ns), pid);
  });
}

const g = (x: number) => String(Number(x.toPrecision(6)));

/** The tcp_info fields `ss -i` prints for a socket, with its rules for leaving them out. */
function ssInfo(s: InetSocket, i: TcpInfo): Map<string, string> {
  const m = new Map<string, string>();
  const put = (k: string, v: number | bigint | string | undefined, shown = v !== 0 && v !== 0n) => {
    if (v !== undefined && shown) m.set(k, String(v));
  };
  if (i.options & 4) put("wscale", `${i.sndWscale},${i.rcvWscale}`);
  put("rto", g(i.rto / 1000), i.rto !== 0 && i.rto !== 3_000_000);
  put("backoff", i.backoff);
  put("rtt", `${g(i.rtt / 1000)}/${g(i.rttvar / 1000)}`, i.rtt !== 0);
  put("ato", g(i.ato / 1000), i.ato !== 0);
  put("mss", i.sndMss);
  put("pmtu", i.pmtu);
  put("rcvmss", i.rcvMss);
  put("advmss", i.advmss);
  put("cwnd", i.sndCwnd);
  put("ssthresh", i.sndSsthresh, i.sndSsthresh !== 0 && i.sndSsthresh < 0xffff);
  put("bytes_sent", i.bytesSent);
  put("bytes_retrans", i.bytesRetrans);
  put("bytes_acked", i.bytesAcked);
  put("bytes_received", i.bytesReceived);
  put("segs_out", i.segsOut);
  put("segs_in", i.segsIn);
  put("data_segs_out", i.dataSegsOut);
  put("data_segs_in", i.dataSegsIn);
  put("lastsnd", i.lastDataSent);
  put("lastrcv", i.lastDataRecv);
  put("lastack", i.lastAckRecv);
  const unlimited = 0xffffffffffffffffn;
  if (i.pacingRate && i.pacingRate !== unlimited) {
    const max = i.maxPacingRate && i.maxPacingRate !== unlimited
      ? `/${i.maxPacingRate * 8n}bps`
      : "";
    put("pacing_rate", `${i.pacingRate * 8n}bps${max}`);
  }
  put("delivery_rate", `${i.deliveryRate! * 8n}bps`, !!i.deliveryRate);
  put("delivered", i.delivered);
  put("delivered_ce", i.deliveredCe);
  put("unacked", i.unacked);
  put("retrans", `${i.retrans}/${i.totalRetrans}`, i.retrans !== 0 || i.totalRetrans !== 0);
  put("lost", i.lost);
  put("sacked", i.sacked, i.sacked !== 0 && s.state !== "LISTEN");
  put("dsack_dups", i.dsackDups);
  put("fackets", i.fackets);
  put("reordering", i.reordering, i.reordering !== 3);
  put("reord_seen", i.reordSeen);
  put("rcv_rtt", g(i.rcvRtt / 1000), i.rcvRtt !== 0);
  put("rcv_space", i.rcvSpace);
  put("rcv_ssthresh", i.rcvSsthresh);
  put("notsent", i.notsentBytes);
  put("minrtt", g(i.minRtt! / 1000), i.minRtt !== 0 && i.minRtt !== 0xffffffff);
  put("rcv_ooopack", i.rcvOoopack);
  put("snd_wnd", i.sndWnd);
  put("rcv_wnd", i.rcvWnd);
  put("rehash", i.rehash);
  return m;
}

/** Fields only newer ss prints (iproute2 6.2+): compared when this ss shows them. */
const NEWER_SS = new Set(["rcv_wnd", "rehash"]);

/** Fields that move with the clock: compared within a tolerance (ms). */
const TOLERANCE: Record<string, number> = {
  lastsnd: 5000,
  lastrcv: 5000,
  lastack: 5000,
  minrtt: 1,
};

function compareInfo(s: InetSocket, ss: SsSocket): void {
  const where = `${s.localAddress}:${s.localPort} ${s.state}`;
  const ours = ssInfo(s, s.tcpInfo!);
  for (const [k, v] of ours) {
    const theirs = ss.fields.get(k);
    if (theirs === undefined && NEWER_SS.has(k)) continue;
    assert.ok(theirs !== undefined, `${where}: ss shows no ${k} (ours ${v})`);
    if (k === "rtt") {
      const [a, b] = v.split("/").map(Number), [c, d] = theirs.split("/").map(Number);
      assert.ok(
        Math.abs(a! - c!) <= 1 && Math.abs(b! - d!) <= 1,
        `${where}: rtt ${v} vs ${theirs}`,
      );
    } else if (k in TOLERANCE) {
      assert.ok(
        Math.abs(Number(v) - Number(theirs)) <= TOLERANCE[k]!,
        `${where}: ${k} ${v} vs ${theirs}`,
      );
    } else assert.equal(v, theirs, `${where}: ${k}`);
  }
  for (const k of ss.fields.keys()) {
    // bbr:(…) is BBR's own info (not asked for); send is ss's estimate from cwnd, mss and rtt.
    if (["bbr", "send", "ino", "sk", "cgroup", "v6only", "uid", "fwmark"].includes(k)) continue;
    assert.ok(ours.has(k), `${where}: ss shows ${k}:${ss.fields.get(k)}, ours does not`);
  }
  assert.equal(ss.words.has("ts"), (s.tcpInfo!.options & 1) !== 0, `${where}: ts`);
  assert.equal(ss.words.has("sack"), (s.tcpInfo!.options & 2) !== 0, `${where}: sack`);
  assert.ok(s.congestion && ss.words.has(s.congestion), `${where}: congestion ${s.congestion}`);
}

/** Checks one inet socket against its ss line: everything ss -tanpeo shows. */
function compareInet(s: InetSocket, ss: SsSocket, owners: Map<number, number>): void {
  const where = `${s.protocol} ${s.localAddress}:${s.localPort} ${s.state}`;
  assert.equal(ssState(s.state), ss.state, `${where}: state`);
  assert.equal(s.recvQ, ss.recvQ, `${where}: Recv-Q`);
  assert.equal(s.sendQ, ss.sendQ, `${where}: Send-Q`);
  assert.equal(ssEndpoint(s.family, s.localAddress, s.localPort, s.v6only, s.interface), ss.local);
  assert.equal(ssEndpoint(s.family, s.remoteAddress, s.remotePort, s.v6only, undefined), ss.peer);
  assert.equal(String(s.inode), ss.fields.get("ino"), `${where}: inode`);
  assert.equal(
    s.v6only === undefined ? undefined : s.v6only ? "1" : "0",
    ss.fields.get("v6only"),
    `${where}: v6only`,
  );
  // ss -e prints SO_MARK as fwmark:0x… when it is set.
  assert.equal(s.mark ? `0x${s.mark.toString(16)}` : undefined, ss.fields.get("fwmark"), where);
  assert.equal(s.timer?.name, ss.timer?.name, `${where}: timer`);
  if (s.timer && ss.timer) {
    // ss rounds: "119min" for 7,199,980 ms, "58sec" for 58,4xx ms.
    const theirs = ssTimerMs(ss.timer.expires);
    assert.ok(
      Math.abs(s.timer.expiresMs - theirs) <= Math.max(1000, theirs * 0.01),
      `${where}: expires`,
    );
    assert.equal(s.timer.retrans, ss.timer.retrans);
  }
  const pid = owners.get(s.inode);
  assert.deepEqual(pid === undefined ? [] : [pid], ss.pids, `${where}: owner`);
}

test("dumpInetSockets() in a namespace equals ss -tanpieO and ss -uanpe, tcp_info included", {
  skip,
}, async () => {
  await withScenario("nlinet", (ns, path, pid) => {
    const home = netnsInode(SELF_NS);
    assert.notEqual(netnsInode(path), home, "the test namespace is not ours");
    const r = dumpInetSockets({ netns: path, tcpInfo: true });
    const ssTcp = parseSsLines(ns.exec("ss", "-tanpieO"), false);
    const ssUdp = parseSsLines(ns.exec("ss", "-uanpe"), false);
    assert.equal(netnsInode(SELF_NS), home, "back in our own namespace");
    const socks = records(r, "inet");
    assert.ok(r.ok);
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(r.incomplete, []);
    const owners = ownerOf(pid);
    const bySk = new Map([...ssTcp, ...ssUdp].map((s) => [s.fields.get("sk")!, s]));
    for (const s of socks) {
      const ss = bySk.get(s.cookie.toString(16));
      assert.ok(ss, `ss does not show ${s.protocol} ${s.localAddress}:${s.localPort} ${s.state}`);
      compareInet(s, ss, owners);
      if (s.tcpInfo) compareInfo(s, ss);
      else {assert.ok(
          s.protocol === "udp" || s.state === "TIME_WAIT",
          "tcp_info for every TCP socket",
        );}
    }
    assert.equal(socks.length, ssTcp.length + ssUdp.length, "as many sockets as ss shows");
    // The promises of the issue, one by one.
    const listener = (port: number) =>
      socks.find((s) => s.localPort === port && s.state === "LISTEN")!;
    assert.equal(listener(7002).interface, "nl0", "a SO_BINDTODEVICE listener shows its device");
    assert.equal(listener(7003).v6only, true, "[::]:7003 is IPv6 only");
    assert.equal(listener(7004).v6only, false, "[::]:7004 takes IPv4 too");
    // A link-local listener: its scope is the device (ss: [fe80::1]%nl0:7011, compared above).
    assert.deepEqual(
      [listener(7011).localAddress, listener(7011).interface],
      ["fe80::1", "nl0"],
      "the IPv6 scope of a link-local listener",
    );
    assert.equal(listener(7012).mark, 42, "SO_MARK");
    assert.equal(listener(7001).mark ?? 0, 0, "no mark where none is set");
    assert.deepEqual(
      [listener(7001).recvQ, listener(7001).sendQ],
      [2, 7],
      "accept queue and backlog",
    );
    assert.equal(socks.find((s) => s.state === "TIME_WAIT")?.timer?.name, "timewait");
    assert.equal(owners.get(listener(7001).inode), pid, "the listener appears with its pid");
    // The default detail: the same health fields, read from the same kernel struct.
    const summary = records(dumpInetSockets({ netns: path, tcpInfo: "summary" }), "summary");
    const full = new Map(socks.map((s) => [s.cookie, s]));
    for (const s of summary.filter((x) => x.protocol === "tcp" && x.state !== "TIME_WAIT")) {
      const f = full.get(s.cookie)!.tcpInfo!;
      assert.equal(s.tcpInfo, undefined);
      assert.deepEqual({ ...s.tcpSummary!, rtt: 0, rttvar: 0 }, {
        retrans: f.retrans,
        totalRetrans: f.totalRetrans,
        lost: f.lost,
        rtt: 0,
        rttvar: 0,
      });
      assert.ok(Math.abs(s.tcpSummary!.rtt - f.rtt) <= 1000, "rtt within 1 ms");
    }
  });
});

test("dumpUnixSockets() in a namespace equals ss -xanpe: paths, abstract names, peers, queues", {
  skip,
}, async () => {
  await withScenario("nlunix", (ns, path, pid) => {
    const socks = records(dumpUnixSockets({ netns: path }), "unix");
    const ss = parseSsLines(ns.exec("ss", "-xanpe"), true, true);
    const byInode = new Map(ss.map((s) => [s.localPort!, s]));
    const owners = ownerOf(pid);
    const netids = { stream: "u_str", dgram: "u_dgr", seqpacket: "u_seq" } as Record<
      string,
      string
    >;
    for (const s of socks) {
      const line = byInode.get(String(s.inode));
      assert.ok(line, `ss does not show unix socket ${s.inode}`);
      const where = `unix ${s.path ?? s.inode}`;
      assert.equal(netids[s.type], line.netid, `${where}: type`);
      assert.equal(ssState(s.state), line.state, `${where}: state`);
      assert.equal(s.recvQ, line.recvQ, `${where}: Recv-Q`);
      assert.equal(s.sendQ, line.sendQ, `${where}: Send-Q`);
      assert.equal(s.path ?? "*", line.local, `${where}: name`);
      assert.equal(String(s.peerInode ?? 0), line.peerPort, `${where}: peer`);
      assert.equal(s.vfs === undefined ? undefined : String(s.vfs.inode), line.fields.get("ino"));
      assert.deepEqual(owners.has(s.inode) ? [pid] : [], line.pids, `${where}: owner`);
    }
    assert.equal(socks.length, ss.length);
    const names = unixNames(`nlunix-${process.pid}`);
    const named = new Map(socks.filter((s) => s.path).map((s) => [s.path!, s]));
    assert.deepEqual(
      [names.stream, names.dgram, names.seqpacket].map((
        n,
      ) => [named.get(n)?.type, named.get(n)?.abstract]),
      [["stream", undefined], ["dgram", true], ["seqpacket", true]],
    );
  });
});

test("dumpPacketSockets() in a namespace equals ss -0anpe, and each appears with its pid", {
  skip,
}, async () => {
  await withScenario("nlpkt", (ns, path, pid) => {
    const socks = records(dumpPacketSockets({ netns: path }), "packet");
    const ss = parseSsLines(ns.exec("ss", "-0anpe"), true);
    const byInode = new Map(ss.map((s) => [s.fields.get("ino")!, s]));
    const owners = ownerOf(pid);
    assert.equal(socks.length, 2);
    assert.equal(ss.length, 2);
    for (const s of socks) {
      const line = byInode.get(String(s.inode));
      assert.ok(line, `ss does not show packet socket ${s.inode}`);
      assert.equal(line.netid, s.type === "raw" ? "p_raw" : "p_dgr");
      // ss -n writes ETH_P_ALL as "*" and other protocols as [number].
      const proto = s.protocol === 3 ? "*" : `[${s.protocol}]`;
      assert.equal(`${proto}:${s.interface ?? "*"}`, line.local);
      assert.equal(s.cookie.toString(16), line.fields.get("sk"));
      assert.deepEqual(line.pids, [pid]);
      assert.equal(owners.get(s.inode), pid, "a packet socket appears with its pid");
      // Recv-Q is left out: the ETH_P_ALL socket fills up with whatever crosses the bridge.
    }
    assert.deepEqual(socks.map((s) => etherProtocolName(s.protocol)).sort(), ["ALL", "arp"]);
  });
});

test("dumpRawSockets() lists raw sockets, or says the kernel has no raw_diag and /proc has them", {
  skip,
}, async () => {
  await withScenario("nlraw", (ns, path, pid) => {
    const r = dumpRawSockets({ netns: path });
    const socks = records(r, "raw");
    assert.ok(r.ok);
    const owners = ownerOf(pid);
    const ss = parseSsLines(ns.exec("ss", "-wanpe"), false);
    if (r.incomplete.length > 0) {
      // This kernel lacks CONFIG_INET_RAW_DIAG: a warning naming the part, never a throw.
      assert.deepEqual(r.incomplete, ["raw", "raw6"]);
      assert.match(r.warnings.join("\n"), /raw: the kernel answered ENOENT/);
      // The fallback still sees them: /proc/PID/net/raw is the holder's namespace's table.
      const text = readFileSync(`/proc/${pid}/net/raw`, "utf8");
      const { value: connections } = parseProcNetSockets(text, "udp", "inet", "raw");
      const icmp = connections.find((c) => c.localPort === 1)!;
      assert.ok(icmp, "the raw ICMP socket is in /proc/PID/net/raw");
      assert.equal(owners.get(icmp.inode!), pid, "the raw ICMP socket appears with its pid");
      assert.ok(ss.some((s) => s.local === "0.0.0.0:1" && s.pids.includes(pid)));
      return;
    }
    assert.deepEqual(r.warnings, []);
    for (const s of socks) {
      const line = ss.find((x) => x.fields.get("ino") === String(s.inode));
      assert.ok(line, `ss does not show raw socket ${s.inode}`);
      assert.equal(
        ssEndpoint(s.family, s.localAddress, s.localPort, s.v6only, s.interface),
        line.local,
      );
      assert.deepEqual(line.pids, [pid]);
    }
    assert.deepEqual(socks.map((s) => s.rawProtocol).sort(), [1, 58]);
  });
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { DARWIN_COMMANDS } from "../../src/collect/darwin.ts";
import { captureSnapshot } from "../../src/collect/mod.ts";
import type { CommandResult, CommandRunner } from "../../src/runtime/command.ts";
import { Snapshot as SnapshotSchema } from "../../src/schema.ts";
import { serializeSnapshot } from "../../src/snapshot/serialize.ts";
import { diffSnapshots, isKind } from "../../src/diff/mod.ts";
import { renderConnections } from "../../src/render/show_connections.ts";
import { normalizeState, selectConnections } from "../../src/view/select.ts";

const HERE = new URL("../testdata/", import.meta.url);
const read = (p: string) => readFileSync(new URL(p, HERE), "utf8");

/** Recorded outputs of one macOS host (hand-written where no capture exists; see README). */
const RECORDED: Record<string, string> = {
  [DARWIN_COMMANDS.tcp.join(" ")]: read("darwin/capture/netstat-anvW-tcp.txt"),
  [DARWIN_COMMANDS.udp.join(" ")]: read("darwin/capture/netstat-anvW-udp.txt"),
  [DARWIN_COMMANDS.routes.join(" ")]: read("fixtures/darwin/netstat-rnl/jc-osx-10.14.6.txt"),
  [DARWIN_COMMANDS.ifstats.join(" ")]: read("darwin/capture/netstat-ibn.txt"),
  [DARWIN_COMMANDS.counters.join(" ")]: read("darwin/capture/netstat-s.txt"),
  [DARWIN_COMMANDS.ifconfig.join(" ")]: read("fixtures/darwin/ifconfig/jc-osx-10.14.6.txt"),
  [DARWIN_COMMANDS.lsof.join(" ")]: read("darwin/capture/lsof-F.txt"),
  [DARWIN_COMMANDS.ps.join(" ")]:
    "    1 /sbin/launchd\n  500 nginx: master process /usr/local/bin/nginx\n" +
    "  501 nginx --password=hunter2\n",
  // macOS's defaults, in sysctl's "name: value" lines.
  [DARWIN_COMMANDS.settings.join(" ")]:
    "net.inet.ip.portrange.first: 49152\nnet.inet.ip.portrange.last: 65535\n",
};

/** A runner serving recorded outputs; `override` replaces or removes commands. */
function fakeRunner(override: Record<string, CommandResult | undefined> = {}): CommandRunner {
  return (argv) => {
    const key = argv.join(" ");
    if (key in override) {
      return override[key] ??
        { ok: false, stdout: "", stderr: "", reason: `${argv[0]}: not found` };
    }
    const out = RECORDED[key];
    return out === undefined
      ? { ok: false, stdout: "", stderr: "", reason: `${argv[0]}: not found` }
      : { ok: true, stdout: out, stderr: "" };
  };
}

test("the darwin collector builds a valid snapshot from recorded macOS outputs, every section ok", async () => {
  const s = await captureSnapshot({
    platform: "darwin",
    runner: fakeRunner(),
    uid: 0,
    labels: { env: "test" },
  });
  assert.equal(s.meta.host.os, "darwin");
  assert.deepEqual({ ...s.meta.labels }, { env: "test" });
  for (const [name, st] of Object.entries(s.meta.sections)) {
    assert.equal(st?.status, "ok", `${name}: ${JSON.stringify(st)}`);
  }
  assert.deepEqual({ ...s.settings }, {
    "net.inet.ip.portrange.first": "49152",
    "net.inet.ip.portrange.last": "65535",
  });
  const parsed = SnapshotSchema.safeParse(JSON.parse(serializeSnapshot(s, "json")));
  assert.ok(parsed.success, parsed.success ? "" : parsed.error.message);
});

test("the darwin collector gives connections their pids from netstat -anv and lsof", async () => {
  const s = await captureSnapshot({ platform: "darwin", runner: fakeRunner(), uid: 0 });
  assert.equal(s.connections.length, 12);
  const find = (proto: string, port: number) =>
    s.connections.find((c) => c.protocol === proto && c.localPort === port);
  assert.equal(find("tcp", 631)?.pid, 137);
  assert.equal(find("tcp", 631)?.state, "LISTEN");
  // lsof fills in what netstat's pid column left at 0 (no owner visible to netstat).
  const dns = find("udp", 55000);
  assert.equal(dns?.pid, 250);
  assert.equal(dns?.state, "ESTABLISHED");
  // A pre-fork server: netstat shows a worker, lsof shows both; the master is the owner.
  const web = find("tcp", 80);
  assert.deepEqual(web?.pids, [500, 501]);
  assert.equal(web?.pid, 500);
  const v6 = s.connections.find((c) => c.localAddress === "2600:1700:bab0:d40::24");
  assert.equal(v6?.remoteAddress, "2607:f8b0:4003:c00::6a");
  assert.equal(v6?.pid, 420);
  const tw = s.connections.find((c) => c.state === "TIME_WAIT");
  assert.equal(tw?.pid, undefined);
  assert.equal(tw?.uid, undefined);
  assert.equal(s.processes["420"]?.name, "Slack Helper");
  assert.equal(s.processes["501"]?.ppid, 500);
  assert.equal(s.processes["178"]?.user, "_mdnsresponder");
});

test("the darwin collector reads routes, interfaces with stats and addresses, and counters", async () => {
  const s = await captureSnapshot({ platform: "darwin", runner: fakeRunner(), uid: 0 });
  assert.equal(s.routes.length, 89);
  const def = s.routes.find((r) => r.destination === "0.0.0.0/0");
  assert.equal(def?.gateway, "192.168.1.254");
  assert.equal(def?.interface, "en0");
  const en0 = s.interfaces.find((i) => i.name === "en0");
  assert.equal(en0?.mtu, 1500);
  assert.equal(en0?.mac, "f0:18:98:03:d9:30");
  assert.equal(en0?.operState, "up");
  assert.equal(en0?.index, 8);
  assert.equal(en0?.stats?.rxBytes, 18228234970n);
  assert.equal(en0?.stats?.txErrors, 464n);
  assert.ok(en0?.addresses.some((a) => a.address === "192.168.1.72" && a.prefixLength === 24));
  const gif = s.interfaces.find((i) => i.name === "gif0");
  assert.equal(gif?.operState, "down");
  assert.equal(s.counters["Tcp"]?.["RetransSegs"], 120n);
  assert.equal(s.counters["TcpExt"]?.["ListenOverflows"], 7n);
  assert.equal(s.counters["Ip"]?.["InReceives"], 9007199254740993n);
  assert.equal(s.counters["UdpBsd"]?.["droppedDueToNoSocket"], 12n);
});

test("the darwin collector marks a missing command's section error and keeps the others ok", async () => {
  const s = await captureSnapshot({
    platform: "darwin",
    runner: fakeRunner({ [DARWIN_COMMANDS.counters.join(" ")]: undefined }),
    uid: 0,
  });
  assert.equal(s.meta.sections.counters.status, "error");
  assert.match(s.meta.sections.counters.error ?? "", /netstat: not found/);
  assert.deepEqual({ ...s.counters }, {});
  for (const name of ["connections", "processes", "routes", "interfaces"] as const) {
    assert.equal(s.meta.sections[name].status, "ok", name);
  }
});

test("the darwin collector without lsof keeps netstat's pids and says why the rest are unknown", async () => {
  const s = await captureSnapshot({
    platform: "darwin",
    runner: fakeRunner({ [DARWIN_COMMANDS.lsof.join(" ")]: undefined }),
    uid: 0,
  });
  assert.equal(s.meta.sections.processes.status, "error");
  assert.equal(s.meta.sections.connections.status, "partial");
  assert.match(s.meta.sections.connections.warnings?.[0] ?? "", /process info for 1 sockets/);
  assert.equal(s.connections.find((c) => c.localPort === 631)?.pid, 137);
});

test("the darwin collector as non-root with a failing lsof marks processes and connections partial", async () => {
  const partial = "p137\nccupsd\nu0\nf5\ntIPv4\nPTCP\nn127.0.0.1:631\nTST=LISTEN\n";
  const s = await captureSnapshot({
    platform: "darwin",
    runner: fakeRunner({
      [DARWIN_COMMANDS.lsof.join(" ")]: {
        ok: false,
        stdout: partial,
        stderr: "",
        reason: "lsof: exit 1",
      },
      [DARWIN_COMMANDS.tcp.join(" ")]: {
        ok: true,
        stdout: read("darwin/capture/netstat-anvW-tcp.txt").replace(/ 399 /, "   0 "),
        stderr: "",
      },
    }),
    uid: 501,
  });
  assert.equal(s.meta.privileges.root, false);
  assert.equal(s.meta.sections.processes.status, "partial");
  assert.ok(s.meta.sections.processes.warnings?.some((w) => /not root/.test(w)));
  assert.equal(s.meta.sections.connections.status, "partial");
  assert.match(
    s.meta.sections.connections.warnings?.join(" ") ?? "",
    /unavailable: lsof output incomplete/,
  );
});

test("the darwin collector falls back to one netstat -anvW when -p is refused", async () => {
  const both = read("darwin/capture/netstat-anvW-tcp.txt") +
    read("darwin/capture/netstat-anvW-udp.txt");
  const s = await captureSnapshot({
    platform: "darwin",
    runner: fakeRunner({
      [DARWIN_COMMANDS.tcp.join(" ")]: undefined,
      [DARWIN_COMMANDS.all.join(" ")]: { ok: true, stdout: both, stderr: "" },
    }),
    uid: 0,
  });
  assert.equal(s.meta.sections.connections.status, "ok");
  assert.equal(s.connections.length, 12);
});

test("the darwin collector with cmdline records masked command lines", async () => {
  const s = await captureSnapshot({
    platform: "darwin",
    runner: fakeRunner(),
    uid: 0,
    cmdline: true,
  });
  assert.deepEqual(s.processes["1"]?.cmdline, ["/sbin/launchd"]);
  const worker = s.processes["501"]?.cmdline ?? [];
  assert.ok(!worker.join(" ").includes("hunter2"));
  assert.equal(s.processes["137"]?.cmdline, undefined);
});

test("captureSnapshot() on platform darwin uses the darwin collector", async () => {
  const s = await captureSnapshot({ platform: "darwin", runner: fakeRunner() });
  assert.equal(s.meta.host.os, "darwin");
  assert.equal(s.routes.length, 89);
});

test("the darwin collector gives byte-identical lists for two captures of the same state", async () => {
  const a = await captureSnapshot({ platform: "darwin", runner: fakeRunner(), uid: 0 });
  const b = await captureSnapshot({ platform: "darwin", runner: fakeRunner(), uid: 0 });
  const strip = (s: typeof a) =>
    JSON.stringify({ ...s, meta: undefined }, (_k, v) => typeof v === "bigint" ? v.toString() : v);
  assert.equal(strip(a), strip(b));
});

test("a darwin capture shows like any snapshot and diffs: a new listener and more retransmits", async () => {
  const before = await captureSnapshot({ platform: "darwin", runner: fakeRunner(), uid: 0 });
  const tcp = read("darwin/capture/netstat-anvW-tcp.txt");
  const extra = tcp.split("\n").find((l) => l.includes("*.80 "))!
    .replace("*.80  ", "*.8443").replace(/ 501 /, " 777 ");
  const after = await captureSnapshot({
    platform: "darwin",
    runner: fakeRunner({
      [DARWIN_COMMANDS.tcp.join(" ")]: { ok: true, stdout: `${tcp}${extra}\n`, stderr: "" },
      [DARWIN_COMMANDS.counters.join(" ")]: {
        ok: true,
        stdout: read("darwin/capture/netstat-s.txt").replace(
          "120 data packets",
          "180 data packets",
        ),
        stderr: "",
      },
    }),
    uid: 0,
  });
  const shown = renderConnections(after, after.connections);
  assert.match(shown, /\*?0\.0\.0\.0:8443/);
  assert.match(shown, /137\/cupsd/);
  const doc = diffSnapshots(before, after);
  const opened = doc.changes.filter((c) => c.kind === "listener-opened");
  assert.equal(opened.length, 1);
  assert.match(opened[0]!.summary, /8443/);
  const retrans = doc.changes.filter(isKind("counter-increased")).find((c) =>
    c.key.name === "RetransSegs"
  );
  assert.equal(retrans?.delta, 60n);
});

test("the darwin collector keeps its parsers' warnings: a garbage line makes the section partial", async () => {
  const junk = "%% this is not netstat output %%";
  const ibn = read("darwin/capture/netstat-ibn.txt");
  const s = await captureSnapshot({
    platform: "darwin",
    uid: 0,
    runner: fakeRunner({
      [DARWIN_COMMANDS.routes.join(" ")]: {
        ok: true,
        stdout: `${read("fixtures/darwin/netstat-rnl/jc-osx-10.14.6.txt")}${junk}\n`,
        stderr: "",
      },
      [DARWIN_COMMANDS.counters.join(" ")]: {
        ok: true,
        stdout: `\t7 ${junk}\n${read("darwin/capture/netstat-s.txt")}`,
        stderr: "",
      },
      [DARWIN_COMMANDS.ifstats.join(" ")]: { ok: true, stdout: `${ibn}${junk}\n`, stderr: "" },
    }),
  });
  for (const name of ["routes", "counters", "interfaces"] as const) {
    const st = s.meta.sections[name];
    assert.equal(st.status, "partial", `${name}: ${JSON.stringify(st)}`);
    assert.ok(st.warnings?.some((w) => w.includes("cannot read") && w.includes(junk)), name);
  }
  // What could be read is still there.
  assert.equal(s.routes.length, 89);
  assert.equal(s.counters["Tcp"]?.["RetransSegs"], 120n);
  assert.equal(s.interfaces.find((i) => i.name === "en0")?.stats?.rxBytes, 18228234970n);
});

/** The tcp listing with `n` half-open connections to the web server (macOS prints SYN_RCVD). */
function synFlood(n: number): string {
  const tcp = read("darwin/capture/netstat-anvW-tcp.txt");
  const listener = tcp.split("\n").find((l) => l.includes("*.80 "))!;
  const rows = Array.from({ length: n }, (_, i) => {
    const local = "192.168.1.72.80".padEnd(23);
    const remote = `10.9.9.${i + 1}.${40000 + i}`.padEnd(23);
    return listener.replace(/\*\.80 +\*\.\* +LISTEN {6}/, `${local}${remote}SYN_RCVD    `)
      .replace(/ 501 /, "   0 ");
  });
  return `${tcp}${rows.join("\n")}\n`;
}

test("a macOS SYN flood reads as SYN_RECV: show --state finds it either way and diff calls it out", async () => {
  const before = await captureSnapshot({ platform: "darwin", runner: fakeRunner(), uid: 0 });
  const after = await captureSnapshot({
    platform: "darwin",
    uid: 0,
    runner: fakeRunner({
      [DARWIN_COMMANDS.tcp.join(" ")]: { ok: true, stdout: synFlood(20), stderr: "" },
    }),
  });
  const half = after.connections.filter((c) => c.remoteAddress.startsWith("10.9.9."));
  assert.equal(half.length, 20);
  assert.ok(half.every((c) => c.state === "SYN_RECV"), JSON.stringify(half[0]));
  for (const typed of ["syn-recv", "syn_rcvd", "SYN_RCVD", "SYN-RECV"]) {
    const found = selectConnections(after, { state: [normalizeState(typed)] });
    assert.equal(found.length, 20, typed);
  }
  const doc = diffSnapshots(before, after);
  const buildup = doc.changes.find((c) => c.kind === "session-state-buildup");
  assert.ok(buildup, doc.changes.map((c) => c.kind).join(","));
  assert.match(buildup.summary, /SYN_RECV/);
});

/**
 * Reading the host faithfully, through the real CLI in network namespaces the tests make:
 * - interfaces named `é-ü`, `a<ESC>b`, `x<0xff>y` and `a\x41` are each listed once, with their
 *   counters, under the index the kernel gives them (cross-checked against the bytes /sys and
 *   `ip -o link` list), and the ESC name does not wipe ip's addresses;
 * - process names set with prctl(PR_SET_NAME), UTF-8 and cut inside a character, are decoded
 *   (cross-checked against /proc/PID/comm's bytes and `ps -o comm`);
 * - under `nsenter --net` (the mount namespace, and so /sys, still the host's) only the
 *   namespace's interfaces are listed and the section says why /sys was not used;
 * - as nobody under a /proc mounted with hidepid=2, root's socket is said to be hidden by /proc.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { runCli } from "../../helpers/cli.ts";
import { canUseNetns, holdSockets, type Netns, whenReady, withNetns } from "../../helpers/netns.ts";
import { asNobody, NOBODY, sharedDir } from "../../helpers/users.ts";
import { copyBinary } from "../../helpers/binary.ts";
import { hostBytes } from "../../../src/util/host_text.ts";
import type { Snapshot } from "../../../src/model.ts";

const skip = !canUseNetns() ? "needs root and ip netns" : false;
const hasPython = spawnSync("python3", ["-c", "import ctypes"]).status === 0;
const hasNsenter = spawnSync("nsenter", ["--version"]).status === 0;
const hasUnshare = spawnSync("unshare", ["--version"]).status === 0;

const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
const latinBytes = (s: string) => Uint8Array.from([...s].map((c) => c.charCodeAt(0)));

function capture(wrap: string[]): Snapshot {
  const r = runCli(["capture", "-o", "-", "--format", "json"], { wrap });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** The links of a namespace as the kernel names them (bytes, hex) with their index, from `ip -o link`. */
function ipLinks(wrap: string[]): Map<string, number> {
  const r = spawnSync(wrap[0]!, [...wrap.slice(1), "ip", "-o", "link"]);
  assert.equal(r.status, 0, String(r.stderr));
  const out = new Map<string, number>();
  // One line per link: "3: NAME@PEER: <FLAGS> …"; the name's bytes as they are.
  for (const line of new TextDecoder("latin1").decode(r.stdout).split("\n")) {
    const m = /^([0-9]+): (.+?)(@[^:]+)?: </.exec(line);
    if (m) out.set(hex(latinBytes(m[2]!)), Number(m[1]));
  }
  return out;
}

test("interfaces with unicode, ESC, non-UTF-8 and backslash names: each once, with counters", {
  skip,
  timeout: 120_000,
}, async () => {
  await withNetns("names", (ns) => {
    // Names as bytes: the shell's printf makes ESC and 0xff, which argv strings cannot carry.
    const add = (name: string, peer: string) =>
      ns.exec("sh", "-c", `ip link add name "${name}" type veth peer name ${peer}`);
    add("é-ü", "p0");
    add("$(printf 'a\\033b')", "p1");
    add("$(printf 'x\\377y')", "p2");
    add("a\\x41", "p3");
    ns.exec("sh", "-c", `ip addr add 10.9.0.1/24 dev "$(printf 'a\\033b')"`);
    // Every link up (a qdisc and a connected route each); the shell passes the names' bytes.
    ns.exec("sh", "-c", 'for d in /sys/class/net/*; do ip link set "${d##*/}" up; done');
    const kernel = ipLinks(ns.wrap);
    assert.equal(kernel.size, 9, "lo and four veth pairs");
    // The bytes /sys lists are the same names.
    const sys = ns.exec(
      "python3",
      "-c",
      "import os;print(' '.join(n.hex() for n in os.listdir(b'/sys/class/net')))",
    );
    assert.deepEqual(sys.trim().split(" ").sort(), [...kernel.keys()].sort());

    const s = capture(ns.wrap);
    // The status without its source (netlink, or /sys and ip -j with --no-netlink): ok, no warning.
    const bare = ({ source: _source, ...st }: { source?: string | undefined }) => st;
    assert.deepEqual(bare(s.meta.sections.interfaces), { status: "ok" });
    const got = new Map(s.interfaces.map((i) => [hex(hostBytes(i.name)), i]));
    assert.equal(s.interfaces.length, kernel.size, s.interfaces.map((i) => i.name).join(" "));
    for (const [name, index] of kernel) {
      const itf = got.get(name);
      assert.ok(itf, `link ${name} is listed`);
      assert.equal(itf.index, index, name);
      assert.ok(itf.stats?.rxBytes !== undefined, `${itf.name}: its counters`);
    }
    const names = s.interfaces.map((i) => i.name);
    assert.ok(names.includes("é-ü") && names.includes("a\x1bb"));
    assert.ok(names.includes("x\\xffy"), "the byte that is not UTF-8 reads \\xff");
    assert.ok(names.includes("a\\\\x41"), "a real backslash before x41 reads \\\\");
    const esc = s.interfaces.find((i) => i.name === "a\x1bb")!;
    assert.deepEqual(
      esc.addresses.filter((a) => a.family === "inet").map((a) => `${a.address}/${a.prefixLength}`),
      ["10.9.0.1/24"],
    );
    // Its route names the same interface.
    assert.ok(s.routes.some((r) => r.destination === "10.9.0.0/24" && r.interface === "a\x1bb"));
    assert.deepEqual(bare(s.meta.sections.routes), { status: "ok" });
    // tc's and ip's other JSON (qdiscs, neighbours, rules) name the same links the same way.
    for (const section of ["qdiscs", "neighbours", "rules"] as const) {
      assert.notEqual(
        s.meta.sections[section]?.status,
        "error",
        JSON.stringify(s.meta.sections[section]),
      );
    }
    const qdiscDevs = new Set(s.qdiscs?.map((q) => q.interface));
    for (const name of ["a\x1bb", "x\\xffy", "é-ü"]) {
      assert.ok(qdiscDevs.has(name), `qdisc of ${name}`);
    }
  });
});

/** A python3 that names itself with prctl(PR_SET_NAME, NAME), listens on PORT and says ready. */
function namedListener(ns: Netns, name: string, port: number) {
  const script = "import ctypes,socket,sys,time\n" +
    "ctypes.CDLL(None).prctl(15, ctypes.c_char_p(sys.argv[1].encode()), 0, 0, 0)\n" +
    `s=socket.socket(); s.bind(("127.0.0.1", ${port})); s.listen()\n` +
    "print('ready', flush=True); time.sleep(60)\n";
  return whenReady(ns.spawn(["python3", "-c", script, name]), `listener ${name}`);
}

test("process names set with prctl are UTF-8, a cut character kept as \\xHH", {
  skip: skip || (!hasPython && "needs python3 with ctypes"),
  timeout: 120_000,
}, async () => {
  await withNetns("comm", async (ns) => {
    const whole = await namedListener(ns, "é-ü-名前", 7201);
    // 16 bytes: the kernel keeps 15, cutting the last "é" after its first byte.
    const cut = await namedListener(ns, "éééééééé", 7202);
    const s = capture(ns.wrap);
    const byPort = (port: number) => s.connections.find((c) => c.localPort === port)?.pid;
    for (
      const [child, port, want] of [
        [whole, 7201, "é-ü-名前"],
        [cut, 7202, "ééééééé\\xc3"],
      ] as const
    ) {
      const pid = byPort(port);
      assert.ok(pid !== undefined, `the listener on ${port} has its owner`);
      const name = s.processes[String(pid)]!.name;
      assert.equal(name, want);
      // The same bytes as the kernel's.
      const comm = readFileSync(`/proc/${pid}/comm`).subarray(0, -1);
      assert.equal(hex(hostBytes(name)), hex(comm));
      const ps = spawnSync("ps", ["-o", "comm=", "-p", String(pid)], {
        encoding: "utf8",
        env: { LC_ALL: "C.UTF-8", PATH: "/usr/bin:/bin" },
      }).stdout.trim();
      // ps shows a byte it cannot print as "?": the rest must agree.
      assert.equal(ps.replace(/\?$/, ""), want.replace(/\\xc3$/, ""), `ps says ${ps}`);
      assert.ok(child.pid !== undefined);
    }
  });
});

test("under nsenter --net, the namespace's interfaces only, and why /sys was not used", {
  skip: skip || (!hasNsenter && "needs nsenter"),
  timeout: 120_000,
}, async () => {
  await withNetns("nsenter", (ns) => {
    ns.ip("link", "add", "name", "inner0", "type", "veth", "peer", "name", "inner1");
    ns.ip("addr", "add", "10.77.0.1/24", "dev", "inner0");
    const wrap = ["nsenter", `--net=/run/netns/${ns.name}`];
    const here = ipLinks(wrap);
    const hostOnly = readdirSync("/sys/class/net").filter((n) =>
      !here.has(hex(new TextEncoder().encode(n)))
    );
    assert.ok(hostOnly.length > 0, "the host has links the namespace has not");
    const s = capture(wrap);
    assert.deepEqual(
      s.interfaces.map((i) => hex(hostBytes(i.name))).sort(),
      [...here.keys()].sort(),
      `listed: ${s.interfaces.map((i) => i.name)}`,
    );
    for (const i of s.interfaces) assert.equal(i.index, here.get(hex(hostBytes(i.name))), i.name);
    const inner = s.interfaces.find((i) => i.name === "inner0")!;
    assert.deepEqual(inner.addresses.map((a) => a.address), ["10.77.0.1"]);
    assert.ok(inner.stats !== undefined);
    const st = s.meta.sections.interfaces;
    assert.equal(st.status, "partial");
    assert.ok(
      st.warnings?.some((w) => w.startsWith("/sys/class/net shows another network namespace")),
      JSON.stringify(st),
    );
  });
});

/** A TCP listener owned by nobody (perl from /usr/bin: nobody needs no access to the runtimes). */
function listenAsNobody(ns: Netns, home: string, port: number) {
  const script = `use IO::Socket::INET; $|=1; ` +
    `my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1:${port}", Listen => 5, ReuseAddr => 1) ` +
    `or die "listen: $!"; print "ready\\n"; sleep 60;`;
  return whenReady(ns.spawn([...asNobody(home), "/usr/bin/perl", "-e", script]), "perl listener");
}

test("as nobody under /proc with hidepid=2, root's socket is said to be hidden by /proc", {
  skip: skip || (!hasUnshare && "needs unshare"),
  timeout: 120_000,
}, async () => {
  const home = sharedDir("hidepid");
  try {
    await withNetns("hidepid", async (ns) => {
      await holdSockets(ns, ["listen:127.0.0.1:7301"]);
      await listenAsNobody(ns, home, 7303);
      // A private mount namespace with its own /proc (hidepid=2); it goes with the process.
      const mount = 'mount -t proc -o hidepid=2 proc /proc && exec "$@"';
      const wrap = [
        ...ns.wrap,
        "unshare",
        "-m",
        "--propagation",
        "private",
        "sh",
        "-c",
        mount,
        "sh",
        ...asNobody(home),
        "DENO_NO_UPDATE_CHECK=1",
      ];
      // What nobody sees there: its own processes only.
      const ls = spawnSync(wrap[0]!, [...wrap.slice(1), "ls", "/proc"], { encoding: "utf8" });
      const pids = ls.stdout.split("\n").filter((n) => /^[0-9]+$/.test(n));
      assert.ok(pids.length > 0 && pids.length < 20, `nobody lists ${pids.length} processes`);
      const r = spawnSync(wrap[0]!, [
        ...wrap.slice(1),
        // The binary, copied where nobody may run it: the repository may sit in a private folder.
        copyBinary(home),
        "capture",
        "-o",
        "-",
        "--format",
        "json",
      ], {
        encoding: "utf8",
        timeout: 60_000,
      });
      assert.equal(r.status, 0, r.stderr);
      const s: Snapshot = JSON.parse(r.stdout);
      assert.equal(s.meta.privileges.uid, NOBODY);
      const root = s.connections.find((c) => c.localPort === 7301);
      const mine = s.connections.find((c) => c.localPort === 7303);
      assert.ok(root && root.pid === undefined, "root's listener is there, without an owner");
      assert.ok(mine?.pid !== undefined, "nobody's own listener has its pid");
      const w = s.meta.sections.connections.warnings ?? [];
      assert.ok(
        w.some((x) =>
          /^owner of [1-9][0-9]* sockets unknown: \/proc hides other users' processes \(hidepid=(2|invisible)\)$/
            .test(x)
        ),
        w.join("\n"),
      );
    });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

/**
 * UNIX, raw and packet sockets of other network namespaces in a capture from the host's: a
 * process inside a namespace this test makes holds a UNIX listener on a path, one on an abstract
 * name, a raw ICMP socket and an AF_PACKET socket. The capture lists each with the namespace's id
 * and the holder's pid, as `ss -xlp`, `ss -wap` and `ss -0ap` inside the namespace list them;
 * over netlink and from /proc (NSNAP_NETLINK=0) alike. `show -x` prints them under the
 * namespace's heading, and a diff after the listener closed says so, naming the namespace.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Snapshot } from "../../../src/model.ts";
import { canUseNetns, type Netns, whenReady, withNetns } from "../../helpers/netns.ts";
import { runCli } from "../../helpers/cli.ts";

const skip = canUseNetns() ? false : "needs root and iproute2 (ip netns)";

/** The holder: prints "ready" once its sockets are up, then sleeps (at most 120 s). */
function holder(ns: Netns, dir: string): Promise<ChildProcess> {
  const script = [
    "import socket, time, os",
    `u = socket.socket(socket.AF_UNIX); u.bind(${JSON.stringify(`${dir}/app.sock`)}); u.listen()`,
    "a = socket.socket(socket.AF_UNIX); a.bind('\\0nsnap-other-ns'); a.listen()",
    "r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)",
    "p = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0806))",
    "s1, s2 = socket.socketpair()",
    "print('ready', flush=True)",
    "time.sleep(120)",
  ].join("\n");
  return whenReady(ns.spawn(["python3", "-c", script]), "the socket holder");
}

/**
 * What `ss` lists inside the namespace for these flags: each line's socket inode (UNIX: the
 * column after the name; packet: `ino:`; raw: none, `ss -w` prints no inode) with its pid.
 */
function ssSockets(ns: Netns, flags: string): Array<{ inode?: number; pid?: number }> {
  return ns.exec("ss", "-He", ...flags.split(" ")).split("\n").filter((l) => /\S/.test(l))
    .filter((l) => !l.startsWith("\t")).map((line) => {
      const inode = flags.includes("x")
        ? /\s(\d+)\s+\*\s+\d+\s/.exec(line)?.[1]
        : /\bino:(\d+)/.exec(line)?.[1];
      const pid = /pid=(\d+)/.exec(line)?.[1];
      return {
        ...(inode === undefined ? {} : { inode: Number(inode) }),
        ...(pid === undefined ? {} : { pid: Number(pid) }),
      };
    });
}

function capture(
  dir: string,
  name: string,
  env: Record<string, string> = {},
  extra: string[] = [],
): Snapshot {
  const file = join(dir, name);
  const r = runCli(["capture", "-o", file, ...extra], { env, timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(readFileSync(file, "utf8")) as Snapshot;
}

test("another namespace's UNIX, raw and packet sockets are captured with its id and their pid", {
  skip,
  timeout: 180_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-other-ns-"));
  try {
    await withNetns("others", async (ns) => {
      const child = await holder(ns, dir);
      const id = `netns:${ns.name}`;
      const ssUnix = ssSockets(ns, "-xlp");
      const ssRaw = ssSockets(ns, "-wap");
      const ssPacket = ssSockets(ns, "-0ap");
      assert.equal(ssRaw.length, 1, "ss -wap lists the raw socket");
      for (const [how, env] of [["netlink", {}], ["/proc", { NSNAP_NETLINK: "0" }]] as const) {
        const s = capture(dir, `${how === "netlink" ? "nl" : "proc"}.json`, env);
        assert.equal(s.meta.capture?.socketLists, "every-namespace", how);
        const unix = (s.unixSockets ?? []).filter((u) => u.namespace === id);
        const path = unix.find((u) => u.path === `${dir}/app.sock`);
        const abstract = unix.find((u) => u.path === "@nsnap-other-ns");
        assert.ok(path && abstract, `${how}: ${JSON.stringify(unix)}`);
        for (const u of [path, abstract]) {
          assert.equal(u.state, "LISTEN");
          assert.equal(u.pid, child.pid, `${how}: ${u.path}`);
          const listed = ssUnix.find((x) => x.inode === u.inode);
          assert.equal(listed?.pid, child.pid, `${how}: ss -xlp has ${u.path}`);
        }
        const raw = (s.rawSockets ?? []).filter((r) => r.namespace === id);
        assert.equal(raw.length, 1, `${how}: ${JSON.stringify(raw)}`);
        assert.equal(raw[0]!.ipProtocol, 1);
        assert.equal(raw[0]!.pid, child.pid);
        assert.equal(ssRaw[0]!.pid, raw[0]!.pid, `${how}: ss -wap names its pid`);
        const packet = (s.packetSockets ?? []).filter((p) => p.namespace === id);
        assert.equal(packet.length, 1, `${how}: ${JSON.stringify(packet)}`);
        assert.equal(packet[0]!.protocol, 0x0806);
        assert.equal(packet[0]!.pid, child.pid);
        assert.deepEqual(ssPacket, [{ inode: packet[0]!.inode, pid: child.pid }], how);
        // None of them is listed as the host's.
        const host = (s.unixSockets ?? []).filter((u) => u.namespace === undefined);
        assert.ok(!host.some((u) => u.inode === path.inode), how);
      }
      // --all-unix holds in every namespace: the holder's socketpair, both ends, its pid.
      const all = capture(dir, "all-unix.json", {}, ["--all-unix"]);
      const pair = (all.unixSockets ?? []).filter((u) =>
        u.namespace === id && u.state === "ESTABLISHED" && u.pid === child.pid
      );
      assert.equal(pair.length, 2, JSON.stringify(pair));
      const show = runCli(["show", "-xl", join(dir, "nl.json"), "--netns", ns.name]);
      assert.equal(show.code, 0, show.stderr);
      const lines = show.stdout.split("\n");
      const heading = lines.findIndex((l) => l.includes(ns.name));
      const row = lines.findIndex((l) => l.includes("@nsnap-other-ns"));
      assert.ok(heading >= 0 && row > heading, show.stdout);
      assert.ok(lines[row]!.includes(String(child.pid)), lines[row]);
      child.kill("SIGKILL");
      await new Promise((resolve) => child.once("exit", resolve));
      capture(dir, "after.json");
      // The diff of the two captures, as JSON, of one kind of change.
      const diffOnly = (only: string) =>
        runCli([
          "diff",
          join(dir, "nl.json"),
          join(dir, "after.json"),
          "--format",
          "json",
          "--only",
          only,
        ]);
      const doc = JSON.parse(diffOnly("listeners").stdout) as {
        changes: Array<{ kind: string; namespace?: string; summary: string }>;
      };
      const closed = doc.changes.filter((c) => c.kind === "unix-listener-closed");
      assert.deepEqual(
        closed.map((c) => c.namespace).sort(),
        [id, id],
        JSON.stringify(doc.changes.map((c) => c.summary)),
      );
      assert.ok(closed.every((c) => c.summary.includes(ns.name)), JSON.stringify(closed));
      // The raw and packet sockets that went with it, in the namespace's name too.
      const sockets = diffOnly("sockets");
      const gone = (JSON.parse(sockets.stdout) as typeof doc).changes.filter((c) =>
        c.kind === "raw-socket-closed" || c.kind === "packet-socket-closed"
      );
      assert.deepEqual(
        gone.map((c) => `${c.kind} ${c.namespace}`).sort(),
        [`packet-socket-closed ${id}`, `raw-socket-closed ${id}`],
        sockets.stdout,
      );
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a namespace nothing runs in: its sockets are read inside it, raw ones from its own /proc", {
  skip,
  timeout: 120_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-other-ns-"));
  try {
    await withNetns("empty", async (ns) => {
      // A host process that makes its sockets inside the namespace, then returns to the host's:
      // the namespace holds them, but no process of it does.
      const script = [
        "import ctypes, os, socket, time",
        "libc = ctypes.CDLL('libc.so.6', use_errno=True)",
        "home = os.open('/proc/self/ns/net', os.O_RDONLY)",
        `there = os.open(${JSON.stringify(`/run/netns/${ns.name}`)}, os.O_RDONLY)`,
        "assert libc.setns(there, 0x40000000) == 0",
        "r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)",
        "u = socket.socket(socket.AF_UNIX); u.bind('\\0nsnap-empty-ns'); u.listen()",
        "assert libc.setns(home, 0x40000000) == 0",
        "print('ready', flush=True)",
        "time.sleep(120)",
      ].join("\n");
      const child = spawn("python3", ["-c", script], { stdio: ["ignore", "pipe", "pipe"] });
      try {
        await whenReady(child, "the socket holder");
        const id = `netns:${ns.name}`;
        const s = capture(dir, "empty.json");
        const entry = s.namespaces?.find((n) => n.id === id);
        assert.equal(entry?.processes, 0, JSON.stringify(entry));
        assert.notEqual(entry?.sections.otherSockets?.status, "error", JSON.stringify(entry));
        const unix = (s.unixSockets ?? []).filter((u) => u.namespace === id);
        assert.deepEqual(unix.map((u) => [u.path, u.pid]), [["@nsnap-empty-ns", child.pid]]);
        const raw = (s.rawSockets ?? []).filter((r) => r.namespace === id);
        assert.deepEqual(raw.map((r) => [r.ipProtocol, r.pid]), [[1, child.pid]]);
        // Neither is the host's.
        assert.ok(
          !(s.rawSockets ?? []).some((r) => r.namespace === undefined && r.pid === child.pid),
        );
      } finally {
        child.kill("SIGKILL");
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * Issue 15, case 2 on a real kernel: programs as an operator names them, one rule for show, port
 * and diff — Debian's redis-server (a symlink to redis-check-rdb), busybox applets, memcached,
 * dnsmasq — and reloads that keep their process (sshd's SIGHUP re-exec) not read as restarts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../helpers/cli.ts";
import { type Netns, withNetns } from "../../helpers/netns.ts";
import {
  capture,
  diff,
  headline,
  kindsIn,
  nsRun,
  skipWithout,
  ssLines,
  stop,
  until,
  untilListening,
} from "./_servers.ts";

/** A scratch folder removed afterwards, and a namespace, for one test. */
async function inNamespace(tag: string, fn: (ns: Netns, dir: string) => Promise<void>) {
  const dir = mkdtempSync(join(tmpdir(), `nsnap-${tag}-`));
  try {
    await withNetns(tag, (ns) => fn(ns, dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The program `ss -p` names the holder of a TCP listener on `endpoint`. */
function ssProgram(ns: Netns, endpoint: string): string | undefined {
  const line = ssLines(ns, "-tlnp").find((l) => l.split(/\s+/)[3] === endpoint);
  return line === undefined ? undefined : /users:\(\("([^"]+)"/.exec(line)?.[1];
}

test(
  "Debian's redis-server restarts as redis-server (not redis-check-rdb), in show, port and diff",
  { skip: skipWithout("/usr/bin/redis-server"), timeout: 120_000 },
  async () => {
    await inNamespace("redis", async (ns, dir) => {
      const start = () =>
        ns.spawn([
          "/usr/bin/redis-server",
          "--port",
          "7202",
          "--bind",
          "127.0.0.1",
          "--save",
          "",
          "--appendonly",
          "no",
          "--dir",
          dir,
        ]);
      const first = start();
      await untilListening(ns, "127.0.0.1:7202");
      const a = join(dir, "a.json"), b = join(dir, "b.json");
      capture(ns, a);
      await stop(first, "SIGTERM");
      const second = start();
      await untilListening(ns, "127.0.0.1:7202");
      capture(ns, b);
      // The executable really is the other name: what the old rule went by.
      const snap = JSON.parse(readFileSync(b, "utf8"));
      assert.match(snap.processes[String(second.pid)].exe, /redis-check-rdb$/);
      assert.equal(ssProgram(ns, "127.0.0.1:7202"), "redis-server");

      const d = diff(a, b, "--only", "listeners", "--format", "json");
      assert.deepEqual(kindsIn(d.changes, "listeners"), ["listener-restarted"]);
      assert.equal(
        d.changes[0]!.summary,
        `tcp 127.0.0.1:7202: redis-server restarted (pid ${first.pid} → ${second.pid})`,
      );
      assert.equal(
        diff(a, b, "--only", "listeners", "--fail-on", "listener-owner-changed").code,
        0,
      );
      const gate = diff(a, b, "--only", "listeners", "--fail-on", "listener-restarted");
      assert.equal(gate.code, 1);
      assert.match(headline(gate.stdout), /^1 change: 1 listener — /);
      const show = runCli(["show", "-tl", b]);
      assert.match(
        show.stdout,
        new RegExp(`127\\.0\\.0\\.1:7202 .* ${second.pid}/redis-server$`, "m"),
      );
      const port = runCli(["port", "7202", b]);
      assert.match(port.stdout, new RegExp(`^pid ${second.pid}: redis-server,`, "m"));
    });
  },
);

test(
  "busybox httpd replaced by busybox nc -ll on the same port is listener-owner-changed",
  { skip: skipWithout("busybox"), timeout: 120_000 },
  async () => {
    await inNamespace("bbox", async (ns, dir) => {
      const httpd = ns.spawn(["busybox", "httpd", "-f", "-p", "8088", "-h", dir]);
      await untilListening(ns, "*:8088");
      const a = join(dir, "a.json"), b = join(dir, "b.json");
      capture(ns, a);
      await stop(httpd);
      const nc = ns.spawn(["busybox", "nc", "-ll", "-p", "8088", "-e", "/bin/cat"]);
      await untilListening(ns, "*:8088");
      capture(ns, b);
      // ss calls both "busybox": the process name is the multi-call binary's.
      assert.equal(ssProgram(ns, "*:8088"), "busybox");

      const d = diff(a, b, "--only", "listeners", "--format", "json");
      assert.deepEqual(kindsIn(d.changes, "listeners"), ["listener-owner-changed"]);
      assert.equal(
        d.changes[0]!.summary,
        `tcp [::]:8088 is now held by nc (pid ${nc.pid}), was httpd (pid ${httpd.pid})`,
      );
      const gate = diff(a, b, "--only", "listeners", "--fail-on", "listener-owner-changed");
      assert.equal(gate.code, 1);
      assert.match(headline(gate.stdout), /^1 change: 1 listener — /);
      assert.match(runCli(["show", "-tl", a]).stdout, new RegExp(`${httpd.pid}/httpd$`, "m"));
      assert.match(runCli(["show", "-tl", b]).stdout, new RegExp(`${nc.pid}/nc$`, "m"));
      assert.match(
        runCli(["port", "8088", b]).stdout,
        new RegExp(`^pid ${nc.pid}: nc \\(process busybox\\),`, "m"),
      );
    });
  },
);

test(
  "memcached restarted is listener-restarted; dnsmasq's UDP and TCP port 53 are listeners of dnsmasq",
  { skip: skipWithout("memcached", "dnsmasq"), timeout: 120_000 },
  async () => {
    await inNamespace("memdns", async (ns, dir) => {
      const mem = () =>
        ns.spawn(["memcached", "-u", "nobody", "-l", "127.0.0.1", "-p", "11311", "-U", "0"]);
      const m1 = mem();
      await untilListening(ns, "127.0.0.1:11311");
      const a = join(dir, "a.json"), b = join(dir, "b.json");
      capture(ns, a);
      await stop(m1, "SIGTERM");
      const m2 = mem();
      await untilListening(ns, "127.0.0.1:11311");
      ns.spawn([
        "dnsmasq",
        "-k",
        "--conf-file=/dev/null",
        "--no-resolv",
        "--no-hosts",
        "--listen-address=127.0.0.1",
        "--bind-interfaces",
        "--port=53",
        "--user=root",
        `--pid-file=${join(dir, "dnsmasq.pid")}`,
      ]);
      await untilListening(ns, "127.0.0.1:53");
      await until(
        "dnsmasq's UDP socket",
        () => ssLines(ns, "-uln").some((l) => l.includes("127.0.0.1:53")),
      );
      capture(ns, b);
      const d = diff(a, b, "--only", "listeners", "--format", "json");
      assert.deepEqual(
        d.changes.map((c) => `${c.kind} ${c.key.protocol} ${c.key.port} ${c.after?.program}`),
        [
          "listener-opened tcp 53 dnsmasq",
          `listener-restarted tcp 11311 memcached`,
          "listener-opened udp 53 dnsmasq",
        ],
      );
      assert.match(
        d.changes[1]!.summary,
        new RegExp(`memcached restarted \\(pid ${m1.pid} → ${m2.pid}\\)$`),
      );
      // Loopback only: nothing new reachable from elsewhere, so nothing notable.
      assert.equal(diff(a, b, "--only", "listeners", "--fail-on", "notable").code, 0);
    });
  },
);

test(
  "sshd's SIGHUP re-exec (same pid and start time, a new socket) is no restart",
  { skip: skipWithout("/usr/sbin/sshd", "ssh-keygen"), timeout: 120_000 },
  async () => {
    // sshd refuses to start without its privilege separation folder; made only when missing.
    const made = !existsSync("/run/sshd");
    if (made) mkdirSync("/run/sshd", { mode: 0o755 });
    try {
      await inNamespace("sshd", async (ns, dir) => {
        const key = join(dir, "host_key");
        const kg = spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
        assert.equal(kg.status, 0, String(kg.stderr));
        writeFileSync(join(dir, "sshd_config"), "");
        const sshd = ns.spawn([
          "/usr/sbin/sshd",
          "-D",
          "-e",
          "-f",
          join(dir, "sshd_config"),
          "-o",
          "ListenAddress=127.0.0.1:2222",
          "-o",
          `HostKey=${key}`,
          "-o",
          "PidFile=none",
        ]);
        await untilListening(ns, "127.0.0.1:2222");
        const inode = () => /ino:(\d+)/.exec(nsRun(ns, "ss", "-Htlne", "sport", "= :2222"))?.[1];
        const before = inode();
        const a = join(dir, "a.json"), b = join(dir, "b.json");
        capture(ns, a);
        sshd.kill("SIGHUP");
        await until(
          "sshd's new listening socket",
          () => inode() !== undefined && inode() !== before,
        );
        capture(ns, b);
        const d = diff(a, b, "--only", "listeners", "--fail-on", "listener-restarted");
        assert.equal(d.code, 0, d.stdout);
        assert.match(headline(d.stdout), /^no changes — /);
        await stop(sshd);
      });
    } finally {
      if (made) rmSync("/run/sshd", { recursive: true, force: true });
    }
  },
);

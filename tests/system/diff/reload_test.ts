/**
 * Issue 15, case 6 on a real kernel: owner claims only on evidence. nginx (a master and two
 * workers) reloaded with `nginx -s reload` is no restart — captured as root, as the workers' user
 * (the master's descriptors unreadable), and from `ss -tlnp` outputs imported with `nsnap
 * import` — while a real restart is one; haproxy -W's reload hands the socket to a new worker and
 * is no change either.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../../helpers/cli.ts";
import { copyBinary, runBare } from "../../helpers/binary.ts";
import { type Netns, withNetns } from "../../helpers/netns.ts";
import {
  asNobody,
  capture,
  childrenOf,
  diff,
  headline,
  kindsIn,
  nginxPrefix,
  NOBODY,
  nsRun,
  sharedDir,
  skipWithout,
  stop,
  until,
  untilListening,
} from "./_servers.ts";

const NGINX_ADDR = "127.0.0.1:7210";

/** Starts nginx in the namespace and waits for its two workers and its listener. */
async function startNginx(
  ns: Netns,
  argv: string[],
): Promise<{ master: number; workers: number[] }> {
  const master = ns.spawn(argv).pid!;
  await untilListening(ns, NGINX_ADDR);
  await until("two nginx workers", () => childrenOf(master).length === 2);
  return { master, workers: childrenOf(master) };
}

/** `nginx -s reload`, then waits until the old workers are gone and two new ones serve. */
async function reloadNginx(ns: Netns, argv: string[], master: number, old: number[]) {
  ns.exec(...argv, "-s", "reload");
  await until("nginx's workers replaced", () => {
    const now = childrenOf(master);
    return now.length === 2 && now.every((p) => !old.includes(p));
  });
  return childrenOf(master);
}

/** Stops nginx and waits until nothing listens on its address any more. */
async function stopNginx(ns: Netns, argv: string[]): Promise<void> {
  ns.exec(...argv, "-s", "stop");
  await untilListening(ns, NGINX_ADDR, 0);
}

test(
  "nginx -s reload is no restart as root, as the workers' user, and from ss -tlnp imports; a restart is one",
  { skip: skipWithout("nginx", "setpriv", "ss"), timeout: 240_000 },
  async () => {
    const home = sharedDir("nginx");
    try {
      await withNetns("nginx", async (ns) => {
        const argv = nginxPrefix(join(home, "nginx"), NGINX_ADDR);
        const bin = copyBinary(home);
        const file = (n: string) => join(home, n);
        const asUser = (name: string) => {
          const r = runBare(bin, ["capture", "-o", "-"], [...ns.wrap, ...asNobody(home)]);
          assert.equal(r.code, 0, r.stderr);
          writeFileSync(file(name), r.stdout);
        };
        const ssSave = (name: string) => {
          const text = nsRun(ns, "ss", "-tlnp");
          assert.match(text, /users:\(\("nginx"/);
          writeFileSync(file(`${name}.txt`), text);
          const r = runCli(["import", file(`${name}.txt`), "-o", file(`${name}.json`)]);
          assert.equal(r.code, 0, r.stderr);
        };

        const { master, workers } = await startNginx(ns, argv);
        capture(ns, file("root-a.json"));
        asUser("user-a.json");
        ssSave("ss-a");
        // As nobody, only the workers' descriptors are readable: the master is not a holder.
        const seen = JSON.parse(readFileSync(file("user-a.json"), "utf8"));
        const held = seen.connections.find((c: { localPort: number; state: string }) =>
          c.localPort === 7210 && c.state === "LISTEN"
        );
        assert.deepEqual(held.pids, workers);
        assert.ok(!held.pids.includes(master));
        assert.equal(seen.meta.privileges.uid, NOBODY);

        const reloaded = await reloadNginx(ns, argv, master, workers);
        capture(ns, file("root-b.json"));
        asUser("user-b.json");
        ssSave("ss-b");
        const gate = (a: string, b: string, kinds: string) =>
          diff(file(`${a}.json`), file(`${b}.json`), "--only", "listeners", "--fail-on", kinds);
        for (const [a, b] of [["root-a", "root-b"], ["user-a", "user-b"], ["ss-a", "ss-b"]]) {
          const r = gate(a!, b!, "listener-restarted,listener-owner-changed");
          assert.equal(r.code, 0, `${a} → ${b}: ${r.stdout}`);
          assert.match(headline(r.stdout), /^no changes — /, `${a} → ${b}`);
        }

        // A real restart: a new master, new workers and a new socket.
        await stopNginx(ns, argv);
        const again = await startNginx(ns, argv);
        capture(ns, file("root-c.json"));
        asUser("user-c.json");
        ssSave("ss-c");
        const root = diff(
          file("root-b.json"),
          file("root-c.json"),
          "--only",
          "listeners",
          "--format",
          "json",
        );
        assert.deepEqual(kindsIn(root.changes, "listeners"), ["listener-restarted"]);
        assert.equal(
          root.changes[0]!.summary,
          `tcp ${NGINX_ADDR}: nginx restarted (pid ${master} → ${again.master})`,
        );
        for (const [a, b] of [["user-b", "user-c"], ["ss-b", "ss-c"]]) {
          const r = gate(a!, b!, "listener-restarted");
          assert.equal(r.code, 1, `${a} → ${b}: ${r.stdout}`);
          assert.match(headline(r.stdout), /^1 change: 1 listener — /);
        }
        // Imported from ss, the owner of the restarted listener is the new master, not a worker.
        const ss = diff(
          file("ss-b.json"),
          file("ss-c.json"),
          "--only",
          "listeners",
          "--format",
          "json",
        );
        assert.equal(ss.changes[0]!.after?.pid, again.master);
        assert.ok(reloaded.length === 2);
      });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  },
);

test(
  "haproxy -W reload (a new worker takes the socket over) is no change, not an owner change",
  { skip: skipWithout("haproxy"), timeout: 120_000 },
  async () => {
    const home = sharedDir("haproxy");
    try {
      await withNetns("haproxy", async (ns) => {
        const cfg = join(home, "haproxy.cfg");
        writeFileSync(
          cfg,
          [
            "global",
            "  maxconn 100",
            "defaults",
            "  mode tcp",
            "  timeout connect 1s",
            "  timeout client 5s",
            "  timeout server 5s",
            "frontend fe",
            "  bind 127.0.0.1:7220",
            "  default_backend be",
            "backend be",
            "  server s1 127.0.0.1:7221",
          ].join("\n") + "\n",
        );
        const master = ns.spawn(["haproxy", "-W", "-f", cfg]);
        await untilListening(ns, "127.0.0.1:7220");
        await until("haproxy's worker", () => childrenOf(master.pid!).length === 1);
        const [worker] = childrenOf(master.pid!);
        const a = join(home, "a.json"), b = join(home, "b.json");
        capture(ns, a);
        master.kill("SIGUSR2");
        await until("haproxy's new worker", () => {
          const now = childrenOf(master.pid!);
          return now.length === 1 && now[0] !== worker;
        });
        await untilListening(ns, "127.0.0.1:7220");
        capture(ns, b);
        // The worker holds the socket, not the master: the holder changed, the socket did not.
        const holders = (f: string) =>
          JSON.parse(readFileSync(f, "utf8")).connections.find((c: { localPort: number }) =>
            c.localPort === 7220
          );
        assert.notDeepEqual(holders(a).pids, holders(b).pids);
        assert.equal(holders(a).inode, holders(b).inode);
        const r = diff(
          a,
          b,
          "--only",
          "listeners",
          "--fail-on",
          "listener-restarted,listener-owner-changed",
        );
        assert.equal(r.code, 0, r.stdout);
        assert.match(headline(r.stdout), /^no changes — /);
        await stop(master, "SIGTERM");
      });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  },
);

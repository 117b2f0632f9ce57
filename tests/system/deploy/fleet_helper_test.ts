/**
 * The fleet helper: three hosts in namespaces answer ssh with the test key on their own
 * addresses, each with its own hostname, /srv, machine id and process list, and after `close()`
 * no namespace, veth, process or file of theirs is left.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { spawn, spawnSync } from "node:child_process";
import process from "node:process";
import { Fleet, fleetSkip, removeStaleFleets } from "../../helpers/fleet.ts";
import { whenReady } from "../../helpers/netns.ts";

const skip = fleetSkip();

/** Whether a process has ended within a second (a zombie waiting for its parent counts). */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 20; i++) {
    try {
      if (/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"))) return true;
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

test("fleet helper: hosts with their own sshd, hostname, /srv, machine id and processes", {
  skip,
  timeout: 120_000,
}, async () => {
  const names = ["web-1", "web-2", "db-1"];
  const machineHostname = readFileSync("/proc/sys/kernel/hostname", "utf8").trim();
  const machineId = existsSync("/etc/machine-id")
    ? readFileSync("/etc/machine-id", "utf8")
    : undefined;
  const srvBefore = readdirSync("/srv");
  const fleet = await Fleet.start(names, { tag: "fleett" });
  let veths: string[] = [], netns: string[] = [], dir = "";
  try {
    veths = fleet.hosts.map((h) => h.veth);
    netns = fleet.hosts.map((h) => h.netns.name);
    dir = fleet.dir;
    const ids = new Set<string>();
    for (const host of fleet.hosts) {
      const r = fleet.ssh(
        host,
        "hostname; cat /etc/machine-id; ip -o -4 addr show dev eth0; " +
          `echo ${host.name} > /srv/mark; ls /srv; ps -e -o pid=,comm=`,
      );
      assert.equal(r.code, 0, `${host.name}: ${r.stderr} ${fleet.log(host)}`);
      const [hostname, id, addr, ...rest] = r.stdout.trim().split("\n");
      assert.equal(hostname, host.name);
      if (machineId !== undefined) {
        assert.match(id!, /^[0-9a-f]{32}$/);
        ids.add(id!);
      }
      assert.match(addr!, new RegExp(`inet ${host.address.replaceAll(".", "\\.")}/30 `));
      assert.deepEqual(rest.slice(0, 1), ["mark"], "only this host's file is in its /srv");
      // Its own PID namespace: sshd is pid 1, and only its sessions run beside it.
      const ps = rest.slice(1).map((l) => l.trim().split(/\s+/));
      assert.deepEqual(ps[0], ["1", "sshd"]);
      assert.ok(ps.length < 8, `processes on ${host.name}: ${JSON.stringify(ps)}`);
      assert.equal(readFileSync(`${host.root}/srv/mark`, "utf8"), `${host.name}\n`);
    }
    if (machineId !== undefined) assert.equal(ids.size, names.length, "machine ids differ");
    assert.deepEqual(readdirSync("/srv"), srvBefore, "the machine's /srv is untouched");
    assert.equal(readFileSync("/proc/sys/kernel/hostname", "utf8").trim(), machineHostname);
    if (machineId !== undefined) {
      assert.equal(readFileSync("/etc/machine-id", "utf8"), machineId);
    }

    // A process started on a host runs in its namespaces, with a pid of that host.
    const host = fleet.hosts[1]!;
    const child = await whenReady(
      host.spawn(["sh", "-c", "echo ready; hostname; exec sleep 60"]),
      "sleep on a host",
    );
    assert.ok(child.pid);
    // "ready" comes before the shell becomes sleep: look for it for a bounded time.
    let sleeper: number | undefined;
    for (let i = 0; i < 100 && !sleeper; i++) {
      sleeper = host.pids().find((p) => {
        try {
          return readFileSync(`/proc/${p}/comm`, "utf8").trim() === "sleep";
        } catch {
          return false;
        }
      });
      if (!sleeper) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(sleeper, "the sleep runs in the host's PID namespace");
    const inner = host.innerPid(sleeper);
    assert.notEqual(inner, sleeper);
    assert.equal(readFileSync(`${host.root}/proc/${inner}/comm`, "utf8"), "sleep\n");
  } finally {
    fleet.close();
  }
  const links = spawnSync("ip", ["-o", "link"], { encoding: "utf8" }).stdout;
  for (const v of veths) assert.doesNotMatch(links, new RegExp(`: ${v}[@:]`));
  const left = spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).stdout;
  for (const n of netns) assert.doesNotMatch(left, new RegExp(n));
  assert.equal(existsSync(dir), false, "the fleet's folder is removed");
  const sshds = spawnSync("pgrep", ["-f", dir], { encoding: "utf8" }).stdout.trim();
  assert.equal(sshds, "", "no sshd of the fleet runs");
});

test("fleet helper: a fleet whose test process was killed is removed by the next one", {
  skip,
  timeout: 120_000,
}, async () => {
  const script = new URL("./_fleet_orphan.ts", import.meta.url).pathname;
  const g = globalThis as { Deno?: unknown };
  const argv = g.Deno
    ? [process.execPath, "run", "-A", "--quiet", script]
    : [process.execPath, script];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d: Uint8Array) => (out += new TextDecoder().decode(d)));
  await whenReady(child, "the orphan fleet");
  const [dir, ...hosts] = out.trim().split("\n").slice(0, -1);
  assert.equal(hosts.length, 2, out);
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGKILL");
  await exited;
  assert.ok(existsSync(dir!), "the killed process left its fleet");
  removeStaleFleets();
  assert.equal(existsSync(dir!), false);
  const links = spawnSync("ip", ["-o", "link"], { encoding: "utf8" }).stdout;
  const namespaces = spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).stdout;
  for (const line of hosts) {
    const [netns, veth, pid] = line.split(" ");
    assert.doesNotMatch(namespaces, new RegExp(netns!));
    assert.doesNotMatch(links, new RegExp(`: ${veth}[@:]`));
    assert.ok(await gone(Number(pid)), `sshd ${pid} was killed`);
  }
});

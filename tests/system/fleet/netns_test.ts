/**
 * A fleet diff over real hosts: four network namespaces, each with its own hostname (a UTS
 * namespace made by `unshare -u` around the capture) and its own machine id
 * (/etc/netns/<name>/machine-id, which `ip netns exec` mounts over /etc/machine-id), an
 * interface with the host's own address, and the same two listeners (one on 0.0.0.0, one on the
 * host's address). Between the two captures one host (web-2) opens 0.0.0.0:9100 and closes its
 * own-address listener; db-9 is captured before only. The fleet diff, through the CLI, must name
 * web-2 alone, list db-9 as vanished, roll the unchanged listeners of the others up as nothing,
 * and gate with one exit code; the new listener's pid is the holder's, as `ss` shows it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { runCli } from "../../helpers/cli.ts";
import { canUseNetns, holdSockets, Netns } from "../../helpers/netns.ts";
import { assertFleetDiffNamesHost } from "../../helpers/fleet_diff.ts";

const hasUnshare = spawnSync("sh", ["-c", "command -v unshare"]).status === 0;
const skip = !canUseNetns()
  ? "needs root and iproute2 to create network namespaces"
  : !hasUnshare
  ? "needs unshare (util-linux) for a hostname per host"
  : false;

const HOSTS = ["web-1", "web-2", "db-1", "db-9"];
const CHANGED = "web-2", VANISHED = "db-9";

/** Kills a holder and waits until it is gone, so its sockets are closed before the capture. */
function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

interface Host {
  name: string;
  ns: Netns;
  own: string;
  machineId: string;
  ownListener?: ChildProcess;
}

/** Captures one host as it is now: its own hostname, its own machine id, a label. */
function capture(h: Host, file: string): void {
  mkdirSync(dirname(file), { recursive: true });
  // `hostname` only changes the UTS namespace unshare made for this one capture.
  const wrap = [...h.ns.wrap, "unshare", "-u", "sh", "-c", 'hostname "$0" && exec "$@"', h.name];
  const r = runCli(["capture", "-o", file, "--label", `host=${h.name}`], { wrap });
  assert.equal(r.code, 0, `${h.name}: ${r.stderr}`);
}

test("a fleet diff over four namespace-hosts names the one host that changed", {
  skip,
  timeout: 240_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-fleet-ns-"));
  const hosts: Host[] = [];
  // Each host's machine id comes from /etc/netns/<name>/ (only where /etc/machine-id exists to be
  // covered: a machine without one gives every host none, and they pair by hostname).
  const ids = existsSync("/etc/machine-id");
  try {
    for (const [i, name] of HOSTS.entries()) {
      const ns = new Netns(`fleet${i}`);
      const h: Host = { name, ns, own: `10.77.${i}.5`, machineId: `${i + 1}`.repeat(32) };
      hosts.push(h);
      // The host's own address, on a veth pair kept inside its namespace.
      ns.ip("link", "add", "eth0", "type", "veth", "peer", "name", "eth1");
      ns.ip("link", "set", "eth1", "up");
      ns.ip("link", "set", "eth0", "up");
      ns.ip("addr", "add", `${h.own}/24`, "dev", "eth0");
      if (ids) {
        mkdirSync(`/etc/netns/${ns.name}`, { recursive: true });
        writeFileSync(`/etc/netns/${ns.name}/machine-id`, `${h.machineId}\n`);
      }
      await holdSockets(ns, ["listen:0.0.0.0:7100"], 120);
      h.ownListener = await holdSockets(ns, [`listen:${h.own}:7200`], 120);
    }
    for (const h of hosts) capture(h, join(dir, "before", `${h.name}.json`));

    // The deploy: web-2 opens 0.0.0.0:9100 and closes its own-address listener.
    const web2 = hosts.find((h) => h.name === CHANGED)!;
    const opened = await holdSockets(web2.ns, ["listen:0.0.0.0:9100"], 120);
    await stop(web2.ownListener!);
    // The after snapshots in Ansible fetch's layout: <host>/tmp/nsnap.json.
    for (const h of hosts.filter((x) => x.name !== VANISHED)) {
      capture(h, join(dir, "after", h.name, "tmp", "nsnap.json"));
    }

    // Each snapshot is its host's: hostname, machine id, label.
    for (const h of hosts.filter((x) => x.name !== VANISHED)) {
      const s = JSON.parse(readFileSync(join(dir, "after", h.name, "tmp", "nsnap.json"), "utf8"));
      assert.equal(s.meta.host.hostname, h.name);
      assert.deepEqual(s.meta.labels, { host: h.name });
      if (ids) assert.equal(s.meta.host.machineId, h.machineId);
    }
    // `ss` in web-2's namespace agrees on the new listener's owner.
    const ss = web2.ns.exec("ss", "-Htlnp", "sport", "= :9100");
    assert.match(ss, new RegExp(`pid=${opened.pid}\\b`), ss);

    const before = join(dir, "before"), after = join(dir, "after");
    const shared = !ids && existsSync("/var/lib/dbus/machine-id");
    const options = shared ? ["--pair-by", "hostname"] : [];
    const doc = assertFleetDiffNamesHost(before, after, {
      hosts: HOSTS.filter((h) => h !== VANISHED),
      changed: CHANGED,
      port: 9100,
      vanished: [VANISHED],
      options,
    });
    // The opened listener is the holder's, with its pid; the closed one is web-2's own address.
    const entry = doc.hosts.find((h) => h.name === CHANGED)!;
    const open = entry.diff.changes.find((c) => c.kind === "listener-opened");
    assert.equal(open?.after?.pid, opened.pid);
    const closedLine = doc.rollup.find((l) => l.kind === "listener-closed");
    assert.deepEqual(closedLine?.hosts, [CHANGED]);
    assert.deepEqual(closedLine?.key, {
      protocol: "tcp",
      family: "inet",
      address: "<own private IPv4>",
      port: 7200,
      program: String(closedLine?.key.program),
    });
    assert.match(
      closedLine!.summary,
      /^listener-closed tcp 10\.77\.1\.5:7200 \(\S+\) on 1 of 3 hosts: web-2$/,
    );

    // One exit code for the fleet, whatever the gate.
    const gate = (kinds: string) =>
      runCli(["diff", before, after, "--fail-on", kinds, ...options]).code;
    assert.equal(gate("listener-owner-changed"), 0);
    assert.equal(gate("listener-closed"), 1);
    assert.equal(gate("host-vanished"), 1);
    assert.equal(gate("host-appeared"), 0);

    // Who listens on 9100 across the fleet.
    const port = runCli(["port", "9100", after]);
    assert.equal(port.code, 0, port.stderr);
    assert.match(
      port.stdout,
      new RegExp(`^Host .*\\nweb-2 +tcp +0\\.0\\.0\\.0:9100 .*LISTEN .*${opened.pid}/`),
    );
    assert.match(port.stdout, /\nnothing is using port 9100 on 2 hosts: db-1, web-1\n$/);
  } finally {
    for (const h of hosts) {
      h.ns.close();
      rmSync(`/etc/netns/${h.ns.name}`, { recursive: true, force: true });
    }
    rmSync(dir, { recursive: true, force: true });
  }
  for (const h of hosts) assert.equal(existsSync(`/etc/netns/${h.ns.name}`), false);
});

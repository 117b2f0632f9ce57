/**
 * Named `ip netns` namespaces in a capture across namespaces, run from the host's namespace:
 * each is `netns:NAME` with its sockets (equal to what `ss -tanp` prints inside it, pids as the
 * host numbers them), routes and interfaces read inside it; one nothing runs in is listed too,
 * its loopback read over netlink; `--netns NAME` and `--netns current` narrow the capture.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Snapshot } from "../../../src/model.ts";
import { canUseNetns, holdSockets, Netns } from "../../helpers/netns.ts";
import { runCli } from "../../helpers/cli.ts";
import { snapshotTcp, ssTcp } from "../../helpers/ss.ts";
import { asNobody, sharedDir } from "../../helpers/users.ts";
import { copyBinary, runBare } from "../../helpers/binary.ts";

const skip = canUseNetns() ? false : "needs root and iproute2 (ip netns)";

function capture(dir: string, name: string, extra: string[] = []): Snapshot {
  const file = join(dir, name);
  const r = runCli(["capture", "-o", file, ...extra], { timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(readFileSync(file, "utf8")) as Snapshot;
}

test("named namespaces are netns:NAME, read inside each, cross-checked with ss", {
  skip,
  timeout: 180_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-named-ns-"));
  const blue = new Netns("blue"), green = new Netns("green"), empty = new Netns("empty");
  try {
    blue.ip("addr", "add", "10.77.1.1/24", "dev", "lo");
    const holder = await holdSockets(blue, [
      "listen:0.0.0.0:7001",
      "listen:127.0.0.1:7002",
      "connect:127.0.0.1:7001:3",
    ], 120);
    const greenHolder = await holdSockets(green, ["listen:[::]:7003"], 120);
    green.ip("route", "add", "blackhole", "10.99.0.0/16");
    green.ip("route", "add", "table", "100", "blackhole", "10.98.0.0/16");
    const s = capture(dir, "all.json");
    const byId = new Map((s.namespaces ?? []).map((n) => [n.id, n]));
    for (const [ns, child] of [[blue, holder], [green, greenHolder]] as const) {
      const id = `netns:${ns.name}`;
      const entry = byId.get(id);
      assert.ok(entry, `${id} among ${[...byId.keys()].join(" ")}`);
      assert.equal(entry.kind, "netns");
      assert.equal(entry.name, ns.name);
      assert.deepEqual(entry.files, [`/run/netns/${ns.name}`]);
      assert.ok(entry.pids.includes(child.pid!), `${id} holds ${child.pid}`);
      assert.deepEqual(snapshotTcp(s, id), ssTcp(ns.wrap), id);
      for (const c of s.connections.filter((x) => x.namespace === id)) {
        if (c.pid !== undefined) assert.equal(c.pid, child.pid);
      }
      // Interfaces and routes are the namespace's own, never the host's.
      const itfs = s.interfaces.filter((i) => i.namespace === id).map((i) => i.name);
      assert.deepEqual(itfs, ["lo"], id);
    }
    assert.ok(
      s.routes.some((r) =>
        r.namespace === `netns:${green.name}` && r.type === "blackhole" &&
        r.destination === "10.99.0.0/16"
      ),
      "green's blackhole route",
    );
    assert.ok(
      s.interfaces.some((i) =>
        i.namespace === `netns:${blue.name}` && i.addresses.some((a) => a.address === "10.77.1.1")
      ),
    );
    // Nothing runs in this one: listed, its loopback read over netlink.
    const e = byId.get(`netns:${empty.name}`);
    assert.ok(e);
    assert.equal(e.processes, 0);
    assert.deepEqual(s.interfaces.filter((i) => i.namespace === e.id).map((i) => i.name), ["lo"]);
    // The host's own records carry no namespace; its counters stay top-level.
    assert.ok(Object.keys(s.counters).includes("Tcp"));
    assert.equal(byId.get("host")?.own, true);
    // Without netlink: /proc/PID/net, with what it lacks from ip run in each namespace
    // (nsenter): every routing table, and the links' IPv4 addresses, MTU, flags and MAC.
    const np = capture(dir, "no-netlink.json", ["--no-netlink"]);
    const blueNs = np.namespaces!.find((n) => n.id === `netns:${blue.name}`)!;
    assert.equal(blueNs.sections.interfaces?.status, "ok", JSON.stringify(blueNs.sections));
    assert.match(String(blueNs.sections.interfaces!.source), /^\/proc\/[0-9]+\/net\+ip -j$/);
    assert.equal(blueNs.sections.routes?.source, "ip -j");
    const [ipLo] = JSON.parse(blue.exec("ip", "-j", "addr", "show", "lo")) as {
      mtu: number;
      flags: string[];
    }[];
    const lo = np.interfaces.find((i) => i.namespace === blueNs.id && i.name === "lo")!;
    assert.ok(lo.addresses.some((a) => a.address === "10.77.1.1" && a.prefixLength === 24));
    assert.equal(lo.mtu, ipLo!.mtu);
    assert.deepEqual([...lo.flags].sort(), [...ipLo!.flags].sort());
    assert.ok(lo.stats && lo.stats.rxPackets !== undefined, "counters from /proc/PID/net/dev");
    const greenNs = np.namespaces!.find((n) => n.id === `netns:${green.name}`)!;
    assert.equal(greenNs.sections.routes?.source, "ip -j");
    assert.ok(
      np.routes.some((r) =>
        r.namespace === greenNs.id && r.type === "blackhole" && r.table === 100 &&
        r.destination === "10.98.0.0/16" && r.interface === undefined
      ),
      "green's route in table 100: every table, from ip there",
    );
    // --netns NAME: the own namespace and that one; --netns current: the own only.
    const one = capture(dir, "one.json", ["--netns", blue.name]);
    assert.deepEqual(one.namespaces?.map((n) => n.id), ["host", `netns:${blue.name}`]);
    const current = capture(dir, "current.json", ["--netns", "current"]);
    assert.equal(current.namespaces, undefined);
    assert.ok(current.connections.every((c) => c.namespace === undefined));
    // A namespace that does not exist is a usage error, exit 2.
    const bad = runCli(["capture", "-o", "-", "--netns", "no-such-netns-here"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^nsnap: Cannot capture network namespace "no-such-netns-here": /);
  } finally {
    blue.close();
    green.close();
    empty.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("inside a namespace, a capture is of that namespace unless --netns all", {
  skip,
  timeout: 120_000,
}, async () => {
  const ns = new Netns("inside");
  try {
    await holdSockets(ns, ["listen:127.0.0.1:7010"], 60);
    const r = runCli(["capture", "-o", "-"], { wrap: ns.wrap });
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as Snapshot;
    assert.equal(s.namespaces, undefined);
    assert.ok(s.connections.some((c) => c.localPort === 7010));
    const all = runCli(["capture", "-o", "-", "--netns", "all"], { wrap: ns.wrap });
    assert.equal(all.code, 0, all.stderr);
    const a = JSON.parse(all.stdout) as Snapshot;
    const own = a.namespaces?.find((n) => n.own);
    assert.equal(own?.id, `netns:${ns.name}`);
    assert.ok(a.namespaces?.some((n) => n.id === "host"));
  } finally {
    ns.close();
  }
});

test("as nobody, a capture covers the namespaces it can read and says which it could not", {
  skip,
  timeout: 120_000,
}, async () => {
  const home = sharedDir("netns-nobody");
  const ns = new Netns("nobody");
  try {
    await holdSockets(ns, ["listen:127.0.0.1:7020"], 60);
    // The binary, copied where nobody may run it: the repository may sit in a private folder.
    const r = runBare(copyBinary(home), ["capture", "-o", "-"], asNobody(home));
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as Snapshot;
    assert.equal(s.meta.privileges.root, false);
    // Root's processes' namespaces cannot be read: counted, with a warning, never a failure.
    assert.ok((s.meta.namespaces?.unreadable ?? 0) > 0, JSON.stringify(s.meta.namespaces));
    assert.ok(
      s.meta.namespaces?.warnings?.some((w) => /namespaces of \d+ processes are unknown/.test(w)),
    );
    // The named one is found from /run/netns; nothing of it can be entered without privilege.
    const named = s.namespaces?.find((n) => n.id === `netns:${ns.name}`);
    assert.ok(named, JSON.stringify(s.namespaces?.map((n) => n.id)));
    assert.equal(s.namespaces?.find((n) => n.own)?.id, "host");
  } finally {
    ns.close();
    rmSync(home, { recursive: true, force: true });
  }
});

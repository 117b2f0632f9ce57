/**
 * Capture on a real kernel: a fresh network namespace with a veth pair, addresses, routes in the
 * main table and in table 100, and sockets held by a process of the test; `nsnap capture` runs
 * inside it and every one of them must be in the snapshot, with its owner.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { runCli } from "../../helpers/cli.ts";
import { canUseNetns, holdSockets, withNetns } from "../../helpers/netns.ts";

const skip = !canUseNetns() && "needs root and iproute2 to create network namespaces";

test(
  "capture in a namespace records its sockets with pids, its routes per table, MTUs and counters",
  {
    skip,
  },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "nsnap-cap-"));
    try {
      await withNetns("cap", async (ns) => {
        ns.ip("link", "add", "v0", "type", "veth", "peer", "name", "v1");
        ns.ip("link", "set", "v0", "mtu", "1400", "up");
        ns.ip("link", "set", "v1", "up");
        ns.ip("addr", "add", "10.200.0.1/24", "dev", "v0");
        ns.ip("-6", "addr", "add", "fd00:200::1/64", "dev", "v0", "nodad");
        ns.ip("route", "add", "10.201.0.0/24", "via", "10.200.0.2");
        ns.ip("route", "add", "10.202.0.0/24", "dev", "v0", "table", "100");
        const holder = await holdSockets(ns, [
          "listen:127.0.0.1:7001",
          "listen:[::1]:7002",
          "udp:0.0.0.0:7003",
          "connect:127.0.0.1:7001:2",
        ]);
        const file = join(dir, "cap.json");
        // Read before the capture: a counter row appears the first time it is used (an ICMPv6
        // type, say), so every name nstat prints now must be in the snapshot taken after.
        const nstat = ns.exec("nstat", "-azs");
        const r = runCli(["capture", "-o", file, "--label", "case=netns"], { wrap: ns.wrap });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout.trim(), file);
        assert.equal(statSync(file).mode & 0o777, 0o600);
        const snap = JSON.parse(readFileSync(file, "utf8"));
        assert.equal(snap.schema, "nsnap/v1");
        assert.deepEqual(snap.meta.labels, { case: "netns" });
        for (const s of ["connections", "processes", "routes", "interfaces", "counters"]) {
          assert.equal(
            snap.meta.sections[s].status,
            "ok",
            `${s}: ${JSON.stringify(snap.meta.sections[s])}`,
          );
        }
        // `deno task test:system:proc` runs this file again with netlink turned off.
        const off = /^(0|no|off|false)$/i.test(process.env.NSNAP_NETLINK ?? "");
        assert.match(snap.meta.sections.connections.source, off ? /^proc$/ : /^netlink/);
        assert.equal(snap.meta.sections.routes.source, off ? "ip -j" : "netlink");
        type C = Record<string, unknown>;
        const conns = snap.connections as C[];
        const find = (p: Partial<C>) =>
          conns.filter((c) => Object.entries(p).every(([k, v]) => c[k] === v));
        const v4 = find({
          protocol: "tcp",
          localAddress: "127.0.0.1",
          localPort: 7001,
          state: "LISTEN",
        });
        assert.equal(v4.length, 1);
        assert.equal(v4[0]!.pid, holder.pid);
        const v6 = find({ protocol: "tcp", family: "inet6", localAddress: "::1", localPort: 7002 });
        assert.equal(v6[0]?.state, "LISTEN");
        assert.equal(v6[0]?.pid, holder.pid);
        const udp = find({ protocol: "udp", localAddress: "0.0.0.0", localPort: 7003 });
        assert.equal(udp[0]?.state, "UNCONN");
        assert.equal(udp[0]?.pid, holder.pid);
        // Two client ends and two accepted ends, all held by the holder.
        const est = find({ protocol: "tcp", state: "ESTABLISHED" });
        assert.equal(est.length, 4);
        assert.ok(
          est.every((c) => c.pid === holder.pid && (c.pids as number[]).includes(holder.pid!)),
        );
        const proc = snap.processes[String(holder.pid)];
        assert.equal(proc.pid, holder.pid);
        assert.ok(typeof proc.startTime === "string" && proc.exe);
        assert.equal(proc.cmdline, undefined);

        const routes = snap.routes as C[];
        const main = routes.find((x) => x.destination === "10.201.0.0/24");
        assert.deepEqual([main?.table, main?.gateway, main?.interface], [254, "10.200.0.2", "v0"]);
        const t100 = routes.find((x) => x.destination === "10.202.0.0/24");
        assert.deepEqual([t100?.table, t100?.interface], [100, "v0"]);
        assert.ok(routes.some((x) => x.family === "inet6" && x.destination === "fd00:200::/64"));

        const v0 = (snap.interfaces as C[]).find((i) => i.name === "v0") as C & {
          addresses: C[];
          stats: C;
        };
        assert.equal(v0.mtu, 1400);
        assert.ok(v0.addresses.some((a) => a.address === "10.200.0.1" && a.prefixLength === 24));
        assert.ok(v0.addresses.some((a) => a.address === "fd00:200::1" && a.prefixLength === 64));
        assert.equal(Object.keys(v0.stats).length, 16);

        // Every counter nstat printed is in the snapshot under its group (nstat glues group + name).
        const names = new Set<string>();
        for (const [g, values] of Object.entries(snap.counters as Record<string, C>)) {
          for (const n of Object.keys(values)) names.add(g + n);
        }
        const missing = nstat.split("\n").slice(1).map((l) => l.split(/\s+/)[0]!).filter((n) =>
          n && !names.has(n)
        );
        assert.deepEqual(missing, []);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test("capture never replaces an existing file without --force", { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-cap-"));
  try {
    const file = join(dir, "keep.json");
    writeFileSync(file, "precious");
    const r = runCli(["capture", "-o", file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /exists/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    assert.equal(readFileSync(file, "utf8"), "precious");
    const f = runCli(["capture", "-o", file, "--force"]);
    assert.equal(f.code, 0, f.stderr);
    assert.equal(JSON.parse(readFileSync(file, "utf8")).schema, "nsnap/v1");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("two captures of an unchanged namespace are identical apart from meta and counters", {
  skip,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-cap-"));
  try {
    await withNetns("same", async (ns) => {
      ns.ip("route", "add", "blackhole", "10.203.0.0/16");
      await holdSockets(ns, [
        "listen:127.0.0.1:7011",
        "udp:[::1]:7012",
        "connect:127.0.0.1:7011:3",
      ]);
      const texts: string[] = [];
      for (const name of ["one.json", "two.json"]) {
        const r = runCli(["capture", "-o", join(dir, name)], { wrap: ns.wrap });
        assert.equal(r.code, 0, r.stderr);
        const doc = JSON.parse(readFileSync(join(dir, name), "utf8"));
        delete doc.meta;
        delete doc.counters;
        for (const i of doc.interfaces) delete i.stats;
        texts.push(JSON.stringify(doc));
      }
      assert.equal(texts[0], texts[1]);
      assert.match(texts[0]!, /"localPort":7011/);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * `nsnap show` and `nsnap port` in a fresh network namespace, on sockets, routes and interfaces the
 * tests made there, live and from a snapshot file captured there; cross-checked with ss and nstat.
 * Skipped (passing) where namespaces cannot be made (not root, no iproute2).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import process from "node:process";
import { type CliRun, runCli } from "../../helpers/cli.ts";
import { canUseNetns, holdSockets, type Netns, withNetns } from "../../helpers/netns.ts";

const NETNS = canUseNetns();
/** The program name the socket holders run under: this runtime's executable. */
const RUNTIME = basename(process.execPath);

/** Runs nsnap inside the namespace and insists it succeeded. */
function nsnap(ns: Netns, args: string[]): CliRun {
  const r = runCli(args, { wrap: ns.wrap });
  assert.equal(r.code, 0, `nsnap ${args.join(" ")}: ${r.stderr}`);
  return r;
}

/** Captures a snapshot inside the namespace into a temporary folder; returns its path. */
function captureIn(ns: Netns, dir: string): string {
  const path = join(dir, "ns.json");
  const r = runCli(["capture", "-o", path], { wrap: ns.wrap });
  assert.equal(r.code, 0, r.stderr);
  return path;
}

/** The line of a table that contains every one of the given texts. */
function lineWith(text: string, ...parts: string[]): string | undefined {
  return text.split("\n").find((l) => parts.every((p) => l.includes(p)));
}

test("show -tln, show -ta and port N list the test's listeners and both ends of a session with pids", async () => {
  if (!NETNS) return;
  await withNetns("view-sock", async (ns) => {
    const server = await holdSockets(ns, [
      "listen:127.0.0.1:47001",
      "listen:[::1]:47002",
      // Below the ephemeral range: a UDP service (on 32768-60999 it would be a client's).
      "udp:127.0.0.1:27003",
    ]);
    const client = await holdSockets(ns, ["connect:127.0.0.1:47001"]);
    const sp = server.pid!, cp = client.pid!;
    const dir = mkdtempSync(join(tmpdir(), "nsnap-view-ns-"));
    try {
      const file = captureIn(ns, dir);
      for (const source of ["live", file]) {
        const tln = nsnap(ns, ["show", "-tln", source]).stdout;
        assert.ok(
          lineWith(tln, "127.0.0.1:47001", "LISTEN", `${sp}/${RUNTIME}`),
          `${source}:\n${tln}`,
        );
        assert.ok(lineWith(tln, "[::1]:47002", "LISTEN", `${sp}/${RUNTIME}`), tln);
        assert.ok(!tln.includes("ESTABLISHED") && !tln.includes("27003"), tln);

        const ta = nsnap(ns, ["show", "-ta", source]).stdout;
        assert.ok(lineWith(ta, "127.0.0.1:47001", "0.0.0.0:*", "LISTEN", `${sp}/`), ta);
        const toServer = lineWith(ta, " 127.0.0.1:47001 ", "ESTABLISHED", `${cp}/${RUNTIME}`);
        assert.ok(toServer, `client end missing:\n${ta}`);
        const clientPort = /127\.0\.0\.1:(\d+) +127\.0\.0\.1:47001/.exec(toServer)![1];
        assert.ok(
          lineWith(ta, `127.0.0.1:47001 127.0.0.1:${clientPort}`, "ESTABLISHED", `${sp}/`) ??
            lineWith(ta, "127.0.0.1:47001", `127.0.0.1:${clientPort}`, "ESTABLISHED", `${sp}/`),
          `server end missing:\n${ta}`,
        );

        const lu = nsnap(ns, ["show", "-lu", source]).stdout;
        assert.ok(lineWith(lu, "127.0.0.1:27003", "UNCONN", `${sp}/`), lu);

        const port = nsnap(ns, ["port", "47001", source]).stdout;
        assert.ok(lineWith(port, "LISTEN", `${sp}/`), port);
        assert.ok(lineWith(port, `${cp}/${RUNTIME}`), port);
        assert.match(port, new RegExp(`\\npid ${sp}: ${RUNTIME}, user root, started `));
        assert.match(port, new RegExp(`\\npid ${cp}: ${RUNTIME}, user root, started `));

        const json = JSON.parse(nsnap(ns, ["port", "47001", source, "--format", "json"]).stdout);
        assert.deepEqual(
          [...new Set(json.map((c: { pid: number }) => c.pid))].sort(),
          [sp, cp].sort(),
        );
      }
      const none = runCli(["port", "47999"], { wrap: ns.wrap });
      assert.equal(none.code, 1);
      assert.equal(none.stdout, "nothing is using port 47999\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test("show -r, --table 100 and -i list the routes and the interface the test made, live and from a file", async () => {
  if (!NETNS) return;
  await withNetns("view-route", (ns) => {
    // A veth pair works where the dummy module is missing.
    ns.ip("link", "add", "nsv0", "type", "veth", "peer", "name", "nsv1");
    ns.ip("link", "set", "nsv1", "up");
    ns.ip("link", "set", "nsv0", "mtu", "1400", "up");
    ns.ip("addr", "add", "10.77.0.1/24", "dev", "nsv0");
    ns.ip("route", "add", "10.78.0.0/16", "via", "10.77.0.2", "dev", "nsv0", "metric", "7");
    ns.ip("route", "add", "10.79.0.0/16", "dev", "nsv0", "table", "100");
    const dir = mkdtempSync(join(tmpdir(), "nsnap-view-ns-"));
    try {
      const file = captureIn(ns, dir);
      for (const source of ["live", file]) {
        const r = nsnap(ns, ["show", "-r", source]).stdout;
        assert.match(r, /Table main \(254\)/);
        assert.ok(lineWith(r, "10.78.0.0/16", "10.77.0.2", "nsv0", " 7 "), `${source}:\n${r}`);
        assert.ok(lineWith(r, "10.77.0.0/24", "nsv0", "kernel", "link", "10.77.0.1"), r);
        assert.match(r, /\nTable 100\n[\s\S]*10\.79\.0\.0\/16 +- +nsv0/);

        const t100 = nsnap(ns, ["show", "-r", "--table", "100", source]).stdout;
        assert.ok(lineWith(t100, "10.79.0.0/16", "nsv0"), t100);
        assert.ok(!t100.includes("10.78.0.0/16"), t100);

        const i = nsnap(ns, ["show", "-i", source]).stdout;
        assert.match(i, /\nnsv0 +1400 +\S+ +RX +\d+ +\d+ +0 +0\n/, i);
        assert.ok(i.includes("\n  inet 10.77.0.1/24\n"), i);
        assert.match(i, /\nlo +65536 /);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Reads `nstat -asz` output into a map of nstat names (TcpRetransSegs) to values. */
function nstat(ns: Netns): Map<string, bigint> {
  const m = new Map<string, bigint>();
  for (const line of ns.exec("nstat", "-asz").split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 2 && /^[A-Za-z]/.test(f[0]!) && /^-?[0-9]+$/.test(f[1]!)) {
      m.set(f[0]!, BigInt(f[1]!));
    }
  }
  return m;
}

test("in a quiet namespace, show -ta counts what ss counts and show -s matches nstat", async () => {
  if (!NETNS) return;
  await withNetns("view-quiet", async (ns) => {
    await holdSockets(ns, ["listen:127.0.0.1:47101", "listen:[::]:47102"]);
    await holdSockets(ns, ["connect:127.0.0.1:47101:3", "connect:[::1]:47102:2"]);

    const ss = ns.exec("ss", "-Htan").split("\n").filter((l) => l.trim() !== "").length;
    const shown = JSON.parse(nsnap(ns, ["show", "-ta", "--format", "json"]).stdout).length;
    assert.equal(shown, ss);
    assert.equal(shown, 2 + 2 * 5);
    const text = nsnap(ns, ["show", "-ta"]).stdout;
    assert.equal(text.trimEnd().split("\n").length - 1, ss);

    const before = nstat(ns);
    const stats = JSON.parse(nsnap(ns, ["show", "-s", "--format", "json"]).stdout) as Record<
      string,
      Record<string, number | string>
    >;
    const after = nstat(ns);
    let compared = 0;
    for (const group of ["Tcp", "TcpExt"]) {
      for (const [name, value] of Object.entries(stats[group] ?? {})) {
        const key = group + name;
        const lo = before.get(key), hi = after.get(key);
        if (lo === undefined || hi === undefined || name === "MaxConn") continue;
        const v = BigInt(value);
        // Counters that moved between the two nstat readings may be anywhere in between.
        const [min, max] = lo <= hi ? [lo, hi] : [hi, lo];
        assert.ok(v >= min && v <= max, `${group}.${name}: nsnap ${v}, nstat ${lo}..${hi}`);
        compared++;
      }
    }
    assert.ok(compared > 20, `only ${compared} counters compared`);
    assert.equal(BigInt(stats.Tcp!.ActiveOpens!), 5n);
    assert.equal(BigInt(stats.Tcp!.CurrEstab!), 10n);

    const words = nsnap(ns, ["show", "-s"]).stdout;
    assert.match(words, /\nTcp:\n/);
    assert.match(words, /\n {4}\d+ segments retransmitted/);
    assert.match(words, /\n {4}5 active connection openings\n/);
    assert.match(words, /\n {4}\d+ times the listen queue of a socket overflowed\n/);

    // The same statistics from a snapshot file of this namespace, read anywhere.
    const dir = mkdtempSync(join(tmpdir(), "nsnap-view-stats-"));
    try {
      const file = captureIn(ns, dir);
      const fromFile = runCli(["show", "-s", file]);
      assert.equal(fromFile.code, 0, fromFile.stderr);
      assert.match(fromFile.stdout, /\n {4}5 active connection openings\n/);
      assert.match(fromFile.stdout, /\n {4}\d+ segments retransmitted/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

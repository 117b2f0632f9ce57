/**
 * Issue 15, cases 1 and 3 on a real kernel: SO_REUSEPORT holders (python3, socat) joining and
 * leaving one address, and a UDP client on an ephemeral port, captured in a namespace and diffed
 * through the CLI, with `ss` in the same namespace as the witness.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../helpers/cli.ts";
import { whenReady, withNetns } from "../../helpers/netns.ts";
import {
  capture,
  diff,
  headline,
  kindsIn,
  nsRun,
  PYTHON,
  skipWithout,
  ssLines,
  stop,
  untilListening,
} from "./_servers.ts";

const ADDR = "127.0.0.1:7100";

/** A python3 listener on 127.0.0.1:7100 with SO_REUSEPORT; prints "ready" once it listens. */
const REUSEPORT_LISTENER = [
  "import socket, time",
  "s = socket.socket()",
  "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)",
  "s.bind(('127.0.0.1', 7100))",
  "s.listen()",
  "print('ready', flush=True)",
  "time.sleep(90)",
].join("\n");

test(
  "SO_REUSEPORT: an instance killed, one joining and a socat joining are instance changes, gated",
  { skip: skipWithout(PYTHON, "socat"), timeout: 180_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "nsnap-reuseport-"));
    try {
      await withNetns("reuse", async (ns) => {
        const one = await whenReady(ns.spawn([PYTHON, "-c", REUSEPORT_LISTENER]), "python3 1");
        const two = await whenReady(ns.spawn([PYTHON, "-c", REUSEPORT_LISTENER]), "python3 2");
        await untilListening(ns, ADDR, 2);
        const [a, b, c, d] = ["a", "b", "c", "d"].map((n) => join(dir, `${n}.json`));
        capture(ns, a!);

        // One of the two killed: one instance closed, one left — not a restart.
        await stop(two);
        await untilListening(ns, ADDR, 1);
        capture(ns, b!);
        const ab = diff(a!, b!, "--only", "listeners", "--format", "json");
        assert.deepEqual(kindsIn(ab.changes, "listeners"), ["listener-instance-removed"]);
        const removed = ab.changes[0]!;
        assert.deepEqual([removed.count, removed.removed?.[0]?.pid], [1, two.pid]);
        assert.equal(removed.removed?.[0]?.program, "python3");
        assert.equal(
          removed.summary,
          `tcp ${ADDR}: 1 instance closed (python3 (pid ${two.pid})), 1 left`,
        );
        const gateClosed = diff(a!, b!, "--only", "listeners", "--fail-on", "listener-closed");
        assert.equal(gateClosed.code, 1, gateClosed.stderr);
        assert.match(headline(gateClosed.stdout), /^1 change: 1 listener — /);
        assert.equal(diff(a!, b!, "--fail-on", "listener-restarted").code, 0);

        // A third python3 joins: an instance added, which a gate on new listeners catches.
        const three = await whenReady(ns.spawn([PYTHON, "-c", REUSEPORT_LISTENER]), "python3 3");
        await untilListening(ns, ADDR, 2);
        capture(ns, c!);
        const bc = diff(b!, c!, "--only", "listeners", "--format", "json");
        assert.deepEqual(kindsIn(bc.changes, "listeners"), ["listener-instance-added"]);
        assert.equal(
          bc.changes[0]!.summary,
          `tcp ${ADDR}: 1 instance added (python3 (pid ${three.pid})), 2 now`,
        );
        assert.equal(bc.changes[0]!.notable, undefined);
        assert.equal(diff(b!, c!, "--fail-on", "listener-opened").code, 1);

        // socat joins with reuseport: another program, so notable; never "held by X, was X".
        const socat = ns.spawn([
          "socat",
          "TCP-LISTEN:7100,bind=127.0.0.1,reuseport,fork",
          "SYSTEM:cat",
        ]);
        await untilListening(ns, ADDR, 3);
        capture(ns, d!);
        const cd = diff(c!, d!, "--only", "listeners", "--format", "json");
        assert.deepEqual(kindsIn(cd.changes, "listeners"), ["listener-instance-added"]);
        const joined = cd.changes[0]!;
        assert.equal(joined.notable, true);
        assert.equal(joined.added?.[0]?.program, "socat");
        assert.equal(joined.added?.[0]?.pid, socat.pid);
        assert.doesNotMatch(joined.summary, /is now held by/);
        assert.match(
          joined.summary,
          /socat \(pid \d+\)\), 3 now; a program that did not listen here before$/,
        );
        const text = diff(c!, d!, "--only", "listeners", "--fail-on", "notable");
        assert.equal(text.code, 1);
        assert.match(headline(text.stdout), /^1 change: 1 listener \(1 notable\) — /);
        // The snapshot's instances are the sockets ss lists on that address, with their pids.
        const snap = JSON.parse(readFileSync(d!, "utf8"));
        const pids = snap.connections.filter((x: { localPort: number; state: string }) =>
          x.localPort === 7100 && x.state === "LISTEN"
        ).map((x: { pid: number }) => x.pid).sort();
        assert.deepEqual(pids, [one.pid, three.pid, socat.pid].sort());
        assert.equal(ssLines(ns, "-tln").filter((l) => l.includes(ADDR)).length, 3);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

/** A UDP client: an unconnected socket that sent one datagram; prints the port it was given. */
const UDP_CLIENT = [
  "import socket, time",
  "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
  "s.sendto(b'ping', ('127.0.0.1', 9))",
  "print(s.getsockname()[1], 'ready', flush=True)",
  "time.sleep(90)",
].join("\n");

/** A UDP service bound on a chosen port; prints "ready". */
const udpService = (port: number) =>
  [
    "import socket, time",
    "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
    `s.bind(('0.0.0.0', ${port}))`,
    "print('ready', flush=True)",
    "time.sleep(90)",
  ].join("\n");

test(
  "a UDP client on an ephemeral port is no listener in diff, show or port; the namespace's range is recorded",
  { skip: skipWithout(PYTHON, "sysctl"), timeout: 180_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "nsnap-udpclient-"));
    try {
      await withNetns("udpc", async (ns) => {
        // The namespace's own range, so the client's port shows it is the one read.
        nsRun(ns, "sysctl", "-q", "-w", "net.ipv4.ip_local_port_range=40000 40999");
        const range = nsRun(ns, "sysctl", "-n", "net.ipv4.ip_local_port_range");
        assert.match(range, /^40000\s+40999\s*$/);
        const a = join(dir, "a.json"), b = join(dir, "b.json");
        capture(ns, a);
        const client = await whenReady(ns.spawn([PYTHON, "-c", UDP_CLIENT]), "udp client");
        // The socket ss lists for it is on a port of the namespace's range.
        const listed = ssLines(ns, "-uanp").find((l) => l.includes(`pid=${client.pid},`));
        assert.ok(listed, "ss lists the client's socket");
        const local = listed.split(/\s+/).find((w) => /:[0-9]+$/.test(w)) ?? "";
        const port = Number(local.split(":").pop());
        assert.ok(port >= 40000 && port <= 40999, `port ${port} in the namespace's range`);
        // A service that binds a port of the default range (outside this namespace's) listens.
        await whenReady(ns.spawn([PYTHON, "-c", udpService(33481)]), "udp service");
        capture(ns, b);

        const snap = JSON.parse(readFileSync(b, "utf8"));
        assert.equal(
          snap.settings["net.ipv4.ip_local_port_range"],
          range.trim().replace(/\s+/g, " "),
        );
        assert.deepEqual(snap.meta.sections.settings, { status: "ok", source: "/proc/sys" });

        const d = diff(a, b, "--only", "listeners", "--format", "json");
        assert.deepEqual(d.changes.map((c) => `${c.kind} ${c.key.protocol} ${c.key.port}`), [
          "listener-opened udp 33481",
        ]);
        const gate = diff(a, b, "--only", "listeners", "--fail-on", "listener-opened");
        assert.equal(gate.code, 1);
        assert.match(headline(gate.stdout), /^1 change: 1 listener \(1 notable\) — /);
        // Named a service, the client's port is a listener too.
        const named = diff(
          a,
          b,
          "--only",
          "listeners",
          "--udp-service",
          String(port),
          "--format",
          "json",
        );
        assert.deepEqual(named.changes.map((c) => c.key.port).sort(), [33481, port].sort());

        // show -l leaves the client out; without -l it is there, labelled.
        const listening = runCli(["show", "-ul", b]);
        assert.equal(listening.code, 0, listening.stderr);
        assert.doesNotMatch(listening.stdout, new RegExp(`:${port}\\b`));
        assert.match(listening.stdout, /0\.0\.0\.0:33481 .* UNCONN +\d+\/python3/);
        const plain = runCli(["show", "-u", b]);
        assert.match(
          plain.stdout,
          new RegExp(
            `0\\.0\\.0\\.0:${port} +0\\.0\\.0\\.0:\\* +UNCONN \\(client\\) +${client.pid}/python3`,
          ),
        );
        const json = JSON.parse(runCli(["port", String(port), b, "--format", "json"]).stdout);
        assert.deepEqual(json.map((x: { role: string }) => x.role), ["client"]);
        await stop(client);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

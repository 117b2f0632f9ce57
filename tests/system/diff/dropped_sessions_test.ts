/**
 * Issue 15, cases 4 and 5 on a real kernel: postgres 15 (Debian's) killed with `kill -9` and
 * restarted while 7 psql sessions are open, and connection attempts to an address nobody answers.
 * The sessions left half-closed are reported with a kind, the server's orphaned side as inbound,
 * and the TCP state table is printed; SYN_SENT sockets open nothing and pile up as unanswered.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, chownSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { runCli } from "../../helpers/cli.ts";
import { type Netns, whenReady, withNetns } from "../../helpers/netns.ts";
import {
  capture,
  diff,
  headline,
  kindsIn,
  PYTHON,
  sharedDir,
  skipWithout,
  ssLines,
  stop,
  until,
  untilListening,
} from "./_servers.ts";

const PG_BIN = "/usr/lib/postgresql/15/bin";
const PG_ADDR = "10.77.0.1";

/** The uid and gid of the postgres user, when the package made one. */
function postgresIds(): [number, number] | undefined {
  const r = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  const g = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
  return r.status === 0 && g.status === 0
    ? [Number(r.stdout.trim()), Number(g.stdout.trim())]
    : undefined;
}

const asPostgres = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"];

/** Starts the postmaster (it is the spawned process: setpriv execs it) and waits for its port. */
async function startPostgres(ns: Netns, data: string, sock: string) {
  const pg = ns.spawn([
    ...asPostgres,
    `${PG_BIN}/postgres`,
    "-D",
    data,
    "-k",
    sock,
    "-h",
    PG_ADDR,
    "-p",
    "5432",
    "-c",
    "shared_buffers=8MB",
    "-c",
    "max_connections=20",
  ]);
  await untilListening(ns, `${PG_ADDR}:5432`);
  return pg;
}

/** The count of one TCP state that `ss` lists in the namespace (ss's spelling: FIN-WAIT-2). */
function ssState(ns: Netns, state: string): number {
  return ssLines(ns, "-tan").filter((l) => l.split(/\s+/)[0] === state).length;
}

test(
  "postgres killed with kill -9 and restarted with 7 psql sessions: half-closed, orphaned inbound, state table",
  {
    skip: skipWithout(`${PG_BIN}/postgres`, `${PG_BIN}/initdb`, "psql", "setpriv") ||
      (postgresIds() ? false : "needs the postgres user"),
    timeout: 240_000,
  },
  async () => {
    const home = sharedDir("pg");
    try {
      await withNetns("pg", async (ns) => {
        const [uid, gid] = postgresIds()!;
        const data = join(home, "data"), sock = join(home, "sock");
        mkdirSync(sock);
        chownSync(sock, uid, gid);
        const init = spawnSync(asPostgres[0]!, [
          ...asPostgres.slice(1),
          `${PG_BIN}/initdb`,
          "-D",
          data,
          "--auth=trust",
          "-U",
          "postgres",
        ], { encoding: "utf8", timeout: 120_000 });
        assert.equal(init.status, 0, init.stderr);
        // Trust the namespace's own address (initdb trusts only loopback's).
        appendFileSync(join(data, "pg_hba.conf"), "host all all 10.77.0.0/24 trust\n");
        ns.ip("addr", "add", `${PG_ADDR}/24`, "dev", "lo");
        const first = await startPostgres(ns, data, sock);

        // Seven idle psql sessions: each waits on its stdin, a pipe that stays open for 2 min.
        const psql = `psql -h ${PG_ADDR} -U postgres -d postgres -q`;
        for (let i = 0; i < 7; i++) ns.spawn(["sh", "-c", `sleep 120 | exec ${psql}`]);
        const pgEnds = () =>
          ssLines(ns, "-tan").filter((l) => {
            const w = l.split(/\s+/);
            return w[0] === "ESTAB" && [w[3], w[4]].includes(`${PG_ADDR}:5432`);
          }).length;
        await until("7 established psql sessions (both ends)", () => pgEnds() === 14);
        const a = join(home, "a.json"), b = join(home, "b.json");
        capture(ns, a);

        await stop(first);
        // The backends notice their postmaster's death and exit: the kernel closes their sockets.
        await until("7 server sockets in FIN_WAIT2", () => ssState(ns, "FIN-WAIT-2") === 7);
        const second = await startPostgres(ns, data, sock);
        capture(ns, b);
        assert.equal(ssState(ns, "CLOSE-WAIT"), 7, "the psql ends have not closed yet");

        const d = diff(a, b, "--format", "json");
        // Its UNIX socket (/tmp/.s.PGSQL.5432 or where it was told) restarted with it.
        assert.deepEqual(
          kindsIn(d.changes, "listeners").filter((k) => !k.startsWith("unix-")),
          ["listener-restarted"],
        );
        for (const u of d.changes.filter((c) => c.kind.startsWith("unix-listener-"))) {
          assert.equal(u.kind, "unix-listener-restarted", u.summary);
          assert.match(u.summary, /postgres restarted/);
        }
        assert.match(
          d.changes[0]!.summary,
          new RegExp(`postgres restarted \\(pid ${first.pid} → ${second.pid}\\)`),
        );
        const sessions = d.changes.filter((c) => c.section === "sessions");
        assert.deepEqual(sessions.map((c) => c.kind), [
          "session-half-closed",
          "session-half-closed",
        ]);
        const [server, client] = sessions;
        assert.deepEqual(server!.key, {
          direction: "inbound",
          protocol: "tcp",
          localPort: 5432,
          remoteAddress: PG_ADDR,
        });
        assert.deepEqual([server!.count, server!.states, server!.orphaned, server!.notable], [
          7,
          { FIN_WAIT2: 7 },
          7,
          true,
        ]);
        assert.deepEqual(client!.key, {
          direction: "outbound",
          protocol: "tcp",
          remoteAddress: PG_ADDR,
          remotePort: 5432,
        });
        assert.deepEqual([client!.count, client!.states], [7, { CLOSE_WAIT: 7 }]);
        const doc = JSON.parse(runCli(["diff", a, b, "--format", "json"]).stdout);
        assert.deepEqual(doc.tcpStates.FIN_WAIT2, { before: 0, after: 7 });
        assert.deepEqual(doc.tcpStates.CLOSE_WAIT, { before: 0, after: 7 });

        // --only sessions --detail: one change per 5-tuple, not "no changes".
        const detail = diff(a, b, "--only", "sessions", "--detail", "--format", "json");
        assert.equal(detail.changes.filter((c) => c.kind === "session-half-closed").length, 14);
        const text = diff(a, b, "--only", "sessions", "--fail-on", "session-half-closed");
        assert.equal(text.code, 1);
        assert.match(headline(text.stdout), /^2 changes: 2 sessions \(1 notable\) — /);
        assert.match(
          text.stdout,
          /^ {2}! session-half-closed {2}inbound tcp to port 5432 from 10\.77\.0\.1: 7 sessions left half-closed \(FIN_WAIT2, 7 held by no process\) \(7 → 0 open\)$/m,
        );
        assert.match(text.stdout, /^ {2}FIN_WAIT2 +0 +7 +\+7$/m);
        assert.match(text.stdout, /^ {2}CLOSE_WAIT +0 +7 +\+7$/m);
        const md = runCli(["diff", a, b, "--only", "sessions", "--format", "markdown"]).stdout;
        assert.match(md, /^\| FIN\\_WAIT2 \| 0 \| 7 \| \+7 \|$/m);
        const snapB = JSON.parse(readFileSync(b, "utf8"));
        assert.equal(
          snapB.connections.filter((c: { state: string; inode: number }) =>
            c.state === "FIN_WAIT2" && c.inode === 0
          ).length,
          7,
        );
      });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  },
);

/** 25 non-blocking connects to an address routed into a black hole; prints "ready" once sent. */
const BLACKHOLED = [
  "import socket, time",
  "socks = []",
  "for i in range(25):",
  "    s = socket.socket()",
  "    s.setblocking(False)",
  "    s.connect_ex(('10.99.0.9', 5432))",
  "    socks.append(s)",
  "print('ready', flush=True)",
  "time.sleep(60)",
].join("\n");

test(
  "25 connection attempts to a peer that does not answer are session-unanswered, not sessions opened",
  { skip: skipWithout(PYTHON), timeout: 120_000 },
  async () => {
    const home = sharedDir("syn");
    try {
      await withNetns("syn", async (ns) => {
        // A route that swallows packets: the SYNs go out and nothing comes back.
        ns.ip("link", "add", "s0", "type", "veth", "peer", "name", "s1");
        ns.ip("link", "set", "s0", "up");
        ns.ip("link", "set", "s1", "up");
        ns.ip("addr", "add", "10.99.0.1/24", "dev", "s0");
        const a = join(home, "a.json"), b = join(home, "b.json");
        capture(ns, a);
        const attempts = await whenReady(ns.spawn([PYTHON, "-c", BLACKHOLED]), "connects");
        await until(
          "25 SYN_SENT sockets",
          () => ssLines(ns, "-tan").filter((l) => l.startsWith("SYN-SENT")).length === 25,
        );
        capture(ns, b);
        const d = diff(a, b, "--only", "sessions", "--format", "json");
        assert.deepEqual(d.changes.map((c) => c.kind), ["session-unanswered"]);
        assert.deepEqual(d.changes[0]!.key, {
          direction: "outbound",
          protocol: "tcp",
          remoteAddress: "10.99.0.9",
          remotePort: 5432,
        });
        assert.equal(d.changes[0]!.notable, true);
        const gate = diff(a, b, "--only", "sessions", "--fail-on", "session-opened");
        assert.equal(gate.code, 0, "nothing opened");
        assert.match(headline(gate.stdout), /^1 change: 1 session \(1 notable\) — /);
        assert.match(gate.stdout, /25 connection attempts unanswered \(SYN_SENT 0 → 25\)/);
        assert.equal(diff(a, b, "--only", "sessions", "--fail-on", "notable").code, 1);
        await stop(attempts);
      });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  },
);

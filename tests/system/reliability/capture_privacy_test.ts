/**
 * What a capture records about people and processes, through the real CLI in a fresh network
 * namespace: as `nobody` it says what it could not see instead of guessing, and command lines are
 * recorded only with --cmdline, with secrets masked.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../helpers/cli.ts";
import { canUseNetns, holdSockets, type Netns, whenReady, withNetns } from "../../helpers/netns.ts";
import { readSnapshot } from "../../../src/snapshot/read.ts";
import { copyBinary, runBare } from "../../helpers/binary.ts";
import { asNobody, NOBODY, sharedDir } from "../../helpers/users.ts";
import type { Snapshot } from "../../../src/model.ts";

const skip = !canUseNetns() ? "needs root and ip netns" : false;

/**
 * Starts a TCP listener owned by nobody inside the namespace and waits until it is ready. It is a
 * perl one-liner from /usr/bin, so nobody needs no access to the repository or its runtimes.
 */
function listenAsNobody(ns: Netns, home: string, port: number): Promise<ChildProcess> {
  const script = `use IO::Socket::INET; $|=1; ` +
    `my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1:${port}", Listen => 5, ReuseAddr => 1) ` +
    `or die "listen: $!"; print "ready\\n"; sleep 60;`;
  return whenReady(ns.spawn([...asNobody(home), "/usr/bin/perl", "-e", script]), "perl listener");
}

/** The pid recorded for the TCP listener on `port`, if any. */
function pidOf(s: Snapshot, port: number): number | undefined {
  return s.connections.find((c) => c.localPort === port && c.state === "LISTEN")?.pid;
}

test(
  "capture as nobody: connections and processes partial saying not root, the rest ok, no guessed owners",
  { skip, timeout: 120_000 },
  async () => {
    const home = sharedDir("nobody");
    try {
      await withNetns("nobody", async (ns) => {
        await holdSockets(ns, ["listen:127.0.0.1:7001", "udp:127.0.0.1:7002"]);
        await listenAsNobody(ns, home, 7003);
        // The binary, copied where nobody may run it: the repository may sit in a private folder.
        const bin = copyBinary(home);
        // A folder only root may write: a capture as nobody cannot put its file there.
        const locked = join(home, "locked");
        mkdirSync(locked, { mode: 0o700 });
        const denied = runBare(bin, ["capture", "-o", join(locked, "s.json")], [
          ...ns.wrap,
          ...asNobody(home),
        ]);
        assert.equal(denied.code, 2, denied.stderr);
        assert.match(denied.stderr.trim(), /^nsnap: Cannot write snapshot .*permission denied$/);
        assert.equal(denied.stderr.trim().split("\n").length, 1);
        assert.deepEqual(readdirSync(locked), []);

        const r = runBare(bin, ["capture", "-o", "-"], [...ns.wrap, ...asNobody(home)]);
        assert.equal(r.code, 0, r.stderr);
        const file = join(home, "nobody.json");
        writeFileSync(file, r.stdout);
        const s = await readSnapshot(file);

        assert.equal(s.meta.privileges.root, false);
        assert.equal(s.meta.privileges.uid, NOBODY);
        for (const name of ["connections", "processes"] as const) {
          const st = s.meta.sections[name];
          assert.equal(st.status, "partial", name);
          assert.ok(st.warnings?.some((w) => /not root/.test(w)), `${name}: ${st.warnings}`);
          assert.ok(st.warnings?.some((w) => /owner of [1-9][0-9]* sockets unknown/.test(w)));
        }
        for (const name of ["routes", "interfaces", "counters"] as const) {
          assert.equal(
            s.meta.sections[name].status,
            "ok",
            `${name}: ${s.meta.sections[name].error}`,
          );
        }

        // Root's sockets are there, without an owner; nobody's own socket has its pid.
        const rootListener = s.connections.find((c) => c.localPort === 7001);
        const rootUdp = s.connections.find((c) => c.localPort === 7002);
        assert.ok(rootListener && rootUdp, "sockets of other users are still listed");
        for (const c of [rootListener, rootUdp]) {
          assert.equal(c.uid, 0);
          assert.equal("pid" in c, false, "no pid for another user's socket");
          assert.equal("pids" in c, false);
        }
        const mine = pidOf(s, 7003);
        assert.ok(mine !== undefined && mine > 0, "nobody's own socket has its pid");
        for (const c of s.connections) {
          if (c.pid !== undefined) assert.equal(c.uid, NOBODY, "only own sockets get a pid");
        }
        for (const p of Object.values(s.processes)) assert.equal(p.uid, NOBODY);

        // Absent is absent: no 0, -1 or null standing in for an unknown pid.
        assert.doesNotMatch(r.stdout, /"pids?": (-1|0|null)\b/);
        assert.doesNotMatch(r.stdout, /\bnull\b/);
      });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  },
);

/** Fake secrets in the argv of a socket holder, one per shape the masking must catch. */
const SECRETS = {
  passwordEq: "hunter2-eq-Pw",
  passwordSpace: "s3cret-space-Pw",
  apiToken: "tok_9f8e7d6c5b4a",
  secretFlag: "flag-secret-Zx81",
  envPassword: "db-env-Pw-4471",
  bearer: "eyJhbGciOiJIUzI1NiJ9.payload.sig",
  urlPassword: "url-pass-Q7",
} as const;

const SECRET_ARGS = [
  `--password=${SECRETS.passwordEq}`,
  "--password",
  SECRETS.passwordSpace,
  "--api-token",
  SECRETS.apiToken,
  "--secret",
  SECRETS.secretFlag,
  `DB_PASSWORD=${SECRETS.envPassword}`,
  `Authorization: Bearer ${SECRETS.bearer}`,
  `https://alice:${SECRETS.urlPassword}@db.example.com/app`,
  "--port",
  "7101",
];

test("capture --cmdline masks every secret shape and keeps the rest of the command line", {
  skip,
  timeout: 120_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-cmdline-"));
  try {
    await withNetns("cmdline", async (ns) => {
      await holdSockets(ns, ["listen:127.0.0.1:7101"], 60, SECRET_ARGS);
      const out = join(dir, "with.json");
      const r = runCli(["capture", "--cmdline", "-o", out], { wrap: ns.wrap });
      assert.equal(r.code, 0, r.stderr);
      const bytes = readFileSync(out, "utf8");
      for (const [shape, secret] of Object.entries(SECRETS)) {
        assert.ok(!bytes.includes(secret), `${shape} secret must not be in the file`);
      }
      const s = await readSnapshot(out);
      const pid = pidOf(s, 7101);
      assert.ok(pid !== undefined);
      const argv = s.processes[String(pid)]?.cmdline;
      assert.ok(argv, "the holder's command line is recorded");
      const joined = argv.join(" ");
      assert.ok(joined.includes("--password=***"), joined);
      assert.ok(joined.includes("--password *** --api-token *** --secret ***"), joined);
      assert.ok(joined.includes("DB_PASSWORD=***"), joined);
      assert.match(joined, /Authorization: \*\*\*/);
      assert.ok(joined.includes("https://alice:***@db.example.com/app"), joined);
      assert.ok(joined.includes("--port 7101"), "what is not secret stays");
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("capture without --cmdline records no command line and no environment at all", {
  skip,
  timeout: 120_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-nocmdline-"));
  try {
    await withNetns("nocmdline", async (ns) => {
      await holdSockets(ns, ["listen:127.0.0.1:7102"], 60, SECRET_ARGS);
      const out = join(dir, "without.json");
      const r = runCli(["capture", "-o", out], {
        wrap: [...ns.wrap, "env", `NSNAP_TEST_SECRET=${SECRETS.envPassword}`],
      });
      assert.equal(r.code, 0, r.stderr);
      const bytes = readFileSync(out, "utf8");
      assert.doesNotMatch(bytes, /"cmdline"/);
      assert.doesNotMatch(bytes, /environ|NSNAP_TEST_SECRET/);
      for (const secret of Object.values(SECRETS)) assert.ok(!bytes.includes(secret));
      assert.ok(!bytes.includes("--ttl"), "not even the harmless arguments");
      const s = await readSnapshot(out);
      const pid = pidOf(s, 7102);
      assert.ok(pid !== undefined, "the process is still known");
      const p = s.processes[String(pid)]!;
      assert.ok(p.name.length > 0);
      assert.equal("cmdline" in p, false);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

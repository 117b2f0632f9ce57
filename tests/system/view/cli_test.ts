import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../helpers/cli.ts";
import { serializeSnapshot } from "../../../src/snapshot/serialize.ts";
import { sampleSnapshot } from "../../view/fixture.ts";

/** Writes the sample snapshot (optionally changed) to a temporary file and runs `fn` with its path. */
function withSnapshotFile(
  fn: (path: string) => void,
  change: (s: ReturnType<typeof sampleSnapshot>) => void = () => {},
): void {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-view-"));
  try {
    const s = sampleSnapshot();
    change(s);
    const path = join(dir, "web1.json");
    writeFileSync(path, serializeSnapshot(s, "json"));
    fn(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("nsnap show -tulpn FILE lists the listening TCP and UDP sockets with their programs", () => {
  withSnapshotFile((file) => {
    const r = runCli(["show", "-tulpn", file]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split("\n");
    assert.match(lines[0]!, /^Proto Recv-Q Send-Q Local Address/);
    assert.equal(lines.length, 6);
    assert.match(r.stdout, /tcp +0 +0 0\.0\.0\.0:22 +0\.0\.0\.0:\* +LISTEN +700\/sshd/);
    assert.match(r.stdout, /udp +0 +0 0\.0\.0\.0:53 +0\.0\.0\.0:\* +UNCONN +800\/systemd/);
    assert.doesNotMatch(r.stdout, /ESTABLISHED/);
    assert.equal(r.stderr, "");
  });
});

test("nsnap show with filters and --format json prints the selected records for scripts", () => {
  withSnapshotFile((file) => {
    const r = runCli([
      "show",
      file,
      "-t",
      "--state",
      "established",
      "--port",
      "5432",
      "--format",
      "json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const recs = JSON.parse(r.stdout);
    assert.deepEqual(
      recs.map((
        c: { localPort: number; pid: number; program: string },
      ) => [c.localPort, c.pid, c.program]),
      [[41000, 1001, "nginx"], [5432, 2001, "postgres"]],
    );
    const byAddr = JSON.parse(
      runCli(["show", file, "-a", "--address", "203.0.113.0/24", "--format", "json"]).stdout,
    );
    assert.deepEqual(byAddr.map((c: { remoteAddress: string }) => c.remoteAddress), [
      "203.0.113.7",
    ]);
  });
});

test("nsnap show -r --table 100 prints that table only, -r prints every table", () => {
  withSnapshotFile((file) => {
    const one = runCli(["show", "-r", "--table", "100", file]);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, /^Table 100\n/);
    assert.doesNotMatch(one.stdout, /Table main/);
    const all = runCli(["show", "-r", file]);
    assert.match(all.stdout, /Table main \(254\)[\s\S]*Table 100[\s\S]*Table local \(255\)/);
  });
});

test("nsnap show --table N says on stderr when that table has no routes, rather than print nothing", () => {
  withSnapshotFile((file) => {
    const r = runCli(["show", "--table", "999", file]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr, "nsnap: no routes in table 999\n");
  });
});

test("nsnap show -i and -s read interfaces and counters; json keeps counters above 2^53 exact", () => {
  withSnapshotFile((file) => {
    const i = runCli(["show", "-i", file]);
    assert.equal(i.code, 0, i.stderr);
    assert.match(i.stdout, /eth0 +1500 +up +RX +9007199254740993/);
    const st = runCli(["show", "-s", file]);
    assert.match(st.stdout, /\n {4}428 segments retransmitted/);
    const json = runCli(["show", "-s", "-t", "--format", "json", file]);
    assert.match(json.stdout, /"TCPFunnyCounter": "9007199254740993"/);
    assert.deepEqual(Object.keys(JSON.parse(json.stdout)), ["Tcp", "TcpExt"]);
  });
});

test("nsnap show prints a partial or failed section's warnings on stderr and still shows the rest", () => {
  withSnapshotFile((file) => {
    const r = runCli(["show", "-tln", file]);
    assert.equal(r.code, 0);
    assert.match(
      r.stderr,
      /warning: connections: process info for 3 sockets unavailable: not root/,
    );
    assert.match(r.stdout, /0\.0\.0\.0:22/);
    const routes = runCli(["show", "-r", file]);
    assert.match(routes.stderr, /warning: routes not available: ip: not found/);
  }, (s) => {
    s.meta.sections.connections = {
      status: "partial",
      warnings: ["process info for 3 sockets unavailable: not root"],
    };
    s.meta.sections.routes = { status: "error", error: "ip: not found" };
    s.routes = [];
  });
});

test("nsnap show rejects bad filter values with exit 2 and one line", () => {
  withSnapshotFile((file) => {
    for (
      const args of [
        ["--state", "opened"],
        ["--address", "10.0.0.0/40"],
        ["--port", "70000"],
        ["--table", "private"],
        ["-r", "-i"],
      ]
    ) {
      const r = runCli(["show", file, ...args]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
      assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
      assert.match(r.stderr, /^nsnap: /);
    }
  });
});

test("nsnap port N FILE names every socket on the port with its processes, start times and commands", () => {
  withSnapshotFile((file) => {
    const r = runCli(["port", "80", file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /0\.0\.0\.0:80 +0\.0\.0\.0:\* +LISTEN +root +1000\/nginx/);
    assert.match(r.stdout, /10\.0\.0\.5:80 +203\.0\.113\.7:51000 +ESTABLISHED +root +1001\/nginx/);
    assert.match(r.stdout, /pid 1000: nginx, user root, started 2026-11-25T14:00:00\.000Z/);
    assert.match(r.stdout, /command: 'nginx: master process \/usr\/sbin\/nginx' -g 'daemon on;'/);
    assert.match(r.stdout, /pid 1001: nginx, user www-data/);
    const json = JSON.parse(runCli(["port", "5432", file, "--format", "json"]).stdout);
    assert.deepEqual(json.map((c: { pid: number }) => c.pid), [2000, 1001, 2001]);
    assert.equal(json[0].processes[0].name, "postgres");
  });
});

test("nsnap port exits 1 saying 'nothing is using port N' when no socket has it", () => {
  withSnapshotFile((file) => {
    const r = runCli(["port", "9999", file]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "nothing is using port 9999\n");
    const json = runCli(["port", "9999", file, "--format", "json"]);
    assert.equal(json.code, 1);
    assert.deepEqual(JSON.parse(json.stdout), []);
  });
});

test("nsnap port rejects a port outside 1-65535 or not a number with exit 2", () => {
  for (const bad of ["0", "65536", "http", "-5"]) {
    const r = runCli(["port", bad, "no-such-file.json"]);
    assert.equal(r.code, 2, `${bad}: ${r.stderr}`);
    assert.match(r.stderr, /^nsnap: .*(port|option)/);
  }
});

test("nsnap show with a missing snapshot file exits 2 naming the file", () => {
  const r = runCli(["show", "-t", "/nonexistent/before.json"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /before\.json/);
});

test("nsnap show fits 80 columns when piped too (or COLUMNS), and -W keeps addresses whole", () => {
  withSnapshotFile((file) => {
    const widest = (text: string) => Math.max(...text.split("\n").map((l) => [...l].length));
    const piped = runCli(["show", "-ta", file]);
    assert.equal(piped.code, 0, piped.stderr);
    assert.ok(widest(piped.stdout) <= 80, `widest line ${widest(piped.stdout)}`);
    assert.match(piped.stdout, /\[2001:?…[0-9a-f:]*\]:443 /);
    const narrow = runCli(["show", "-ta", file], { env: { COLUMNS: "60" } });
    assert.equal(narrow.code, 0, narrow.stderr);
    assert.ok(widest(narrow.stdout) <= 60, `widest line ${widest(narrow.stdout)}`);
    const wide = runCli(["show", "-ta", "-W", file], { env: { COLUMNS: "80" } });
    assert.match(wide.stdout, /\[2001:db8:85a3:8d3:1319:8a2e:370:7348\]:443/);
    assert.ok(widest(wide.stdout) > 80);
  });
});

test("nsnap show - reads the snapshot from standard input", () => {
  const r = runCli(["show", "-tl", "-"], { stdin: serializeSnapshot(sampleSnapshot(), "json") });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /127\.0\.0\.1:5432 +0\.0\.0\.0:\* +LISTEN +2000\/postgres/);
});

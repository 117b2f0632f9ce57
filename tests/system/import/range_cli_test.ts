/**
 * Through the real CLI: `nsnap import` of saved outputs holding values no snapshot may hold
 * (a Send-Q of 2^80, a pid of 1e20, a 44-digit counter, hex queues beyond 2^53, an MTU of 2^80)
 * writes snapshots that `nsnap show` reads, in JSON and in YAML, each out-of-range value a
 * warning of its section naming the file and the line (which show prints on stderr).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../helpers/cli.ts";

const BIG = "12345678901234567890123456789012345678901234";

/** Saved outputs, each with a value no snapshot may hold on the line named. */
const CRAFTED: Record<string, { text: string; line: string }> = {
  "ss.txt": {
    text: "Netid State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n" +
      'tcp LISTEN 0 1208925819614629174706176 0.0.0.0:22 0.0.0.0:* users:(("sshd",pid=1,fd=3))\n' +
      'tcp LISTEN 0 128 0.0.0.0:80 0.0.0.0:* users:(("nginx",pid=100000000000000000000,fd=6))\n',
    line: "ss.txt:2: socket tcp 0.0.0.0:22 left out: sendQ",
  },
  "snmp.txt": {
    text: `Tcp: RtoAlgorithm ActiveOpens\nTcp: 1 ${BIG}\n`,
    line: "snmp.txt:2: cannot read Tcp.ActiveOpens (beyond 64 bits)",
  },
  "tcp.txt": {
    text:
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
      "   0: 0100007F:0016 00000000:0000 0A FFFFFFFFFFFFFFFFFFFF:00000000 00:00000000 00000000     0        0 1 1 0000000000000000 100 0 0 10 0\n",
    line: "tcp.txt:2: ",
  },
  "addr.json": {
    text: JSON.stringify([{ ifindex: 1, ifname: "eth0", flags: ["UP"], mtu: 2 ** 80 }]),
    line: "addr.json[0]: mtu of interface eth0 left out",
  },
  "netstat.txt": {
    text: "Active Internet connections (servers and established)\n" +
      "Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name\n" +
      `tcp   ${BIG}      0 0.0.0.0:22              0.0.0.0:*               LISTEN      1/sshd\n` +
      "tcp        0      0 0.0.0.0:80              0.0.0.0:*               LISTEN      99999999999999999999/nginx\n",
    line: "netstat.txt:3: ",
  },
};

test("nsnap import writes only snapshots nsnap show reads, each bad value a warning with its line", () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-import-range-"));
  try {
    for (const [name, { text, line }] of Object.entries(CRAFTED)) {
      const input = join(dir, name);
      writeFileSync(input, text);
      for (const ext of ["json", "yaml"]) {
        const out = join(dir, `${name}.${ext}`);
        const r = runCli(["import", input, "-o", out]);
        assert.equal(r.code, 0, `${name}: ${r.stderr}`);
        const show = runCli(["show", "-a", out]);
        assert.equal(show.code, 0, `show ${name}.${ext}: ${show.stderr}`);
        if (ext === "json") {
          // The section says what the import left out, with the file and the line.
          const doc = JSON.parse(readFileSync(out, "utf8"));
          const warnings: string[] = Object.values(doc.meta.sections)
            .flatMap((st) => (st as { warnings?: string[] }).warnings ?? []);
          assert.ok(warnings.some((w) => w.startsWith(`${dir}/${line}`)), `${name}: ${warnings}`);
        }
        const json = runCli(["show", "-a", "--format", "json", out]);
        assert.equal(json.code, 0, json.stderr);
      }
    }
    // All of them in one import: one snapshot, still readable.
    const all = join(dir, "all.json");
    const r = runCli(["import", ...Object.keys(CRAFTED).map((n) => join(dir, n)), "-o", all]);
    assert.equal(r.code, 0, r.stderr);
    const show = runCli(["show", "-a", all]);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /0\.0\.0\.0:80/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

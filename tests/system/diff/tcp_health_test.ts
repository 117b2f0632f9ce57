/**
 * Per-peer TCP health on a real kernel: a client namespace with two links to a server namespace,
 * one of them lossy (the server's nftables input hook drops a fifth of the packets to
 * 10.91.0.2:5432 at random: netem is not in every kernel, this machine's included). The client streams to both peers between two
 * captures; `nsnap diff` finds the retransmits, attributes them to the lossy peer and its
 * service, and agrees with `ss -ti` on how many there were.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../helpers/cli.ts";
import { canUseNetns, type Netns, sh, whenReady, withNetns } from "../../helpers/netns.ts";
import { skipWithout, until } from "./_servers.ts";

const SKIP = !canUseNetns()
  ? "needs root and iproute2 to create network namespaces"
  : !existsSync("/usr/bin/python3")
  ? "needs /usr/bin/python3"
  : skipWithout("nft", "ss");

const SERVER = `
import socket, sys, threading, time
def drain(c):
    while c.recv(1 << 20):
        pass
def serve(l):
    while True:
        c, _ = l.accept()
        threading.Thread(target=drain, args=(c,), daemon=True).start()
for spec in sys.argv[1:]:
    a, p = spec.rsplit(":", 1)
    l = socket.socket()
    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind((a, int(p)))
    l.listen(16)
    threading.Thread(target=serve, args=(l,), daemon=True).start()
print("ready", flush=True)
time.sleep(90)
`;

const CLIENT = `
import os, socket, sys, time
trigger, secs = sys.argv[1], float(sys.argv[2])
socks = []
for spec in sys.argv[3:]:
    a, p = spec.rsplit(":", 1)
    socks.append(socket.create_connection((a, int(p)), timeout=10))
for s in socks:
    s.setblocking(False)
print("ready", flush=True)
end = time.time() + 60
while not os.path.exists(trigger) and time.time() < end:
    time.sleep(0.05)
buf = b"x" * 16384
stop = time.time() + secs
while time.time() < stop:
    for s in socks:
        try:
            s.send(buf)
        except BlockingIOError:
            pass
    time.sleep(0.002)
time.sleep(90)
`;

/** ss's total retransmits of the client's session to a peer (the Y of retrans:X/Y). */
function ssTotalRetrans(ns: Netns, peer: string): number {
  const text = ns.exec("ss", "-tniH", "state", "established", "dst", peer);
  const m = /retrans:[0-9]+\/([0-9]+)/.exec(text);
  return m ? Number(m[1]) : 0;
}

/** The client's unsent bytes to every peer (Send-Q). */
function unsent(ns: Netns): number {
  return ns.exec("ss", "-tnH", "state", "established").split("\n").filter(Boolean)
    .reduce((n, l) => n + Number(l.trim().split(/\s+/)[1]), 0);
}

test(
  "diff attributes real retransmits to the lossy peer (10.91.0.2:5432, postgresql) and agrees with ss -ti",
  { skip: SKIP, timeout: 180_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "nsnap-health-"));
    try {
      await withNetns("hl-srv", async (srv) => {
        await withNetns("hl-cli", async (cli) => {
          // Two links: 10.91.0.0/24 (lossy) and 10.92.0.0/24 (clean).
          for (const [n, net] of [["1", "10.91.0"], ["2", "10.92.0"]] as const) {
            cli.ip("link", "add", `hc${n}`, "type", "veth", "peer", "name", `hs${n}`);
            cli.ip("link", "set", `hs${n}`, "netns", srv.name);
            cli.ip("addr", "add", `${net}.1/24`, "dev", `hc${n}`);
            srv.ip("addr", "add", `${net}.2/24`, "dev", `hs${n}`);
            // One segment per packet, so that a dropped packet is one lost segment (no TSO).
            cli.ip("link", "set", `hc${n}`, "gso_max_segs", "1", "up");
            srv.ip("link", "set", `hs${n}`, "up");
          }
          const rules = join(dir, "loss.nft");
          writeFileSync(
            rules,
            "table inet nsnaploss {\n  chain in {\n    type filter hook input priority 0;\n" +
              "    ip saddr 10.91.0.1 tcp dport 5432 numgen random mod 10 < 2 drop\n  }\n}\n",
          );
          // Dropped where it arrives: a drop in the sender's own output path is no loss to TCP.
          sh([...srv.wrap, "nft", "-f", rules]);
          await whenReady(
            srv.spawn(["/usr/bin/python3", "-c", SERVER, "10.91.0.2:5432", "10.92.0.2:6379"]),
            "server",
          );
          const trigger = join(dir, "go");
          await whenReady(
            cli.spawn([
              "/usr/bin/python3",
              "-c",
              CLIENT,
              trigger,
              "2",
              "10.91.0.2:5432",
              "10.92.0.2:6379",
            ]),
            "client",
          );
          const capture = (name: string) => {
            const file = join(dir, name);
            // tcp_info comes over netlink: on even where the environment turns it off for the others.
            const r = runCli(["capture", "-o", file], {
              wrap: cli.wrap,
              env: { NSNAP_NETLINK: "1" },
            });
            assert.equal(r.code, 0, r.stderr);
            return file;
          };
          const before = capture("before.json");
          const ssBefore = ssTotalRetrans(cli, "10.91.0.2");
          writeFileSync(trigger, "");
          // Two seconds of sending, then every byte delivered (retransmits done).
          await new Promise((r) => setTimeout(r, 2500));
          await until("the client's queues drained", () => unsent(cli) === 0, 60_000);
          const after = capture("after.json");
          const ssAfter = ssTotalRetrans(cli, "10.91.0.2");
          assert.ok(
            ssAfter > ssBefore,
            `ss saw no retransmits: ${ssBefore} → ${ssAfter}\n${cli.exec("ss", "-tni")}`,
          );

          const r = runCli(["diff", before, after, "--only", "sessions", "--format", "json"]);
          assert.equal(r.code, 0, r.stderr);
          const doc = JSON.parse(r.stdout) as {
            changes: {
              kind: string;
              key: { remoteAddress: string; remotePort: number };
              retransmits: number;
              total: number;
              service?: string;
              program?: string;
              notable?: boolean;
              summary: string;
            }[];
          };
          const rt = doc.changes.filter((c) => c.kind === "session-retransmits");
          const lossy = rt.find((c) => c.key.remoteAddress === "10.91.0.2");
          assert.ok(lossy, `no retransmits for 10.91.0.2: ${r.stdout}`);
          assert.equal(lossy!.key.remotePort, 5432);
          assert.equal(lossy!.service, "postgresql");
          assert.equal(lossy!.program, "python3");
          // Exactly what ss counts for that session, between the two captures.
          assert.equal(lossy!.retransmits, ssAfter - ssBefore);
          // The clean link retransmits little or nothing: the lossy peer has most of them.
          assert.ok(lossy!.retransmits * 2 >= lossy!.total, lossy!.summary);
          if (lossy!.retransmits >= 10) assert.equal(lossy!.notable, true);
          assert.match(lossy!.summary, /retransmits went to 10\.91\.0\.2:5432 \(postgresql\)/);
          const text = runCli(["diff", before, after, "--only", "sessions"]).stdout;
          assert.match(text, /retransmits went to 10\.91\.0\.2:5432/);
        });
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

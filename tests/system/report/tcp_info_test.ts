/**
 * The report's TCP health view on a real capture: in a namespace of its own, a Python server on
 * 127.0.0.1 and two clients that keep sending; an nft rule then drops the clients' segments so
 * that they retransmit; `nsnap capture --tcp-info` runs between two `ss -tinO` readings, and the
 * report made from that capture is opened in headless Chromium. Its "TCP health by remote
 * service" table has the clients' peer (tcp → 127.0.0.1:PORT) with both sessions, the sum of
 * their tcp_info retransmits (between what ss counted before and after the capture) and their
 * median RTT (as the capture recorded it, and within a millisecond of ss's). Skips with the
 * reason without root and namespaces, Chromium, python3 or nft.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { runCli } from "../../helpers/cli.ts";
import { canUseNetns, whenReady, withNetns } from "../../helpers/netns.ts";
import { parseSsLines, type SsSocket } from "../netlink/_ss.ts";
import { browserMissing, openReport, startBrowser } from "./_browser.ts";

const has = (cmd: string) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
const skip = !canUseNetns() ? "needs root and ip netns" : browserMissing() ??
  (!has("python3") ? "needs python3" : !has("nft") ? "needs nft" : false);

const PORT = 7311;

/** A server that reads everything, and two clients that send 512 bytes every 20 ms; 30 s at most. */
const TRAFFIC = `
import socket, sys, threading, time
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", ${PORT})); srv.listen(8)
def drain(c):
    while c.recv(65536): pass
def serve():
    while True:
        c, _ = srv.accept(); threading.Thread(target=drain, args=(c,), daemon=True).start()
threading.Thread(target=serve, daemon=True).start()
clients = [socket.create_connection(("127.0.0.1", ${PORT})) for _ in range(2)]
for c in clients: c.setblocking(False)
end = time.time() + 30
first = True
while time.time() < end:
    for c in clients:
        try: c.send(b"x" * 512)
        except BlockingIOError: pass
    if first:
        time.sleep(0.3); print("ready", flush=True); first = False
    time.sleep(0.02)
`;

interface Conn {
  protocol: string;
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  state: string;
  tcpInfo?: { rtt: number; totalRetrans: number; [k: string]: unknown };
}

/** ss's retrans:X/Y total (Y) and rtt (ms) of the socket from local port `port`. */
function ssOf(lines: SsSocket[], port: number): { total: number; rtt: number } {
  const s = lines.find((l) =>
    l.state === "ESTAB" && l.local === `127.0.0.1:${port}` && l.peer === `127.0.0.1:${PORT}`
  );
  assert.ok(s, `ss shows the client on port ${port}`);
  const total = Number((s.fields.get("retrans") ?? "0/0").split("/")[1]);
  return { total, rtt: Number(s.fields.get("rtt")?.split("/")[0]) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

test("a report of a real --tcp-info capture shows each peer's sessions, retransmits and RTT", {
  skip,
  timeout: 180_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), `nsnap-report-tcpinfo-${process.pid}-`));
  try {
    await withNetns("rptcp", async (ns) => {
      await whenReady(ns.spawn(["python3", "-c", TRAFFIC]), "traffic");
      // The clients' segments reach the server no more (dropped on input): they retransmit.
      ns.exec("nft", "add table inet nsnap_rt");
      ns.exec("nft", "add chain inet nsnap_rt in { type filter hook input priority 0 ; }");
      ns.exec("nft", `add rule inet nsnap_rt in tcp dport ${PORT} drop`);
      await new Promise((r) => setTimeout(r, 1500));
      const ss = () => parseSsLines(ns.exec("ss", "-tinO"), false);
      const before = ss();
      const file = join(dir, "cap.json");
      const cap = runCli(["capture", "--tcp-info", "-o", file], {
        wrap: ns.wrap,
        env: { NSNAP_NETLINK: "1" },
      });
      assert.equal(cap.code, 0, cap.stderr);
      const after = ss();
      const snap = JSON.parse(readFileSync(file, "utf8")) as { connections: Conn[] };
      const clients = snap.connections.filter((c) =>
        c.protocol === "tcp" && c.state === "ESTABLISHED" && c.remotePort === PORT
      );
      assert.equal(clients.length, 2, "both clients captured");
      let retrans = 0;
      const rtts: number[] = [];
      for (const c of clients) {
        assert.ok(c.tcpInfo, `tcp_info of client port ${c.localPort}`);
        const a = ssOf(before, c.localPort), b = ssOf(after, c.localPort);
        const t = c.tcpInfo.totalRetrans;
        assert.ok(a.total <= t && t <= b.total, `retransmits ${a.total} ≤ ${t} ≤ ${b.total}`);
        assert.ok(t > 0, "the dropped segments were retransmitted");
        assert.ok(Math.abs(c.tcpInfo.rtt / 1000 - b.rtt) <= 1, `rtt ${c.tcpInfo.rtt} µs vs ss`);
        retrans += t;
        rtts.push(c.tcpInfo.rtt / 1000);
      }
      const page = join(dir, "report.html");
      const r = runCli(["report", file, "-o", page]);
      assert.equal(r.code, 0, r.stderr);
      const browser = await startBrowser();
      try {
        const o = await openReport(browser, page);
        assert.deepEqual(o.errors, [], "console errors");
        assert.deepEqual(o.requests, [], "network requests");
        const rows = await o.page.evaluate(
          `[...document.querySelectorAll('[data-table="tcp-health"] tbody tr')]
            .map((tr) => [...tr.children].map((td) => td.textContent))`,
        ) as string[][];
        const peer = rows.find((row) => row[0] === `tcp → 127.0.0.1:${PORT}`);
        assert.ok(peer, JSON.stringify(rows));
        const [, sessions, shownRetrans, , rttMedian] = peer;
        assert.equal(sessions, "2");
        assert.equal(shownRetrans, String(retrans));
        // The page shows the median to two decimals, "<0.01" below that (loopback is fast).
        const m = Math.round(median(rtts) * 1000) / 1000;
        assert.equal(rttMedian, m > 0 && m < 0.005 ? "<0.01" : m.toFixed(2));
        const inbound = rows.find((row) => row[0] === `tcp :${PORT} ← clients`);
        assert.ok(inbound, "the server's side is its own row");
        assert.equal(inbound[1], "2");
      } finally {
        await browser.close();
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

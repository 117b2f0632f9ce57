/**
 * `nsnap show -x`, `-w`, `-0`, `-o`, `-e` and `-ti` on the sockets a test holds in a fresh
 * namespace (the netlink scenario: listeners with a backlog, a bound device, a keepalive
 * session, UNIX stream/dgram/seqpacket names and a socketpair, packet and raw ICMP sockets),
 * captured there, cross-checked against `ss -xanp`, `ss -wanp`, `ss -0anp`, `ss -tanpo`, `ss -tni`
 * and the cgroup directory of the holder.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import process from "node:process";
import { runCli } from "../../helpers/cli.ts";
import { type Netns, withNetns } from "../../helpers/netns.ts";
import {
  buildNetwork,
  cgroup2Mount,
  holdScenarioSockets,
  SCENARIO_SKIP,
  unixNames,
} from "../netlink/_scenario.ts";
import { parseSsLines, ssTimerMs } from "../netlink/_ss.ts";
import { textWidth } from "../../../src/render/table.ts";

const TAG = `v${process.pid}`;

function ss(ns: Netns, ...flags: string[]): string {
  return ns.exec("ss", ...flags);
}

/** Runs `nsnap show ARGS FILE` and insists it worked. */
function show(file: string, ...args: string[]): string {
  const r = runCli(["show", ...args, file]);
  assert.equal(r.code, 0, `show ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

const json = <T>(file: string, ...args: string[]) =>
  JSON.parse(show(file, ...args, "--format", "json")) as T[];

test(
  "show -x, -w, -0, -o, -e and -ti print what ss -xanp, -wanp, -0anp, -tanpo and -tni see",
  { skip: SCENARIO_SKIP, timeout: 120_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "nsnap-ssviews-"));
    // The holder runs in a cgroup of its own, so that its sockets' cgroup id is not the root's.
    const mount = cgroup2Mount();
    let cgroup = mount === undefined ? undefined : join(mount, `nsnap-test-${TAG}`);
    try {
      if (cgroup !== undefined) mkdirSync(cgroup);
    } catch {
      cgroup = undefined; // a read-only cgroup tree (a container): the id is not checked
    }
    try {
      await withNetns("view-ss", async (ns) => {
        buildNetwork(ns);
        const { child, pid } = await holdScenarioSockets(ns, TAG, 120, cgroup);
        try {
          const file = join(dir, "ns.json");
          // About netlink's facts: on even where the environment turns it off for the other tests.
          const cap = runCli(["capture", "--all-unix", "-o", file], {
            wrap: ns.wrap,
            env: { NSNAP_NETLINK: "1" },
          });
          assert.equal(cap.code, 0, cap.stderr);
          const names = unixNames(TAG);

          // UNIX: every socket ss lists for the holder, by inode, with its name and peer.
          const ssUnix = parseSsLines(ss(ns, "-xanp"), true, true)
            .filter((s) => s.pids.includes(pid));
          const unix = json<{ inode: number; path?: string; peerInode?: number; state: string }>(
            file,
            "-xa",
          ).filter((u) => ssUnix.some((s) => Number(s.localPort) === u.inode));
          assert.equal(unix.length, ssUnix.length, "the holder's UNIX sockets");
          for (const s of ssUnix) {
            const u = unix.find((x) => x.inode === Number(s.localPort))!;
            assert.equal(u.path ?? "*", s.local, `inode ${u.inode}`);
            assert.equal(u.peerInode ?? 0, Number(s.peerPort), `peer of ${u.inode}`);
          }
          const xText = show(file, "-xa", "-W");
          for (const path of [names.stream, names.dgram, names.seqpacket]) {
            const line = xText.split("\n").find((l) => l.includes(` ${path} `));
            assert.ok(line, `${path} in:\n${xText}`);
            assert.match(line!, new RegExp(`${pid}/python3$`));
          }
          assert.match(xText, new RegExp(`u_str LISTEN +0 +[0-9]+ ${names.stream} `));
          assert.match(xText, new RegExp(`u_seq LISTEN .* ${names.seqpacket} `));
          // -l: the listeners, and the bound datagram socket.
          const xl = show(file, "-xl", "-W");
          assert.ok(xl.includes(names.dgram) && !/ESTAB/.test(xl), xl);

          // Raw and packet sockets, with the holder's pid.
          const ssRaw = parseSsLines(ss(ns, "-wanp"), false).filter((s) => s.pids.includes(pid));
          const wText = show(file, "-w", "-W");
          assert.equal(ssRaw.length, 2, ss(ns, "-wanp"));
          assert.match(
            wText,
            new RegExp(`^raw +UNCONN .* 0\\.0\\.0\\.0:icmp .* ${pid}/python3$`, "m"),
          );
          assert.match(
            wText,
            new RegExp(`^raw6 +UNCONN .* \\[::\\]:ipv6-icmp .* ${pid}/python3$`, "m"),
          );
          const ssPacket = parseSsLines(ss(ns, "-0anp"), true).filter((s) => s.pids.includes(pid));
          assert.equal(ssPacket.length, 2, ss(ns, "-0anp"));
          const zText = show(file, "-0", "-W");
          assert.match(zText, new RegExp(`^p_raw +[0-9]+ +all +\\* +${pid}/python3$`, "m"));
          assert.match(zText, new RegExp(`^p_raw +[0-9]+ +arp +nl0 +${pid}/python3$`, "m"));
          for (const s of ssPacket) {
            // ss: "[*]:nl0" style local names carry the device or *.
            assert.ok(s.local.endsWith(":nl0") || s.local.endsWith(":*"), s.local);
          }

          // -o: the keepalive timer of the client of 7005, as ss -o shows it.
          const ssTimers = parseSsLines(ss(ns, "-tanpo"), false)
            .filter((s) => s.timer !== undefined && s.peer === "127.0.0.1:7005");
          assert.equal(ssTimers.length, 1, ss(ns, "-tanpo"));
          const oText = show(file, "-ta", "-o", "-W");
          const row = oText.split("\n").find((l) => / 127\.0\.0\.1:7005 +ESTABLISHED/.test(l));
          const m = /keepalive,([0-9a-z]+),([0-9]+)/.exec(row ?? "");
          assert.ok(m, `keepalive timer in:\n${oText}`);
          assert.equal(ssTimers[0]!.timer!.name, "keepalive");
          assert.equal(Number(m![2]), ssTimers[0]!.timer!.retrans);
          // Both count down from the same keepalive time; a few seconds apart at most.
          assert.ok(
            Math.abs(ssTimerMs(m![1]!) - ssTimerMs(ssTimers[0]!.timer!.expires)) < 15_000,
            `${m![1]} vs ${ssTimers[0]!.timer!.expires}`,
          );

          // -e: uid, inode and the socket's cgroup: the id of the holder's cgroup folder, which
          // ss prints in hex where it cannot name it (cgroup:unreachable:ID).
          const eText = show(file, "-tle", "-W");
          const listener = eText.split("\n").find((l) => l.includes("127.0.0.1:7001 "));
          assert.ok(listener, eText);
          if (cgroup !== undefined) {
            const id = statSync(cgroup).ino;
            assert.notEqual(id, 1, "not the root cgroup");
            assert.match(listener!, new RegExp(` ${id} +${pid}/python3$`), eText);
            const ssListener = parseSsLines(ss(ns, "-tlnpe"), false)
              .find((s) => s.local === "127.0.0.1:7001")!;
            // ss names the folder where it sees the cgroup tree, else prints the id in hex.
            const theirs = ssListener.fields.get("cgroup");
            const path = `/${basename(cgroup)}`;
            assert.ok([path, `unreachable:${id.toString(16)}`].includes(theirs!), theirs);
          }
          // The bound device, as ss prints it.
          const tl = show(file, "-tl", "-W");
          assert.match(tl, /0\.0\.0\.0%nl0:7002 /);
          // An IPv6 link-local listener with its scope, as ss prints [fe80::1]%nl0:7011.
          assert.match(ss(ns, "-tln"), /\[fe80::1\]%nl0:7011 /);
          assert.match(tl, /\[fe80::1\]%nl0:7011 /);

          // -ti: the tcp_info line under each session, rtt and retransmits as ss -ti has them.
          const ssInfo = ss(ns, "-tni", "state", "established", "( sport = :7006 )");
          const ssRtt = Number(/rtt:([0-9.]+)\//.exec(ssInfo)?.[1]);
          const iText = show(file, "-ti", "--port", "7006", "-W");
          const info = iText.split("\n").filter((l) => /^ {4}.*rtt:/.test(l));
          assert.equal(info.length, 2, iText);
          const rtt = Number(/rtt:([0-9.]+)\//.exec(info[0]!)?.[1]);
          assert.ok(rtt > 0 && rtt < 50 && ssRtt > 0 && ssRtt < 50, `${rtt} vs ${ssRtt}`);
          assert.match(info[0]!, /retrans:0\/0/);
          // At 80 columns (the default), the same views fit.
          const views = [["-xa"], ["-w"], ["-0"], ["-tao"], ["-tae"], ["-ti"], ["-r"], ["-i"]];
          const texts = views.map((args) => [args.join(" "), show(file, ...args)]);
          const port = runCli(["port", "7006", file]);
          assert.equal(port.code, 0, port.stderr);
          texts.push(["port 7006", port.stdout]);
          for (const [name, t] of texts) {
            for (const l of t!.split("\n")) {
              // Tabs are not used: every column is a space.
              assert.ok(!l.includes("\t") && textWidth(l) <= 80, `${name}: ${l}`);
            }
          }
        } finally {
          child.kill("SIGKILL");
        }
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
      // The folder goes once the killed holder has left it (its exit takes a moment).
      for (let i = 0; cgroup !== undefined && existsSync(cgroup) && i < 100; i++) {
        try {
          rmdirSync(cgroup);
        } catch {
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    }
  },
);

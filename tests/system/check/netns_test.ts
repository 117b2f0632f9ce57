/**
 * `nsnap check` end to end on a real kernel: capture a namespace, `--init` a policy from it (the
 * capture passes it), then break it the four ways an operator fears — a new listener on a public
 * address, a listener moved from loopback to 0.0.0.0, the required default route removed, a
 * retransmit burst through a link that drops packets — and each fails with exit 1, exactly its
 * rule, and a line that says what happened. Facts are cross-checked with `ss`, `ip` and `nstat`
 * in the same namespace.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { type CliRun, runCli } from "../../helpers/cli.ts";
import { canUseNetns, holdSockets, type Netns, whenReady, withNetns } from "../../helpers/netns.ts";

const skip = !canUseNetns() && "needs root and iproute2 to create network namespaces";

const TRAFFIC = new URL("./_traffic.ts", import.meta.url).pathname;

/** The argv that runs the traffic helper under the runtime executing the tests. */
function traffic(...args: string[]): string[] {
  const g = globalThis as { Deno?: unknown };
  return g.Deno
    ? [process.execPath, "run", "-A", "--quiet", TRAFFIC, ...args]
    : [process.execPath, TRAFFIC, ...args];
}

/** Kills a holder and waits until it is gone, so its sockets are closed before the capture. */
function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

/** Waits for a child to exit by itself and returns its code. */
function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once("exit", (code) => resolve(code));
  });
}

interface Rule {
  id: string;
  status: string;
  violations: Array<{ message: string; listener?: { pid?: number; port: number } }>;
}

/** Text output with wrapped lines joined again (continuations are indented 9 columns). */
function flat(r: CliRun): string {
  return r.stdout.replace(/\n {9}/g, " ");
}

/** The ids of the rules that failed, from `--format json`. */
function failedRules(r: CliRun): Rule[] {
  return (JSON.parse(r.stdout).hosts[0].rules as Rule[]).filter((x) => x.status === "fail");
}

/** The token bucket that drops: 2 Mbit/s with room for four packets, on the sender's side. */
const TBF = ["tbf", "rate", "2mbit", "burst", "3kb", "limit", "6kb"];

/**
 * Loss on the link: a tbf qdisc on the sender's side of the veth, which drops what does not fit
 * its small bucket (sch_tbf is in every kernel tc runs on; netem is a module many lack). The
 * sender's TCP retransmits what the qdisc dropped. Returns tc's drop count reader.
 */
function addLoss(ns: Netns, dev: string): () => number {
  ns.exec("tc", "qdisc", "add", "dev", dev, "root", ...TBF);
  return () => {
    const stats = ns.exec("tc", "-s", "qdisc", "show", "dev", dev);
    return Number(/dropped ([0-9]+)/.exec(stats)?.[1] ?? NaN);
  };
}

/** What a test gets: the captured namespace, its peer, a capture function and the --init policy. */
interface Scene {
  ns: Netns;
  peer: Netns;
  dir: string;
  capture(name: string): string;
  check(...args: string[]): CliRun;
  policyText: string;
  policy: string;
  loopback: ChildProcess;
}

/**
 * Two namespaces joined by a veth pair (10.88.0.1 ↔ 10.88.0.2, plus the public 198.51.100.10 on
 * the checked side), a default route, a loopback and a private listener; the checked side is
 * captured, `--init` writes a policy from it, and that capture passes the policy.
 */
async function scene(tag: string, fn: (s: Scene) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `nsnap-check-${tag}-`));
  try {
    await withNetns(tag, (ns) =>
      withNetns("peer", async (peer) => {
        ns.ip("link", "add", "vchk", "type", "veth", "peer", "name", "vpeer", "netns", peer.name);
        ns.ip("addr", "add", "10.88.0.1/24", "dev", "vchk");
        // A public address (TEST-NET-2, a documentation range: public by nsnap's table).
        ns.ip("addr", "add", "198.51.100.10/32", "dev", "vchk");
        ns.ip("link", "set", "vchk", "up");
        peer.ip("addr", "add", "10.88.0.2/24", "dev", "vpeer");
        peer.ip("link", "set", "vpeer", "up");
        ns.ip("route", "add", "default", "via", "10.88.0.2");
        const loopback = await holdSockets(ns, ["listen:127.0.0.1:7301"], 200);
        await holdSockets(ns, ["listen:10.88.0.1:7302"], 200);
        const capture = (name: string) => {
          const file = join(dir, name);
          const r = runCli(["capture", "-o", file], { wrap: ns.wrap });
          assert.equal(r.code, 0, r.stderr);
          return file;
        };
        const check = (...args: string[]) => runCli(["check", ...args]);
        const base = capture("base.json");
        const init = check("--init", base);
        assert.equal(init.code, 0, init.stderr);
        const policy = join(dir, "policy.yaml");
        writeFileSync(policy, init.stdout);
        const clean = check(policy, base);
        assert.equal(clean.code, 0, clean.stdout + clean.stderr);
        assert.match(clean.stdout, /: PASS\n/);
        await fn({ ns, peer, dir, capture, check, policyText: init.stdout, policy, loopback });
      }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Why packets cannot be dropped on purpose here, or false when they can: a tbf qdisc added in a
 * scratch namespace (removed at once) says whether tc and sch_tbf are there, before the test.
 */
function lossSkip(): string | false {
  if (skip) return skip;
  if (spawnSync("tc", ["-V"]).status !== 0) return "needs tc (iproute2) to drop packets";
  const name = `nsnap-tbf-probe-${process.pid}`;
  if (spawnSync("ip", ["netns", "add", name]).status !== 0) return "cannot make a namespace";
  try {
    const r = spawnSync("ip", [
      "netns",
      "exec",
      name,
      "tc",
      "qdisc",
      "add",
      "dev",
      "lo",
      "root",
      ...TBF,
    ], {
      encoding: "utf8",
    });
    return r.status === 0 ? false : `cannot drop packets with tbf here: ${r.stderr.trim()}`;
  } finally {
    spawnSync("ip", ["netns", "del", name]);
  }
}

test(
  "--init on a namespace, then a public listener, a widened listener and a removed route each fail with exit 1",
  { skip, timeout: 180_000 },
  () =>
    scene("chk", async ({ ns, capture, check, policy, policyText, loopback }) => {
      assert.match(policyText, /scope: loopback/);
      assert.match(policyText, /scope: private/);
      assert.match(
        policyText,
        /- destination: default\n {6}family: inet\n {6}gateway: "10\.88\.0\.2"/,
      );
      // 1. A new listener on a public address.
      const pub = await holdSockets(ns, ["listen:198.51.100.10:7400"], 200);
      const ss = ns.exec("ss", "-Htlnp", "sport = :7400");
      assert.match(ss, new RegExp(`198\\.51\\.100\\.10:7400 .*pid=${pub.pid},`));
      const s1 = capture("public.json");
      const r1 = check(policy, s1);
      assert.equal(r1.code, 1, r1.stdout + r1.stderr);
      assert.match(
        flat(r1),
        new RegExp(
          `- tcp 198\\.51\\.100\\.10:7400 \\((deno|bun|bun\\.exe), pid ${pub.pid}, user root\\) on a\\s+public address: not allowed`,
        ),
      );
      const f1 = failedRules(check(policy, s1, "--format", "json"));
      assert.deepEqual(f1.map((r) => r.id), ["listeners.allow"]);
      assert.deepEqual(f1[0]!.violations.map((v) => [v.listener?.port, v.listener?.pid]), [[
        7400,
        pub.pid,
      ]]);
      await stop(pub);

      // 2. A listener moved from loopback to every address.
      await stop(loopback);
      const wide = await holdSockets(ns, ["listen:0.0.0.0:7301"], 200);
      const s2 = capture("widened.json");
      const r2 = check(policy, s2);
      assert.equal(r2.code, 1, r2.stdout);
      assert.match(
        flat(r2),
        /- tcp 0\.0\.0\.0:7301 \((deno|bun|bun\.exe), pid [0-9]+, user root\) on every address: not allowed; listeners\.allow\[[0-9]\] \(line [0-9]+\) would allow it but for its scope \(loopback\)/,
      );
      assert.deepEqual(failedRules(check(policy, s2, "--format", "json")).map((r) => r.id), [
        "listeners.allow",
      ]);
      await stop(wide);
      await holdSockets(ns, ["listen:127.0.0.1:7301"], 200);

      // 3. The required default route removed.
      ns.ip("route", "del", "default");
      assert.equal(ns.ip("-j", "route", "show", "default").trim(), "[]");
      const s3 = capture("noroute.json");
      const r3 = check(policy, s3);
      assert.equal(r3.code, 1, r3.stdout);
      assert.match(r3.stdout, /FAIL .*policy\.yaml:[0-9]+ routes\.required\[0\]\n/);
      assert.match(
        flat(r3),
        /- no route matches destination default, gateway 10\.88\.0\.2, family inet, table main/,
      );
      assert.deepEqual(failedRules(check(policy, s3, "--format", "json")).map((r) => r.id), [
        "routes.required[0]",
      ]);
      const junit = check(policy, s3, "--format", "junit");
      assert.equal(XMLValidator.validate(junit.stdout), true);
      const suites = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(
        junit.stdout,
      );
      assert.equal(suites.testsuites.failures, "1");
      ns.ip("route", "add", "default", "via", "10.88.0.2");
    }),
);

test(
  "--init leaves a listener on an ephemeral port unpinned: after a restart on another port it passes",
  { skip, timeout: 180_000 },
  () =>
    scene("eph", async ({ ns, dir, capture, check }) => {
      // A harness on a port of the namespace's ephemeral range (a fresh namespace: 32768-60999).
      assert.equal(ns.exec("sysctl", "-n", "net.ipv4.ip_local_port_range").trim(), "32768\t60999");
      const port = 40_000 + (process.pid % 10_000);
      const first = await holdSockets(ns, [`listen:0.0.0.0:${port}`], 200);
      assert.match(ns.exec("ss", "-Htlnp", `sport = :${port}`), new RegExp(`pid=${first.pid},`));
      const base = capture("eph-base.json");
      const init = check("--init", base);
      assert.equal(init.code, 0, init.stderr);
      assert.doesNotMatch(init.stdout, new RegExp(`port: ${port}\\b`));
      assert.match(init.stdout, /# Listeners on ephemeral ports \(32768-60999/);
      assert.match(init.stdout, /port: "32768-60999"\n {6}scope: any/);
      const policy = join(dir, "eph.yaml");
      writeFileSync(policy, init.stdout);
      assert.equal(check(policy, base).code, 0);
      // The restart: the same program on another ephemeral port.
      await stop(first);
      const second = await holdSockets(ns, [`listen:0.0.0.0:${port + 1}`], 200);
      assert.match(
        ns.exec("ss", "-Htlnp", `sport = :${port + 1}`),
        new RegExp(`pid=${second.pid},`),
      );
      const later = check(policy, capture("eph-later.json"));
      assert.equal(later.code, 0, later.stdout + later.stderr);
      assert.match(later.stdout, /: PASS\n/);
      // The same check on a live capture of the namespace alone (check … live --netns).
      const live = runCli(["check", policy, "live", "--netns", "current", "--format", "json"], {
        wrap: ns.wrap,
      });
      assert.equal(live.code, 0, live.stdout + live.stderr);
      assert.equal(JSON.parse(live.stdout).hosts[0].verdict, "pass");
      await stop(second);
    }),
);

test(
  "a retransmit burst through a link that drops packets fails the rate rule against the baseline",
  { skip: lossSkip(), timeout: 180_000 },
  () =>
    scene("rate", async ({ ns, peer, dir, capture, check, policyText }) => {
      // 4. A retransmit burst, measured against a baseline.
      const withRates = join(dir, "rates.yaml");
      writeFileSync(withRates, policyText + "rates:\n  - Tcp.RetransSegs <= 1%\n");
      const sink = await whenReady(
        peer.spawn(traffic("sink", "10.88.0.2", "7500", "120")),
        "sink",
      );
      void sink;
      const drops = addLoss(ns, "vchk");
      const before = capture("before.json");
      const sender = ns.spawn(traffic("send", "10.88.0.2", "7500", String(200_000), "60"));
      assert.equal(await exited(sender), 0, "the sender finished through tbf");
      const after = capture("after.json");
      assert.ok(drops() > 0, `tc says tbf dropped packets (${drops()})`);
      const nstat = ns.exec("nstat", "-asz", "TcpRetransSegs");
      const kernel = Number(/TcpRetransSegs\s+([0-9]+)/.exec(nstat)![1]);
      const counters = JSON.parse(readFileSync(after, "utf8")).counters.Tcp;
      assert.ok(
        counters.RetransSegs > 0 && counters.RetransSegs <= kernel,
        `${counters.RetransSegs} vs nstat ${kernel}`,
      );
      const r4 = check(withRates, after, "--baseline", before);
      assert.equal(r4.code, 1, r4.stdout + r4.stderr);
      assert.match(
        flat(r4),
        /FAIL .*rates\.yaml:[0-9]+ rates\[0\]\n {7}Tcp\.RetransSegs <= 1%\n {7}- Tcp\.RetransSegs is [0-9]+\.[0-9]{2}% \(\+[0-9,]+ of \+[0-9,]+ Tcp\.OutSegs\), which breaks Tcp\.RetransSegs <= 1%/,
      );
      assert.deepEqual(
        failedRules(check(withRates, after, "--baseline", before, "--format", "json")).map((
          r,
        ) => r.id),
        ["rates[0]"],
      );
      // Without a baseline the rate is not evaluated: no verdict from nothing, but --strict fails.
      const alone = check(withRates, after);
      assert.equal(alone.code, 0, alone.stdout);
      assert.match(
        alone.stdout,
        /SKIP .*rates\[0\]\n.*\n {7}not evaluated: no baseline to measure against/,
      );
      assert.equal(check(withRates, after, "--strict").code, 1);
    }),
);

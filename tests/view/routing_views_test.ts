/**
 * The routing views of `nsnap show` (-R, -G, -k, -q, -B) print what the tools print, from an
 * imported snapshot of tests/testdata/routing; filtered listeners are marked in show and named in
 * port. In process (runMain), no capture.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { importFiles } from "../../src/import/mod.ts";
import { serializeSnapshot } from "../../src/snapshot/serialize.ts";
import { runMain } from "../helpers/main.ts";
import { routingData } from "../helpers/routing_data.ts";
import { renderFirewall, renderQdiscs, renderRules } from "../../src/render/show_routing.ts";
import { parseNftRuleset } from "../../src/parse/linux/nft_ruleset.ts";
import { parseTcQdisc } from "../../src/parse/linux/tc_qdisc.ts";
import { parseIpRule } from "../../src/parse/linux/ip_rule.ts";
import type { Snapshot } from "../../src/model.ts";

function snapshotFile(dir: string): string {
  const names = [
    "ip-rule.txt",
    "ip-6-rule.txt",
    "ip-neigh.txt",
    "sysctl-a.txt",
    "tc-s-qdisc.txt",
    "nft-list-ruleset.txt",
  ];
  const s: Snapshot = importFiles(names.map((n) => ({ name: n, text: routingData(n) })), {
    time: "2026-12-01T00:00:00.000Z",
  });
  // A listener on 8080 (rejected by the fixture's ruleset) and one on 22 (accepted).
  s.connections = [8080, 22].map((port) => ({
    protocol: "tcp",
    family: "inet",
    localAddress: "0.0.0.0",
    localPort: port,
    remoteAddress: "0.0.0.0",
    remotePort: 0,
    state: "LISTEN",
    recvQ: 0,
    sendQ: 0,
  }));
  s.meta.sections.connections = { status: "ok" };
  const path = join(dir, "s.json");
  writeFileSync(path, serializeSnapshot(s, "json"));
  return path;
}

test("show -R, -G, -k, -q, -B print the sections as ip rule, ip neigh, sysctl, tc and nft do", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-views-"));
  try {
    const file = snapshotFile(dir);
    const rules = await runMain(["show", "-R", file]);
    assert.equal(rules.code, 0, rules.stderr);
    assert.match(
      rules.stdout,
      /^IPv4 rules\n0: {6}from all lookup local\n1000: {3}from 10\.77\.6\.0\/24 lookup 100\n/,
    );
    assert.match(rules.stdout, /\nIPv6 rules\n/);
    const neigh = await runMain(["show", "-G", file]);
    const lines = (t: string) => t.split("\n").map((l) => l.trim()).filter(Boolean).sort();
    assert.deepEqual(lines(neigh.stdout), lines(routingData("ip-neigh.txt")));
    const settings = await runMain(["show", "-k", file]);
    assert.match(settings.stdout, /^net\.core\.somaxconn = 4096$/m);
    const q = await runMain(["show", "-q", file]);
    assert.match(
      q.stdout,
      /^qdisc tbf 1: dev v0 root rate 1Mbit burst 4Kb lat 400ms\n Sent [0-9]+ bytes [0-9]+ pkt \(dropped [1-9][0-9]*, /m,
    );
    const fw = await runMain(["show", "-B", file]);
    assert.match(
      fw.stdout,
      /^table inet filter \{\n\tchain extra \{\n\t\ttcp dport 9000 drop\n\t\}\n/,
    );
    assert.match(fw.stdout, /\t\tct state invalid counter packets 0 bytes 0 drop\n/);
    const json = await runMain(["show", "-G", "--format", "json", file]);
    assert.equal(JSON.parse(json.stdout).length, 5);
    for (const r of [rules, neigh, settings, q, fw]) {
      for (const line of r.stdout.split("\n")) {
        assert.ok(
          line.replaceAll("\t", "        ").length <= 80 || /priomap|^\t\t/.test(line),
          line,
        );
      }
    }
    const two = await runMain(["show", "-R", "-B", file]);
    assert.equal(two.code, 2);
    assert.match(two.stderr, /Cannot show more than one view/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("show -l marks a filtered listener with *, port names the rule that decided", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-views-"));
  try {
    const file = snapshotFile(dir);
    const l = await runMain(["show", "-tl", file]);
    assert.equal(l.code, 0, l.stderr);
    assert.match(l.stdout, /0\.0\.0\.0:8080 +0\.0\.0\.0:\* +LISTEN\*/);
    assert.match(l.stdout, /0\.0\.0\.0:22 +0\.0\.0\.0:\* +LISTEN(?!\*)/);
    assert.match(l.stdout, /^\* filtered by the firewall: other hosts cannot connect/m);
    const json = JSON.parse((await runMain(["show", "-tl", "--format", "json", file])).stdout);
    assert.deepEqual(
      json.map((c: { localPort: number; firewall?: string }) => [c.localPort, c.firewall]).sort(),
      [[22, "open"], [8080, "filtered"]],
    );
    const port = await runMain(["port", "8080", file]);
    assert.match(
      port.stdout.replaceAll("\n  ", " "),
      /firewall: tcp 0\.0\.0\.0:8080 filtered: inet filter input: `tcp dport 8080 reject with tcp reset`/,
    );
    const open = await runMain(["port", "22", file]);
    assert.match(
      open.stdout,
      /firewall: tcp 0\.0\.0\.0:22 open to other hosts: inet filter input:/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the renderers give back what the tools printed", () => {
  const nft = parseNftRuleset(routingData("nft-list-ruleset.txt")).value;
  // Sets are not kept; every table, chain head and rule (counters back in place) is.
  const withoutSets = routingData("nft-list-ruleset.txt").replace(
    /\tset blocked \{[\s\S]*?\n\t\}\n\n/,
    "",
  )
    .replaceAll("priority filter;", "priority 0;").replace(
      "priority srcnat + 10;",
      "priority 110;",
    );
  assert.equal(renderFirewall({ tables: nft }), withoutSets);
  const q = parseTcQdisc(routingData("tc-s-qdisc.txt")).value;
  assert.equal(renderQdiscs(q).split("\n")[0], "qdisc noqueue 0: dev lo root");
  const r = parseIpRule(routingData("ip-rule.txt")).value;
  assert.equal(renderRules(r).split("\n").length, 17, "one rule wraps");
});

/**
 * On a real kernel, a capture from the host across namespaces judges each namespace's listeners
 * by that namespace's own firewall: a netns that drops its listener's port in its own input
 * chain is never called open by the host's empty ruleset, and a drop rule in the host's input
 * chain never makes the netns's listener on that port filtered (a capture that did not read a
 * namespace's firewall leaves its listeners not evaluated: tests/net/filtered_namespaces_test.ts).
 * Cross-checked with `nft -j list ruleset` and `ss` in the namespace.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { runCli } from "../../helpers/cli.ts";
import { canUseNetns, holdSockets, sh, withNetns } from "../../helpers/netns.ts";
import type { Snapshot } from "../../../src/model.ts";

const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
const skip = !canUseNetns()
  ? "needs root and iproute2 to create network namespaces"
  : !has("nft")
  ? "needs nft (Debian package nftables)"
  : false;

interface PortRecord {
  namespace?: string;
  localPort: number;
  firewall?: string;
  firewallReason?: string;
}

test(
  "a namespace's listener is judged by its own firewall, never by the host's",
  { skip, timeout: 120_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "nsnap-filtered-ns-"));
    const table = `nsnap_gaps_${process.pid}`;
    // Two ports: the namespace drops `own`, the host drops `host` (only in its own table).
    const own = 20_000 + (process.pid % 5_000), host = own + 1;
    try {
      await withNetns("fw", async (ns) => {
        ns.ip("link", "add", "vfw", "type", "veth", "peer", "name", "vfw2");
        ns.ip("addr", "add", "10.97.0.1/24", "dev", "vfw");
        ns.ip("link", "set", "vfw", "up");
        ns.exec("nft", "add", "table", "inet", table);
        ns.exec(
          "nft",
          `add chain inet ${table} input { type filter hook input priority 0; policy accept; }`,
        );
        ns.exec("nft", "add", "rule", "inet", table, "input", "tcp", "dport", String(own), "drop");
        // nft's own view in the namespace: one rule in our table, matching the port and dropping.
        const nft = (JSON.parse(ns.exec("nft", "-j", "list", "ruleset")) as {
          nftables: Array<{ rule?: { table: string; expr: unknown[] } }>;
        }).nftables.flatMap((o) => o.rule && o.rule.table === table ? [o.rule] : []);
        assert.equal(nft.length, 1);
        const expr = JSON.stringify(nft[0]!.expr);
        assert.ok(expr.includes(`"right":${own}`) && expr.includes('"drop"'), expr);
        const held = await holdSockets(
          ns,
          [`listen:0.0.0.0:${own}`, `listen:0.0.0.0:${host}`],
          120,
        );
        for (const p of [own, host]) {
          assert.match(ns.exec("ss", "-Htlnp", `sport = :${p}`), new RegExp(`pid=${held.pid},`));
        }
        sh(["nft", "add", "table", "inet", table]);
        try {
          sh([
            "nft",
            `add chain inet ${table} input { type filter hook input priority 0; policy accept; }`,
          ]);
          sh(["nft", "add", "rule", "inet", table, "input", "tcp", "dport", String(host), "drop"]);
          const file = join(dir, "host.json");
          const r = runCli(["capture", "--netns", ns.name, "-o", file]);
          assert.equal(r.code, 0, r.stderr);
          const snap = JSON.parse(readFileSync(file, "utf8")) as Snapshot;
          const id = `netns:${ns.name}`;
          const entry = snap.namespaces?.find((n) => n.id === id);
          assert.ok(entry, `the capture holds ${id}`);
          // Root with nft: the capture reads the namespace's own ruleset (nsenter nft).
          assert.ok(
            entry.firewall,
            `the firewall of ${id} is read: ${JSON.stringify(entry.sections)}`,
          );
          const inNs = (port: number): PortRecord => {
            const p = runCli(["port", String(port), file, "--format", "json"]);
            assert.equal(p.code, 0, p.stderr);
            const rec = (JSON.parse(p.stdout) as PortRecord[]).find((x) =>
              x.namespace === id && x.localPort === port
            );
            assert.ok(rec, `port ${port} lists the listener of ${id}: ${p.stdout}`);
            return rec;
          };
          const a = inNs(own), b = inNs(host);
          // Never the host's answer for the namespace's listener.
          assert.notEqual(a.firewall, "open", JSON.stringify(a));
          assert.notEqual(b.firewall, "filtered", JSON.stringify(b));
          assert.deepEqual([a.firewall, a.firewallReason], [
            "filtered",
            `inet ${table} input: \`tcp dport ${own} drop\``,
          ]);
          assert.equal(b.firewall, "open");
          const tables = entry.firewall.tables.map((t) => `${t.family} ${t.name}`);
          assert.deepEqual(tables, [`inet ${table}`], "the namespace's tables, not the host's");
          // The text says it too.
          const text = runCli(["port", String(own), file, "-W"]);
          assert.doesNotMatch(text.stdout, /no input chain filters it/);
        } finally {
          spawnSync("nft", ["delete", "table", "inet", table]);
        }
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

/**
 * The fast path runs no `ip`: a netlink capture starts no `ip`, `ss`, `nstat`, `iptables-save` or
 * `nsenter`, and `tc` and `nft` only where netlink cannot give what they print. Each tool is
 * shadowed on PATH by a script that writes its command line to a log and then runs the real one.
 * - The scenario namespace (routes of several tables, policy rules, neighbours, qdiscs, every
 *   kind of socket) with an nftables table added: exactly `tc qdisc show` (the options of its tbf
 *   qdisc, whose text only tc has) and `nft -a` / `nft -j list ruleset` (the rules of its table).
 * - A namespace with nothing but its loopback: no tool at all.
 * - `--no-netlink` in the scenario's: `ip -j` and `tc -j` in the log (the shadows are in the way).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { spawnSync } from "node:child_process";
import { runCli } from "../../helpers/cli.ts";
import { toolPlaces } from "../../../src/collect/linux/tools.ts";
import { withNetns } from "../../helpers/netns.ts";
import { buildNetwork, holdScenarioSockets, SCENARIO_SKIP } from "../netlink/_scenario.ts";

const TOOLS = [
  "ip",
  "tc",
  "ss",
  "nstat",
  "nft",
  "iptables-save",
  "ip6tables-save",
  "iptables-legacy-save",
  "ip6tables-legacy-save",
  "nsenter",
];

/**
 * Where a tool is on this host: the first of the places the capture tries (toolPlaces: PATH,
 * then the sbin and bin folders) that has it, so that no tool it could start goes unshadowed.
 */
function which(tool: string): string | undefined {
  for (const place of toolPlaces(tool)) {
    if (place.startsWith("/")) {
      if (existsSync(place)) return place;
      continue;
    }
    const r = spawnSync("sh", ["-c", `command -v ${place}`], { encoding: "utf8" });
    if (r.status === 0) return r.stdout.trim();
  }
  return undefined;
}

/** A folder of scripts, one per tool found, that log their argv to `log` and run the tool. */
function shadows(dir: string, log: string): string[] {
  const found: string[] = [];
  for (const tool of TOOLS) {
    const real = which(tool);
    if (real === undefined) continue;
    const path = join(dir, tool);
    writeFileSync(path, `#!/bin/sh\necho "${tool} $*" >> '${log}'\nexec '${real}' "$@"\n`);
    chmodSync(path, 0o755);
    found.push(tool);
  }
  return found;
}

test("a netlink capture starts no ip, ss or nstat, and tc and nft only for what netlink lacks", {
  skip: SCENARIO_SKIP,
  timeout: 120_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-notools-"));
  try {
    const bin = join(dir, "bin"), log = join(dir, "tools.log");
    mkdirSync(bin);
    const found = shadows(bin, log);
    assert.ok(found.includes("ip") && found.includes("tc"), `tools found: ${found.join(" ")}`);
    const ipPath = which("ip")!;
    const logged = () => {
      try {
        return readFileSync(log, "utf8").split("\n").filter((l) => l !== "");
      } catch {
        return [];
      }
    };
    const env = { PATH: `${bin}:${process.env.PATH}`, NSNAP_NETLINK: "1" };
    /** Captures the namespace with the shadows on PATH; returns what they logged, emptied. */
    const captureIn = (name: string, file: string, extra: string[] = [], netlink = "1") => {
      rmSync(log, { force: true });
      const r = runCli(["capture", "-o", join(dir, file), ...extra], {
        // The wrapper by its path: the shadows are for what the capture starts.
        wrap: [ipPath, "netns", "exec", name],
        env: { ...env, NSNAP_NETLINK: netlink },
      });
      assert.equal(r.code, 0, r.stderr);
      return logged();
    };
    await withNetns("notools", async (ns) => {
      buildNetwork(ns);
      const nft = found.includes("nft");
      if (nft) ns.exec("nft", "add", "table", "inet", "nsnap_notools");
      const { child } = await holdScenarioSockets(ns, `notools-${process.pid}`);
      try {
        const ran = captureIn(ns.name, "nl.json");
        const snap = JSON.parse(readFileSync(join(dir, "nl.json"), "utf8")) as {
          qdiscs?: { kind: string; options?: string }[];
          rules?: unknown[];
          firewall?: { tables: { name: string }[] };
        };
        // What the capture read: the scenario's rules and qdiscs, tbf's options, the table.
        assert.ok((snap.rules?.length ?? 0) > 0);
        assert.ok(snap.qdiscs?.some((q) => q.kind === "tbf" && q.options?.includes("rate")));
        if (nft) assert.ok(snap.firewall?.tables.some((t) => t.name === "nsnap_notools"));
        assert.deepEqual(
          ran,
          ["tc qdisc show", ...(nft ? ["nft -a list ruleset", "nft -j list ruleset"] : [])],
          "only tc for tbf's options and nft for the table's rules",
        );
        const off = captureIn(ns.name, "proc.json", ["--no-netlink"], "0");
        assert.ok(off.some((l) => l.startsWith("ip -j ")), off.join("\n"));
        assert.ok(off.some((l) => l.startsWith("tc -j ")), off.join("\n"));
      } finally {
        child.kill("SIGKILL");
      }
    });
    await withNetns("notools-idle", (ns) => {
      ns.ip("link", "set", "lo", "up");
      assert.deepEqual(captureIn(ns.name, "idle.json"), [], "an idle namespace starts no tool");
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

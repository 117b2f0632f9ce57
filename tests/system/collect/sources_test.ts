/**
 * One namespace, captured twice: over netlink, and over the fallback (/proc, /sys, `ip -j`) with
 * NSNAP_NETLINK=0. The two snapshots must be the same but for the facts only netlink carries,
 * so that a snapshot made by either source diffs clean against the other; and meta must say
 * which source each section came from — netlink under this runtime, under the compiled binary
 * too, and proc (with ip -j) when disabled.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { runCli } from "../../helpers/cli.ts";
import { nsnapBinary, runBare } from "../../helpers/binary.ts";
import { type Netns, withNetns } from "../../helpers/netns.ts";
import {
  buildNetwork,
  holdScenarioSockets,
  netlinkConnectionsSource,
  SCENARIO_SKIP,
} from "../netlink/_scenario.ts";
import { settled } from "./_settle.ts";

const skip = SCENARIO_SKIP;
type Json = Record<string, unknown>;

/** Runs `nsnap capture` inside the namespace (source or binary) and reads the snapshot. */
function capture(
  ns: Netns,
  dir: string,
  name: string,
  env: Record<string, string> = { NSNAP_NETLINK: "1" },
): Json {
  const file = join(dir, name);
  const r = runCli(["capture", "-o", file, "--all-unix"], { wrap: ns.wrap, env });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(readFileSync(file, "utf8")) as Json;
}

/** Drops the listed keys from every record of a list. */
function without(list: unknown, keys: string[]): Json[] {
  return (list as Json[]).map((o) => {
    const c = { ...o };
    for (const k of keys) delete c[k];
    return c;
  });
}

/** What only netlink knows, per list: the fallback leaves it out. */
const NETLINK_ONLY: Record<string, string[]> = {
  connections: ["interface", "v6only", "backlog", "timer", "mark", "cgroupId", "tcpInfo"],
  unixSockets: ["recvQ", "sendQ", "backlog", "uid", "peerInode"],
  rawSockets: ["interface", "v6only"],
  // An ETH_P_ALL socket's queue fills with whatever crosses the namespace's links meanwhile.
  packetSockets: ["recvQ"],
};

const RUNTIME = (globalThis as { Bun?: unknown }).Bun !== undefined ? "bun" : "deno";

/** The sections whose source a capture chooses, in meta.sections order. */
const NETLINK_SECTIONS = [
  "connections",
  "processes",
  "routes",
  "interfaces",
  "counters",
  "settings",
] as const;

test(
  "a namespace captured over netlink and over /proc and ip -j: the same snapshot but for netlink's own facts",
  {
    skip,
  },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "nsnap-src-"));
    try {
      await withNetns("src", async (ns) => {
        buildNetwork(ns);
        const { pid } = await holdScenarioSockets(ns, `src-${process.pid}`);
        await settled(ns);
        const nl = capture(ns, dir, "netlink.json");
        const proc = capture(ns, dir, "proc.json", { NSNAP_NETLINK: "0" });
        const nlMeta = nl.meta as Json, procMeta = proc.meta as Json;
        // The sections netlink may read, and two it never does (the routing sections' sources
        // depend on which tools the host has: tests/collect/linux_tree_test.ts pins them).
        const sections = (m: Json) => {
          const all = m.sections as Record<string, Json>;
          return Object.fromEntries(NETLINK_SECTIONS.map((k) => [k, all[k]!]));
        };
        assert.deepEqual(
          Object.fromEntries(Object.entries(sections(nlMeta)).map(([k, v]) => [k, v.source])),
          {
            connections: netlinkConnectionsSource(),
            processes: "proc",
            routes: "netlink",
            interfaces: "netlink+sysfs",
            counters: "/proc/net",
            settings: "/proc/sys",
          },
        );
        assert.deepEqual(
          Object.fromEntries(Object.entries(sections(procMeta)).map(([k, v]) => [k, v.source])),
          {
            connections: "proc",
            processes: "proc",
            routes: "ip -j",
            interfaces: "sysfs+proc+ip -j",
            counters: "/proc/net",
            settings: "/proc/sys",
          },
        );
        for (const m of [nlMeta, procMeta]) {
          for (const [name, s] of Object.entries(sections(m))) {
            assert.equal(s.status, "ok", `${name}: ${JSON.stringify(s)}`);
          }
        }
        assert.deepEqual(nlMeta.capture, { tcpInfo: "summary", unixSockets: "all" });
        assert.deepEqual(procMeta.capture, { tcpInfo: "off", unixSockets: "all" });

        for (const [list, keys] of Object.entries(NETLINK_ONLY)) {
          assert.deepEqual(without(nl[list], keys), without(proc[list], keys), list);
          assert.ok((nl[list] as Json[]).length > 0, `${list} is not empty`);
        }
        // The raw ICMP socket and the packet sockets appear with the holder's pid in both.
        for (const s of [nl, proc]) {
          assert.ok((s.rawSockets as Json[]).some((r) => r.ipProtocol === 1 && r.pid === pid));
          assert.equal((s.packetSockets as Json[]).filter((p) => p.pid === pid).length, 2);
        }
        // Routes: equal but for `expires`, a countdown (the netlink reading, taken first, is never
        // below the ip -j one, and at most a few seconds above it).
        const expires = (s: Json) =>
          (s.routes as Json[]).map((r) => r.expires as number | undefined);
        expires(nl).forEach((a, i) => {
          const b = expires(proc)[i];
          assert.equal(a === undefined, b === undefined, `route ${i}: expires on both or neither`);
          if (a !== undefined && b !== undefined) assert.ok(a >= b && a - b <= 5, `${a} ${b}`);
        });
        assert.ok(expires(nl).some((e) => e !== undefined), "a route that expires is compared");
        assert.deepEqual(
          without(nl.routes, ["expires"]),
          without(proc.routes, ["expires"]),
          "routes",
        );
        assert.deepEqual(nl.processes, proc.processes, "processes");
        // Interfaces: equal but for counters, which move between the two captures (IPv6
        // housekeeping): the netlink reading, taken first, is never above the /proc one.
        const stats = (s: Json) => (s.interfaces as Json[]).map((i) => i.stats as Json);
        assert.deepEqual(without(nl.interfaces, ["stats"]), without(proc.interfaces, ["stats"]));
        stats(nl).forEach((a, i) => {
          const b = stats(proc)[i]!;
          assert.deepEqual(Object.keys(a), Object.keys(b));
          for (const k of Object.keys(a)) assert.ok(Number(a[k]) <= Number(b[k]), k);
        });
        // And nsnap diff, fed both, finds nothing but moving counters.
        const d = runCli([
          "diff",
          join(dir, "netlink.json"),
          join(dir, "proc.json"),
          "--format",
          "json",
        ]);
        assert.equal(d.code, 0, d.stderr);
        const changes = (JSON.parse(d.stdout) as { changes: Json[] }).changes;
        const moved = new Set(["counter-increased", "gauge-changed", "interface-traffic"]);
        assert.deepEqual(
          changes.filter((c) => !moved.has(String(c.kind))).map((c) => c.summary),
          [],
          "no change but counters",
        );
        // What only netlink knows is there.
        const conns = nl.connections as Json[];
        const l7002 = conns.find((c) => c.localPort === 7002 && c.state === "LISTEN")!;
        assert.equal(l7002.interface, "nl0");
        assert.ok(conns.some((c) => c.tcpInfo !== undefined));
        assert.ok((nl.unixSockets as Json[]).some((u) => u.peerInode !== undefined));
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  `meta records netlink as the source under ${RUNTIME} and the compiled binary, proc when disabled`,
  {
    skip,
  },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "nsnap-src-"));
    try {
      await withNetns("srcmeta", (ns) => {
        const sources = (doc: Json) => {
          const all = (doc.meta as Json).sections as Record<string, Json>;
          return NETLINK_SECTIONS.map((k) => all[k]?.source);
        };
        const own = capture(ns, dir, "own.json");
        assert.match(String((own.meta as Json & { tool: Json }).tool.runtime), new RegExp(RUNTIME));
        assert.deepEqual(sources(own), [
          netlinkConnectionsSource(),
          "proc",
          "netlink",
          "netlink+sysfs",
          "/proc/net",
          "/proc/sys",
        ]);
        const off = capture(ns, dir, "off.json", { NSNAP_NETLINK: "0" });
        assert.deepEqual(sources(off), [
          "proc",
          "proc",
          "ip -j",
          "sysfs+proc+ip -j",
          "/proc/net",
          "/proc/sys",
        ]);
        const flag = runCli(["capture", "-o", "-", "--no-netlink"], {
          wrap: ns.wrap,
          env: { NSNAP_NETLINK: "1" },
        });
        assert.equal(flag.code, 0, flag.stderr);
        assert.deepEqual(sources(JSON.parse(flag.stdout)), sources(off));

        const bin = nsnapBinary();
        const b = runBare(bin, ["capture", "-o", "-"], ns.wrap);
        assert.equal(b.code, 0, b.stderr);
        const doc = JSON.parse(b.stdout) as Json;
        assert.match(String(((doc.meta as Json).tool as Json).runtime), /^bun/);
        assert.deepEqual(sources(doc), sources(own));
        const bOff = runBare(bin, ["capture", "-o", "-", "--no-netlink"], ns.wrap);
        assert.deepEqual(sources(JSON.parse(bOff.stdout)), sources(off));
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

/**
 * Compact captures: what they keep and leave out, how their meta says so (and survives a round
 * trip through the published schema), and that the diff, check-free of sessions, never reads a
 * section a compact file left out as "everything closed".
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { diffSnapshots } from "../../src/diff/mod.ts";
import { COMPACT_REASON, compactSnapshot, leftOut } from "../../src/snapshot/compact.ts";
import { normalizeSnapshot } from "../../src/snapshot/normalize.ts";
import { parseSnapshotBytes } from "../../src/snapshot/read.ts";
import { serializeSnapshot } from "../../src/snapshot/serialize.ts";
import { ROOT } from "../helpers/cli.ts";
import { conn, iface, listen, proc, procs, route, snap } from "../diff/_build.ts";
import { namespacedPair } from "../diff/_namespaces.ts";

const T0 = "2026-03-01T10:00:00.000Z", T1 = "2026-03-01T10:00:10.000Z";

function full(at: string) {
  const udp = {
    ...listen("0.0.0.0", 53, 3),
    protocol: "udp" as const,
    state: "UNCONN",
    inode: 777,
  };
  return snap(at, {
    connections: [
      listen("0.0.0.0", 22, 1),
      udp,
      { ...conn("10.0.0.5", 22, "10.0.0.9", 40000), pid: 2 },
      conn("10.0.0.5", 41000, "10.0.0.7", 5432),
    ],
    processes: procs(proc(1, "sshd"), proc(2, "sshd"), proc(3, "dnsmasq")),
    routes: [route("10.0.0.0/24")],
    interfaces: [iface("eth0")],
    counters: { Tcp: { RetransSegs: 5n } },
    settings: { "net.ipv4.ip_local_port_range": "32768 60999" },
  });
}

test("compactSnapshot(): keeps listeners and their owners, interfaces, counters, settings", () => {
  const c = compactSnapshot(full(T1), "web-1-20260301T100000.000Z.json");
  assert.deepEqual(c.connections.map((x) => `${x.protocol} ${x.localPort} ${x.state}`), [
    "tcp 22 LISTEN",
    "udp 53 UNCONN",
  ]);
  assert.deepEqual(Object.keys(c.processes), ["1", "3"]);
  assert.deepEqual(c.routes, []);
  assert.equal(c.interfaces.length, 1);
  assert.deepEqual(c.counters, { Tcp: { RetransSegs: 5n } });
  assert.deepEqual(c.settings, { "net.ipv4.ip_local_port_range": "32768 60999" });
});

test("compactSnapshot(): meta names the base and marks every section left out", () => {
  const c = compactSnapshot(full(T1), "base.json");
  assert.deepEqual(c.meta.compact, {
    base: "base.json",
    sections: ["listeners", "interfaces", "counters", "settings"],
  });
  assert.deepEqual(c.meta.sections.routes, { status: "error", error: COMPACT_REASON });
  assert.equal(c.meta.sections.connections.status, "partial");
  assert.match(c.meta.sections.connections.warnings![0]!, /^sessions not captured: compact mode/);
  assert.equal(c.meta.sections.processes.status, "partial");
  assert.deepEqual(c.meta.sections.interfaces, { status: "ok" });
  assert.equal(leftOut(c, "sessions"), true);
  assert.equal(leftOut(c, "routes"), true);
  assert.equal(leftOut(c, "listeners"), false);
  assert.equal(leftOut(full(T0), "sessions"), false);
});

test("compactSnapshot(): a section that had failed keeps its own error", () => {
  const s = full(T1);
  s.meta.sections.interfaces = { status: "error", error: "permission denied" };
  s.meta.sections.connections = { status: "partial", warnings: ["owner of 2 sockets unknown"] };
  const c = compactSnapshot(s, "b.json");
  assert.deepEqual(c.meta.sections.interfaces, { status: "error", error: "permission denied" });
  assert.equal(c.meta.sections.connections.warnings!.length, 2);
});

test("a compact snapshot round-trips through JSON and YAML and validates against the published schema", () => {
  const published = JSON.parse(readFileSync(`${ROOT}schema/nsnap-v1.schema.json`, "utf8"));
  const validate = new Ajv2020({ allErrors: true, strict: true }).compile(published);
  const c = normalizeSnapshot(compactSnapshot(full(T1), "base.json"));
  c.meta.periodic = { everyMs: 10_000, slot: 3, runStartedAt: T0, overrunMs: 120 };
  for (const format of ["json", "yaml"] as const) {
    const text = serializeSnapshot(c, format);
    const back = parseSnapshotBytes(new TextEncoder().encode(text), `c.${format}`);
    assert.deepEqual(back.meta.compact, c.meta.compact, format);
    assert.deepEqual(back.meta.periodic, c.meta.periodic, format);
    if (format === "json") assert.ok(validate(JSON.parse(text)), JSON.stringify(validate.errors));
  }
});

test("diff: sessions and routes a compact file left out are not compared, with a warning", () => {
  const before = full(T0);
  const after = compactSnapshot(full(T1), "base.json");
  const doc = diffSnapshots(before, after);
  assert.deepEqual(doc.sections, ["listeners", "interfaces", "counters"]);
  assert.ok(!doc.changes.some((c) => c.kind === "session-closed" || c.kind === "route-removed"));
  assert.ok(
    doc.warnings.includes(
      "sessions not compared: the after snapshot is compact (not captured: compact mode)",
    ),
    doc.warnings.join("\n"),
  );
  // The routes were marked as not captured too: the compact rule says why, once.
  assert.ok(
    doc.warnings.includes(
      "routes not compared: the after snapshot is compact (not captured: compact mode)",
    ),
    doc.warnings.join("\n"),
  );
  assert.ok(!doc.warnings.some((w) => w.includes("has no routes")), doc.warnings.join("\n"));
  // Listeners are still compared: one that went away is reported.
  const later = compactSnapshot(full(T1), "base.json");
  later.connections = later.connections.filter((c) => c.localPort !== 22);
  assert.deepEqual(
    diffSnapshots(after, later).changes.filter((c) => c.section === "listeners").map((c) => c.kind),
    ["listener-closed"],
  );
  // Reversed (compact before full): the same sections are left out.
  assert.deepEqual(diffSnapshots(after, full(T1)).sections, [
    "listeners",
    "interfaces",
    "counters",
  ]);
});

test("compactSnapshot() across namespaces keeps the namespaces, so a diff pairs them as for full captures", () => {
  const [, after] = namespacedPair();
  after.routes = [route("10.0.0.0/24"), { ...route("172.17.0.0/16"), namespace: "docker:web" }];
  after.forwards = [{
    protocol: "tcp",
    hostAddress: "0.0.0.0",
    hostPort: 8081,
    toAddress: "172.17.0.3",
    toPort: 80,
    via: "dnat",
    namespace: "docker:new",
  }];
  const c = compactSnapshot(after, "base.json");
  assert.deepEqual(c.meta.compact?.sections, [
    "listeners",
    "interfaces",
    "counters",
    "settings",
    "namespaces",
  ]);
  assert.deepEqual(c.namespaces?.map((n) => n.id), after.namespaces?.map((n) => n.id));
  assert.deepEqual(c.forwards, after.forwards);
  assert.deepEqual(c.routes, [], "no routes of any namespace");
  const web = c.namespaces?.find((n) => n.id === "docker:web");
  assert.deepEqual(web?.sections.routes, { status: "error", error: COMPACT_REASON });
  assert.equal(web?.sections.connections?.status, "partial");
  assert.deepEqual(web?.counters, after.namespaces?.find((n) => n.id === "docker:web")?.counters);
  // Full → compact of one moment: nothing changed, no namespace reads as gone.
  const same = diffSnapshots(after, c);
  assert.deepEqual(same.changes, [], same.changes.map((x) => x.summary).join("\n"));
  assert.ok(same.sections.includes("namespaces"));
  assert.deepEqual(
    same.warnings.filter((w) => w.startsWith("routes")),
    ["routes not compared: the after snapshot is compact (not captured: compact mode)"],
  );
  // A container's listener that goes between two compact files is reported, in its namespace.
  const later = compactSnapshot(after, "base.json");
  later.connections = later.connections.filter((x) => x.namespace !== "docker:new");
  const gone = diffSnapshots(c, later).changes.filter((x) => x.section === "listeners");
  assert.deepEqual(gone.map((x) => [x.kind, x.namespace]), [["listener-closed", "docker:new"]]);
});

/** `--init`: a policy the snapshot passes, readable, and tight where it can be. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import type { Snapshot } from "../../src/model.ts";
import { checkSnapshot } from "../../src/check/evaluate.ts";
import { initPolicy, literalGlob, scalar } from "../../src/check/init.ts";
import { parsePolicy } from "../../src/check/policy.ts";
import { globTest } from "../../src/check/match.ts";
import { parseSnapshotBytes } from "../../src/snapshot/read.ts";
import { parse as parseYaml } from "yaml";
import { arbSnapshot, arbText } from "../helpers/arbitrary.ts";
import { ROOT } from "../helpers/cli.ts";
import { udp } from "./_fixtures.ts";
import { conn, iface, listen, proc, procs, route, snap } from "../diff/_build.ts";

function example(name: string): Snapshot {
  const path = `snapshots/examples/${name}`;
  return parseSnapshotBytes(readFileSync(`${ROOT}${path}`), path);
}

function failures(s: Snapshot, yaml: string, strict = true): string[] {
  const h = checkSnapshot(parsePolicy(yaml, "init.yaml"), s, { strict });
  return h.rules.filter((r) => r.status !== "pass").map((r) =>
    `${r.id}: ${r.status} ${r.reason ?? ""} ${r.violations.map((v) => v.message).join("; ")}`
  );
}

test("--init of each example snapshot writes a policy that snapshot passes, every rule evaluated", () => {
  for (const name of ["before.json", "after.json"]) {
    const s = example(name);
    const yaml = initPolicy(s, name);
    assert.deepEqual(failures(s, yaml), [], yaml);
    assert.ok(checkSnapshot(parsePolicy(yaml, "p"), s).rules.length >= 5);
  }
});

test("--init groups listeners by program and scope, requires them, and leaves out clients", () => {
  const s = snap("2026-01-01T00:00:00.000Z", {
    connections: [
      listen("0.0.0.0", 80, 1),
      listen("0.0.0.0", 443, 1),
      listen("127.0.0.1", 8080, 2),
      listen("127.0.0.1", 8081, 2),
      listen("127.0.0.1", 8082, 2),
      listen("127.0.0.1", 8090, 2),
      udp("0.0.0.0", 45678, 3),
      udp("127.0.0.53", 53, 4),
      conn("10.0.0.5", 443, "198.51.100.7", 50123, "ESTABLISHED", 1),
    ],
    processes: procs(
      proc(1, "nginx"),
      proc(2, "gunicorn"),
      proc(3, "curl"),
      proc(4, "systemd-resolved"),
    ),
    routes: [
      route("0.0.0.0/0", { gateway: "10.0.0.1" }),
      route("::/0", { family: "inet6", gateway: "fe80::1" }),
    ],
    interfaces: [
      iface("eth0", { mtu: 9000 }),
      iface("veth12ab"),
      iface("eth1", { flags: ["BROADCAST"] }),
    ],
  });
  const yaml = initPolicy(s, "web.json");
  const doc = parseYaml(yaml);
  assert.deepEqual(doc.listeners.allow, [
    { program: "gunicorn", protocol: "tcp", port: ["8080-8082", 8090], scope: "loopback" },
    { program: "nginx", protocol: "tcp", port: [80, 443], scope: "any" },
    { program: "systemd-resolved", protocol: "udp", port: 53, scope: "loopback" },
  ]);
  assert.equal(doc.listeners.default, "deny");
  assert.deepEqual(doc.listeners.required.map((r: { port: number }) => r.port), [
    8080,
    8081,
    8082,
    8090,
    80,
    443,
    53,
  ]);
  assert.match(
    yaml,
    /# Left out: 1 UDP client socket \(unconnected, on ephemeral ports 32768-60999, no TCP listener/,
  );
  assert.match(yaml, /# nginx \(uid 0\): 0\.0\.0\.0:80 0\.0\.0\.0:443\n/);
  assert.deepEqual(doc.routes.required, [
    { destination: "default", family: "inet", gateway: "10.0.0.1", table: "main" },
    { destination: "default", family: "inet6", gateway: "fe80::1", table: "main" },
  ]);
  assert.deepEqual(doc.settings.interfaces, [{ name: "eth0", up: true }]);
  assert.match(yaml, /- name: eth0\n {6}up: true\n {6}# mtu: 9000\n/);
  assert.match(yaml, /Left out: 1 interfaces that come and go with containers \(veth12ab\)/);
  assert.match(yaml, /Not up when the snapshot was taken: eth1\./);
  assert.match(yaml, /^# rates:$/m);
  assert.deepEqual(failures(s, yaml), []);
  for (const line of yaml.split("\n")) assert.ok(line.length <= 100, line);
});

test("a program name is written as a glob that matches only itself", () => {
  for (const name of ["nginx", "a*b", "w?x", "[x]", "back\\slash", "]", "!neg"]) {
    assert.ok(globTest([literalGlob(name)])(name), name);
    assert.ok(!globTest([literalGlob(name)])(name + "x"), name);
  }
  assert.equal(literalGlob("php-fpm*"), "php-fpm[*]");
});

test("scalar() writes text YAML reads back as the same string", () => {
  fc.assert(
    fc.property(fc.oneof(arbText, fc.string()), (s) => {
      assert.equal(parseYaml(`k: ${scalar(s)}\n`, { version: "1.2" }).k, s);
    }),
    { numRuns: 1000 },
  );
});

test("property: --init of any snapshot writes a valid policy that the snapshot passes", () => {
  fc.assert(
    fc.property(arbSnapshot, (s) => {
      const yaml = initPolicy(s, "gen.json");
      // Comments never swallow a line: every line is blank, a comment, or YAML.
      assert.deepEqual(failures(s, yaml), [], yaml);
    }),
    { numRuns: 150 },
  );
});

test("--init does not pin what it cannot know: unknown owners, a snapshot without sections", () => {
  const s = snap("2026-01-01T00:00:00.000Z", { connections: [listen("0.0.0.0", 22)] });
  s.meta.privileges = { uid: 1000, root: false };
  const yaml = initPolicy(s);
  assert.match(yaml, /The capture was not run as root, so owners are unknown: add program: NAME\./);
  assert.deepEqual(parseYaml(yaml).listeners.allow, [{ protocol: "tcp", port: 22, scope: "any" }]);
  assert.equal(parseYaml(yaml).listeners.required, undefined);
  assert.deepEqual(failures(s, yaml), []);
  const empty = snap();
  empty.meta.sections.connections = { status: "error", error: "x" };
  empty.meta.sections.routes = { status: "error", error: "x" };
  empty.meta.sections.interfaces = { status: "error", error: "x" };
  const y2 = initPolicy(empty);
  assert.match(y2, /# listeners: the snapshot has no connections section/);
  assert.deepEqual(failures(empty, y2), []);
});

test("comments show control characters from the snapshot as escapes", () => {
  const s = snap("2026-01-01T00:00:00.000Z", {
    connections: [listen("0.0.0.0", 80, 1)],
    processes: procs({ ...proc(1, "evil\nschema: x\x1b[2J"), exe: undefined } as never),
  });
  s.meta.host.hostname = "host\rname";
  const yaml = initPolicy(s);
  assert.ok(!yaml.includes("\x1b") && !yaml.includes("\r"));
  assert.match(yaml, /# evil\\u\{a\}schema: x\\u\{1b\}\[2J \(uid 0\): 0\.0\.0\.0:80/);
  assert.deepEqual(failures(s, yaml), []);
});

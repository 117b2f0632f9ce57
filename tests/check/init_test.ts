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
import { namespacedPair } from "../diff/_namespaces.ts";
import { namespaceExposure } from "../../src/net/namespace_exposure.ts";

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
  assert.match(yaml, /Left out: 1 interface that comes and goes with containers \(veth12ab\)/);
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

/** YAML 1.2's printable set less NEL, LS, PS (line breaks to YAML 1.1) and the byte-order mark. */
const YAML_WRITTEN =
  /^[\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\u{10000}-\u{10ffff}]*$/u;

test("--init escapes what YAML readers refuse or fold, in values and comments", () => {
  // DEL, C1 controls, NEL, LS, PS, the byte-order mark, U+FFFE and U+FFFF
  const names = ["nel\u0085x", "ls\u2028ps\u2029", "del\x7fc1\x9b", "bom\ufeff", "non\ufffe\uffff"];
  const s = snap("2026-01-01T00:00:00.000Z", {
    connections: names.map((_, i) => listen("0.0.0.0", 8000 + 10 * i, 100 + i)),
    processes: procs(...names.map((n, i) => proc(100 + i, n))),
  });
  const yaml = initPolicy(s);
  assert.match(yaml, YAML_WRITTEN); // PyYAML refused the file, or read NEL, LS and PS as a space
  assert.match(yaml, /- program: "non\\ufffe\\uffff"\n/);
  assert.match(yaml, /# non\\u\{fffe\}\\u\{ffff\} \(uid 0\): 0\.0\.0\.0:8040\n/);
  const programs = parseYaml(yaml).listeners.allow.map((r: { program: string }) => r.program);
  assert.deepEqual(programs.sort(), [...names].sort());
  assert.deepEqual(failures(s, yaml), []);
});

/** A capture across namespaces: the host, and containers web and new (tests/diff/_namespaces). */
function acrossNamespaces(ephemeralPort: number, pid: number): Snapshot {
  const [, s] = namespacedPair();
  s.connections.push(
    listen("0.0.0.0", ephemeralPort, pid), // a test harness on a port the kernel picked
    { ...listen("127.0.0.1", 6379, 300), namespace: "docker:web" }, // internal to web
  );
  s.processes[String(pid)] = proc(pid, "deno");
  for (const [c, e] of namespaceExposure(s)) c.exposure = e;
  s.routes = [
    route("0.0.0.0/0", { gateway: "10.0.0.1", scope: "global" }),
    route("10.0.0.0/24"),
    route("0.0.0.0/0", { gateway: "172.17.0.1", interface: "eth0", namespace: "docker:web" }),
  ];
  s.interfaces = [
    iface("eth0", { mtu: 9000 }),
    iface("eth0", { namespace: "docker:web" }),
    iface("eth7", { namespace: "docker:new" }),
  ];
  s.neighbours = [
    { family: "inet", address: "10.0.0.1", interface: "eth0", mac: "52:54:00:00:00:01" },
    {
      family: "inet",
      address: "172.17.0.1",
      interface: "eth0",
      mac: "02:42:00:00:00:01",
      namespace: "docker:web",
    },
  ];
  s.rules = [
    { family: "inet", priority: 0, action: "lookup", table: 255 },
    { family: "inet", priority: 1000, from: "10.77.6.0/24", action: "lookup", table: 100 },
    { family: "inet", priority: 32766, action: "lookup", table: 254 },
    { family: "inet", priority: 1500, fwmark: 16, action: "lookup", table: 7, namespace: "x" },
  ];
  return s;
}

/** The lines of a commented block starting at `# head:`, uncommented. */
function uncomment(yaml: string, head: string): string {
  const lines = yaml.split("\n");
  const at = lines.indexOf(`# ${head}:`);
  assert.ok(at >= 0, `no commented ${head} block`);
  const out: string[] = [];
  for (let i = at; i < lines.length && lines[i]!.startsWith("# "); i++) {
    out.push(lines[i]!.slice(2));
  }
  return out.join("\n") + "\n";
}

test("--init on a capture across namespaces: ephemeral ports unpinned, containers by namespace", () => {
  const s = acrossNamespaces(43497, 700);
  const yaml = initPolicy(s, "host.json");
  const doc = parseYaml(yaml);
  assert.deepEqual(failures(s, yaml), [], yaml);
  // The harness on an ephemeral port: allowed over the range, never required.
  assert.ok(
    doc.listeners.allow.some((r: Record<string, unknown>) =>
      r.program === "deno" && r.port === "32768-60999" && r.scope === "any" &&
      r.namespace === undefined
    ),
    yaml,
  );
  assert.match(yaml, /# Listeners on ephemeral ports \(32768-60999, the range the kernel picks/);
  assert.ok(!doc.listeners.required.some((r: { port: unknown }) => r.port === 43497), yaml);
  assert.doesNotMatch(yaml, /port: 43497/);
  // Container listeners grouped by namespace, with their exposure as the scope.
  const inNs = doc.listeners.allow.filter((r: Record<string, unknown>) => r.namespace);
  assert.deepEqual(inNs, [
    { namespace: "docker:new", program: "httpd", protocol: "tcp", port: 80, scope: "published" },
    { namespace: "docker:web", program: "httpd", protocol: "tcp", port: 6379, scope: "internal" },
    { namespace: "docker:web", program: "httpd", protocol: "tcp", port: 80, scope: "published" },
  ]);
  assert.match(yaml, /# Namespace docker:web \(container web, image shop\/web:2\): its listeners/);
  assert.ok(
    doc.listeners.required.some((r: Record<string, unknown>) =>
      r.namespace === "docker:web" && r.program === "httpd" && r.port === 6379
    ),
  );
  // The host's default route and interfaces only.
  assert.deepEqual(doc.routes.required, [
    { destination: "default", family: "inet", gateway: "10.0.0.1", table: "main" },
  ]);
  assert.deepEqual(doc.settings.interfaces, [{ name: "eth0", up: true }]);
  assert.doesNotMatch(yaml, /eth7/);
  // Suggestions, commented: the gateway's MAC and the non-default rules, which hold if taken.
  const neighbours = uncomment(yaml, "neighbours");
  assert.deepEqual(parseYaml(neighbours), {
    neighbours: { required: [{ address: "10.0.0.1", mac: "52:54:00:00:00:01" }] },
  });
  const rules = uncomment(yaml, "routing-rules");
  assert.deepEqual(parseYaml(rules), {
    "routing-rules": {
      required: [{
        priority: 1000,
        family: "inet",
        from: "10.77.6.0/24",
        table: 100,
        action: "lookup",
      }],
    },
  });
  assert.deepEqual(failures(s, `schema: nsnap-policy/v1\n${neighbours}${rules}`), []);
  for (const line of yaml.split("\n")) assert.ok(line.length <= 100, line);

  // A restart: the harness comes back on another ephemeral port. The policy still holds.
  const restarted = acrossNamespaces(51234, 701);
  assert.deepEqual(failures(restarted, yaml), []);
});

test("--init takes the ephemeral range from the snapshot's ip_local_port_range", () => {
  const s = acrossNamespaces(45000, 700);
  s.settings = { "net.ipv4.ip_local_port_range": "40000 50000" };
  const yaml = initPolicy(s);
  assert.match(yaml, /port: "40000-50000"/);
  const outside = acrossNamespaces(39000, 700);
  outside.settings = { "net.ipv4.ip_local_port_range": "40000 50000" };
  assert.match(initPolicy(outside), /- program: deno\n {6}protocol: tcp\n {6}port: 39000\n/);
});

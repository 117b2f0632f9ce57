/**
 * docs/check.md kept in step with the code: every snippet and the three example policies read,
 * every key of the schema and every table entry is documented, and the web server's policy gives
 * the verdicts the page promises on a built (and on generated) web server snapshot.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import fc from "fast-check";
import { parse as parseYaml } from "yaml";
import type { Connection, Snapshot } from "../../src/model.ts";
import { checkSnapshot } from "../../src/check/evaluate.ts";
import { NATURAL_DENOMINATORS } from "../../src/check/expr.ts";
import { knownKeysAt, parsePolicy } from "../../src/check/policy.ts";
import { SCOPE_BLOCKS } from "../../src/net/scope.ts";
import { ROOT } from "../helpers/cli.ts";
import { udp } from "./_fixtures.ts";
import { conn, iface, listen, proc, procs, route, snap } from "../diff/_build.ts";

const DOC = readFileSync(`${ROOT}docs/check.md`, "utf8");

/** The yaml code block under a heading. */
function policyUnder(heading: string): string {
  const at = DOC.indexOf(`\n### ${heading}\n`);
  assert.ok(at >= 0, heading);
  return /```yaml\n([\s\S]*?)```/.exec(DOC.slice(at))![1]!;
}

const EXAMPLES = ["A web server", "A database host", "A Kubernetes node"];

test("the three example policies read, and the published schema accepts them too", () => {
  const validate = new Ajv2020({ strict: true }).compile(
    JSON.parse(readFileSync(`${ROOT}schema/nsnap-policy-v1.schema.json`, "utf8")),
  );
  for (const h of EXAMPLES) {
    const text = policyUnder(h);
    const p = parsePolicy(text, h);
    assert.ok(p.doc.listeners && p.doc.rates && p.doc.settings, h);
    assert.ok(validate(parseYaml(text)), `${h}: ${JSON.stringify(validate.errors)}`);
  }
});

test("every YAML snippet of the page is a valid policy (with the schema line added)", () => {
  const blocks = [...DOC.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
  assert.ok(blocks.length >= 9, String(blocks.length));
  for (const b of blocks) {
    if (b.includes("runs-on") || b.startsWith("# .github")) continue;
    parsePolicy(
      b.includes("schema: nsnap-policy/v1") ? b : `schema: nsnap-policy/v1\n${b}`,
      "docs",
    );
  }
});

test("every key the policy schema knows is in the reference, and every table entry", () => {
  const doc = parseYaml(policyUnder("A web server"));
  const paths: PropertyKey[][] = [
    [],
    ["listeners"],
    ["listeners", "allow", 0],
    ["listeners", "deny", 0],
    ["listeners", "required", 0],
    ["routes"],
    ["routes", "required", 0],
    ["settings"],
    ["settings", "interfaces", 0],
  ];
  const full = {
    ...doc,
    "routing-rules": { required: [{}] },
    neighbours: { required: [{}] },
    rates: [{ expr: "x" }],
  };
  paths.push(["routing-rules"], ["routing-rules", "required", 0], ["neighbours", "required", 0], [
    "rates",
    0,
  ]);
  for (const path of paths) {
    for (const key of knownKeysAt(path, full)) {
      assert.ok(DOC.includes(`\`${key}\``) || DOC.includes(`${key}:`), `${path.join(".")}.${key}`);
    }
  }
  for (const [counter, of] of Object.entries(NATURAL_DENOMINATORS)) {
    assert.ok(DOC.includes(`\`${counter}\``) || DOC.includes(counter), counter);
    assert.ok(DOC.includes(of), of);
  }
  for (const [cidr] of SCOPE_BLOCKS) assert.ok(DOC.includes(`\`${cidr}\``), cidr);
});

const T0 = "2026-03-01T12:00:00.000Z", T1 = "2026-03-01T12:01:00.000Z";

/** A web server as the page describes it, at `at`, with these TCP counters. */
function webServer(at: string, tcp: Record<string, bigint>, extra: Connection[] = []): Snapshot {
  return snap(at, {
    connections: [
      listen("0.0.0.0", 80, 100),
      listen("0.0.0.0", 443, 100),
      listen("::", 80, 100),
      listen("::", 443, 100),
      listen("0.0.0.0", 22, 200),
      listen("::", 22, 200),
      listen("10.0.0.7", 9100, 300),
      listen("127.0.0.1", 6379, 400),
      listen("127.0.0.53", 53, 500),
      udp("127.0.0.53", 53, 500),
      udp("127.0.0.1", 323, 600),
      udp("::1", 323, 600),
      udp("0.0.0.0", 43210, 700),
      conn("203.0.113.10", 443, "198.51.100.20", 51000, "ESTABLISHED", 101),
      ...extra,
    ],
    processes: procs(
      proc(100, "nginx"),
      proc(101, "nginx"),
      proc(200, "sshd"),
      proc(300, "node_exporter"),
      proc(400, "redis-server"),
      proc(500, "systemd-resolved"),
      proc(600, "chronyd"),
      proc(700, "curl"),
      proc(800, "python3"),
    ),
    routes: [
      route("0.0.0.0/0", { gateway: "203.0.113.1", scope: "global" }),
      route("10.0.0.0/8", { gateway: "10.0.0.1", interface: "eth1", scope: "global" }),
      route("203.0.113.0/24"),
    ],
    interfaces: [
      iface("eth0", { stats: { rxDropped: 0n, rxPackets: 1000n } }),
      iface("eth1", { addresses: [{ family: "inet", address: "10.0.0.7", prefixLength: 8 }] }),
      iface("lo", { flags: ["LOOPBACK", "UP"], mtu: 65536, operState: "unknown" }),
    ],
    counters: {
      Tcp: { OutSegs: 0n, RetransSegs: 0n, ...tcp },
      TcpExt: { ListenOverflows: 2n, ListenDrops: 2n },
    },
  });
}

const baseline = () => webServer(T0, { OutSegs: 0n, RetransSegs: 0n });
const healthy = (extra: Connection[] = []) =>
  webServer(T1, { OutSegs: 100000n, RetransSegs: 1000n }, extra);

function verdicts(s: Snapshot): Record<string, string> {
  const p = parsePolicy(policyUnder("A web server"), "web.yaml");
  const h = checkSnapshot(p, s, { baseline: baseline() });
  return Object.fromEntries(h.rules.map((r) => [r.id, r.status]));
}

test("the web server policy on a web server: every rule holds but the sysctls, not evaluated", () => {
  assert.deepEqual(verdicts(healthy()), {
    "listeners.allow": "pass",
    "listeners.deny[0]": "pass",
    "listeners.required[0]": "pass",
    "listeners.required[1]": "pass",
    "routes.required[0]": "pass",
    "routes.forbidden[0]": "pass",
    'settings.sysctl["net.ipv4.ip_forward"]': "not-evaluated",
    'settings.sysctl["net.ipv4.tcp_syncookies"]': "not-evaluated",
    'settings.sysctl["net.core.somaxconn"]': "not-evaluated",
    "settings.interfaces[0]": "pass",
    "settings.interfaces[1]": "pass",
    "rates[0]": "pass",
    "rates[1]": "pass",
    "rates[2]": "pass",
    "rates[3]": "pass",
  });
});

test("the web server policy catches what the page says it catches", () => {
  const failing = (s: Snapshot) =>
    Object.entries(verdicts(s)).filter(([, v]) => v === "fail").map(([k]) => k);
  assert.deepEqual(failing(healthy([listen("0.0.0.0", 6379, 400)])), ["listeners.deny[0]"]);
  assert.deepEqual(failing(healthy([listen("0.0.0.0", 8000, 800)])), ["listeners.allow"]);
  assert.deepEqual(failing(webServer(T1, { OutSegs: 100000n, RetransSegs: 5000n })), ["rates[0]"]);
});

test("a TCP listener on a UDP client's port makes that UDP socket a listener, checked as one", () => {
  const v = verdicts(healthy([listen("127.0.0.1", 43210, 800)]));
  assert.equal(v["listeners.allow"], "fail");
  const p = parsePolicy(policyUnder("A web server"), "web.yaml");
  const h = checkSnapshot(p, healthy([listen("127.0.0.1", 43210, 800)]), { baseline: baseline() });
  const said = h.rules.find((r) => r.id === "listeners.allow")!.violations!.map((x) => x.message);
  assert.deepEqual(said.length, 1);
  assert.match(said[0]!, /^udp 0\.0\.0\.0:43210 \(curl, pid 700/);
});

test("property: any program may listen on loopback; off loopback, an unlisted port fails", () => {
  const allowed = new Set([22, 80, 443, 9100]);
  fc.assert(
    fc.property(
      fc.constantFrom("127.0.0.1", "127.1.2.3", "::1"),
      fc.constantFrom("0.0.0.0", "::", "10.0.0.7", "203.0.113.10", "192.168.1.4", "fd00::1"),
      // Not 43210: the web server's curl holds UDP 0.0.0.0:43210 as a client, and a TCP listener
      // on that port makes it a listener on every address (the test below), so a failure there
      // is the rule working, not loopback refused.
      fc.integer({ min: 1, max: 65535 }).filter((p) => p !== 43210),
      fc.boolean(),
      (lo, wide, port, useUdp) => {
        const sock = (address: string) =>
          useUdp && (port < 32768 || port > 60999)
            ? udp(address, port, 800)
            : listen(address, port, 800);
        assert.equal(Object.values(verdicts(healthy([sock(lo)]))).includes("fail"), false);
        if (!allowed.has(port)) {
          const v = verdicts(healthy([sock(wide)]));
          assert.ok(
            v["listeners.allow"] === "fail" || v["listeners.deny[0]"] === "fail",
            `${wide}:${port}`,
          );
        }
      },
    ),
    { numRuns: 150 },
  );
});

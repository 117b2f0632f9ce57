/** The evaluator on hand-built snapshots: each rule kind, its wording, and "not evaluated". */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Snapshot } from "../../src/model.ts";
import { checkDocument, checkSnapshot } from "../../src/check/evaluate.ts";
import { parsePolicy } from "../../src/check/policy.ts";
import type { HostResultOut, RuleResultOut } from "../../src/check/result.ts";
import { arbSnapshot } from "../helpers/arbitrary.ts";
import { iface, listen, proc, procs, route, snap } from "../diff/_build.ts";
import { FULL, udp } from "./_fixtures.ts";

const T0 = "2026-01-01T00:00:00.000Z", T1 = "2026-01-01T00:01:00.000Z";

/** A web host: nginx on every address, redis on loopback, postgres private, python public. */
function host(over: Partial<Snapshot> = {}): Snapshot {
  return snap(T1, {
    connections: [
      listen("0.0.0.0", 80, 10),
      listen("::", 80, 10),
      listen("127.0.0.1", 6379, 20),
      listen("10.0.0.5", 5432, 30),
      listen("203.0.113.7", 8080, 40),
      udp("0.0.0.0", 53, 50),
      udp("0.0.0.0", 41234, 60), // a resolver's client socket
    ],
    processes: procs(
      proc(10, "nginx"),
      proc(20, "redis-server"),
      proc(30, "postgres"),
      proc(40, "python3"),
      proc(50, "dnsmasq"),
      proc(60, "curl"),
    ),
    routes: [
      route("0.0.0.0/0", { gateway: "10.0.0.1", scope: "global", protocol: "dhcp" }),
      route("10.0.0.0/24"),
    ],
    interfaces: [
      iface("eth0", { mtu: 1500 }),
      iface("lo", { flags: ["LOOPBACK", "UP"], operState: "unknown", mtu: 65536 }),
    ],
    ...over,
  });
}

function policy(body: string) {
  return parsePolicy(`schema: nsnap-policy/v1\n${body}`, "p.yaml");
}

function check(
  body: string,
  s: Snapshot,
  opts: Parameters<typeof checkSnapshot>[2] = {},
): HostResultOut {
  return checkSnapshot(policy(body), s, opts);
}

function rule(h: HostResultOut, id: string): RuleResultOut {
  const r = h.rules.find((x) => x.id === id);
  assert.ok(r, `no rule ${id} in ${h.rules.map((x) => x.id).join(", ")}`);
  return r;
}

const messages = (r: RuleResultOut) => r.violations.map((v) => v.message);

test("a deny rule fails for each listener reachable in its scope; 0.0.0.0 is reachable everywhere", () => {
  const h = check("listeners:\n  deny:\n    - scope: public\n", host());
  const r = rule(h, "listeners.deny[0]");
  assert.equal(r.status, "fail");
  assert.equal(r.line, 4);
  assert.deepEqual(messages(r), [
    "tcp 0.0.0.0:80 (nginx, pid 10, uid 0) on every address: denied",
    "tcp [::]:80 (nginx, pid 10, uid 0) on every address: denied",
    "tcp 203.0.113.7:8080 (python3, pid 40, uid 0) on a public address: denied",
    "udp 0.0.0.0:53 (dnsmasq, pid 50, uid 0) on every address: denied",
  ]);
  assert.equal(r.violations[2]!.listener?.scope, "public");
  assert.equal(r.checked, 6, "the UDP client socket on 41234 is not a listener");
  assert.equal(h.verdict, "fail");
});

test("except takes listeners out of a deny rule", () => {
  const h = check(
    "listeners:\n  deny:\n    - scope: public\n      except:\n        - program: nginx\n          port: 80\n        - protocol: udp\n",
    host(),
  );
  assert.deepEqual(messages(rule(h, "listeners.deny[0]")), [
    "tcp 203.0.113.7:8080 (python3, pid 40, uid 0) on a public address: denied",
  ]);
  assert.equal(
    rule(h, "listeners.deny[0]").rule,
    "deny scope public; except port 80, program nginx or protocol udp",
  );
});

test("the allow list: anything no rule allows fails, naming the rule it nearly matched", () => {
  const h = check(
    `listeners:
  allow:
    - program: nginx
      port: 80
      scope: any
    - program: redis-server
      scope: loopback
    - program: postgres
      scope: private
    - protocol: udp
      port: 53
`,
    host(),
  );
  const r = rule(h, "listeners.allow");
  assert.equal(r.line, 3);
  assert.equal(r.rule, "every listener is allowed by an allow rule (default: deny)");
  assert.deepEqual(messages(r), [
    "tcp 203.0.113.7:8080 (python3, pid 40, uid 0) on a public address: not allowed",
  ]);
  // redis moved from loopback to every address: the loopback rule does not cover 0.0.0.0.
  const moved = host();
  moved.connections[2] = listen("0.0.0.0", 6379, 20);
  const m = rule(
    check(
      "listeners:\n  allow:\n    - program: redis-server\n      scope: loopback\n    - program: nginx\n",
      moved,
    ),
    "listeners.allow",
  );
  assert.ok(
    messages(m).includes(
      "tcp 0.0.0.0:6379 (redis-server, pid 20, uid 0) on every address: not allowed; listeners.allow[0] (line 4) would allow it but for its scope (loopback)",
    ),
    messages(m).join("\n"),
  );
});

test("deny wins over allow, and a denied listener is reported once, by the deny rule", () => {
  const h = check("listeners:\n  allow:\n    - scope: any\n  deny:\n    - port: 8080\n", host());
  assert.equal(rule(h, "listeners.deny[0]").violations.length, 1);
  assert.equal(rule(h, "listeners.allow").status, "pass");
});

test("default: allow turns the allow list off; default: deny without allow denies everything", () => {
  const open = check("listeners:\n  default: allow\n  allow:\n    - port: 1\n", host());
  assert.equal(open.rules.some((r) => r.id === "listeners.allow"), false);
  const shut = check("listeners:\n  default: deny\n", host());
  assert.equal(rule(shut, "listeners.default").violations.length, 6);
});

test("UDP clients: an unconnected socket on an ephemeral port without a TCP listener is left out", () => {
  const s = host();
  s.connections.push(listen("0.0.0.0", 45000, 60), udp("0.0.0.0", 45000, 60));
  const h = check("listeners:\n  deny:\n    - protocol: udp\n", s);
  // 53 is below the range; 45000 has a TCP listener beside it, so it is a service; 41234 is a client.
  assert.deepEqual(rule(h, "listeners.deny[0]").violations.map((v) => v.listener?.port), [
    53,
    45000,
  ]);
  const narrow = check(
    "listeners:\n  ephemeral-ports: 50000-60000\n  deny:\n    - protocol: udp\n",
    s,
  );
  assert.deepEqual(rule(narrow, "listeners.deny[0]").violations.map((v) => v.listener?.port), [
    53,
    41234,
    45000,
  ]);
  // The snapshot's own ip_local_port_range, once captured, decides the range.
  const own = Object.assign(host(), {
    settings: { "net.ipv4.ip_local_port_range": "41000\t42000" },
  });
  assert.deepEqual(
    rule(check("listeners:\n  deny:\n    - protocol: udp\n", own), "listeners.deny[0]").violations
      .map((v) => v.listener?.port),
    [53],
  );
});

test("required listeners count sockets: SO_REUSEPORT instances, both families", () => {
  const s = host();
  s.connections.push(listen("0.0.0.0", 7100, 70), listen("0.0.0.0", 7100, 71));
  s.processes = { ...s.processes, ...procs(proc(70, "app"), proc(71, "app")) };
  const body = (count: string) =>
    `listeners:\n  required:\n    - program: app\n      port: 7100\n      count: ${count}\n`;
  assert.equal(rule(check(body("2"), s), "listeners.required[0]").status, "pass");
  assert.equal(rule(check(body('"== 2"'), s), "listeners.required[0]").status, "pass");
  const three = rule(check(body("3"), s), "listeners.required[0]");
  assert.equal(three.status, "fail");
  assert.deepEqual(messages(three), ["2 matching sockets, wanted at least 3"]);
  const gone = rule(
    check("listeners:\n  required:\n    - program: nginx\n      port: 443\n", host()),
    "listeners.required[0]",
  );
  assert.deepEqual(messages(gone), [
    "no listener matches, wanted at least 1; closest: tcp 0.0.0.0:80 (nginx, pid 10, uid 0) on every address, which is not port 443",
  ]);
});

test("an owner the snapshot does not know is undecided, never allowed or denied", () => {
  const s = host();
  s.meta.privileges = { uid: 1000, root: false };
  for (const c of s.connections) delete c.pid;
  const h = check(
    "listeners:\n  allow:\n    - program: nginx\n  deny:\n    - scope: public\n      program: python3\n    - scope: public\n",
    s,
  );
  const allow = rule(h, "listeners.allow");
  assert.equal(allow.status, "not-evaluated");
  assert.match(
    allow.reason!,
    /^the owner is unknown \(the capture was not run as root\)$/,
  );
  assert.equal(rule(h, "listeners.deny[0]").status, "not-evaluated");
  // Scope alone decides the second deny rule.
  assert.equal(rule(h, "listeners.deny[1]").status, "fail");
  assert.equal(h.verdict, "fail");
  // Records a rule can decide are decided; the reason then says how many it could not.
  const some = rule(
    check(
      "listeners:\n  allow:\n    - program: nginx\n    - scope: loopback\n  deny:\n    - scope: public\n",
      s,
    ),
    "listeners.allow",
  );
  assert.equal(
    some.reason,
    "undecided for 1 of 2: the owner is unknown (the capture was not run as root)",
  );
  const lenient = check("listeners:\n  allow:\n    - program: nginx\n", s);
  assert.equal(lenient.verdict, "pass");
  assert.equal(
    check("listeners:\n  allow:\n    - program: nginx\n", s, { strict: true }).verdict,
    "fail",
  );
});

test("namespace rules and container scopes wait for a snapshot with namespaces", () => {
  const h = check(
    "listeners:\n  deny:\n    - namespace: 'container:*'\n    - scope: published\n  required:\n    - scope: [loopback, internal]\n",
    host(),
  );
  // With no listener at all, too: the rules are about namespaces this snapshot did not see.
  const empty = check(
    "listeners:\n  deny:\n    - namespace: 'container:*'\n",
    host({ connections: [] }),
  );
  assert.deepEqual([empty.rules[0]!.status, empty.rules[0]!.reason], [
    "not-evaluated",
    "the snapshot has no namespaces",
  ]);
  for (const id of ["listeners.deny[0]", "listeners.deny[1]", "listeners.required[0]"]) {
    const r = rule(h, id);
    assert.equal(r.status, "not-evaluated", id);
    assert.match(r.reason!, /the snapshot has no (namespaces|exposure across namespaces)/, id);
  }
});

test("listener rules are not evaluated when the snapshot has no connections", () => {
  const s = host();
  s.meta.sections.connections = { status: "error", error: "permission denied" };
  const h = check("listeners:\n  deny:\n    - scope: public\n  required:\n    - port: 80\n", s);
  for (const r of h.rules) {
    assert.equal(r.status, "not-evaluated");
    assert.equal(r.reason, "the snapshot has no connections (permission denied)");
  }
});

test("required and forbidden routes, with multipath next hops and the default destination", () => {
  const s = host();
  s.routes.push(route("10.9.0.0/16", {
    table: 100,
    nexthops: [{ gateway: "10.0.0.2", interface: "eth0" }, {
      gateway: "10.0.0.3",
      interface: "eth1",
    }],
  }));
  const h = check(
    `routes:
  required:
    - destination: default
      gateway: 10.0.0.1
      table: main
    - destination: default
      gateway: 10.0.0.254
    - destination: 10.9.0.0/16
      gateway: 10.0.0.3
      interface: eth1
      table: 100
  forbidden:
    - gateway: none
      table: main
    - destination: 192.168.0.0/16
`,
    s,
  );
  assert.equal(rule(h, "routes.required[0]").status, "pass");
  assert.deepEqual(messages(rule(h, "routes.required[1]")), [
    "no route matches destination default, gateway 10.0.0.254; closest: IPv4 0.0.0.0/0 via 10.0.0.1 dev eth0 (but for its gateway)",
  ]);
  assert.equal(rule(h, "routes.required[2]").status, "pass");
  const f = rule(h, "routes.forbidden[0]");
  assert.deepEqual(messages(f), ["IPv4 10.0.0.0/24 dev eth0: forbidden"]);
  assert.equal(f.violations[0]!.route?.destination, "10.0.0.0/24");
  assert.equal(rule(h, "routes.forbidden[1]").status, "pass");
});

test("routing rules and neighbours are not evaluated until a snapshot holds them, then they are", () => {
  const body = `routing-rules:
  required:
    - from: 10.77.6.0/24
      table: 100
neighbours:
  forbidden:
    - address: 10.0.0.1
      state: [FAILED, INCOMPLETE]
  required:
    - address: 10.0.0.1
      mac: "52:54:00:*"
`;
  const none = check(body, host());
  assert.deepEqual(none.rules.map((r) => [r.id, r.status, r.reason]), [
    ["routing-rules.required[0]", "not-evaluated", "the snapshot has no routing rules"],
    ["neighbours.forbidden[0]", "not-evaluated", "the snapshot has no neighbour entries"],
    ["neighbours.required[0]", "not-evaluated", "the snapshot has no neighbour entries"],
  ]);
  const later = Object.assign(host(), {
    rules: [{ family: "inet", priority: 1000, from: "10.77.6.0/24", table: 100, action: "to_tbl" }],
    neighbours: [{
      family: "inet",
      address: "10.0.0.1",
      interface: "eth0",
      states: ["FAILED"],
      router: false,
      proxy: false,
    }],
  });
  const h = check(body, later);
  assert.equal(rule(h, "routing-rules.required[0]").status, "pass");
  assert.match(
    messages(rule(h, "neighbours.forbidden[0]"))[0]!,
    /^neighbour family inet, address 10\.0\.0\.1, interface eth0.*: forbidden$/,
  );
  assert.deepEqual(rule(h, "neighbours.forbidden[0]").violations[0]!.entry?.states, ["FAILED"]);
  assert.match(
    messages(rule(h, "neighbours.required[0]"))[0]!,
    /^no neighbour entry matches address 10\.0\.0\.1, mac 52:54:00:\*; closest: neighbour .* \(but for its mac\)$/,
  );
});

test("sysctls are not evaluated without a settings section, and compared when there is one", () => {
  const body = `settings:
  sysctl:
    net.ipv4.ip_forward: 0
    net.core.somaxconn: ">= 4096"
    net.ipv4.tcp_congestion_control: bbr
    net.ipv4.tcp_rmem: "4096 131072 6291456"
    net.ipv4.conf.*.rp_filter: 1
    net.ipv6.conf.all.disable_ipv6: 0
`;
  const none = check(body, host());
  assert.ok(
    none.rules.every((r) =>
      r.status === "not-evaluated" && r.reason === "the snapshot has no settings section"
    ),
  );
  const s = Object.assign(host(), {
    settings: {
      "net.ipv4.ip_forward": "1",
      "net.core.somaxconn": "4096",
      "net.ipv4.tcp_congestion_control": "cubic",
      "net.ipv4.tcp_rmem": "4096\t131072\t6291456",
      "net.ipv4.conf.all.rp_filter": "1",
      "net.ipv4.conf.eth0.rp_filter": "2",
    },
  });
  const h = check(body, s);
  assert.deepEqual(h.rules.map((r) => [r.id, r.status]), [
    ['settings.sysctl["net.ipv4.ip_forward"]', "fail"],
    ['settings.sysctl["net.core.somaxconn"]', "pass"],
    ['settings.sysctl["net.ipv4.tcp_congestion_control"]', "fail"],
    ['settings.sysctl["net.ipv4.tcp_rmem"]', "pass"],
    ['settings.sysctl["net.ipv4.conf.*.rp_filter"]', "fail"],
    ['settings.sysctl["net.ipv6.conf.all.disable_ipv6"]', "not-evaluated"],
  ]);
  assert.deepEqual(messages(rule(h, 'settings.sysctl["net.ipv4.ip_forward"]')), [
    'net.ipv4.ip_forward is "1", expected "0"',
  ]);
  assert.deepEqual(messages(rule(h, 'settings.sysctl["net.ipv4.conf.*.rp_filter"]')), [
    'net.ipv4.conf.eth0.rp_filter is "2", expected "1"',
  ]);
  assert.equal(
    rule(h, 'settings.sysctl["net.ipv6.conf.all.disable_ipv6"]').reason,
    "the snapshot's settings have no net.ipv6.conf.all.disable_ipv6",
  );
});

test("interface rules: up, MTU, operational state, present and absent", () => {
  const s = host({
    interfaces: [
      iface("eth0", { mtu: 1400 }),
      iface("eth1", { flags: ["BROADCAST", "MULTICAST"], operState: "down" }),
      iface("docker0"),
    ],
  });
  const h = check(
    `settings:
  interfaces:
    - name: eth0
      up: true
      mtu: 1500
    - name: "eth*"
      oper-state: up
    - name: eth0
      mtu: ">= 1280"
    - name: docker*
      present: false
    - name: wg0
`,
    s,
  );
  assert.deepEqual(messages(rule(h, "settings.interfaces[0]")), ["interface eth0 MTU is 1400"]);
  assert.deepEqual(messages(rule(h, "settings.interfaces[1]")), [
    "interface eth1 oper-state is down",
  ]);
  assert.equal(rule(h, "settings.interfaces[2]").status, "pass");
  assert.deepEqual(messages(rule(h, "settings.interfaces[3]")), ["interface docker0 exists"]);
  assert.deepEqual(messages(rule(h, "settings.interfaces[4]")), ["no interface matches wg0"]);
  assert.equal(rule(h, "settings.interfaces[0]").rule, "interface eth0: up, mtu 1500");
});

test("rates are measured against the baseline, and not evaluated without one", () => {
  const before = host({
    counters: {
      Tcp: { RetransSegs: 0n, OutSegs: 0n, CurrEstab: 5n },
      TcpExt: { ListenOverflows: 3n },
    },
  });
  before.meta.capturedAt = T0;
  const after = host({
    counters: {
      Tcp: { RetransSegs: 300n, OutSegs: 10000n, CurrEstab: 9n },
      TcpExt: { ListenOverflows: 3n },
    },
  });
  const body = `rates:
  - Tcp.RetransSegs <= 1%
  - name: no overflows
    expr: TcpExt.ListenOverflows == 0
  - Tcp.CurrEstab <= 100
`;
  const h = check(body, after, { baseline: before, baselineFile: "before.json" });
  assert.deepEqual(h.rules.map((r) => [r.id, r.status, r.name]), [
    ["rates[0]", "fail", undefined],
    ["rates[1]", "pass", "no overflows"],
    ["rates[2]", "pass", undefined],
  ]);
  assert.deepEqual(messages(rule(h, "rates[0]")), [
    "Tcp.RetransSegs is 3.00% (+300 of +10,000 Tcp.OutSegs), which breaks Tcp.RetransSegs <= 1%",
  ]);
  assert.deepEqual(rule(h, "rates[0]").violations[0]!.measurement, {
    subject: "Tcp.RetransSegs",
    observed: "3.00% (+300 of +10,000 Tcp.OutSegs)",
    value: 300n,
    of: 10000n,
  });
  assert.equal(h.baseline?.file, "before.json");
  const alone = check(body, after);
  assert.deepEqual(alone.rules.map((r) => [r.status, r.reason]), [
    ["not-evaluated", "no baseline to measure against (--baseline BEFORE)"],
    ["not-evaluated", "no baseline to measure against (--baseline BEFORE)"],
    ["pass", undefined],
  ]);
  const swapped = check(body, before, { baseline: after });
  assert.ok(swapped.warnings.some((w) => /captured after the snapshot/.test(w)));
});

test("the document sums hosts and rules; the verdict fails when any host fails", () => {
  const p = policy("listeners:\n  deny:\n    - port: 8080\n");
  const a = checkSnapshot(p, host());
  const b = checkSnapshot(p, host({ connections: [] }));
  const doc = checkDocument(p, [a, b]);
  assert.equal(doc.verdict, "fail");
  assert.deepEqual(doc.summary, {
    hosts: 2,
    hostsFailed: 1,
    passed: 1,
    failed: 1,
    notEvaluated: 0,
    violations: 1,
  });
  assert.equal(checkDocument(p, [b]).verdict, "pass");
});

test("property: on any snapshot every rule of the full policy has a consistent status", () => {
  const p = parsePolicy(FULL, "p.yaml");
  fc.assert(
    fc.property(arbSnapshot, arbSnapshot, (a, b) => {
      const h = checkSnapshot(p, b, { baseline: a });
      assert.equal(h.rules.length, 16);
      for (const r of h.rules) {
        assert.equal(r.status === "fail", r.violations.length > 0, r.id);
        if (r.status === "not-evaluated") assert.ok(r.reason && r.reason.length > 0, r.id);
        assert.ok(r.line > 1, r.id);
      }
      assert.equal(h.verdict, h.rules.some((r) => r.status === "fail") ? "fail" : "pass");
      assert.deepEqual(checkSnapshot(p, b, { baseline: a }), h, "deterministic");
    }),
    { numRuns: 60 },
  );
});

/** A host with one other namespace, netns:rv, whose default route and rule differ. */
function acrossNamespaces(): Snapshot {
  const rv = "netns:rv";
  return host({
    routes: [
      route("0.0.0.0/0", { gateway: "10.0.0.1", scope: "global" }),
      route("10.0.0.0/24"),
      route("0.0.0.0/0", {
        gateway: "10.77.6.1",
        scope: "global",
        interface: "v17b",
        namespace: rv,
      }),
    ],
    interfaces: [
      iface("eth0"),
      iface("v17b", { namespace: rv }),
      iface("eth9", { namespace: rv, flags: ["BROADCAST"] }),
    ],
    rules: [
      { family: "inet", priority: 32766, action: "lookup", table: 254 },
      { family: "inet", priority: 1002, action: "lookup", table: 300, namespace: rv },
    ],
    neighbours: [
      { family: "inet", address: "10.77.6.9", interface: "v17b", state: "FAILED", namespace: rv },
    ],
    namespaces: [
      { id: "host", kind: "host", own: true, labels: {}, processes: 9, pids: [1], sections: {} },
      {
        id: rv,
        kind: "netns",
        name: "rv",
        labels: { netns: "rv" },
        processes: 1,
        pids: [100],
        sections: {},
      },
    ],
  });
}

test("route, interface, routing-rule and neighbour rules see the own namespace's records by default", () => {
  const s = acrossNamespaces();
  const h = check(
    [
      "routes:",
      "  required:",
      "    - destination: default",
      "      gateway: 10.77.6.1",
      "  forbidden:",
      "    - gateway: 10.77.6.0/24",
      "routing-rules:",
      "  forbidden:",
      "    - table: 300",
      "neighbours:",
      "  forbidden:",
      "    - state: FAILED",
      "settings:",
      "  interfaces:",
      "    - name: v17b",
      "      up: true",
      "    - name: eth9",
      "      present: false",
      "",
    ].join("\n"),
    s,
  );
  const req = rule(h, "routes.required[0]");
  assert.equal(req.status, "fail", "netns:rv's default route is not the host's");
  assert.deepEqual(messages(req), [
    "no route matches destination default, gateway 10.77.6.1; closest: IPv4 0.0.0.0/0 via " +
    "10.0.0.1 dev eth0 (but for its gateway); IPv4 0.0.0.0/0 via 10.77.6.1 dev v17b in " +
    "netns:rv (but for its namespace)",
  ]);
  assert.equal(req.rule, "required: destination default, gateway 10.77.6.1");
  for (
    const id of ["routes.forbidden[0]", "routing-rules.forbidden[0]", "neighbours.forbidden[0]"]
  ) {
    assert.equal(rule(h, id).status, "pass", id);
  }
  assert.equal(rule(h, "settings.interfaces[1]").status, "pass", "eth9 is not the host's");
  assert.deepEqual(messages(rule(h, "settings.interfaces[0]")), ["no interface matches v17b"]);
});

test("a namespace glob on route, interface, routing-rule and neighbour rules picks those namespaces", () => {
  const s = acrossNamespaces();
  const body = (ns: string) =>
    [
      "routes:",
      "  required:",
      "    - destination: default",
      "      gateway: 10.77.6.1",
      `      namespace: "${ns}"`,
      "routing-rules:",
      "  forbidden:",
      "    - table: 300",
      `      namespace: "${ns}"`,
      "neighbours:",
      "  forbidden:",
      "    - state: FAILED",
      `      namespace: ["${ns}"]`,
      "settings:",
      "  interfaces:",
      "    - name: v17b",
      "      up: true",
      `      namespace: "${ns}"`,
      "",
    ].join("\n");
  const inRv = check(body("netns:*"), s);
  assert.equal(rule(inRv, "routes.required[0]").status, "pass");
  assert.equal(
    rule(inRv, "routes.required[0]").rule,
    "required: destination default, gateway 10.77.6.1, namespace netns:*",
  );
  assert.equal(rule(inRv, "settings.interfaces[0]").status, "pass");
  assert.deepEqual(messages(rule(inRv, "routing-rules.forbidden[0]")), [
    "rule family inet, priority 1002, action lookup, table 300, namespace netns:rv in netns:rv: " +
    "forbidden",
  ]);
  assert.equal(rule(inRv, "neighbours.forbidden[0]").status, "fail");
  const onHost = check(body("host"), s);
  assert.equal(rule(onHost, "routes.required[0]").status, "fail");
  assert.equal(rule(onHost, "routing-rules.forbidden[0]").status, "pass");
  // On a snapshot of one namespace, a namespace key cannot be decided.
  const single = check(body("host"), host());
  for (const id of ["routes.required[0]", "settings.interfaces[0]"]) {
    assert.equal(rule(single, id).status, "not-evaluated", id);
    assert.equal(rule(single, id).reason, "the snapshot has no namespaces", id);
  }
});

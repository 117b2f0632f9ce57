import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fc from "fast-check";
import { diffSnapshots } from "../../src/diff/mod.ts";
import { isListener, listenerKey, socketRules } from "../../src/net/sockets.ts";
import { renderReport, SeriesBuilder } from "../../src/render/html/mod.ts";
import { normalizeSnapshot } from "../../src/snapshot/normalize.ts";
import { redactSnapshot } from "../../src/snapshot/redact.ts";
import { arbSnapshot } from "../helpers/arbitrary.ts";
import { namespacedPair } from "../diff/_namespaces.ts";
import { parseNftRuleset } from "../../src/parse/linux/nft_ruleset.ts";
import { iface, route } from "../diff/_build.ts";
import {
  bigSnapshot,
  example,
  HOSTILE,
  hostileSnapshot,
  listenerCount,
  pageData,
  snapshot,
  table,
} from "./_make.ts";

const sha = (s: string) => `'sha256-${createHash("sha256").update(s).digest("base64")}'`;

test("renderReport() is deterministic", () => {
  const s = example("after.json");
  assert.equal(
    renderReport({ kind: "snapshot", snapshot: s }),
    renderReport({ kind: "snapshot", snapshot: s }),
  );
  const b = example("before.json");
  const doc = diffSnapshots(b, s);
  assert.equal(
    renderReport({ kind: "diff", before: b, after: s, doc }),
    renderReport({ kind: "diff", before: b, after: s, doc }),
  );
});

test("the page allows exactly its own inline script and style, and loads nothing", () => {
  const page = renderReport({ kind: "snapshot", snapshot: example("after.json") });
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(page)?.[1]
    ?.replace(/&#39;/g, "'");
  assert.ok(csp);
  assert.match(csp, /default-src 'none'/);
  const scripts = [...page.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
  const styles = [...page.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
  assert.equal(scripts.length, 1);
  assert.equal(styles.length, 1);
  assert.equal(/script-src ([^;]+)/.exec(csp)?.[1], sha(scripts[0]!));
  assert.equal(/style-src ([^;]+)/.exec(csp)?.[1], sha(styles[0]!));
  // Every reference stays in the page: fragment links and the data: icon only.
  for (const m of page.matchAll(/\b(?:src|href|action)="([^"]*)"/g)) {
    assert.ok(m[1]!.startsWith("#") || m[1]!.startsWith("data:"), m[0]);
  }
  assert.ok(!/@import|url\(\s*['"]?(?!data:)/.test(styles[0]!), "no stylesheet loads");
});

test("the listener table has one row per listening socket", () => {
  for (const name of ["before.json", "after.json"]) {
    const s = example(name);
    const page = renderReport({ kind: "snapshot", snapshot: s });
    assert.equal(table(page, "listeners").rows.length, listenerCount(s));
    assert.equal(table(page, "sockets").rows.length, s.connections.length);
    assert.equal(table(page, "routes").rows.length, s.routes.length);
  }
});

test("a diff's listener table holds the listeners after and those that went away", () => {
  const b = example("before.json"), a = example("after.json");
  const page = renderReport({ kind: "diff", before: b, after: a, doc: diffSnapshots(b, a) });
  const ra = socketRules(a), rb = socketRules(b);
  const keys = new Set(a.connections.filter((c) => isListener(c, ra)).map(listenerKey));
  const gone = b.connections.filter((c) => isListener(c, rb) && !keys.has(listenerKey(c))).length;
  const t = table(page, "listeners");
  assert.equal(t.rows.length, listenerCount(a) + gone);
  const marks = t.rows.map((r) => r[0]).sort();
  assert.deepEqual(marks, ["closed", "old address", "opened", "same", "widened"]);
  assert.equal(table(page, "changes").rows.length, diffSnapshots(b, a).changes.length);
});

test("a 10k-socket snapshot gives a page under 2 MB", () => {
  const s = bigSnapshot(10_000);
  const t0 = performance.now();
  const page = renderReport({ kind: "snapshot", snapshot: s });
  const ms = performance.now() - t0;
  const bytes = new TextEncoder().encode(page).length;
  assert.ok(bytes < 2 * 1024 * 1024, `${bytes} bytes`);
  assert.equal(table(page, "listeners").rows.length, listenerCount(s));
  assert.equal(table(page, "sockets").rows.length, 10_000);
  assert.ok(ms < 5000, `${ms} ms`);
});

test("hostile names appear only as text: escaped in the markup, exact in the data", () => {
  const s = hostileSnapshot();
  const page = renderReport({ kind: "snapshot", snapshot: s });
  assert.equal(page.match(/<script\b/g)?.length, 2, "only the data and the page script");
  for (
    const bad of ["<script>alert", "<img src=x", "<svg onload", "<iframe", "</script><script>"]
  ) {
    assert.ok(!page.includes(bad), bad);
  }
  assert.ok(page.includes("&lt;b&gt;host&lt;/b&gt;&amp;&quot;"), "host name escaped in the title");
  assert.ok(page.includes('<span class="ctl" title="U+0000">\\x00</span>'));
  const listeners = table(page, "listeners");
  const program = listeners.columns.findIndex((c) => c.label === "Program");
  // The program is the process name (the one rule), exact in the data.
  assert.equal(listeners.rows[0]![program], HOSTILE.process);
  const ifaces = table(page, "interfaces");
  assert.equal(ifaces.rows[0]![0], HOSTILE.iface);
});

test("a series report carries the time series and every listener seen", () => {
  const files = ["a", "b", "c"];
  const base = bigSnapshot(300, "2026-11-25T10:00:00.000Z");
  const b = new SeriesBuilder();
  for (const [i, f] of files.entries()) {
    const s = structuredClone(base);
    s.meta.capturedAt = `2026-11-25T10:00:${String(i * 10).padStart(2, "0")}.000Z`;
    s.counters.Tcp!.RetransSegs = 5n + BigInt(i * 20);
    b.add(s, f);
  }
  const page = renderReport({ kind: "series", series: b.finish() });
  const data = pageData(page);
  assert.deepEqual(
    data.series?.t,
    [0, 10, 20].map((x) => Date.parse("2026-11-25T10:00:00Z") / 1000 + x),
  );
  const chart = data.series!.charts.find((c) => c.id === "tcp-trouble")!;
  const retrans = chart.lines.find((l) => l.label === "Tcp.RetransSegs")!;
  assert.deepEqual(retrans.values, [2, 2, 2]);
  assert.equal(table(page, "listeners").rows.length, listenerCount(base));
  assert.match(page, /uPlot/);
});

test("any valid snapshot renders, with one listener row per listening socket", () => {
  fc.assert(
    fc.property(arbSnapshot, (raw) => {
      const s = normalizeSnapshot(raw);
      const page = renderReport({ kind: "snapshot", snapshot: s });
      assert.equal(table(page, "listeners").rows.length, listenerCount(s));
      assert.equal(page.match(/<script\b/g)?.length, 2);
    }),
    { numRuns: 60 },
  );
});

test("fields later captures add show up when present: namespaces, exposure, tcp_info, rules", () => {
  const s = hostileSnapshot();
  s.meta.host.hostname = "node-1";
  const loose = s as unknown as Record<string, unknown>;
  (s.meta.host as Record<string, unknown>).machineId = "0123456789abcdef";
  // A namespace entry as the schema has it (listenerVerdicts() reads its sections).
  loose.namespaces = [{
    id: "ns1",
    inode: 4026532999,
    kind: "docker",
    labels: { container: "web", image: "nginx:1.27" },
    processes: 1,
    pids: [4242],
    sections: {},
  }];
  const [l0, l1, session] = s.connections as unknown as Array<Record<string, unknown>>;
  l0!.namespace = "ns1";
  l0!.exposure = { kind: "published", hostAddress: "0.0.0.0", hostPort: 8081 };
  l1!.exposure = "internal";
  session!.tcpInfo = { rtt: 12_500, totalRetrans: 7, lost: 1 };
  loose.rules = [{
    priority: 100,
    family: "inet",
    from: "10.77.6.0/24",
    table: 100,
    action: "lookup",
  }];
  loose.neighbours = [{
    address: "10.0.0.1",
    lladdr: "02:00:00:00:00:09",
    state: "REACHABLE",
    interface: "eth0",
  }];
  const page = renderReport({ kind: "snapshot", snapshot: s });
  const listeners = table(page, "listeners");
  const col = (label: string) => listeners.columns.findIndex((c) => c.label === label);
  assert.ok(col("Namespace") >= 0, "the namespace column appears");
  const byPort = new Map(listeners.rows.map((r) => [r[col("Port")], r]));
  assert.equal(byPort.get(8080)![col("Namespace")], "container web");
  assert.equal(byPort.get(8080)![col("Exposure")], "published");
  assert.equal(byPort.get(9100)![col("Exposure")], "internal");
  const health = table(page, "tcp-health");
  assert.deepEqual(health.rows, [["tcp :8080 ← clients", 1, 7, 1, 12.5, 12.5]]);
  assert.equal(table(page, "rules").rows.length, 1);
  // A capture across namespaces: the host's own records say so in the Namespace column.
  assert.deepEqual(table(page, "neighbours").columns.map((c) => c.label), [
    "Namespace",
    "address",
    "lladdr",
    "state",
    "interface",
  ]);
  assert.equal(table(page, "namespaces").rows.length, 1);
  assert.match(page, /<code>0123456789abcdef<\/code>/);
});

test("a snapshot without namespaces has no namespace column, and today's reach badges", () => {
  const page = renderReport({ kind: "snapshot", snapshot: example("after.json") });
  const listeners = table(page, "listeners");
  assert.ok(!listeners.columns.some((c) => c.label === "Namespace"));
  const i = listeners.columns.findIndex((c) => c.label === "Exposure");
  assert.deepEqual([...new Set(listeners.rows.map((r) => r[i]))], ["private"]);
  assert.ok(!pageData(page).tables.some((t) => t.id === "tcp-health" || t.id === "rules"));
});

test("a diff's interface table marks added and removed interfaces and gives the rates", () => {
  const before = snapshot("2026-11-25T10:00:00.000Z", [], {});
  const after = snapshot("2026-11-25T10:00:10.000Z", [], {});
  // Other devices (another index and MAC): one same index and MAC would be a rename.
  before.interfaces.push({
    ...structuredClone(before.interfaces[0]!),
    name: "old0",
    index: 40,
    mac: "02:00:00:00:00:40",
  });
  after.interfaces.push({
    ...structuredClone(after.interfaces[0]!),
    name: "new0",
    index: 41,
    mac: "02:00:00:00:00:41",
  });
  after.interfaces[0]!.stats = { rxBytes: 6000n, txBytes: 2000n, rxPackets: 20n, txPackets: 20n };
  const page = renderReport({ kind: "diff", before, after, doc: diffSnapshots(before, after) });
  const t = table(page, "interfaces");
  const col = (label: string) => t.columns.findIndex((c) => c.label === label);
  const rows = new Map(t.rows.map((r) => [r[0], r]));
  assert.equal(rows.get("eth0")![col("Change")], "same");
  assert.equal(rows.get("eth0")![col("RX/s")], 500);
  assert.equal(rows.get("eth0")![col("TX/s")], 0);
  assert.equal(rows.get("new0")![col("Change")], "added");
  assert.equal(rows.get("new0")![col("RX/s")], null);
  assert.equal(rows.get("old0")![col("Change")], "removed");
});

test("a report of a redacted snapshot stays redacted and does not guess reach", () => {
  const s = redactSnapshot(example("after.json"), "test-key");
  const page = renderReport({ kind: "snapshot", snapshot: s });
  assert.match(page, /<span class="badge b-redacted"[^>]*>redacted<\/span>/);
  const original = example("after.json");
  for (const i of original.interfaces) {
    for (const a of i.addresses) {
      if (a.address.startsWith("10.")) assert.ok(!page.includes(a.address), a.address);
    }
  }
  const t = table(page, "listeners");
  const i = t.columns.findIndex((c) => c.label === "Exposure");
  assert.deepEqual([...new Set(t.rows.map((r) => r[i]))], ["unknown"]);
});

test("a capture across namespaces: each listener names its namespace, its exposure is the capture's", () => {
  const [, after] = namespacedPair();
  const page = renderReport({ kind: "snapshot", snapshot: normalizeSnapshot(after) });
  const listeners = table(page, "listeners");
  const col = (label: string) => listeners.columns.findIndex((c) => c.label === label);
  const rows = listeners.rows.map((r) => [r[col("Namespace")], r[col("Port")], r[col("Exposure")]]);
  assert.deepEqual(
    rows.sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    [
      ["host", 22, "loopback"],
      ["container new", 80, "published"],
      ["container web", 80, "published"],
    ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
  );
  assert.equal(table(page, "namespaces").rows.length, 3);
});

test("a listener the firewall closes to other hosts is badged filtered, the rule as its title", () => {
  const s = example("after.json");
  const { value } = parseNftRuleset(
    "table inet f {\n\tchain input {\n\t\ttype filter hook input priority filter; policy accept;\n" +
      "\t\ttcp dport 8080 drop\n\t}\n}\n",
  );
  s.firewall = { tables: value };
  s.meta.sections.firewall = { status: "ok" };
  const page = renderReport({ kind: "snapshot", snapshot: s });
  const t = table(page, "listeners");
  const col = (label: string) => t.columns.findIndex((c) => c.label === label);
  const byPort = new Map<unknown, [unknown, string | null]>();
  t.rows.forEach((r, i) => byPort.set(r[col("Port")], [r[col("Exposure")], t.titles![i]!]));
  assert.equal(byPort.get(8080)![0], "filtered");
  assert.match(
    byPort.get(8080)![1]!,
    /^filtered by the firewall: inet f input: `tcp dport 8080 drop`/,
  );
  assert.equal(byPort.get(9100)![0], "private", "a port the rule leaves alone keeps its reach");
  // The summary counts it apart from the private listeners.
  assert.match(
    page,
    /<span class="badge b-filtered">filtered<\/span> 1 listener that the firewall closes/,
  );
  // Without the firewall section, no verdict: the reach as before.
  delete s.firewall;
  const plain = table(renderReport({ kind: "snapshot", snapshot: s }), "listeners");
  assert.ok(!plain.rows.some((r) => r[col("Exposure")] === "filtered"));
});

test("a capture across namespaces: routes, interfaces, rules, neighbours and qdiscs name their namespace", () => {
  const [, after] = namespacedPair();
  const s = normalizeSnapshot(after);
  const web = "docker:web";
  const lo = iface("lo", { index: 1, mac: "00:00:00:00:00:00" });
  s.interfaces = [lo, iface("eth0"), { ...lo, namespace: web }, {
    ...iface("eth0"),
    namespace: web,
  }];
  s.routes = [route("10.0.0.0/24"), { ...route("10.0.0.0/24"), namespace: web }];
  s.rules = [
    { family: "inet", priority: 32766, table: 254, action: "lookup" },
    { family: "inet", priority: 32766, table: 254, action: "lookup", namespace: web },
  ];
  s.neighbours = [{ family: "inet", address: "172.17.0.1", interface: "eth0", namespace: web }];
  s.qdiscs = [{
    interface: "eth0",
    kind: "noqueue",
    handle: "0:",
    parent: "root",
    stats: { bytes: 1234567n, packets: 5n },
    namespace: web,
  }];
  const page = renderReport({ kind: "snapshot", snapshot: s });
  const ns = (id: string, name = "Namespace") => {
    const t = table(page, id);
    const i = t.columns.findIndex((c) => c.label === name);
    assert.equal(i, 0, `${id}: the Namespace column comes first`);
    return t.rows.map((r) => r[i]);
  };
  // Each namespace's lo is told apart from the host's.
  const ifaces = table(page, "interfaces");
  const los = ifaces.rows.filter((r) => r[1] === "lo").map((r) => r[0]);
  assert.deepEqual(los.sort(), ["container web", "host"]);
  assert.deepEqual(ns("routes").sort(), ["container web", "host"]);
  assert.deepEqual(ns("rules"), ["host", "container web"]);
  assert.deepEqual(ns("neighbours"), ["container web"]);
  const rules = table(page, "rules");
  // Priorities and tables are identifiers: shown as they are, never 32,766.
  assert.equal(rules.columns.find((c) => c.label === "priority")!.type, "int");
  assert.equal(rules.columns.find((c) => c.label === "table")!.type, "int");
  assert.ok(!rules.columns.some((c) => c.label === "namespace"), "no raw id column");
  const qdiscs = table(page, "qdiscs");
  assert.deepEqual(qdiscs.columns.map((c) => [c.label, c.type]), [
    ["Namespace", "text"],
    ["interface", "mono"],
    ["kind", "mono"],
    ["handle", "mono"],
    ["parent", "mono"],
    ["bytes", "num"],
    ["packets", "num"],
  ]);
  // The namespaces table: one row per namespace, every cell a plain value, never an object.
  const nst = table(page, "namespaces");
  assert.deepEqual(nst.columns.map((c) => c.label), [
    "Namespace",
    "Id",
    "Kind",
    "Own",
    "Inode",
    "Labels",
    "Processes",
    "PIDs",
    "Containers",
    "Sections",
  ]);
  assert.deepEqual(nst.rows.map((r) => [r[0], r[1], r[4]]), [
    ["host", "host", 4026531833],
    ["container new", "docker:new", 4026532400],
    ["container web", "docker:web", 4026532300],
  ]);
  assert.equal(nst.columns[4]!.type, "int", "inodes without separators");
  for (const r of nst.rows) {
    for (const c of r) assert.ok(c === null || !String(c).startsWith("{"), `cell ${c}`);
  }
  assert.equal(nst.rows[2]![9], "ok");
  assert.equal(nst.rows[2]![5], "container=web image=shop/web:2 runtime=docker");
});

test("a container's listener is badged by its own namespace's firewall, or says it was not read", () => {
  const [, after] = namespacedPair();
  const s = normalizeSnapshot(after);
  const { value } = parseNftRuleset(
    "table inet f {\n\tchain input {\n\t\ttype filter hook input priority filter; policy accept;\n" +
      "\t\ttcp dport 80 drop\n\t}\n}\n",
  );
  const web = s.namespaces!.find((n) => n.id === "docker:web")!;
  web.firewall = { tables: value };
  web.sections.firewall = { status: "ok" };
  const t = table(renderReport({ kind: "snapshot", snapshot: s }), "listeners");
  const col = (label: string) => t.columns.findIndex((c) => c.label === label);
  const rows = new Map(
    t.rows.map((r, i) => [String(r[col("Namespace")]), [r[col("Exposure")], t.titles![i]!]]),
  );
  assert.equal(rows.get("container web")![0], "filtered");
  assert.match(String(rows.get("container web")![1]), /inet f input: `tcp dport 80 drop`/);
  assert.equal(rows.get("container new")![0], "published", "no verdict: the capture's exposure");
  assert.match(
    String(rows.get("container new")![1]),
    /firewall not evaluated: the firewall of docker:new was not read/,
  );
});

/**
 * `nsnap check` and the `--fail-on` thresholds of `nsnap diff`, run in-process: exit codes,
 * folders of hosts, baselines, the JSON document against its published schema, and the GitHub
 * Actions output under a fake environment.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { Snapshot } from "../../src/model.ts";
import { schemaText } from "../../src/cli/schema.ts";
import { parseCheckDocument } from "../../src/check/result.ts";
import { serializeSnapshot } from "../../src/snapshot/serialize.ts";
import { ROOT } from "../helpers/cli.ts";
import { runMain } from "../helpers/main.ts";
import { iface, listen, proc, procs, route, snap } from "../diff/_build.ts";

const EXAMPLES = `${ROOT}snapshots/examples`;

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-check-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function hostSnap(hostname: string, at: string, over: Partial<Snapshot> = {}): Snapshot {
  const s = snap(at, {
    connections: [listen("0.0.0.0", 80, 1), listen("127.0.0.1", 5432, 2)],
    processes: procs(proc(1, "nginx"), proc(2, "postgres")),
    routes: [route("0.0.0.0/0", { gateway: "10.0.0.1" })],
    interfaces: [iface("eth0")],
    counters: { Tcp: { RetransSegs: 0n, OutSegs: 0n } },
    ...over,
  });
  s.meta.host.hostname = hostname;
  return s;
}

function write(dir: string, name: string, s: Snapshot): string {
  const path = join(dir, name);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, serializeSnapshot(s, "json"));
  return path;
}

test("--init then check of the same snapshot exits 0; the changed snapshot exits 1", async (t) => {
  const dir = tempDir(t);
  const init = await runMain(["check", "--init", `${EXAMPLES}/before.json`]);
  assert.equal(init.code, 0, init.stderr);
  const policy = join(dir, "policy.yaml");
  writeFileSync(policy, init.stdout);
  const same = await runMain(["check", policy, `${EXAMPLES}/before.json`]);
  assert.equal(same.code, 0, same.stdout + same.stderr);
  assert.match(same.stdout, /^vm: PASS\n {2}7 rules: 7 hold\n/);
  const after = await runMain(["check", policy, `${EXAMPLES}/after.json`]);
  assert.equal(after.code, 1);
  // 8080 moved from 127.0.0.1 to 0.0.0.0: the rule that allowed it on loopback is named.
  assert.match(
    after.stdout,
    /- tcp 0\.0\.0\.0:8080 \(python3, pid 16996, user root\) on every address: not\n {9}allowed; listeners\.allow\[1\] \(line [0-9]+\) would allow it but for its scope\n {9}\(loopback\)/,
  );
  assert.match(
    after.stdout,
    /FAIL .*policy\.yaml:[0-9]+ listeners\.required\[1\]\n[\s\S]*?which is not port\s+8081/,
  );
  assert.equal(after.stderr, "");
});

test("usage and input errors exit 2 with one line", async (t) => {
  const dir = tempDir(t);
  const bad = join(dir, "bad.yaml");
  writeFileSync(bad, "schema: nsnap-policy/v1\nlisteners:\n  deny:\n    - prot: tcp\n");
  const cases: Array<[string[], RegExp]> = [
    [["check"], /^nsnap: Cannot check: no policy file given/],
    [
      ["check", join(dir, "none.yaml"), `${EXAMPLES}/before.json`],
      /^nsnap: Cannot read policy .*none\.yaml: no such file or directory$/m,
    ],
    [
      ["check", bad, `${EXAMPLES}/before.json`],
      /listeners\.deny\[0\]\.prot \(line 4\): unknown key \(known: name, protocol,/,
    ],
    [
      ["check", bad, "--init", `${EXAMPLES}/before.json`],
      /^nsnap: Cannot use --init with a policy file/,
    ],
    [
      ["check", "--init", EXAMPLES],
      /^nsnap: Cannot use --init .*: give one snapshot, not a folder$/m,
    ],
    [
      ["check", "--init", join(dir, "nope.json")],
      /^nsnap: Cannot read snapshot .*nope\.json: no such file or directory$/m,
    ],
    [["check", bad, dir], /^nsnap: Cannot read policy/],
    [
      ["check", "--init", `${EXAMPLES}/before.json`, "--netns", "current"],
      /^nsnap: Cannot use --netns here: it chooses the namespaces of a live capture/,
    ],
    [["check", "--format", "xml", bad], /format/],
  ];
  for (const [argv, re] of cases) {
    const r = await runMain(argv);
    assert.equal(r.code, 2, `${argv.join(" ")}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
    assert.equal(r.stdout, "", "nothing written half-way");
  }
  const empty = join(dir, "empty");
  mkdirSync(empty);
  const ok = join(dir, "ok.yaml");
  writeFileSync(ok, "schema: nsnap-policy/v1\n");
  const r = await runMain(["check", ok, empty]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Cannot check folder .*empty: no snapshot files in it/);
});

test("a folder is one verdict per host, paired with its baseline by path, then by hostname", async (t) => {
  const dir = tempDir(t);
  const T0 = "2026-01-01T00:00:00.000Z", T1 = "2026-01-01T00:01:00.000Z";
  write(dir, "before/web-1.json", hostSnap("web-1", T0));
  write(dir, "before/other-name.json", hostSnap("web-2", T0));
  write(
    dir,
    "after/web-1.json",
    hostSnap("web-1", T1, { counters: { Tcp: { RetransSegs: 500n, OutSegs: 10000n } } }),
  );
  write(
    dir,
    "after/deep/web-2.json",
    hostSnap("web-2", T1, { counters: { Tcp: { RetransSegs: 5n, OutSegs: 10000n } } }),
  );
  write(
    dir,
    "after/db-1.json",
    hostSnap("db-1", T1, { connections: [listen("0.0.0.0", 5432, 2)] }),
  );
  writeFileSync(join(dir, "after/notes.txt"), "not a snapshot");
  const policy = join(dir, "p.yaml");
  writeFileSync(
    policy,
    "schema: nsnap-policy/v1\nlisteners:\n  deny:\n    - port: 5432\n      scope: [private, public]\nrates:\n  - Tcp.RetransSegs <= 1%\n",
  );
  const r = await runMain([
    "check",
    policy,
    join(dir, "after"),
    "--baseline",
    join(dir, "before"),
    "--format",
    "json",
  ]);
  assert.equal(r.code, 1, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.deepEqual(
    doc.hosts.map((
      h: { host: string; verdict: string; baseline?: { file: string } },
    ) => [h.host, h.verdict, h.baseline?.file?.replace(dir, "")]),
    [["db-1", "fail", undefined], ["web-2", "pass", "/before/other-name.json"], [
      "web-1",
      "fail",
      "/before/web-1.json",
    ]],
  );
  assert.deepEqual(doc.hosts[0].warnings, [`no baseline for db-1 in ${join(dir, "before")}`]);
  assert.equal(doc.summary.hostsFailed, 2);
  const text = await runMain([
    "check",
    policy,
    join(dir, "after"),
    "--baseline",
    join(dir, "before"),
  ]);
  assert.match(text.stdout, /^3 hosts: 2 fail, 1 passes \(2 violations, 1 rules not evaluated\)$/m);
  const wrong = await runMain([
    "check",
    policy,
    join(dir, "after"),
    "--baseline",
    join(dir, "before/web-1.json"),
  ]);
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /give a folder of baselines/);
});

test("--format json is the nsnap-check/v1 document: valid against its published schema, read back whole", async (t) => {
  const committed = `${ROOT}schema/nsnap-check-v1.schema.json`;
  assert.equal(
    readFileSync(committed, "utf8"),
    schemaText("check"),
    "regenerate: nsnap schema --check",
  );
  const validate = new Ajv2020({ allErrors: true, strict: true }).compile(
    JSON.parse(readFileSync(committed, "utf8")),
  );
  const dir = tempDir(t);
  const policy = join(dir, "p.yaml");
  writeFileSync(
    policy,
    readFileSync(`${ROOT}tests/check/_fixtures.ts`, "utf8").match(
      /`(schema: nsnap-policy\/v1[\s\S]*?)`;/,
    )![1]!,
  );
  for (const extra of [[], ["--baseline", `${EXAMPLES}/before.json`], ["--strict"]]) {
    const r = await runMain([
      "check",
      policy,
      `${EXAMPLES}/after.json`,
      "--format",
      "json",
      ...extra,
    ]);
    assert.equal(r.code, 1, r.stderr);
    const doc = JSON.parse(r.stdout) as {
      schema: string;
      strict: boolean;
      hosts: Array<{ rules: unknown[] }>;
    };
    assert.ok(validate(doc), JSON.stringify(validate.errors?.slice(0, 3)));
    assert.equal(doc.schema, "nsnap-check/v1");
    assert.equal(doc.strict, extra[0] === "--strict");
    const back = parseCheckDocument(doc);
    assert.equal(back.hosts[0]!.rules.length, doc.hosts[0]!.rules.length);
  }
  const broken = JSON.parse(
    (await runMain(["check", policy, `${EXAMPLES}/after.json`, "--format", "json"])).stdout,
  );
  broken.hosts[0].rules[0].status = "maybe";
  assert.equal(validate(broken), false);
});

test("under GitHub Actions: annotations with the text, on stderr for documents, and a step summary", async (t) => {
  const dir = tempDir(t);
  const summary = join(dir, "summary.md");
  writeFileSync(summary, "earlier step\n");
  const policy = join(dir, "p.yaml");
  writeFileSync(policy, "schema: nsnap-policy/v1\nlisteners:\n  deny:\n    - port: 8080\n");
  const saved = { a: process.env.GITHUB_ACTIONS, s: process.env.GITHUB_STEP_SUMMARY };
  process.env.GITHUB_ACTIONS = "true";
  process.env.GITHUB_STEP_SUMMARY = summary;
  t.after(() => {
    for (const [k, v] of [["GITHUB_ACTIONS", saved.a], ["GITHUB_STEP_SUMMARY", saved.s]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  const text = await runMain(["check", policy, `${EXAMPLES}/after.json`]);
  assert.equal(text.code, 1);
  const annotation = `::error file=${
    policy.replace(/:/g, "%3A").replace(/,/g, "%2C")
  },line=4,title=nsnap check vm%3A listeners.deny[0]::tcp 0.0.0.0:8080 (python3, pid 16996, user root) on every address: denied\n`;
  assert.ok(text.stdout.endsWith(annotation), text.stdout);
  const json = await runMain(["check", policy, `${EXAMPLES}/after.json`, "--format", "json"]);
  JSON.parse(json.stdout);
  assert.equal(json.stderr, annotation);
  const gh = await runMain(["check", policy, `${EXAMPLES}/after.json`, "--format", "github"]);
  assert.equal(gh.stdout, annotation);
  const md = readFileSync(summary, "utf8");
  assert.ok(md.startsWith("earlier step\n## nsnap check "), md);
  assert.equal(md.split("## nsnap check").length - 1, 3, "one summary per run");
  assert.match(md, /\| FAIL \| `listeners\.deny\[0\]` \|/);
  // Outside GitHub Actions: no annotations, no summary.
  delete process.env.GITHUB_ACTIONS;
  const plain = await runMain(["check", policy, `${EXAMPLES}/after.json`]);
  assert.doesNotMatch(plain.stdout, /^::/m);
  assert.equal(readFileSync(summary, "utf8"), md);
});

test("diff --fail-on takes thresholds in the same language, from flags and from --config", async (t) => {
  const dir = tempDir(t);
  const T0 = "2026-01-01T00:00:00.000Z", T1 = "2026-01-01T00:01:40.000Z";
  const a = write(
    dir,
    "a.json",
    hostSnap("web-1", T0, {
      counters: { Tcp: { RetransSegs: 0n, OutSegs: 0n }, TcpExt: { ListenOverflows: 7n } },
    }),
  );
  const b = write(
    dir,
    "b.json",
    hostSnap("web-1", T1, {
      counters: { Tcp: { RetransSegs: 200n, OutSegs: 10000n }, TcpExt: { ListenOverflows: 7n } },
    }),
  );
  const run = (...argv: string[]) => runMain(["diff", a, b, ...argv]);
  const over = await run("--fail-on", "counter:Tcp.RetransSegs>1%");
  assert.equal(over.code, 1);
  assert.equal(
    over.stderr,
    "nsnap: --fail-on counter:Tcp.RetransSegs>1%: Tcp.RetransSegs is 2.00% (+200 of +10,000 Tcp.OutSegs)\n",
  );
  assert.equal((await run("--fail-on", "counter:Tcp.RetransSegs>2%")).code, 0);
  assert.equal((await run("--fail-on", "Tcp.RetransSegs>1/s")).code, 1);
  assert.equal((await run("--fail-on", "Tcp.RetransSegs>2/s")).code, 0);
  assert.equal((await run("--fail-on", "TcpExt.ListenOverflows>0,route-added")).code, 0);
  const missing = await run("--fail-on", "TcpExt.ListenDrops>0");
  assert.equal(missing.code, 0);
  assert.match(
    missing.stderr,
    /warning: --fail-on TcpExt\.ListenDrops>0 not evaluated: TcpExt\.ListenDrops is not in either snapshot/,
  );
  const bad = await run("--fail-on", "Tcp.RetransSegs>>1%");
  assert.equal(bad.code, 2);
  assert.match(
    bad.stderr,
    /^nsnap: Cannot use --fail-on "Tcp\.RetransSegs>>1%": expected a number after >, got ">1%" \(column 17\)\n$/,
  );
  const unknown = await run("--fail-on", "listener-exploded");
  assert.match(
    unknown.stderr,
    /unknown change kind .*; or a threshold such as counter:Tcp\.RetransSegs>1%\)/,
  );
  const only = await run("--only", "listeners", "--fail-on", "interface eth0 rxDropped>0");
  assert.equal(only.code, 2);
  assert.match(
    only.stderr,
    /Cannot use --fail-on "interface eth0 rxDropped>0" with --only listeners: it measures interfaces/,
  );
  const config = join(dir, "gate.yaml");
  writeFileSync(config, 'fail-on: [listener-opened, "Tcp.RetransSegs > 1%"]\n');
  assert.equal((await run("--config", config)).code, 1);
  writeFileSync(config, 'fail-on: ["Tcp.RetransSegs > 1"]\nonly: [routes]\n');
  const conflict = await run("--config", config);
  assert.equal(conflict.code, 2, conflict.stderr);
});

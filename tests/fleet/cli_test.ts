/**
 * `nsnap diff BEFORE_DIR AFTER_DIR`, `nsnap show DIR` and `nsnap port N DIR` in-process, on
 * fixture folders made from the example snapshots (snapshots/examples/) with the hostname and
 * machine id of each host edited in: web-1 and db-1 unchanged, web-2 deployed (the examples'
 * after), web-9 only before, web-41 only after. Two layouts: nsnap's playbook
 * (`<phase>/<host>.json`) and Ansible's fetch (`<phase>/<host>/tmp/nsnap.<ext>`, mixed formats).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { Ajv2020 } from "ajv/dist/2020.js";
import { stringify as yamlStringify } from "yaml";
import { diffSnapshots } from "../../src/diff/mod.ts";
import { plainDiff } from "../../src/render/diff_json.ts";
import { ROOT } from "../helpers/cli.ts";
import { runMain } from "../helpers/main.ts";
import { serializeSnapshot } from "../../src/snapshot/serialize.ts";
import { normalizeSnapshot } from "../../src/snapshot/normalize.ts";
import { namespacedPair } from "../diff/_namespaces.ts";

const EXAMPLES = `${ROOT}snapshots/examples/`;
const BEFORE = JSON.parse(readFileSync(`${EXAMPLES}before.json`, "utf8"));
const AFTER = JSON.parse(readFileSync(`${EXAMPLES}after.json`, "utf8"));
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(
  JSON.parse(readFileSync(`${ROOT}schema/nsnap-fleet-diff-v1.schema.json`, "utf8")),
);

const HOSTS: Record<string, { before?: unknown; after?: unknown; id: string }> = {
  "web-1": { before: BEFORE, after: BEFORE, id: "1" },
  "web-2": { before: BEFORE, after: AFTER, id: "2" },
  "db-1": { before: BEFORE, after: BEFORE, id: "3" },
  "web-9": { before: BEFORE, id: "9" },
  "web-41": { after: AFTER, id: "4" },
};

type Layout = (host: string, i: number) => string;
const PLAYBOOK: Layout = (h) => `${h}.json`;
const FETCH: Layout = (h, i) => `${h}/tmp/nsnap.${["json", "yaml", "json.gz"][i % 3]}`;

/** Writes a snapshot (an edited copy of an example) in the format its name says. */
function put(file: string, doc: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  const text = /\.ya?ml/.test(file) ? yamlStringify(doc) : JSON.stringify(doc, null, 1);
  writeFileSync(file, file.endsWith(".gz") ? gzipSync(text) : text);
}

function hostDoc(src: unknown, host: string, id: string, phase: string): unknown {
  const d = structuredClone(src) as {
    meta: { host: Record<string, unknown>; capturedAt: string; labels: Record<string, string> };
  };
  d.meta.host.hostname = host;
  d.meta.host.machineId = id.padStart(32, "0");
  d.meta.labels = { phase, inventory_hostname: host };
  // Every after-snapshot at the after time: an unchanged host only has moved counters.
  if (phase === "after") d.meta.capturedAt = AFTER.meta.capturedAt;
  return d;
}

/** Makes BEFORE and AFTER folders in `layout` under a temporary root. */
function fleet(layout: Layout, edit: (root: string) => void = () => {}): string {
  const root = mkdtempSync(join(tmpdir(), "nsnap-fleet-"));
  Object.entries(HOSTS).forEach(([host, h], i) => {
    for (const phase of ["before", "after"] as const) {
      const src = h[phase];
      if (src !== undefined) {
        put(join(root, phase, layout(host, i)), hostDoc(src, host, h.id, phase));
      }
    }
  });
  edit(root);
  return root;
}

async function withFleet(
  layout: Layout,
  fn: (root: string) => Promise<void>,
  edit?: (root: string) => void,
): Promise<void> {
  const root = fleet(layout, edit);
  try {
    await fn(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const diff = (root: string, ...args: string[]) =>
  runMain(["diff", join(root, "before"), join(root, "after"), ...args]);

test("the text report rolls up, names the changed host, lists the unpaired ones, fits 80 columns", async () => {
  await withFleet(PLAYBOOK, async (root) => {
    const r = await diff(root);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split("\n");
    assert.equal(
      lines[0],
      "3 hosts paired: 1 host changed, 45 changes (2 notable), 10 outliers; 1 vanished,",
    );
    for (const l of lines) assert.ok([...l].length <= 80, `over 80 columns: ${l}`);
    const text = r.stdout.replace(/\n {6}/g, " ");
    assert.match(
      text,
      /Vanished: in before only \(1\)\n {2}- web-9 {2}\S+\/before\/web-9\.json, captured 2026-11-25T15:24:56\.870Z/,
    );
    assert.match(text, /Appeared: in after only \(1\)\n {2}\+ web-41 {2}\S+\/after\/web-41\.json/);
    assert.match(text, /Outliers: seen on at most 1 of 3 hosts\n/);
    assert.match(
      text,
      /\n {2}! listener-opened tcp 0\.0\.0\.0:9200 \(python3\) on 1 of 3 hosts: web-2\n/,
    );
    assert.match(
      text,
      /\n {2}! listener-exposure-changed tcp port 8080 \(python3\) widened from 127\.0\.0\.1 to 0\.0\.0\.0 on 1 of 3 hosts: web-2\n/,
    );
    assert.match(
      r.stdout,
      /\nHosts \(3 paired\)\n {2}web-2 {2}45 changes: 3 listeners, 2 sessions, 4 routes, 4 interfaces, 32\n {4}counters \(2 notable\)\n {2}no changes on 2 hosts: db-1, web-1\n$/,
    );
    assert.match(
      r.stdout,
      /\n {2}counter {20}hosts {2}total {5}min {2}median {5}max {2}max on\n {4}Icmp6\.OutMLDv2Reports {6}1\/3 {5}\+1 {4}0\.24/,
    );
  });
});

test("--fail-on is one exit code for the fleet; host-vanished and host-appeared gate too", async () => {
  await withFleet(PLAYBOOK, async (root) => {
    for (
      const [failOn, code] of [
        ["listener-opened", 1],
        ["route-changed", 0],
        ["host-vanished", 1],
        ["host-appeared,route-changed", 1],
        ["outlier", 1],
        ["listener-owner-changed", 0],
      ] as const
    ) {
      const r = await diff(root, "--fail-on", failOn);
      assert.equal(r.code, code, `${failOn}: ${r.stderr}`);
    }
    const r = await diff(root, "--fail-on", "listener-opened", "--format", "json");
    assert.deepEqual(JSON.parse(r.stdout).gate, {
      failOn: ["listener-opened"],
      tripped: true,
      hosts: ["web-2"],
      kinds: ["listener-opened"],
    });
    const text = await diff(root, "--fail-on", "listener-opened");
    assert.match(
      text.stdout,
      /\n {2}--fail-on listener-opened: tripped by listener-opened on 1 host\n/,
    );
    for (const kind of ["host-vanished", "outlier"]) {
      const files = await runMain([
        "diff",
        `${EXAMPLES}before.json`,
        `${EXAMPLES}after.json`,
        "--fail-on",
        kind,
      ]);
      assert.equal(files.code, 2);
      assert.match(
        files.stderr,
        new RegExp(`^nsnap: Cannot use --fail-on ${kind}: it is a kind of folder diffs`),
      );
    }
  });
});

test("the JSON document validates, keeps every host's full diff, and both layouts give the same", async () => {
  let first: { rollup: unknown; tallies: unknown; summary: unknown } | undefined;
  for (const layout of [PLAYBOOK, FETCH]) {
    await withFleet(layout, async (root) => {
      const r = await diff(root, "--format", "json");
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout);
      assert.ok(validate(JSON.parse(r.stdout)), JSON.stringify(validate.errors?.slice(0, 3)));
      assert.deepEqual(doc.hosts.map((h: { name: string }) => h.name), ["db-1", "web-1", "web-2"]);
      assert.deepEqual(doc.vanished.map((h: { name: string }) => h.name), ["web-9"]);
      assert.deepEqual(doc.appeared.map((h: { name: string }) => h.name), ["web-41"]);
      assert.ok(doc.hosts.every((h: { pairedBy: string }) => h.pairedBy === "machine-id"));
      // web-2's embedded diff is the diff of its two snapshots, whole.
      const web2 = doc.hosts.find((h: { name: string }) => h.name === "web-2");
      const single = await runMain(["diff", web2.before.file, web2.after.file, "--format", "json"]);
      assert.deepEqual(web2.diff, JSON.parse(single.stdout));
      const fromEngine = diffSnapshots(
        hostDoc(BEFORE, "web-2", "2", "before") as never,
        hostDoc(AFTER, "web-2", "2", "after") as never,
        { beforeFile: web2.before.file, afterFile: web2.after.file },
      );
      assert.deepEqual(web2.diff.changes, plainDiff(fromEngine.changes));
      const same = { rollup: doc.rollup, tallies: doc.tallies, summary: doc.summary };
      if (first) assert.deepEqual(same, first, "the fetch layout rolls up as the playbook's");
      first = same;
    });
  }
});

test("--format yaml is the same document; --format markdown is a fleet report", async () => {
  await withFleet(FETCH, async (root) => {
    const j = await diff(root, "--format", "json");
    const y = await diff(root, "--format", "yaml");
    const { parse } = await import("yaml");
    assert.deepEqual(parse(y.stdout), JSON.parse(j.stdout));
    const md = await diff(root, "--format", "markdown", "--fail-on", "listener-opened");
    assert.equal(md.code, 1);
    assert.match(md.stdout, /^## nsnap fleet diff\n\n\*\*3 hosts paired: /);
    assert.match(
      md.stdout,
      /\n\| ! \| `listener-opened` \| tcp 0\.0\.0\.0:9200 \(python3\) \| on 1 of 3 hosts: web-2 \|\n/,
    );
    assert.match(
      md.stdout,
      /### Vanished: in before only \(1\)\n\n\| Host \| Snapshot \| Captured \|/,
    );
    assert.match(
      md.stdout,
      /\n\| web-2 \| 45 changes: 3 listeners, 2 sessions, 4 routes, 4 interfaces, 32 counters \(2 notable\) \| machine id \|\n/,
    );
  });
});

test("two snapshots of one host in one folder: exit 2 naming both, nothing on stdout", async () => {
  await withFleet(PLAYBOOK, async (root) => {
    const r = await diff(root);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    const lines = r.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, r.stderr);
    assert.match(
      lines[0]!,
      /^nsnap: Cannot pair the fleet's snapshots: \S+\/after\/old\/web-1\.json and \S+\/after\/web-1\.json are the same host \(same machine id 0{31}1\)/,
    );
  }, (root) => {
    mkdirSync(join(root, "after", "old"));
    copyFileSync(join(root, "after", "web-1.json"), join(root, "after", "old", "web-1.json"));
  });
});

test("a bad snapshot anywhere in the fleet: exit 2 naming it, nothing written", async () => {
  for (const format of ["text", "json"]) {
    await withFleet(PLAYBOOK, async (root) => {
      const r = await diff(root, "--format", format);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, "");
      assert.match(
        r.stderr,
        /^nsnap: Cannot read snapshot \S+\/web-2\.json: connections\[1\]\.localPort: expected integer, got "ssh"\n$/,
      );
    }, (root) => {
      const file = join(root, "after", "web-2.json");
      writeFileSync(
        file,
        readFileSync(file, "utf8").replace(/"localPort": ?9100/, '"localPort": "ssh"'),
      );
    });
  }
});

test("folders as operands: a folder with a file, an empty folder, fleet options on files", async () => {
  await withFleet(PLAYBOOK, async (root) => {
    const mixed = await runMain(["diff", join(root, "before"), `${EXAMPLES}after.json`]);
    assert.equal(mixed.code, 2);
    assert.match(
      mixed.stderr,
      /^nsnap: Cannot diff folder \S+before with file \S+after\.json: give two folders/,
    );
    const live = await runMain(["diff", join(root, "before"), "live"]);
    assert.match(live.stderr, /Cannot diff folder \S+ with live/);
    mkdirSync(join(root, "empty"));
    writeFileSync(join(root, "empty", "notes.txt"), "not a snapshot\n");
    const empty = await runMain(["diff", join(root, "before"), join(root, "empty")]);
    assert.equal(empty.code, 2);
    assert.match(
      empty.stderr,
      /^nsnap: Cannot read folder \S+empty: no snapshots in it \(\*\.json, \*\.yaml/,
    );
    const opt = await runMain([
      "diff",
      `${EXAMPLES}before.json`,
      `${EXAMPLES}after.json`,
      "--pair-by",
      "path",
    ]);
    assert.equal(opt.code, 2);
    assert.match(opt.stderr, /Cannot use --pair-by or --outlier-share: they apply to folders/);
    const share = await diff(root, "--outlier-share", "150%");
    assert.equal(share.code, 2);
    assert.match(share.stderr, /Cannot use --outlier-share "150%": expected a share from 0 to 1/);
  });
});

test("--outlier-share 0 flags nothing; --pair-by path pairs the playbook layout by file name", async () => {
  await withFleet(PLAYBOOK, async (root) => {
    const none = JSON.parse((await diff(root, "--outlier-share", "0", "--format", "json")).stdout);
    // max(1, floor(0 × 3)) is still one host: the threshold never goes below one.
    assert.equal(none.outlierMaxHosts, 1);
    const wide = JSON.parse(
      (await diff(root, "--outlier-share", "40%", "--format", "json")).stdout,
    );
    assert.equal(wide.outlierShare, 0.4);
    const byPath = JSON.parse((await diff(root, "--pair-by", "path", "--format", "json")).stdout);
    assert.equal(byPath.pairBy, "path");
    assert.ok(byPath.hosts.every((h: { pairedBy: string }) => h.pairedBy === "path"));
    const byLabel = JSON.parse(
      (await diff(root, "--pair-by", "label:inventory_hostname", "--format", "json")).stdout,
    );
    assert.deepEqual(byLabel.hosts.map((h: { name: string }) => h.name), [
      "db-1",
      "web-1",
      "web-2",
    ]);
  });
});

test("hostile hostnames are escaped in text and Markdown, exact in JSON", async () => {
  const evil = "web-2\x1b]0;pwned\x07\u202e";
  await withFleet(PLAYBOOK, async (root) => {
    const t = await diff(root);
    assert.ok(!t.stdout.includes("\x1b") && !t.stdout.includes("\u202e"), t.stdout);
    assert.ok(t.stdout.includes("web-2\\x1b]0;pwned\\x07\\u{202e}"));
    const md = await diff(root, "--format", "markdown");
    assert.ok(!md.stdout.includes("\x1b"));
    const j = JSON.parse((await diff(root, "--format", "json")).stdout);
    assert.ok(j.hosts.some((h: { name: string }) => h.name === evil));
  }, (root) => {
    for (const phase of ["before", "after"]) {
      const file = join(root, phase, "web-2.json");
      const d = JSON.parse(readFileSync(file, "utf8"));
      d.meta.host.hostname = evil;
      writeFileSync(file, JSON.stringify(d));
    }
  });
});

test("`nsnap show DIR` gives one block per host, in natural order", async () => {
  await withFleet(FETCH, async (root) => {
    const r = await runMain(["show", "-tl", join(root, "after")]);
    assert.equal(r.code, 0, r.stderr);
    const heads = r.stdout.split("\n").filter((l) => l.startsWith("== "));
    assert.deepEqual(heads.map((h) => h.split(" ")[1]), ["db-1", "web-1", "web-2", "web-41"]);
    const web2 = r.stdout.split("== ").find((b) => b.startsWith("web-2 "))!;
    assert.match(web2, /tcp +0 +0 0\.0\.0\.0:9200 +0\.0\.0\.0:\* +LISTEN 16997\/python3\n/);
    const j = JSON.parse(
      (await runMain(["show", "-tl", join(root, "after"), "--format", "json"])).stdout,
    );
    assert.deepEqual(j.map((h: { host: string }) => h.host), ["db-1", "web-1", "web-2", "web-41"]);
    assert.ok(j[2].records.some((c: { localPort: number }) => c.localPort === 9200));
  });
});

test("`nsnap port N DIR` answers who holds the port across the fleet, hosts with nothing named", async () => {
  await withFleet(PLAYBOOK, async (root) => {
    const r = await runMain(["port", "9200", join(root, "after")]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      "Host   Proto Local Address Foreign Address State  User PID/Program\n" +
        "web-2  tcp   0.0.0.0:9200  0.0.0.0:*       LISTEN root 16997/python3\n" +
        "web-41 tcp   0.0.0.0:9200  0.0.0.0:*       LISTEN root 16997/python3\n" +
        "\nnothing is using port 9200 on 2 hosts: db-1, web-1\n",
    );
    const none = await runMain(["port", "5432", join(root, "after")]);
    assert.equal(none.code, 1);
    assert.equal(
      none.stdout,
      "nothing is using port 5432 on 4 hosts: db-1, web-1, web-2, web-41\n",
    );
    const j = JSON.parse(
      (await runMain(["port", "9200", join(root, "after"), "--format", "json"])).stdout,
    );
    assert.deepEqual(
      j.map((h: { host: string; sockets: unknown[] }) => [h.host, h.sockets.length]),
      [
        ["db-1", 0],
        ["web-1", 0],
        ["web-2", 1],
        ["web-41", 1],
      ],
    );
  });
});

test("`nsnap port N DIR` names each socket's namespace and a container listener's exposure", async () => {
  const root = mkdtempSync(join(tmpdir(), "nsnap-fleet-ns-"));
  try {
    const [before, after] = namespacedPair();
    for (const [host, s] of [["docker-1", before], ["docker-2", after]] as const) {
      s.meta.host.hostname = host;
      writeFileSync(join(root, `${host}.json`), serializeSnapshot(normalizeSnapshot(s), "json"));
    }
    const r = await runMain(["port", "80", root]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      // 80 columns: the namespace is shortened while it stays distinct; its line says it whole.
      "Host     Namespace    Proto Local Address Foreign Address State  User PID/Program\n" +
        "docker-1 container w… tcp   0.0.0.0:80    0.0.0.0:*       LISTEN 0    100/httpd\n" +
        "docker-2 container n… tcp   0.0.0.0:80    0.0.0.0:*       LISTEN 0    400/httpd\n" +
        "docker-2 container w… tcp   0.0.0.0:80    0.0.0.0:*       LISTEN 0    300/httpd\n" +
        "  docker-1: container web tcp 0.0.0.0:80: published on host 127.0.0.1:8080\n" +
        "  docker-2: container new tcp 0.0.0.0:80: published on host 0.0.0.0:8081\n" +
        "  docker-2: container web tcp 0.0.0.0:80: published on host 0.0.0.0:8080,\n" +
        "    [::]:8080\n",
    );
    // The host's own sockets say so once the snapshot has namespaces; without any, the table
    // keeps its columns (the test above).
    const ssh = await runMain(["port", "22", root]);
    assert.match(ssh.stdout, /^Host {5}Namespace Proto/);
    assert.match(ssh.stdout, /\ndocker-1 host {6}tcp/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("a fleet of one host reads in the singular: one snapshot, the only host", async () => {
  await withFleet(PLAYBOOK, async (root) => {
    for (const side of ["before", "after"]) {
      for (const h of ["web-1", "db-1", "web-9", "web-41"]) {
        rmSync(join(root, side, `${h}.json`), { force: true });
      }
    }
    const r = await diff(root);
    assert.equal(r.code, 0, r.stderr);
    const text = r.stdout.replace(/\n {6}/g, " ");
    assert.match(text, /\n {2}before {2}\S+ \(1 snapshot\)\n {2}after {3}\S+ \(1 snapshot\)\n/);
    assert.match(text, /listener-opened tcp 0\.0\.0\.0:9200 \(python3\) on the only host, web-2\n/);
    assert.doesNotMatch(text, /\b1 (snapshots|hosts)\b|the 1 host/);
    const md = await diff(root, "--format", "markdown");
    assert.match(md.stdout, /\(1 snapshot\) → \S+ \(1 snapshot\)/);
  });
});

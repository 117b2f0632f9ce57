/**
 * The single executable, end to end: `dist/nsnap` (built by `deno task build` when missing) is
 * copied away from the repository and run with an empty environment (`env -i PATH=/usr/bin:/bin`):
 * no Deno, Bun, Node or node_modules can help it. It captures inside a network namespace, diffs,
 * shows, answers `port`, prints its schema, version, help and completions, and refuses what it
 * should with exit 2.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BinaryRun, copyBinary, PACKAGE_JSON, runBare } from "../../helpers/binary.ts";
import { canUseNetns, holdSockets, withNetns } from "../../helpers/netns.ts";
import { FIXTURES } from "../../helpers/fixtures.ts";

const bare = runBare;

function noStack(r: BinaryRun): void {
  assert.doesNotMatch(r.stderr, /\n\s+at /, "a stack trace was printed");
}

test("the binary answers --version, --help and every command's --help without any runtime", () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-bin-"));
  try {
    const bin = copyBinary(dir);
    const v = bare(bin, ["--version"], [], dir);
    assert.equal(v.code, 0, v.stderr);
    assert.equal(v.stdout.trim(), PACKAGE_JSON.version);
    const h = bare(bin, ["--help"], [], dir);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /Examples:/);
    for (const cmd of ["capture", "diff", "show", "port", "import", "schema", "completions"]) {
      const c = bare(bin, [cmd, "--help"], [], dir);
      assert.equal(c.code, 0, `${cmd} --help: ${c.stderr}`);
      assert.match(c.stdout, new RegExp(`Usage: nsnap ${cmd}`));
    }
    const schema = bare(bin, ["schema"], [], dir);
    assert.equal(schema.code, 0);
    assert.equal(JSON.parse(schema.stdout).$id, "urn:nsnap:schema:nsnap-v1");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the binary exits 2 with one line on an unknown command, option or bad operand", () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-bin-"));
  try {
    const bin = copyBinary(dir);
    for (
      const args of [
        ["frobnicate"],
        ["capture", "--no-such-option"],
        ["port", "70000", "x.json"],
        ["show", join(dir, "missing.json")],
        ["diff", "--fail-on", "no-such-kind", "a", "b"],
      ]
    ) {
      const r = bare(bin, args, [], dir);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
      assert.equal(r.stderr.trim().split("\n").length, 1, `${args.join(" ")}: ${r.stderr}`);
      noStack(r);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the binary prints completion scripts that their shells accept", () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-bin-"));
  try {
    const bin = copyBinary(dir);
    const bash = bare(bin, ["completions", "bash"], [], dir);
    assert.equal(bash.code, 0);
    const check = spawnSync("bash", ["-n"], { input: bash.stdout, encoding: "utf8" });
    assert.equal(check.status, 0, check.stderr);
    assert.match(bash.stdout, /complete -o filenames -F _nsnap nsnap/);
    for (const shell of ["zsh", "fish"]) {
      const r = bare(bin, ["completions", shell], [], dir);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /nsnap/);
    }
    const zsh = spawnSync("zsh", ["-n"], { input: bare(bin, ["completions", "zsh"]).stdout });
    if (!zsh.error) assert.equal(zsh.status, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the binary imports saved outputs in an empty environment", () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-bin-"));
  try {
    const bin = copyBinary(dir);
    const r = bare(
      bin,
      [
        "import",
        FIXTURES + "linux/ss-tulpen/jc-ubuntu-18.04.txt",
        FIXTURES + "linux/ip-route/jc-centos-7.7.txt",
        "-o",
        join(dir, "imported.json"),
      ],
      [],
      dir,
    );
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(readFileSync(join(dir, "imported.json"), "utf8"));
    assert.equal(doc.meta.source.kind, "import");
    assert.ok(doc.connections.length > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test(
  "the binary captures, diffs, shows and finds a port inside a namespace, with an empty environment",
  {
    skip: !canUseNetns() && "needs root and iproute2",
  },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "nsnap-bin-"));
    try {
      const bin = copyBinary(dir);
      await withNetns("bin", async (ns) => {
        const first = await holdSockets(ns, ["listen:127.0.0.1:7301"]);
        const a = bare(bin, ["capture", "-o", join(dir, "a.json")], ns.wrap, dir);
        assert.equal(a.code, 0, a.stderr);
        assert.equal(a.stdout.trim(), join(dir, "a.json"));
        const snapA = JSON.parse(readFileSync(join(dir, "a.json"), "utf8"));
        assert.equal(snapA.meta.sections.routes.status, "ok", JSON.stringify(snapA.meta.sections));
        assert.match(snapA.meta.tool.runtime, /^bun /);

        const second = await holdSockets(ns, ["listen:0.0.0.0:7302", "connect:127.0.0.1:7301:2"]);
        ns.ip("route", "add", "unreachable", "10.99.0.0/16");
        const b = bare(bin, ["capture", "-o", join(dir, "b.yaml.gz")], ns.wrap, dir);
        assert.equal(b.code, 0, b.stderr);

        const diff = bare(
          bin,
          [
            "diff",
            join(dir, "a.json"),
            join(dir, "b.yaml.gz"),
            "--fail-on",
            "listener-opened",
          ],
          [],
          dir,
        );
        assert.equal(diff.code, 1, diff.stderr);
        assert.match(diff.stdout, /listener-opened\s+tcp 0\.0\.0\.0:7302/);
        assert.match(diff.stdout, /route-added\s+route added: IPv4 unreachable 10\.99\.0\.0\/16/);
        assert.match(diff.stdout, /session-opened/);
        const quiet = bare(
          bin,
          ["diff", join(dir, "a.json"), join(dir, "a.json"), "--fail-on", "listener-opened"],
          [],
          dir,
        );
        assert.equal(quiet.code, 0, quiet.stderr);

        const show = bare(bin, ["show", "-tln", join(dir, "b.yaml.gz")], [], dir);
        assert.equal(show.code, 0, show.stderr);
        assert.match(show.stdout, new RegExp(`127\\.0\\.0\\.1:7301 .*LISTEN\\s+${first.pid}/`));
        assert.match(show.stdout, new RegExp(`0\\.0\\.0\\.0:7302 .*LISTEN\\s+${second.pid}/`));

        const port = bare(bin, ["port", "7301", join(dir, "b.yaml.gz")], [], dir);
        assert.equal(port.code, 0, port.stderr);
        assert.match(port.stdout, new RegExp(`pid ${first.pid}:`));
        assert.match(port.stdout, new RegExp(`pid ${second.pid}:`));
        const live = bare(bin, ["port", "7302"], ns.wrap, dir);
        assert.equal(live.code, 0, live.stderr);
        assert.match(live.stdout, new RegExp(`${second.pid}/`));
        const none = bare(bin, ["port", "7399", join(dir, "b.yaml.gz")], [], dir);
        assert.equal(none.code, 1);
        assert.match(none.stdout, /nothing is using port 7399/);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

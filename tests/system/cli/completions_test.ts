/**
 * The completion scripts offer the real values, tried in the real shells: bash runs the script
 * `nsnap completions bash` prints and answers for a command line as it would at a TAB; fish
 * answers with `complete -C`; zsh's script is checked for syntax (its completion system needs a
 * terminal). The values are the diff's change kinds (and `notable`), its sections, the socket
 * states, the output formats and the shells.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../helpers/cli.ts";
import { ALL_KINDS, DIFF_SECTIONS } from "../../../src/diff/kinds.ts";

const has = (program: string) =>
  spawnSync("sh", ["-c", `command -v ${program}`], { encoding: "utf8" }).status === 0;

/** The script the CLI prints for a shell, written to a temporary file. */
function script(shell: string, dir: string): string {
  const r = runCli(["completions", shell]);
  assert.equal(r.code, 0, r.stderr);
  const path = join(dir, `nsnap.${shell}`);
  writeFileSync(path, r.stdout);
  return path;
}

/** What bash offers at a TAB after `line` (the last word is the one being completed). */
function bashComplete(file: string, line: string): string[] {
  const words = line.split(" ");
  const program = [
    `source ${JSON.stringify(file)}`,
    `COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")})`,
    `COMP_CWORD=${words.length - 1}`,
    `COMP_LINE='${line}'`,
    `COMP_POINT=${line.length}`,
    "_nsnap",
    `printf '%s\\n' "\${COMPREPLY[@]}"`,
  ].join("\n");
  const r = spawnSync("bash", ["--norc", "-c", program], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split("\n").filter((l) => l !== "").sort();
}

test("bash completes --fail-on with the real change kinds, item by item in a comma list", () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-compl-"));
  try {
    const file = script("bash", dir);
    assert.deepEqual(bashComplete(file, "nsnap diff a.json b.json --fail-on listener-o"), [
      "listener-opened",
      "listener-owner-changed",
    ]);
    // Every kind of the diff schema is offered, and notable; nothing else.
    assert.deepEqual(
      bashComplete(file, "nsnap diff a b --fail-on "),
      [...ALL_KINDS, "notable"].sort(),
    );
    assert.deepEqual(bashComplete(file, "nsnap diff a b --fail-on listener-opened,route-"), [
      "listener-opened,route-added",
      "listener-opened,route-changed",
      "listener-opened,route-removed",
    ]);
    // --fail-on=value: bash hands the words over as --fail-on, = and the value.
    assert.deepEqual(bashComplete(file, "nsnap diff a b --fail-on = not"), ["notable"]);
    assert.deepEqual(bashComplete(file, "nsnap diff a b --only "), [...DIFF_SECTIONS].sort());
    assert.deepEqual(bashComplete(file, "nsnap diff a b --only routes,co"), [
      "routes,counters",
    ]);
    assert.deepEqual(bashComplete(file, "nsnap diff a b --format m"), ["markdown"]);
    assert.deepEqual(bashComplete(file, "nsnap show --state est"), ["established"]);
    assert.deepEqual(bashComplete(file, "nsnap show -ta --state time_wait,close"), [
      "time_wait,close",
      "time_wait,close_wait",
    ]);
    assert.deepEqual(bashComplete(file, "nsnap show --format "), ["json", "text"]);
    assert.deepEqual(bashComplete(file, "nsnap completions "), ["bash", "fish", "zsh"]);
    assert.deepEqual(bashComplete(file, "nsnap completions f"), ["fish"]);
    assert.deepEqual(bashComplete(file, "nsnap sh"), ["show"]);
    assert.ok(bashComplete(file, "nsnap show -").includes("-4"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("every value bash offers for --fail-on, --only and --state is accepted by nsnap", () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-compl-"));
  try {
    const file = script("bash", dir);
    const snap = new URL("../../../snapshots/examples/before.json", import.meta.url).pathname;
    const kinds = bashComplete(file, "nsnap diff a b --fail-on ");
    const d = runCli(["diff", snap, snap, "--fail-on", kinds.join(","), "--format", "json"]);
    assert.equal(d.code, 0, d.stderr);
    const only = bashComplete(file, "nsnap diff a b --only ");
    assert.equal(runCli(["diff", snap, snap, "--only", only.join(",")]).code, 0);
    const states = bashComplete(file, "nsnap show --state ");
    const s = runCli(["show", snap, "--state", states.join(","), "--format", "json"]);
    assert.equal(s.code, 0, s.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("fish completes the same values (complete -C)", {
  skip: has("fish") ? false : "fish is not installed",
}, () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-compl-"));
  try {
    const file = script("fish", dir);
    const fish = (line: string) => {
      const r = spawnSync("fish", ["--no-config", "-c", `source ${file}; complete -C '${line}'`], {
        encoding: "utf8",
      });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.split("\n").filter((l) => l !== "").map((l) => l.split("\t")[0]!).sort();
    };
    assert.deepEqual(fish("nsnap diff a b --fail-on listener-o"), [
      "listener-opened",
      "listener-owner-changed",
    ]);
    assert.deepEqual(fish("nsnap diff a b --fail-on listener-opened,route-a"), [
      "listener-opened,route-added",
    ]);
    assert.deepEqual(fish("nsnap show --state est"), ["established"]);
    assert.deepEqual(fish("nsnap completions "), ["bash", "fish", "zsh"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the zsh script parses and lists the kinds for --fail-on", {
  skip: has("zsh") ? false : "zsh is not installed",
}, () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-compl-"));
  try {
    const file = script("zsh", dir);
    const r = spawnSync("zsh", ["-n", file], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const text = runCli(["completions", "zsh"]).stdout;
    assert.match(text, /--fail-on'\[.*\]:value:_values -s , value [a-z- ]*listener-opened/);
    assert.match(text, /'1:shell:\(bash zsh fish\)'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

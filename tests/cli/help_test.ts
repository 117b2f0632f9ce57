import { test } from "node:test";
import assert from "node:assert/strict";
import { buildProgram } from "../../src/cli/main.ts";
import { termList } from "../../src/cli/help.ts";
import { runMain } from "../helpers/main.ts";

async function helpOf(name: string): Promise<string> {
  const program = await buildProgram({ exitCode: 0 });
  const cmd = program.commands.find((c) => c.name() === name);
  assert.ok(cmd, `no command ${name}`);
  return cmd.helpInformation();
}

test("`capture --help` and `import --help` show no empty default for --label", async () => {
  for (const name of ["capture", "import"]) {
    const help = await helpOf(name);
    assert.match(help, /--label <key=value>/);
    assert.doesNotMatch(help, /default: \{\}/, `${name} --help`);
  }
});

test("every --help, with its notes and examples, fits in 80 columns", async () => {
  const names = ["", "capture", "diff", "show", "port", "import", "schema", "completions"];
  for (const name of names) {
    const r = await runMain(name === "" ? ["--help"] : [name, "--help"]);
    assert.equal(r.code, 0, r.stderr);
    for (const line of r.stdout.split("\n")) {
      assert.ok(line.length <= 80, `nsnap ${name} --help: ${line.length} columns: ${line}`);
    }
  }
});

test("termList() wraps descriptions under themselves", () => {
  const text = termList(
    [["short", "a b c"], ["a-much-longer-term", "word ".repeat(30).trim()]],
    40,
  );
  const lines = text.split("\n");
  assert.ok(lines.every((l) => l.length <= 40), text);
  assert.match(lines[0]!, /^ {2}short {15}a b c$/);
  assert.ok(lines.slice(2).every((l) => l.startsWith(" ".repeat(22))), text);
});

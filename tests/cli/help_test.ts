import { test } from "node:test";
import assert from "node:assert/strict";
import { buildProgram } from "../../src/cli/main.ts";

function helpOf(name: string): string {
  const program = buildProgram({ exitCode: 0 });
  const cmd = program.commands.find((c) => c.name() === name);
  assert.ok(cmd, `no command ${name}`);
  return cmd.helpInformation();
}

test("`capture --help` and `import --help` show no empty default for --label", () => {
  for (const name of ["capture", "import"]) {
    const help = helpOf(name);
    assert.match(help, /--label <key=value>/);
    assert.doesNotMatch(help, /default: \{\}/, `${name} --help`);
  }
});

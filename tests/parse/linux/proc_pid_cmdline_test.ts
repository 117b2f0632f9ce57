import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseProcPidCmdline } from "../../../src/parse/linux/proc_pid_cmdline.ts";

const real = (name: string) =>
  readFileSync(new URL(`../../testdata/proc_pid_cmdline/${name}`, import.meta.url), "latin1");

test("parseProcPidCmdline() reads a title written over argv as ps does: one string, no padding", () => {
  assert.deepEqual(parseProcPidCmdline(real("nginx-worker")), ["nginx: worker process"]);
  // PostgreSQL pads its title with a space and NULs; ps prints it, we drop the padding.
  assert.deepEqual(parseProcPidCmdline(real("postgres-checkpointer")), ["postgres: checkpointer"]);
  assert.equal(parseProcPidCmdline(real("nginx-master")).length, 1);
  assert.match(parseProcPidCmdline(real("nginx-master"))[0]!, /^nginx: master process nginx -p /);
});

test("parseProcPidCmdline() splits ordinary arguments at NULs and keeps an empty one inside", () => {
  const pg = parseProcPidCmdline(real("postgres-postmaster"));
  assert.equal(pg[0], "/usr/lib/postgresql/15/bin/postgres");
  assert.equal(pg[1], "-D");
  assert.deepEqual(pg.slice(-4), ["-c", "listen_addresses=", "-k", pg.at(-1)!]);
  assert.deepEqual(parseProcPidCmdline("sh\0-c\0\0x\0"), ["sh", "-c", "", "x"]);
  // A trailing empty argument cannot be told from padding; ps cannot either.
  assert.deepEqual(parseProcPidCmdline("printf\0%s\0\0"), ["printf", "%s"]);
});

test("parseProcPidCmdline() gives no arguments for a kernel thread or a zombie, and reads a title without its NUL", () => {
  assert.deepEqual(parseProcPidCmdline(""), []);
  assert.deepEqual(parseProcPidCmdline("\0\0\0"), []);
  assert.deepEqual(parseProcPidCmdline("   "), []);
  assert.deepEqual(parseProcPidCmdline("sshd: root@pts/0"), ["sshd: root@pts/0"]);
  // Several arguments keep their spaces: only a lone title is padding.
  assert.deepEqual(parseProcPidCmdline("echo\0a  \0"), ["echo", "a  "]);
});

/**
 * Writing through the real CLI where it is easy to do harm: a device, FIFO or socket is never
 * replaced (with or without --force; `-o -` is the way to stream); a signal mid-write (SIGHUP
 * when SSH drops, SIGQUIT) leaves nothing behind and exits 128 + n; a 250-character name works;
 * a created folder is 0700 under any umask; and a bad destination, a closed pipe or a full disk
 * are told in words ("Cannot …", exit 2), an early-closed pipe quietly.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import {
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { cliPrefix, ROOT, runCli } from "../../helpers/cli.ts";
import { FIXTURES } from "../../helpers/fixtures.ts";

const INPUT = FIXTURES + "linux/proc-net-tcp/jc-ubuntu.txt";

/** A /proc/net/tcp copy with `n` established sockets, for a big import. */
function procNetTcp(n: number): string {
  const rows = Array.from({ length: n }, (_, i) => {
    const port = (1024 + (i % 60000)).toString(16).toUpperCase().padStart(4, "0");
    return `${String(i).padStart(6)}: 0100000A:${port} 0200000A:01BB 01 ` +
      `00000000:00000000 00:00000000 00000000  1000        0 ${1000 + i}`;
  });
  return "  sl  local_address rem_address   st\n" + rows.join("\n");
}

function withDir<T>(fn: (dir: string) => Promise<T> | T): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-whostile-"));
  return Promise.resolve().then(() => fn(dir)).finally(() =>
    rmSync(dir, { recursive: true, force: true })
  );
}

/** The command line that runs nsnap, quoted for bash. */
function shellCli(args: string[]): string {
  return [...cliPrefix(), ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
}

function bash(script: string, cwd: string) {
  return spawnSync("bash", ["-c", script], {
    cwd,
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
  });
}

test("a device, a FIFO or a socket is never replaced, with or without --force", async (t) => {
  await withDir(async (dir) => {
    // A device node of our own, the twin of /dev/null: the machine's /dev/null is never a target.
    const device = join(dir, "null.json");
    if (spawnSync("mknod", ["-m", "666", device, "c", "1", "3"]).status !== 0) {
      return t.skip("mknod is not permitted here (needs root)");
    }
    const fifo = join(dir, "pipe.json");
    assert.equal(spawnSync("mkfifo", [fifo]).status, 0);
    const sock = join(dir, "sock.json");
    const server = createServer();
    await new Promise<void>((r) => server.listen(sock, r));
    try {
      for (
        const [target, kind] of [
          [device, "a character device"],
          [fifo, "a FIFO \\(named pipe\\)"],
          [sock, "a socket"],
        ] as const
      ) {
        for (const force of [[], ["--force"]]) {
          const r = runCli(["import", INPUT, "-o", target, ...force], { cwd: dir });
          assert.equal(r.code, 2, `${target} ${force}: ${r.stderr}`);
          assert.match(
            r.stderr.trim(),
            new RegExp(
              `^nsnap: Cannot write snapshot .*: it is ${kind}, not a regular file \\(use -o - to write to standard output\\)$`,
            ),
          );
        }
      }
      assert.ok(lstatSync(device).isCharacterDevice(), "the device is still a device");
      assert.ok(lstatSync(fifo).isFIFO());
      assert.ok(lstatSync(sock).isSocket());
      assert.deepEqual(
        readdirSync(dir).sort(),
        ["null.json", "pipe.json", "sock.json"],
        "no temporary file",
      );
    } finally {
      server.close();
    }
    const streamed = runCli(["import", INPUT, "-o", "-"], { cwd: dir });
    assert.equal(streamed.code, 0, streamed.stderr);
    assert.equal(JSON.parse(streamed.stdout).schema, "nsnap/v1");
  });
});

test("a 250-character file name is written (the temporary name is short)", async () => {
  await withDir((dir) => {
    const name = "s".repeat(245) + ".json";
    const r = runCli(["import", INPUT, "-o", name], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readdirSync(dir), [name]);
  });
});

test("a folder created for -o DIR/ is 0700 even under umask 000, the file 0600", async () => {
  await withDir((dir) => {
    const r = bash(`umask 000 && ${shellCli(["import", INPUT, "-o", "new/deeper/"])}`, dir);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(statSync(join(dir, "new")).mode & 0o777, 0o700);
    assert.equal(statSync(join(dir, "new", "deeper")).mode & 0o777, 0o700);
    const [file] = readdirSync(join(dir, "new", "deeper"));
    assert.equal(statSync(join(dir, "new", "deeper", file!)).mode & 0o777, 0o600);
  });
});

test("-o FILE/ where FILE is a file says so in words", async () => {
  await withDir((dir) => {
    writeFileSync(join(dir, "afile"), "x");
    const r = runCli(["import", INPUT, "-o", "afile/"], { cwd: dir });
    assert.equal(r.code, 2, r.stderr);
    assert.equal(
      r.stderr.trim(),
      "nsnap: Cannot write snapshot into afile/: afile is a file, not a folder",
    );
    assert.equal(readFileSync(join(dir, "afile"), "utf8"), "x");
  });
});

test("a closed pipe ends output quietly; a full disk says what failed and where", async () => {
  await withDir((dir) => {
    // Enough output that the pipe closes while nsnap still writes.
    writeFileSync(
      join(dir, "tcp.txt"),
      procNetTcp(60_000),
    );
    const big = runCli(["import", "tcp.txt", "-o", "big.json"], { cwd: dir });
    assert.equal(big.code, 0, big.stderr);
    const piped = bash(
      `set -o pipefail; ${shellCli(["show", "-a", "big.json"])} 2>err.txt | head -c1 >/dev/null; ` +
        `echo "exit $?"`,
      dir,
    );
    assert.equal(piped.stdout.trim(), "exit 0", piped.stderr);
    assert.equal(readFileSync(join(dir, "err.txt"), "utf8"), "", "nothing on stderr");
    for (const args of [["show", "-a", "big.json"], ["import", INPUT, "-o", "-"]]) {
      const full = bash(`${shellCli(args)} >/dev/full`, dir);
      assert.equal(full.status, 2, full.stderr);
      assert.equal(
        full.stderr.trim(),
        "nsnap: Cannot write to standard output: no space left on device",
      );
    }
  });
});

/** Starts `nsnap import` of a big file, stops it once its temporary file exists, sends `signal`. */
async function interruptImport(dir: string, signal: NodeJS.Signals): Promise<number | null> {
  const input = join(dir, "in", "tcp.txt");
  const out = join(dir, "out");
  const argv = [...cliPrefix(), "import", input, "-o", join(out, "big.json")];
  const child = spawn(argv[0]!, argv.slice(1), { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code, sig) => resolve(code ?? (sig ? -1 : null)));
  });
  let done = false;
  child.once("exit", () => (done = true));
  const deadline = Date.now() + 90_000;
  while (!done && Date.now() < deadline) {
    if (readdirSync(out).some((n) => n.endsWith(".tmp"))) {
      process.kill(child.pid!, "SIGSTOP");
      process.kill(child.pid!, signal);
      process.kill(child.pid!, "SIGCONT");
      return await exited;
    }
    await new Promise((r) => setImmediate(r));
  }
  await exited;
  return null; // the write finished before its temporary file was seen
}

for (const [signal, code] of [["SIGHUP", 129], ["SIGQUIT", 131]] as const) {
  test(`${signal} during nsnap import's write removes the temporary file and exits ${code}`, {
    timeout: 300_000,
  }, async () => {
    await withDir(async (dir) => {
      spawnSync("mkdir", ["-p", join(dir, "in"), join(dir, "out")]);
      writeFileSync(join(dir, "in", "tcp.txt"), procNetTcp(300_000));
      let got: number | null = null;
      for (let attempt = 0; attempt < 3 && got === null; attempt++) {
        rmSync(join(dir, "out"), { recursive: true, force: true });
        spawnSync("mkdir", ["-p", join(dir, "out")]);
        got = await interruptImport(dir, signal);
      }
      assert.notEqual(got, null, "the write was interrupted while its temporary file existed");
      assert.equal(got, code);
      assert.deepEqual(readdirSync(join(dir, "out")), [], "no temporary file, no snapshot");
    });
  });
}

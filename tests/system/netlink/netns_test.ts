/**
 * Namespace entry and the ways netlink can be unavailable: each must end in a reason (with the
 * errno code) and this process back in its own namespace, never in a throw. Also: the FFI of the
 * runtime running the tests is the one used, and the compiled single executable does the same.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  copyFileSync,
  cpSync,
  mkdtempSync,
  realpathSync,
  rmSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import {
  NETLINK_ROUTE,
  netlinkAvailable,
  netnsInode,
  openNetlink,
} from "../../../src/runtime/netlink.ts";
import { dumpInetSockets, dumpLinks } from "../../../src/collect/linux/netlink.ts";
import { DENO_JSON } from "../../helpers/binary.ts";
import { ROOT } from "../../helpers/cli.ts";
import { canUseNetns, withNetns } from "../../helpers/netns.ts";
import { netnsPath } from "./_scenario.ts";

const skip = !canUseNetns() && "needs root and iproute2 to create network namespaces";
const PROBE = new URL("./probe.ts", import.meta.url).pathname;
const DENO = join(ROOT, "node_modules/.bin/deno");
const BUN = join(ROOT, "node_modules/.bin/bun");
const SELF_NS = "/proc/thread-self/ns/net";
const isBun = (globalThis as { Bun?: unknown }).Bun !== undefined;

interface Probe {
  ok: boolean;
  runtime?: string;
  names?: string[];
  reason?: string;
  code?: string;
}

function probe(argv: string[], env: Record<string, string> = {}): Probe {
  const r = spawnSync(argv[0]!, argv.slice(1), {
    encoding: "utf8",
    timeout: 60_000,
    env: { PATH: "/usr/bin:/bin", DENO_NO_UPDATE_CHECK: "1", ...env },
  });
  assert.equal(r.status, 0, `${argv.join(" ")}: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!) as Probe;
}

test("netlink runs through the FFI of the runtime running the tests", {
  skip: process.platform !== "linux",
}, () => {
  const nl = netlinkAvailable();
  assert.ok(nl.ok, nl.ok ? "" : nl.reason);
  assert.equal(nl.runtime, isBun ? "bun:ffi" : "Deno.dlopen");
  const here = dumpInetSockets();
  assert.ok(here.ok && here.runtime === nl.runtime);
});

test("a namespace path that is missing or not a network namespace is a reason, not a throw", {
  skip: process.platform !== "linux",
}, () => {
  const home = netnsInode(SELF_NS);
  const missing = openNetlink(NETLINK_ROUTE, "/run/netns/nsnap-no-such-namespace");
  assert.equal(missing.ok, false);
  assert.ok(!missing.ok);
  assert.equal(missing.code, "ENOENT");
  assert.match(
    missing.reason,
    /^Cannot open a netlink socket in \/run\/netns\/nsnap-no-such-namespace: /,
  );
  const uts = dumpLinks({ netns: "/proc/self/ns/uts" });
  assert.ok(!uts.ok);
  assert.equal(uts.code, "EINVAL", uts.reason);
  assert.equal(
    uts.reason,
    "Cannot open a netlink socket in /proc/self/ns/uts: not a network namespace",
  );
  assert.equal(netnsInode(SELF_NS), home, "still in our own namespace after a refused setns");
});

test("dumps of a namespace go through setns and come back; a caller's namespace needs none", {
  skip,
}, async () => {
  await withNetns("nlenter", (ns) => {
    ns.ip("link", "add", "nlx0", "type", "veth", "peer", "name", "nlx1");
    const home = netnsInode(SELF_NS);
    const there = dumpLinks({ netns: netnsPath(ns) });
    assert.ok(there.ok, there.ok ? "" : there.reason);
    assert.deepEqual(there.records.map((l) => l.name).sort(), ["lo", "nlx0", "nlx1"]);
    assert.equal(netnsInode(SELF_NS), home);
    // Our own namespace by path: the same answer as without one.
    const own = dumpLinks({ netns: `/proc/${process.pid}/ns/net` });
    const plain = dumpLinks();
    assert.ok(own.ok && plain.ok);
    assert.deepEqual(own.records.map((l) => l.name), plain.records.map((l) => l.name));
    assert.ok(!own.records.some((l) => l.name === "nlx0"));
  });
});

test("as an unprivileged user, entering a namespace is refused with EPERM under both runtimes", {
  skip: skip || (spawnSync("setpriv", ["--version"]).status !== 0 && "needs setpriv"),
}, async () => {
  await withNetns("nlperm", (ns) => {
    const denoDir = mkdtempSync(join(tmpdir(), "nsnap-nl-deno-"));
    // The runtimes, the probe and the sources it imports, copied where nobody may read them: the
    // repository may sit in a private folder (a clone in a fresh mktemp -d).
    const copy = mkdtempSync(join(tmpdir(), "nsnap-nl-copy-"));
    try {
      chownSync(denoDir, 65534, 65534);
      chmodSync(copy, 0o755);
      cpSync(join(ROOT, "src"), join(copy, "src"), { recursive: true });
      cpSync(PROBE, join(copy, "tests/system/netlink/probe.ts"), { recursive: true });
      const deno = join(copy, "deno"), bun = join(copy, "bun");
      copyFileSync(realpathSync(DENO), deno);
      copyFileSync(realpathSync(BUN), bun);
      chmodSync(deno, 0o755);
      chmodSync(bun, 0o755);
      const probeCopy = join(copy, "tests/system/netlink/probe.ts");
      const as = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"];
      const path = netnsPath(ns);
      for (
        const [argv, env] of [
          [[...as, deno, "run", "-A", probeCopy, path], { DENO_DIR: denoDir }],
          [[...as, bun, probeCopy, path], {}],
        ] as const
      ) {
        const r = probe([...argv], env);
        assert.deepEqual(
          [r.ok, r.code, r.reason],
          [
            false,
            "EPERM",
            `Cannot open a netlink socket in ${path}: setns: permission denied`,
          ],
        );
      }
    } finally {
      rmSync(denoDir, { recursive: true, force: true });
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

test("under Deno without the ffi permission, netlink says so and nothing asks for it", {
  skip: process.platform !== "linux",
}, () => {
  const r = probe([DENO, "run", "--allow-read", "--allow-env", PROBE]);
  assert.deepEqual(r, {
    ok: false,
    reason: "Cannot use netlink: the ffi permission is not granted",
  });
});

test("the compiled single executable dumps a namespace through bun:ffi", { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-nl-bin-"));
  try {
    const out = join(dir, "probe");
    // The same bundler flags as the build task, on the probe instead of mod.ts.
    const flags = DENO_JSON.tasks.build!.split(" ").filter((f) =>
      f.startsWith("--") && f !== "--outfile"
    );
    const built = spawnSync(BUN, ["build", ...flags, PROBE, "--outfile", out], {
      encoding: "utf8",
      cwd: ROOT,
    });
    assert.equal(built.status, 0, built.stderr);
    await withNetns("nlbin", (ns) => {
      ns.ip("link", "add", "nlb0", "type", "veth", "peer", "name", "nlb1");
      const r = probe([out, netnsPath(ns)]);
      assert.deepEqual({ ...r, names: r.names?.sort() }, {
        ok: true,
        runtime: "bun:ffi",
        names: ["lo", "nlb0", "nlb1"],
      });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

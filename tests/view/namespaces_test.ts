/**
 * show and port on a capture across namespaces: one block per namespace (the host first), each
 * container listener followed by who reaches it, `--netns` globs, and the ways a host port leads
 * into a container.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serializeSnapshot } from "../../src/snapshot/serialize.ts";
import { normalizeSnapshot } from "../../src/snapshot/normalize.ts";
import { runMain } from "../helpers/main.ts";
import { namespacedPair } from "../diff/_namespaces.ts";

function withFile(fn: (path: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-view-ns-"));
  const [, after] = namespacedPair();
  after.forwards = [{
    protocol: "tcp",
    hostAddress: "0.0.0.0",
    hostPort: 8081,
    toAddress: "172.17.0.4",
    toPort: 80,
    via: "docker-proxy",
    pid: 900,
    namespace: "docker:new",
  }];
  const path = join(dir, "after.json");
  writeFileSync(path, serializeSnapshot(normalizeSnapshot(after), "json"));
  return fn(path).finally(() => rmSync(dir, { recursive: true, force: true }));
}

test("show -tl prints one block per namespace, the host first, with the exposure of listeners", () =>
  withFile(async (path) => {
    const r = await runMain(["show", "-tl", "-W", path]);
    assert.equal(r.code, 0, r.stderr);
    const blocks = r.stdout.split("\n").filter((l) => /^(host|container )/.test(l));
    assert.deepEqual(blocks, [
      "host",
      "container new (docker:new), image shop/new:1, inode 4026532400",
      "container web (docker:web), image shop/web:2, inode 4026532300",
    ]);
    assert.match(r.stdout, /\n {2}tcp 0\.0\.0\.0:80: published on host 0\.0\.0\.0:8081\n/);
    assert.match(
      r.stdout,
      /\n {2}tcp 0\.0\.0\.0:80: published on host 0\.0\.0\.0:8080, \[::\]:8080\n/,
    );
  }));

test("show --netns picks namespaces by id, container name or glob", () =>
  withFile(async (path) => {
    for (const glob of ["web", "docker:web", "*web"]) {
      const r = await runMain(["show", "-tl", "-W", "--netns", glob, path]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^container web \(docker:web\)/, glob);
      assert.doesNotMatch(r.stdout, /container new|^host/m, glob);
    }
    const host = await runMain(["show", "-tl", "-W", "--netns", "host", path]);
    assert.match(host.stdout, /^host\n/);
    assert.match(host.stdout, /0\.0\.0\.0:22/);
    assert.doesNotMatch(host.stdout, /container/);
  }));

test("port N says which host port leads into which container, and lists its sockets", () =>
  withFile(async (path) => {
    const r = await runMain(["port", "8081", "-W", path]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout.split("\n")[0],
      "tcp port 0.0.0.0:8081: docker-proxy (pid 900) on the host → container new 172.17.0.4:80, httpd (pid 400)",
    );
    const web = await runMain(["port", "8080", "-W", path]);
    assert.equal(web.code, 0, web.stderr);
    assert.match(
      web.stdout,
      /^tcp port 0\.0\.0\.0:8080: published by Docker → container web :80, httpd \(pid 300\)$/m,
    );
    const inside = await runMain(["port", "80", "-W", path]);
    assert.match(inside.stdout, /^container new \(docker:new\)/m);
    assert.match(inside.stdout, /^container web \(docker:web\)/m);
  }));

test("JSON records carry the namespace and the exposure", () =>
  withFile(async (path) => {
    const r = await runMain(["show", "-tl", "--format", "json", path]);
    const recs = JSON.parse(r.stdout) as { namespace?: string; exposure?: { kind: string } }[];
    assert.deepEqual(
      recs.map((x) => [x.namespace ?? "-", x.exposure?.kind ?? "-"]),
      [["-", "-"], ["docker:new", "published"], ["docker:web", "published"]],
    );
  }));

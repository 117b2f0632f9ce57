/**
 * A capture across namespaces on a real Docker host (Debian's docker.io, busybox images made
 * offline): three containers — busybox httpd on :80 published on 127.0.0.1:<free port>, one with
 * `--network none` and a veth, one on a user bridge — each listed with its container name, image
 * and owner pid as the host numbers it, each listener's exposure right, each namespace's sockets
 * equal to what `ss -tanp` run inside it (nsenter) prints; then `docker rm -f` and `docker run` of
 * a new version under the same name, and the diff reports it by container name, never by inode.
 * Every container, network and veth goes afterwards (DockerScope).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Connection, Snapshot } from "../../../src/model.ts";
import { docker, dockerSkip, TEST_LABEL, withDocker } from "../../helpers/docker.ts";
import { runCli } from "../../helpers/cli.ts";
import { snapshotTcp, ssTcp } from "../../helpers/ss.ts";

const skip = dockerSkip();

function capture(dir: string, name: string): Snapshot {
  const file = join(dir, name);
  const r = runCli(["capture", "-o", file], { timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(readFileSync(file, "utf8")) as Snapshot;
}

function listener(s: Snapshot, ns: string, port: number): Connection | undefined {
  return s.connections.find((c) =>
    c.namespace === ns && c.state === "LISTEN" && c.localPort === port
  );
}

test("containers are captured by name, image and host pid, with their exposure, and diff by name", {
  skip,
  timeout: 300_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "nsnap-docker-ns-"));
  try {
    await withDocker("netns", (d) => {
      const image = d.busyboxImage();
      const httpd = (port: number) => ["httpd", "-f", "-p", String(port), "-h", "/www"];
      const web = d.run(image, httpd(80), { publish: ["127.0.0.1::80"] });
      const hostPort = Number(
        /:(\d+)$/.exec(docker(["port", web.name, "80/tcp"]).trim().split("\n")[0]!)![1],
      );
      const none = d.run(image, httpd(8080), { network: "none" });
      d.veth(none);
      const net = d.network();
      const bridged = d.run(image, httpd(8080), { network: net.name });

      const before = capture(dir, "before.json");
      const byId = new Map((before.namespaces ?? []).map((n) => [n.id, n]));
      for (const c of [web, none, bridged]) {
        const ns = byId.get(`docker:${c.name}`);
        assert.ok(ns, `docker:${c.name} in ${[...byId.keys()].join(" ")}`);
        assert.equal(ns.labels.container, c.name);
        assert.equal(ns.labels.image, image);
        assert.equal(ns.containers?.[0]?.pid, c.pid);
        assert.equal(ns.sections.connections?.status, "ok", JSON.stringify(ns.sections));
        // The owner is the pid as the host numbers it.
        const l = listener(before, ns.id, c === web ? 80 : 8080);
        assert.ok(l, `${ns.id} listener`);
        assert.equal(l.pid, c.pid);
        assert.equal(before.processes[String(c.pid)]?.name, "httpd");
        // Every socket of the namespace, as ss inside it sees it.
        assert.deepEqual(
          snapshotTcp(before, ns.id),
          ssTcp(["nsenter", "-t", String(c.pid), "-n"]),
          ns.id,
        );
      }
      const pub = listener(before, `docker:${web.name}`, 80)!;
      assert.equal(pub.exposure?.kind, "published");
      assert.deepEqual(
        pub.exposure?.published?.map((p) => `${p.hostAddress}:${p.hostPort}`),
        [`127.0.0.1:${hostPort}`],
      );
      assert.equal(listener(before, `docker:${none.name}`, 8080)?.exposure?.kind, "internal");
      assert.equal(listener(before, `docker:${bridged.name}`, 8080)?.exposure?.kind, "internal");
      // `port` on the host port says where it leads.
      const port = runCli(["port", String(hostPort), join(dir, "before.json"), "-W"]);
      assert.equal(port.code, 0, port.stderr);
      assert.match(
        port.stdout,
        new RegExp(`→ container ${web.name} \\S+:80, httpd \\(pid ${web.pid}\\)`),
      );

      // A new version under the same name: docker rm -f, docker run.
      const v2 = d.importImage({ files: { "www/index.html": "v2\n" } }, ['CMD ["/bin/sh"]']);
      docker(["rm", "-f", web.name]);
      docker([
        "run",
        "-d",
        "--name",
        web.name,
        "--label",
        `${TEST_LABEL}=${process.pid}`,
        "-p",
        `127.0.0.1:${hostPort}:80`,
        v2,
        ...httpd(80),
      ]);
      const newPid = Number(docker(["inspect", "-f", "{{.State.Pid}}", web.name]).trim());
      capture(dir, "after.json");
      const r = runCli([
        "diff",
        join(dir, "before.json"),
        join(dir, "after.json"),
        "--format",
        "json",
      ]);
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout) as {
        changes: { kind: string; namespace?: string; summary: string; key: unknown }[];
      };
      const mine = doc.changes.filter((c) =>
        c.namespace === `docker:${web.name}` ||
        (c.key as { namespace?: string }).namespace === `docker:${web.name}`
      );
      const kinds = mine.map((c) => c.kind).sort();
      assert.deepEqual(kinds, ["listener-restarted", "namespace-changed"], JSON.stringify(mine));
      const changed = mine.find((c) => c.kind === "namespace-changed")!;
      assert.match(changed.summary, new RegExp(`^container ${web.name} re-created \\(`));
      assert.match(changed.summary, new RegExp(`image ${image} → ${v2}`));
      const restarted = mine.find((c) => c.kind === "listener-restarted")!;
      assert.match(
        restarted.summary,
        new RegExp(
          `^container ${web.name}: tcp \\[::\\]:80: httpd restarted \\(pid ${web.pid} → ${newPid}\\)`,
        ),
      );
      // Nothing is reported by inode.
      assert.ok(!doc.changes.some((c) => /inode:\d/.test(c.summary)), r.stdout);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * deploy/k8s as far as a machine without a cluster allows: the image is built offline by Docker
 * from deploy/k8s/Dockerfile and the compiled binary, on a base made here (busybox-static and
 * the glibc files `ldd dist/nsnap` lists) in place of debian:bookworm-slim. The DaemonSet and the
 * Job then run with their own security settings translated into `docker run` flags (host
 * network and PID namespace, all capabilities dropped but SYS_PTRACE, DAC_READ_SEARCH, SYS_ADMIN
 * and NET_ADMIN, read-only root, the hostPath as a volume): their snapshots hold the loopback
 * listeners this test opened on the host, one of root and one of another user, with their pids.
 * Without the capabilities, the owners are unknown.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { linkSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { docker, type DockerScope, dockerSkip, withDocker } from "../../helpers/docker.ts";
import { nsnapBinary } from "../../helpers/binary.ts";
import { dockerRunArgs, K8S_DIR, podSpecOf, readManifests } from "../../helpers/k8s.ts";

const skip = dockerSkip() ||
  (spawnSync("sh", ["-c", "command -v socat && command -v setpriv"]).status !== 0 &&
    "needs socat and setpriv");

/** The part of a snapshot this test reads. */
interface Snapshot {
  meta: {
    labels: Record<string, string>;
    sections: Record<string, { status: string; warnings?: string[] }>;
  };
  connections: {
    state: string;
    localAddress: string;
    localPort: number;
    pid?: number;
    uid: number;
  }[];
}

/** A free loopback TCP port (free when asked; the caller binds it right away). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** The image of deploy/k8s/Dockerfile, built on a local glibc + busybox base. */
function buildImage(d: DockerScope, work: string): string {
  const bin = nsnapBinary();
  // In place of debian:bookworm-slim + iproute2: glibc as the binary needs it, and the real `ip`.
  const base = d.importImage({ librariesOf: [bin], programs: { "/usr/bin/ip": "/usr/bin/ip" } });
  const context = join(work, "context");
  spawnSync("mkdir", ["-p", context]);
  linkSync(bin, join(context, "nsnap"));
  return d.build(context, {
    dockerfile: join(K8S_DIR, "Dockerfile"),
    args: { BASE: base, IPROUTE2: "no" },
  });
}

/** Waits (bounded) for the first file in a folder. */
async function firstFile(dir: string, ms: number): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const files = readdirSync(dir).filter((f) => f.endsWith(".json"));
    if (files.length) return join(dir, files[0]!);
    if (Date.now() > end) throw new Error(`no snapshot in ${dir} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function listener(snap: Snapshot, port: number) {
  return snap.connections.find((c) =>
    c.state === "LISTEN" && c.localAddress === "127.0.0.1" && c.localPort === port
  );
}

test("k8s: the image runs the DaemonSet and the Job with their security settings and sees owners", {
  skip,
  timeout: 240_000,
}, async () => {
  const work = mkdtempSync(join(tmpdir(), "nsnap-k8s-"));
  // Two listeners on the host: one held by this (root) process, one by socat as nobody.
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const rootPort = (server.address() as net.AddressInfo).port;
  const nobodyPort = await freePort();
  const socat = spawn("setpriv", [
    "--reuid=65534",
    "--regid=65534",
    "--clear-groups",
    "socat",
    `TCP-LISTEN:${nobodyPort},bind=127.0.0.1,reuseaddr,fork`,
    "SYSTEM:true",
  ], { stdio: "ignore" });
  try {
    await withDocker("k8s", async (d) => {
      const t0 = performance.now();
      const image = buildImage(d, work);
      const buildMs = performance.now() - t0;
      // socat is most likely up by now; make sure it listens before relying on it.
      const held = () =>
        spawnSync("ss", ["-Hltnp", `sport = :${nobodyPort}`], { encoding: "utf8" }).stdout
          .includes(`pid=${socat.pid},`);
      for (let i = 0; i < 100 && !held(); i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok(held(), `socat as nobody listens on ${nobodyPort}`);

      // The DaemonSet: `capture --every` writes the first snapshot into the hostPath at once.
      const hostDir = join(work, "hostpath");
      spawnSync("mkdir", ["-p", hostDir]);
      const ds = podSpecOf(readManifests("daemonset.yaml").find((m) => m.kind === "DaemonSet")!);
      const args = dockerRunArgs(ds, "nsnap", {
        image,
        hostPaths: { "/var/lib/nsnap": hostDir },
        fields: { "spec.nodeName": "test-node" },
      });
      const at = args.indexOf(image);
      const c = d.run(image, args.slice(at + 1), { flags: args.slice(0, at) });
      const file = await firstFile(hostDir, 60_000);
      await new Promise((r) => setTimeout(r, 200)); // the rotation step after the write
      const snap = JSON.parse(readFileSync(file, "utf8")) as Snapshot;
      assert.equal(snap.meta.labels.node, "test-node");
      assert.equal(listener(snap, rootPort)?.pid, process.pid, `root's listener ${rootPort}`);
      const theirs = listener(snap, nobodyPort);
      assert.equal(theirs?.pid, socat.pid, `nobody's listener ${nobodyPort}`);
      assert.equal(theirs?.uid, 65534);
      // Every section read; owners all known but for sockets no process on the host holds.
      const sections = snap.meta.sections;
      assert.doesNotMatch(JSON.stringify(sections), /permission denied|not root/i);
      for (const s of ["routes", "interfaces", "counters"]) {
        assert.equal(sections[s]?.status, "ok", `${s}: ${JSON.stringify(sections[s])}`);
      }
      // The read-only root: the container changed nothing in its image.
      assert.equal(docker(["diff", c.name]).trim(), "");
      assert.equal(docker(["inspect", "-f", "{{.State.Running}}", c.name]).trim(), "true");
      // Deleting the pod (SIGTERM, then the grace period): a clean stop, exit 0, no temp file.
      const grace = String(ds.terminationGracePeriodSeconds ?? 30);
      docker(["stop", "-t", grace, c.name]);
      assert.equal(docker(["inspect", "-f", "{{.State.ExitCode}}", c.name]).trim(), "0");
      assert.deepEqual(readdirSync(hostDir).filter((f) => f.startsWith(".nsnap-")), []);
      const logs = spawnSync("docker", ["logs", c.name], { encoding: "utf8" });
      assert.match(logs.stderr, /stopped by SIGTERM after 1 capture/);

      // The Job: one capture to stdout, as `kubectl logs` would hand it over.
      const jobPod = podSpecOf(
        readManifests("capture-job.yaml", { NODE: "node-1", PHASE: "before", DEPLOY_ID: "d-1" })
          .find((m) => m.kind === "Job")!,
      );
      const jobArgs = dockerRunArgs(jobPod, "nsnap", { image });
      const j = jobArgs.indexOf(image);
      const job = d.runOnce(image, jobArgs.slice(j + 1), { flags: jobArgs.slice(0, j) });
      assert.equal(job.code, 0, job.stderr);
      assert.equal(job.stderr, "", "nothing but the snapshot in the Job's log");
      const jobSnap = JSON.parse(job.stdout) as Snapshot;
      assert.deepEqual(jobSnap.meta.labels, { deploy: "d-1", phase: "before", node: "node-1" });
      assert.equal(listener(jobSnap, rootPort)?.pid, process.pid);
      assert.equal(listener(jobSnap, nobodyPort)?.pid, socat.pid);

      // Without the capabilities, root in the container cannot tell the owners.
      const capless: string[] = [];
      const flags = jobArgs.slice(0, j);
      for (let i = 0; i < flags.length; i++) {
        if (flags[i] === "--cap-add") i++;
        else capless.push(flags[i]!);
      }
      const bare = d.runOnce(image, jobArgs.slice(j + 1), { flags: capless });
      assert.equal(bare.code, 0, bare.stderr);
      const bareSnap = JSON.parse(bare.stdout) as Snapshot;
      assert.equal(listener(bareSnap, rootPort)?.pid, undefined);
      assert.equal(listener(bareSnap, nobodyPort)?.pid, undefined);
      assert.equal(bareSnap.meta.sections.connections?.status, "partial");
      assert.match(JSON.stringify(bareSnap.meta.sections.connections), /permission denied/);
      console.log(`k8s: image built in ${buildMs.toFixed(0)} ms`);
    });
  } finally {
    socat.kill("SIGKILL");
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(work, { recursive: true, force: true });
  }
});

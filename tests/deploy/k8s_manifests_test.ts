/**
 * deploy/k8s without a cluster: every manifest validates against the Kubernetes schemas
 * (kubernetes-models, offline), the security settings are the ones README.md states, the Job
 * and the DaemonSet agree on them, and the translation into `docker run` flags that the image
 * test uses is exact and refuses what it cannot translate.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  dockerRunArgs,
  K8S_DIR,
  type Manifest,
  podSpecOf,
  readManifests,
  validateManifest,
} from "../helpers/k8s.ts";

const JOB_VARS = { NODE: "node-1", PHASE: "before", DEPLOY_ID: "CHG-1234" };
const CAPS = ["SYS_PTRACE", "DAC_READ_SEARCH", "SYS_ADMIN", "NET_ADMIN"];

function one(file: string, kind: string): Manifest {
  const m = readManifests(file, JOB_VARS).find((x) => x.kind === kind);
  assert.ok(m, `${file} has a ${kind}`);
  return m;
}

test("deploy/k8s: every manifest validates against the Kubernetes schemas", () => {
  const files = readdirSync(K8S_DIR).filter((f) => f.endsWith(".yaml")).sort();
  assert.deepEqual(files, ["capture-job.yaml", "daemonset.yaml", "namespace.yaml"]);
  const kinds: string[] = [];
  for (const file of files) {
    for (const m of readManifests(file, JOB_VARS)) {
      validateManifest(m, file);
      kinds.push(m.kind);
      if (m.kind !== "Namespace") assert.equal(m.metadata.namespace, "nsnap", file);
    }
  }
  assert.deepEqual(kinds.sort(), ["DaemonSet", "Job", "Namespace"]);
  // The Job template has no placeholder left once filled.
  assert.doesNotMatch(JSON.stringify(readManifests("capture-job.yaml", JOB_VARS)), /\$\{/);
});

test("deploy/k8s: the schema check rejects a wrong type and a missing field", () => {
  const ds = one("daemonset.yaml", "DaemonSet");
  const bad = structuredClone(ds);
  (podSpecOf(bad) as Record<string, unknown>).hostPID = "yes";
  assert.throws(() => validateManifest(bad, "bad.yaml"), /hostPID must be boolean/);
  const noContainers = structuredClone(ds);
  delete (podSpecOf(noContainers) as Partial<{ containers: unknown }>).containers;
  assert.throws(
    () => validateManifest(noContainers, "bad.yaml"),
    /must have required property containers/,
  );
});

test("deploy/k8s: the DaemonSet and the Job run as root with only the four capabilities a capture needs", () => {
  const ds = podSpecOf(one("daemonset.yaml", "DaemonSet"));
  const job = podSpecOf(one("capture-job.yaml", "Job"));
  for (const pod of [ds, job]) {
    assert.equal(pod.hostNetwork, true);
    assert.equal(pod.hostPID, true);
    assert.equal(pod.automountServiceAccountToken, false);
    const sc = pod.containers[0]!.securityContext as {
      runAsUser: number;
      privileged: boolean;
      allowPrivilegeEscalation: boolean;
      readOnlyRootFilesystem: boolean;
      capabilities: { drop: string[]; add: string[] };
      seccompProfile: { type: string };
    };
    assert.equal(sc.runAsUser, 0);
    assert.equal(sc.privileged, false);
    assert.equal(sc.allowPrivilegeEscalation, false);
    assert.equal(sc.readOnlyRootFilesystem, true);
    assert.deepEqual(sc.capabilities, { drop: ["ALL"], add: CAPS });
    assert.equal(sc.seccompProfile.type, "RuntimeDefault");
  }
  assert.deepEqual(ds.containers[0]!.securityContext, job.containers[0]!.securityContext);
  assert.deepEqual(ds.volumes, [{
    name: "snapshots",
    hostPath: { path: "/var/lib/nsnap", type: "DirectoryOrCreate" },
  }]);
  const job1 = one("capture-job.yaml", "Job");
  assert.equal(job1.metadata.name, "nsnap-before-node-1");
  assert.deepEqual(job.containers[0]!.args?.slice(0, 3), ["capture", "-o", "-"]);
  assert.equal(job.nodeName, "node-1");
  assert.equal(job.restartPolicy, "Never");
});

test("deploy/k8s: the DaemonSet translates into the docker run flags of the same settings", () => {
  const pod = podSpecOf(one("daemonset.yaml", "DaemonSet"));
  const args = dockerRunArgs(pod, "nsnap", {
    image: "img",
    hostPaths: { "/var/lib/nsnap": "/tmp/x" },
    fields: { "spec.nodeName": "node-7" },
  });
  const image = args.indexOf("img");
  const flags = args.slice(0, image).join(" ");
  assert.match(flags, /--network host --pid host/);
  assert.match(flags, /--user 0:0/);
  assert.match(flags, /--security-opt no-new-privileges/);
  assert.match(flags, /--read-only/);
  assert.match(
    flags,
    /--cap-drop ALL --cap-add SYS_PTRACE --cap-add DAC_READ_SEARCH --cap-add SYS_ADMIN --cap-add NET_ADMIN/,
  );
  assert.match(flags, /--security-opt apparmor=unconfined/);
  assert.match(flags, /-v \/tmp\/x:\/var\/lib\/nsnap/);
  assert.match(flags, /-e NODE_NAME=node-7 /);
  assert.match(flags, /--memory 536870912$/);
  assert.doesNotMatch(flags, /--entrypoint/, "the image's entrypoint, nsnap, runs: no shell loop");
  // $(NAME) filled in from env, as the kubelet does.
  assert.deepEqual(args.slice(image + 1), [
    "capture",
    "--every",
    "10m",
    "--keep",
    "144",
    "-o",
    "/var/lib/nsnap/",
    "--label",
    "node=node-7",
  ]);
});

test("deploy/k8s: the translation refuses fields it does not know", () => {
  const pod = podSpecOf(one("daemonset.yaml", "DaemonSet"));
  const opts = { image: "i", hostPaths: { "/var/lib/nsnap": "/tmp/x" }, fields: {} };
  const typo = structuredClone(pod);
  typo.containers[0]!.securityContext!.readOnlyRootFileSystem = true;
  assert.throws(
    () => dockerRunArgs(typo, "nsnap", { ...opts, fields: { "spec.nodeName": "n" } }),
    /Cannot translate securityContext.readOnlyRootFileSystem/,
  );
  const hostIPC = { ...structuredClone(pod), hostIPC: true };
  assert.throws(() => dockerRunArgs(hostIPC, "nsnap", opts), /pod spec field hostIPC/);
  assert.throws(() => dockerRunArgs(pod, "nsnap", opts), /Cannot translate env NODE_NAME/);
});

test("deploy/k8s: the Dockerfile builds FROM a BASE argument defaulting to Debian's slim image", () => {
  const text = readFileSync(join(K8S_DIR, "Dockerfile"), "utf8");
  assert.match(text, /^ARG BASE=debian:bookworm-slim$/m);
  assert.match(text, /^FROM \$\{BASE\}$/m);
  assert.match(text, /^COPY \$\{BINARY\} \/usr\/local\/bin\/nsnap$/m);
  assert.match(text, /^ENTRYPOINT \["\/usr\/local\/bin\/nsnap"\]$/m);
  assert.doesNotMatch(text, /^# syntax=/m, "a syntax line would make BuildKit fetch a frontend");
});
